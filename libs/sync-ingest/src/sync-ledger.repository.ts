import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';

/** As the status route has always answered: the bigint figures as decimal strings. */
export interface ProvinceProgress {
  province: string;
  maxSequence: string;
  applied: number;
  duplicates: number;
  lastEventAt: Date | null;
  gap: string;
  secondsSinceLastEvent: number | null;
}

export interface DeadLetterItem {
  id: string;
  receivedAt: Date;
  province: string | null;
  eventId: string | null;
  reason: string;
}

/**
 * The national ingest's ledger: `sync_received` (every (province, sequence) taken), `sync_progress`
 * (per province: the highest sequence, counts, the last event) and `sync_dead_letter` (what was
 * refused, with the reason and the raw message). The only writer of the three tables.
 */
@Injectable()
export class SyncLedgerRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get tx() {
    return this.txHost.tx;
  }

  /** Each province's highest sequence so far (0 when it never sent). */
  async heads(provinces: string[]): Promise<Map<string, number>> {
    const rows: { p: string; head: string }[] = await this.tx.query(
      `SELECT province_code AS p, max_sequence::text AS head FROM sync_progress WHERE province_code = ANY($1::text[])`,
      [provinces],
    );
    return new Map(rows.map((r) => [r.p, Number(r.head)]));
  }

  async ensureProgress(provinces: string[]): Promise<void> {
    await this.tx.query(`INSERT INTO sync_progress (province_code) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, [
      provinces,
    ]);
  }

  /** Records (province, sequence) pairs as received; returns the ones not seen before, as `province:sequence`. */
  async receive(pairs: { province: string; sequence: number }[]): Promise<Set<string>> {
    const fresh: { p: string; s: string }[] = await this.tx.query(
      `INSERT INTO sync_received (province_code, sequence) SELECT * FROM unnest($1::text[], $2::bigint[])
       ON CONFLICT DO NOTHING RETURNING province_code AS p, sequence::text AS s`,
      [pairs.map((p) => p.province), pairs.map((p) => p.sequence)],
    );
    return new Set(fresh.map((r) => `${r.p}:${r.s}`));
  }

  async advance(province: string, maxSequence: number, applied: number, duplicates: number): Promise<void> {
    await this.tx.query(
      `UPDATE sync_progress SET max_sequence = GREATEST(max_sequence, $2), applied = applied + $3, duplicates = duplicates + $4,
              last_event_at = now(), updated_at = now() WHERE province_code = $1`,
      [province, maxSequence, applied, duplicates],
    );
  }

  /** Per province (one, or all when null): progress and the gap (sequences below the head never received). */
  async progress(province: string | null): Promise<ProvinceProgress[]> {
    return this.tx.query(
      `SELECT p.province_code AS "province", p.max_sequence::text AS "maxSequence", p.applied, p.duplicates, p.last_event_at AS "lastEventAt",
              (p.max_sequence - (SELECT count(*) FROM sync_received r WHERE r.province_code = p.province_code))::text AS "gap",
              EXTRACT(EPOCH FROM now() - p.last_event_at)::int AS "secondsSinceLastEvent"
         FROM sync_progress p WHERE ($1::text IS NULL OR p.province_code = $1) ORDER BY p.province_code`,
      [province],
    );
  }

  async deadLetter(province: string | null, eventId: string | null, reason: string, raw: string): Promise<void> {
    await this.tx.query(`INSERT INTO sync_dead_letter (province_code, event_id, reason, raw) VALUES ($1,$2,$3,$4)`, [
      province,
      eventId,
      reason.slice(0, 2000),
      raw.slice(0, 100000),
    ]);
  }

  async deadLetterCount(province: string | null): Promise<number> {
    const [{ n }] = await this.tx.query(
      `SELECT count(*)::int AS n FROM sync_dead_letter WHERE ($1::text IS NULL OR province_code = $1)`,
      [province],
    );
    return n;
  }

  /** The latest 500 dead letters (of one province, or all). */
  async deadLetters(province: string | null): Promise<DeadLetterItem[]> {
    return this.tx.query(
      `SELECT id::text, received_at AS "receivedAt", province_code AS "province", event_id AS "eventId", reason FROM sync_dead_letter
        WHERE ($1::text IS NULL OR province_code = $1) ORDER BY sync_dead_letter.id DESC LIMIT 500`,
      [province],
    );
  }
}
