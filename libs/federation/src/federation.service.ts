import { Injectable } from '@nestjs/common';
import type { Actor } from '@tmis/access';
import { requireFederationReader } from '@tmis/sync-transport';
import { toWire } from './federation-message.js';
import { FederationReceiver, type ReceiveOutcome } from './federation.receiver.js';
import { FederationRepository, type FederationDeadLetter } from './federation.repository.js';

/** The HTTP transport's national side and the dead-letter list. */
@Injectable()
export class FederationService {
  constructor(
    private readonly repo: FederationRepository,
    private readonly receiver: FederationReceiver,
  ) {}

  /** Messages pushed by a province's node: the sender is the token's province, whatever the bodies say. */
  async receiveUp(province: string, messages: string[]): Promise<{ outcomes: ReceiveOutcome[] }> {
    const outcomes: ReceiveOutcome[] = [];
    for (const m of messages) outcomes.push(await this.receiver.receive(m, { from: province, channel: 'http' }));
    return { outcomes };
  }

  /** The province's numbered downward messages after `after`, in order. */
  async downFor(
    province: string,
    after: number,
    limit: number,
  ): Promise<{ messages: { seq: number; message: string }[] }> {
    const rows = await this.repo.pageFor(province, after, limit);
    return {
      messages: rows.map((r) => ({
        seq: Number(r.relaySeq),
        message: toWire(
          {
            id: r.messageId,
            type: r.type,
            from: 'national',
            to: r.destination,
            key: r.key,
            sentAt: new Date(r.createdAt).toISOString(),
          },
          r.payload,
        ),
      })),
    };
  }

  async deadLetters(a: Actor): Promise<FederationDeadLetter[]> {
    requireFederationReader(a);
    return this.repo.deadLetters();
  }
}
