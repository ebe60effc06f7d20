import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import type { ChangeRow } from './change-entry.js';

export interface ChangeSlice {
  /** The last sequence handed out when the slice was read. */
  head: number;
  /** Entries up to here were pruned (retention). */
  prunedThrough: number;
  rows: ChangeRow[];
}

export interface ChangeTextRow {
  seq: string;
  entityType: string;
  entityId: string;
  /** The entry as the API shows it, full view (`ChangeEntry` as JSON text). */
  entry: string;
}

export interface ChangeTextSlice extends Omit<ChangeSlice, 'rows'> {
  rows: ChangeTextRow[];
}

/** A timestamp as JSON.stringify writes a Date (UTC, milliseconds), in SQL. */
export const isoTimeSql = (c: string) => `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * One `change_log` row (alias `l`) as `toChangeEntry(row, 'full')` shows it, as JSON text, in SQL (the
 * cursor is `encodeChangeCursor`): what the feed and webhook bodies are spliced from.
 */
export const ENTRY_TEXT_SQL = `json_build_object(
  'cursor', rtrim(translate(encode(convert_to('c1.' || l.seq, 'UTF8'), 'base64'), '+/', '-_'), '='),
  'sequence', l.seq, 'type', l.type, 'entityType', l.entity_type, 'entityId', l.entity_id, 'unitPath', l.unit_path,
  'previousUnitPath', l.old_unit_path, 'changedAt', ${isoTimeSql('l.changed_at')}, 'committedAt', ${isoTimeSql('l.committed_at')},
  'entity', l.data)::text`;

const ROW_COLUMNS = `l.seq::text AS seq, l.type, l.entity_type AS "entityType", l.entity_id AS "entityId", l.unit_path AS "unitPath",
  l.old_unit_path AS "oldUnitPath", l.changed_at AS "changedAt", l.committed_at AS "committedAt", l.data`;

/**
 * The change feed's tables: `change_pending` (appended by the triggers on `teacher` and `org_unit`),
 * `change_log` (the numbered, committed changes) and `change_feed_counter`. The only writer of the
 * last two (ADR 0020).
 */
/** A slice's entries: sequences in ($1, $2], whose unit before or after the change is in the subtree $3. */
const IN_SLICE = `WHERE l.seq > $1::bigint AND l.seq <= $2::bigint AND (l.unit_path LIKE $3 || '%' OR l.old_unit_path LIKE $3 || '%')`;

@Injectable()
export class ChangeFeedRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get tx() {
    return this.txHost.tx;
  }

  /**
   * Moves up to `limit` committed pending changes into the log with the next sequences (consecutive,
   * no gaps), in the order they were written, under the counter's row lock (one sequencer at a time,
   * across every node on this database). Run in a transaction of its own; returns how many. A change
   * whose transaction has not committed is invisible here and gets a later number when it has: a
   * reader who has passed sequence N never sees a new entry at or below N.
   */
  async sequence(limit: number): Promise<number> {
    // The batch is a range of the primary key, read in order through its index, whatever the table's
    // statistics say: `id IN (SELECT id … LIMIT n)` was planned, with statistics taken when the table was
    // nearly empty, as a nested loop re-running the subquery for every pending row (1.5 M × 5,000 index
    // entries: one statement ran for more than ten minutes after a large import).
    await this.tx.query(`SET LOCAL enable_seqscan = off`);
    const [{ last }] = await this.tx.query(`SELECT last::text AS last FROM change_feed_counter FOR UPDATE`);
    const [{ n }] = await this.tx.query(
      `WITH moved AS (DELETE FROM change_pending
                       WHERE id <= COALESCE((SELECT id FROM change_pending ORDER BY id OFFSET $2::int - 1 LIMIT 1), 9223372036854775807)
                       RETURNING *),
            done AS (INSERT INTO change_log (seq, type, entity_type, entity_id, unit_path, old_unit_path, changed_at, committed_at, data)
                     SELECT $1::bigint + row_number() OVER (ORDER BY id), type, entity_type, entity_id, unit_path, old_unit_path,
                            changed_at, clock_timestamp(), data FROM moved RETURNING 1)
       SELECT count(*)::int AS n FROM done`,
      [last, limit],
    );
    if (n) await this.tx.query(`UPDATE change_feed_counter SET last = last + $1`, [n]);
    return n;
  }

  /**
   * The sequences a slice may read: after `after` (and past what was pruned), up to the head, at most
   * `window` of them. The head is read first: every entry up to it was committed with it (the sequencer
   * commits rows and counter together), so a slice's statement finds them all.
   */
  private async bounds(after: number, window: number) {
    const [h] = await this.tx.query(
      `SELECT last::text AS last, pruned_through::text AS pruned FROM change_feed_counter`,
    );
    const head = Number(h.last);
    const prunedThrough = Number(h.pruned);
    const from = Math.max(after, prunedThrough);
    return { head, prunedThrough, from, upto: Math.min(head, from + window) };
  }

  /**
   * The entries after `after` in the subtree `pathPrefix` (entries whose unit, before or after the
   * change, is in it), up to `limit`, looking at no more than `window` sequences. The head is read
   * first: every entry up to it was committed with it (the sequencer commits rows and counter
   * together), so the second statement finds them all — the bounds are plain values, so the primary
   * key is scanned in order.
   */
  async slice(after: number, pathPrefix: string, limit: number, window: number): Promise<ChangeSlice> {
    const { head, prunedThrough, from, upto } = await this.bounds(after, window);
    const rows: ChangeRow[] =
      upto > from
        ? await this.tx.query(
            `SELECT ${ROW_COLUMNS} FROM change_log l
              ${IN_SLICE}
              ORDER BY l.seq LIMIT $4`,
            [from, upto, pathPrefix, limit],
          )
        : [];
    return { head, prunedThrough, rows };
  }

  /**
   * As `slice`, but each entry comes as its API JSON text (the full view), built by PostgreSQL: the
   * page is spliced together from them without decoding and encoding the records in between.
   */
  async sliceText(after: number, pathPrefix: string, limit: number, window: number): Promise<ChangeTextSlice> {
    const { head, prunedThrough, from, upto } = await this.bounds(after, window);
    const rows: ChangeTextRow[] =
      upto > from
        ? await this.tx.query(
            `SELECT l.seq::text AS seq, l.entity_type AS "entityType", l.entity_id::text AS "entityId", ${ENTRY_TEXT_SQL} AS entry
               FROM change_log l
              ${IN_SLICE}
              ORDER BY l.seq LIMIT $4`,
            [from, upto, pathPrefix, limit],
          )
        : [];
    return { head, prunedThrough, rows };
  }

  /** The entries with these sequences (any scope), for webhook deliveries. */
  async bySequences(seqs: string[]): Promise<ChangeRow[]> {
    if (!seqs.length) return [];
    return this.tx.query(`SELECT ${ROW_COLUMNS} FROM change_log l WHERE l.seq = ANY($1::bigint[])`, [seqs]);
  }

  async head(): Promise<number> {
    const [{ last }] = await this.tx.query(`SELECT last::text AS last FROM change_feed_counter`);
    return Number(last);
  }

  /**
   * Whether any committed change waits for its number (a read, no lock: the idle sequencer's tick).
   * Through the primary key, in order: as `EXISTS (SELECT 1 FROM change_pending)` it was a sequential
   * scan, which reads every dead row the sequencer's deletes left until a vacuum (1.5 M of them, 0.9 GB
   * and 0.2 s a tick, after a large import on a server whose autovacuum is off or behind); an index
   * scan skips the entries of dead rows once one scan has marked them.
   */
  async anyPending(): Promise<boolean> {
    // In key order: a sequential scan would have to read the whole table before its first row, so the
    // planner takes the index even with statistics that call the table empty.
    const rows = await this.tx.query(`SELECT id FROM change_pending ORDER BY id LIMIT 1`);
    return rows.length > 0;
  }

  /**
   * Empties `change_pending`'s storage when nothing waits in it (in the caller's transaction): the
   * sequencer's deletes leave one dead row per change numbered, which every statement reading the table
   * passes until a vacuum (the health figure's count, the batch's index walk), and the node does not
   * rely on the server's autovacuum for it. Only when the table can be locked at once (no writer has
   * an open transaction on it, so no change is in flight) and holds no row; returns whether it did.
   * A truncation also leaves no statistics taken while the table was nearly empty (a `VACUUM` at that
   * moment did, and the planner then took the next large import for an empty table).
   */
  async truncateIfDrained(): Promise<boolean> {
    // Under a savepoint, so that a refused lock leaves the transaction usable (and ends cleanly).
    await this.tx.query(`SAVEPOINT change_pending_lock`);
    try {
      await this.tx.query(`LOCK TABLE change_pending IN ACCESS EXCLUSIVE MODE NOWAIT`);
    } catch (e) {
      if ((e as { code?: string }).code !== '55P03') throw e; // lock_not_available: a writer is at work
      await this.tx.query(`ROLLBACK TO SAVEPOINT change_pending_lock`);
      return false;
    }
    if (await this.anyPending()) return false;
    await this.tx.query(`TRUNCATE change_pending`);
    return true;
  }

  /** How many committed changes wait for a sequence, and the oldest one's age. */
  async pending(): Promise<{ pending: number; oldestSeconds: number }> {
    const [r] = await this.tx.query(
      `SELECT count(*)::int AS n, COALESCE(EXTRACT(EPOCH FROM now() - min(changed_at)), 0)::float AS age FROM change_pending`,
    );
    return { pending: r.n, oldestSeconds: Math.round(r.age) };
  }

  /**
   * Deletes the entries committed before `before` (a prefix of the log: the newest such sequence and
   * everything below it), up to `limit` at a time, and moves the horizon; returns how many.
   */
  async prune(before: Date, limit: number): Promise<number> {
    const [{ upto }] = await this.tx.query(
      `SELECT (SELECT max(seq) FROM (SELECT seq FROM change_log WHERE committed_at < $1 ORDER BY seq LIMIT $2) s)::text AS upto`,
      [before, limit],
    );
    if (upto === null) return 0;
    await this.tx.query(`SELECT 1 FROM change_feed_counter FOR UPDATE`);
    const [{ n }] = await this.tx.query(
      `WITH d AS (DELETE FROM change_log WHERE seq <= $1 RETURNING 1) SELECT count(*)::int AS n FROM d`,
      [upto],
    );
    await this.tx.query(`UPDATE change_feed_counter SET pruned_through = GREATEST(pruned_through, $1)`, [upto]);
    return n;
  }
}
