import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { NODE_MICROSERVICES } from '@tmis/server';
import { FederationController, FederationNationalController, FederationNodeGuard } from './federation.controller.js';
import { FederationHandlers } from './federation.handlers.js';
import {
  federationKafkaController,
  FederationKafkaInbox,
  federationMicroservice,
  inboundTopics,
} from './federation-kafka.inbound.js';
import { FederationMessenger } from './federation.messenger.js';
import { FEDERATION_OPTIONS, type FederationOptions } from './federation.options.js';
import { FederationReceiver } from './federation.receiver.js';
import { FederationRelay } from './federation.relay.js';
import { FederationRepository } from './federation.repository.js';
import { FederationService } from './federation.service.js';

/**
 * The federation messenger (ADR 0013), on either node role: `FederationMessenger.send` (outbox in the
 * caller's transaction), the relay, and the receiver with its inbox, dispatching to the
 * `@OnFederationMessage` handlers of any module. With Kafka the node consumes per message through a
 * `@nestjs/microservices` Kafka server; without, a province pushes and pulls over HTTP.
 */
@Module({})
export class FederationModule {
  static register(options: FederationOptions): DynamicModule {
    const controllers: Type[] = [FederationController];
    if (options.role === 'national') controllers.push(FederationNationalController);
    const kafka = !!options.kafka?.brokers.length;
    if (kafka) controllers.push(federationKafkaController(inboundTopics(options)));
    return {
      module: FederationModule,
      global: true,
      imports: [DiscoveryModule],
      controllers,
      providers: [
        { provide: FEDERATION_OPTIONS, useValue: options },
        { provide: NODE_MICROSERVICES, useValue: kafka ? [federationMicroservice(options)] : [] },
        FederationRepository,
        FederationHandlers,
        FederationMessenger,
        FederationReceiver,
        FederationRelay,
        FederationService,
        FederationKafkaInbox,
        FederationNodeGuard,
      ],
      exports: [FederationMessenger, FederationHandlers, FederationReceiver, FederationRelay, NODE_MICROSERVICES],
    };
  }
}
