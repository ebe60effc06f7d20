import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';

export interface FederationOutboxRow {
  relaySeq: string;
  messageId: string;
  destination: string;
  type: string;
  key: string;
  /** JSON text as stored. */
  payload: string;
  createdAt: Date;
}

export interface FederationDeadLetter {
  id: string;
  messageId: string | null;
  source: string | null;
  channel: string;
  reason: string;
  raw: string;
  receivedAt: Date;
}

/** The federation tables (outbox, relay counter, inbox, dead letters, cursors). Every query runs in the open transaction, if any. */
@Injectable()
export class FederationRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get tx() {
    return this.txHost.tx;
  }

  async append(destination: string, type: string, key: string, payload: object): Promise<string> {
    const [row] = await this.tx.query(
      `INSERT INTO federation_outbox (destination, type, key, payload) VALUES ($1, $2, $3, $4::jsonb) RETURNING message_id::text AS id`,
      [destination, type, key, JSON.stringify(payload)],
    );
    return row.id;
  }

  /** Hands out the next relay sequences (consecutive) to committed rows without one, under the counter's lock. */
  async assignRelaySequences(limit: number): Promise<number> {
    const [{ last }] = await this.tx.query(`SELECT last::text AS last FROM federation_relay_counter FOR UPDATE`);
    const [{ n }] = await this.tx.query(
      `WITH picked AS (SELECT seq, row_number() OVER (ORDER BY seq) AS rn
                         FROM (SELECT seq FROM federation_outbox WHERE relay_seq IS NULL ORDER BY seq LIMIT $2) s),
            done AS (UPDATE federation_outbox o SET relay_seq = $1::bigint + p.rn FROM picked p WHERE o.seq = p.seq RETURNING 1)
       SELECT count(*)::int AS n FROM done`,
      [last, limit],
    );
    if (n) await this.tx.query(`UPDATE federation_relay_counter SET last = last + $1`, [n]);
    return n;
  }

  private static readonly COLS = `o.relay_seq::text AS "relaySeq", o.message_id::text AS "messageId", o.destination, o.type, o.key,
       o.payload::text AS payload, o.created_at AS "createdAt"`;

  /** Numbered, unpublished rows in relay order, locked (SKIP LOCKED) for the open transaction. */
  async lockUnpublished(limit: number): Promise<FederationOutboxRow[]> {
    return this.tx.query(
      `SELECT ${FederationRepository.COLS} FROM federation_outbox o
        WHERE o.published_at IS NULL AND o.relay_seq IS NOT NULL ORDER BY o.relay_seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  async markPublished(relaySeqs: string[]): Promise<void> {
    await this.tx.query(`UPDATE federation_outbox SET published_at = now() WHERE relay_seq = ANY($1::bigint[])`, [
      relaySeqs,
    ]);
  }

  /** The numbered messages for one destination after `after` (the HTTP pull of a province). */
  async pageFor(destination: string, after: number, limit: number): Promise<FederationOutboxRow[]> {
    return this.tx.query(
      `SELECT ${FederationRepository.COLS} FROM federation_outbox o
        WHERE o.destination = $1 AND o.relay_seq > $2 ORDER BY o.relay_seq LIMIT $3`,
      [destination, after, limit],
    );
  }

  /** Records a message id as handled; false when it was already (a redelivery). */
  async claim(messageId: string, source: string, type: string, outcome: 'applied' | 'dead-letter'): Promise<boolean> {
    const rows = await this.tx.query(
      `INSERT INTO federation_inbox (message_id, source, type, outcome) VALUES ($1, $2, $3, $4)
       ON CONFLICT (message_id) DO NOTHING RETURNING 1`,
      [messageId, source, type, outcome],
    );
    return rows.length > 0;
  }

  async handled(messageId: string): Promise<boolean> {
    const rows = await this.tx.query(`SELECT 1 FROM federation_inbox WHERE message_id = $1`, [messageId]);
    return rows.length > 0;
  }

  async deadLetter(d: {
    messageId: string | null;
    source: string | null;
    channel: string;
    reason: string;
    raw: string;
  }): Promise<void> {
    await this.tx.query(
      `INSERT INTO federation_dead_letter (message_id, source, channel, reason, raw) VALUES ($1, $2, $3, $4, $5)`,
      [d.messageId, d.source?.slice(0, 8) ?? null, d.channel.slice(0, 200), d.reason, d.raw],
    );
  }

  async deadLetters(limit = 200): Promise<FederationDeadLetter[]> {
    return this.tx.query(
      `SELECT id::text, message_id AS "messageId", source, channel, reason, raw, received_at AS "receivedAt"
         FROM federation_dead_letter ORDER BY id DESC LIMIT $1`,
      [limit],
    );
  }

  async cursor(name: string): Promise<number> {
    const rows: { position: string }[] = await this.tx.query(
      `SELECT position::text AS position FROM federation_cursor WHERE name = $1`,
      [name],
    );
    return rows.length ? Number(rows[0].position) : 0;
  }

  async setCursor(name: string, position: number): Promise<void> {
    await this.tx.query(
      `INSERT INTO federation_cursor (name, position) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET position = GREATEST(federation_cursor.position, EXCLUDED.position)`,
      [name, position],
    );
  }

  async status(): Promise<{ unpublished: number; lastRelaySeq: number; inbox: number; deadLetters: number }> {
    const [r] = await this.tx.query(
      `SELECT (SELECT count(*) FROM federation_outbox WHERE published_at IS NULL)::int AS unpublished,
              (SELECT last FROM federation_relay_counter)::text AS last,
              (SELECT count(*) FROM federation_inbox)::int AS inbox,
              (SELECT count(*) FROM federation_dead_letter)::int AS dead`,
    );
    return { unpublished: r.unpublished, lastRelaySeq: Number(r.last), inbox: r.inbox, deadLetters: r.dead };
  }
}
