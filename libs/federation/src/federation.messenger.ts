import { Injectable } from '@nestjs/common';
import { FederationRepository } from './federation.repository.js';
import { FederationPlace, type FederationAddress } from './federation.options.js';

/**
 * Sends a message to another node of the federation. `send` writes it to `federation_outbox` in the
 * caller's open transaction (run it inside `txHost.withTransaction`): the message exists if and only
 * if the caller's writes commit; the relay delivers it at least once, and the receiver's inbox makes
 * the effect exactly once. A province sends only to `national`; the national node to a province.
 */
@Injectable()
export class FederationMessenger {
  constructor(
    private readonly repo: FederationRepository,
    private readonly place: FederationPlace,
  ) {}

  /** This node's address (`national` or its province code). */
  get self(): string {
    return this.place.self;
  }

  /**
   * Enqueues `payload` (a JSON object) as a message of `type` to `to`; `key` orders messages (same key,
   * same partition; default: the type). Returns the message id.
   */
  async send(to: FederationAddress, type: string, payload: object, key?: string): Promise<string> {
    const refused = this.place.refuseDestination(to);
    if (refused) throw new Error(`federation: ${refused}`);
    if (!/^[a-z][a-z0-9.-]{0,99}$/.test(type)) throw new Error(`federation: bad message type ${type}`);
    const k = key ?? type;
    if (k.length > 200) throw new Error('federation: key longer than 200 characters');
    return this.repo.append(to, type, k, payload);
  }
}
