import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { FederationMessage } from './federation-message.js';

const HANDLER_METADATA = 'tmis:federation-handler';

/** Handles one message type; runs inside the receiver's transaction (inbox row + the handler's writes commit together). */
export type FederationHandlerFn = (message: FederationMessage) => Promise<void>;

/**
 * Marks a provider method as the handler of a message type, on the node that receives it:
 *
 *     @Injectable() class TransferMessages {
 *       @OnFederationMessage('transfer.requested')
 *       async requested(m: FederationMessage<TransferRequested>) { … this.txHost.tx … }
 *     }
 *
 * The provider only has to be in some module of the node. One handler per type.
 */
export function OnFederationMessage(type: string): MethodDecorator {
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(HANDLER_METADATA, type, descriptor.value as object);
    return descriptor;
  };
}

/** A handler's way to ask for redelivery later (e.g. a message it depends on has not arrived yet). */
export class FederationRetryLater extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'FederationRetryLater';
  }
}

/** The handlers of this node by message type: found from `@OnFederationMessage`, or added with `register`. */
@Injectable()
export class FederationHandlers implements OnModuleInit {
  private readonly byType = new Map<string, FederationHandlerFn>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | null | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const proto = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(proto)) {
        const fn = instance[name];
        if (typeof fn !== 'function') continue;
        const type = Reflect.getMetadata(HANDLER_METADATA, fn) as string | undefined;
        if (type) this.register(type, (m) => (fn as FederationHandlerFn).call(instance, m));
      }
    }
  }

  register(type: string, handler: FederationHandlerFn): void {
    if (this.byType.has(type)) throw new Error(`federation: a second handler for message type ${type}`);
    this.byType.set(type, handler);
  }

  get(type: string): FederationHandlerFn | undefined {
    return this.byType.get(type);
  }

  types(): string[] {
    return [...this.byType.keys()].sort();
  }
}
