import { Injectable, Logger } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { FederationHandlers, FederationRetryLater } from './federation.handlers.js';
import { parseWire } from './federation-message.js';
import { FederationRepository } from './federation.repository.js';
import { FederationPlace } from './federation.options.js';

export type ReceiveOutcome = 'applied' | 'duplicate' | 'dead-letter';

/** Where a message came from, as the transport established it (never as the message says). */
export interface ReceivedFrom {
  /** `national`, or the province whose topic (and broker credentials) or node token carried it. */
  from: string;
  /** For the dead-letter record: the topic, or `http`. */
  channel: string;
}

/** Errors worth a redelivery: the database or network failing, not the message. */
export function isTransient(e: unknown): boolean {
  if (e instanceof FederationRetryLater) return true;
  const err = e as { code?: string; driverError?: { code?: string }; message?: string } | null;
  const code = err?.driverError?.code ?? err?.code ?? '';
  if (/^(08|40|53|57|58)/.test(code)) return true;
  if (/^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, ETIMEDOUT…
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    err?.message ?? '',
  );
}

/**
 * The receiving side, whatever the transport: checks the message against the sender the transport
 * established (a message whose body names another sender, or another receiver, is dead-lettered),
 * then, in one transaction, records its id in the inbox and runs the type's handler — a redelivered
 * id is acknowledged and ignored. A handler that throws dead-letters the message (the handler's
 * writes roll back), unless the error is transient (`isTransient`, or `FederationRetryLater`):
 * then the error propagates and the transport delivers the message again.
 */
@Injectable()
export class FederationReceiver {
  private readonly log = new Logger('FederationReceiver');

  constructor(
    private readonly repo: FederationRepository,
    private readonly handlers: FederationHandlers,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly place: FederationPlace,
  ) {}

  private get self(): string {
    return this.place.self;
  }

  async receive(raw: Buffer | string | null, source: ReceivedFrom): Promise<ReceiveOutcome> {
    const text = raw === null ? '' : String(raw);
    const parsed = parseWire(raw);
    if (!parsed.ok) return this.refuse(parsed.id ?? null, source, parsed.reason, text, false);
    const m = parsed.message;
    if (m.from !== source.from)
      return this.refuse(m.id, source, `sent by ${source.from} but claims to come from ${m.from}`, text, false);
    if (m.to !== this.self) return this.refuse(m.id, source, `addressed to ${m.to}, not to ${this.self}`, text, false);
    try {
      return await this.txHost.withTransaction(async () => {
        if (!(await this.repo.claim(m.id, m.from, m.type, 'applied'))) return 'duplicate' as const;
        const handler = this.handlers.get(m.type);
        if (!handler) throw new NoHandler(`no handler for message type ${m.type} on ${this.self}`);
        await handler(m);
        return 'applied' as const;
      });
    } catch (e) {
      if (isTransient(e)) throw e;
      const reason =
        e instanceof NoHandler ? e.message : `handler failed: ${e instanceof Error ? e.message : String(e)}`;
      return this.refuse(m.id, source, reason, text, true, m.type);
    }
  }

  /** Dead-letters a message; with `claim`, also records its id so a redelivery is ignored. */
  private async refuse(
    id: string | null,
    source: ReceivedFrom,
    reason: string,
    raw: string,
    claim: boolean,
    type = 'unknown',
  ): Promise<ReceiveOutcome> {
    this.log.warn(`federation dead letter from ${source.from} (${source.channel}): ${reason}`);
    return this.txHost.withTransaction(async () => {
      if (claim && id && !(await this.repo.claim(id, source.from, type.slice(0, 100), 'dead-letter')))
        return 'duplicate';
      await this.repo.deadLetter({
        messageId: id,
        source: source.from,
        channel: source.channel,
        reason: storable(reason),
        raw: storable(raw),
      });
      return 'dead-letter';
    });
  }
}

class NoHandler extends Error {}

function storable(s: string): string {
  return s
    .replaceAll('\u0000', '\uFFFD')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
