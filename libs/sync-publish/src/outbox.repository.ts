import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  listenToChannel,
  TransactionHost,
  type ChannelHandlers,
  type ChannelListener,
  type TransactionalAdapterTypeOrm,
} from '@tmis/database';

export interface OutboxRow {
  sequence: string;
  /** The gap-free number the national node sees (assigned by the relay before the first publish). */
  publishSequence: string;
  eventId: string;
  type: string;
  key: string;
  /** The payload as stored (JSON text; not parsed and re-serialised by the relay). */
  payload: string;
  createdAt: Date;
}

export interface OutboxStatusRow {
  unpublished: number;
  /** The last publish sequence handed out (what the national node's head catches up with). */
  lastSequence: number;
  oldestUnpublishedAt: Date | null;
}

export interface ResyncRow {
  id: string;
  state: 'running' | 'done' | 'failed';
  headSequence: number;
  unitsQueued: number;
  teachersQueued: number;
  /** Teachers whose training credits were queued (the phase after the records). */
  creditsQueued: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

/**
 * The provincial node's sync tables: `sync_outbox` (every event to publish, in sequence order),
 * `sync_publish_counter` (the last publish sequence handed out) and `sync_resync` (a resync's
 * progress). The only writer of the three. Every query runs in the open
 * transaction, if any.
 */
@Injectable()
export class OutboxRepository {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly dataSource: DataSource,
  ) {}

  private get tx() {
    return this.txHost.tx;
  }

  /**
   * Listens (on a connection of its own) for `tmis_sync_outbox`, sent when a transaction that appended
   * outbox rows commits (migration 1767950000000); null when the node's database has no URL to listen on.
   */
  listenForAppends(handlers: ChannelHandlers): ChannelListener | null {
    const url = (this.dataSource.options as { url?: string }).url;
    return url ? listenToChannel(url, 'tmis_sync_outbox', handlers) : null;
  }

  /** Appends one event. */
  async append(type: string, key: string, payload: object): Promise<void> {
    await this.tx.query(`INSERT INTO sync_outbox (type, key, payload) VALUES ($1, $2, $3::jsonb)`, [
      type,
      key,
      JSON.stringify(payload),
    ]);
  }

  /**
   * The resync's records, set-based and in chunks (ADR 0022): the next `limit` reported records after
   * `afterTeacherId` (in id order), as reported — a record changed since (a draft under review) from its
   * reported snapshot (`teacher_reported`) — appended as `teacher.snapshot` events of up to
   * `SNAPSHOT_MAX_RECORDS` records and about `chunkBytes` each (`{ records: [...] }`, keyed by the chunk's
   * first teacher id, so chunks spread over the partitions), in one `INSERT … SELECT`: each record's
   * payload built by PostgreSQL from the stored jsonb (no row travels to the node and back), the one
   * `toReportedPayload` (libs/teachers) builds on the live path, member for member
   * (test/medium/outbox.test.ts compares the two). The records were validated when written and the
   * national node judges every record again. Rows are read `FOR SHARE`: a concurrent change of the
   * same teacher commits first, so its own event has the lower sequence. Returns how many records were
   * appended and the last teacher id.
   */
  async appendReportedTeacherChunks(
    afterTeacherId: string | null,
    limit: number,
    chunkBytes: number,
    chunkRecords: number,
  ): Promise<{ queued: number; lastTeacherId: string | null }> {
    const [row] = await this.tx.query(
      `WITH page AS (
         SELECT t.id, u.code AS unit_code, COALESCE(r.id_type, t.id_type) AS id_type, COALESCE(r.id_number, t.id_number) AS id_number,
                COALESCE(r.name, t.name) AS name, COALESCE(r.person_status, t.person_status) AS person_status, t.reported_version,
                COALESCE(r.record, t.record) AS record, COALESCE(r.custom, t.custom, '{}'::jsonb) AS custom,
                COALESCE(r.catalogue_version, t.catalogue_version) AS catalogue_version
           FROM teacher t JOIN org_unit u ON u.id = t.unit_id LEFT JOIN teacher_reported r ON r.teacher_id = t.id
          WHERE t.reported_version IS NOT NULL AND ($1::uuid IS NULL OR t.id > $1::uuid)
          ORDER BY t.id LIMIT $2 FOR SHARE OF t),
       built AS MATERIALIZED (
         SELECT p.id, jsonb_build_object('teacherId', p.id, 'unitCode', p.unit_code, 'idType', p.id_type, 'idNumber', p.id_number,
                  'name', p.name, 'personStatus', p.person_status, 'reportedVersion', p.reported_version, 'record', p.record,
                  'custom', p.custom, 'catalogueVersion', p.catalogue_version) AS payload
           FROM page p),
       -- A chunk: the records whose running size (the jsonb's size, at least 256 bytes each) falls in one
       -- slice of chunkBytes, or in one slice of chunkRecords records, whichever cuts first.
       sized AS (
         SELECT id, payload, sum(greatest(pg_column_size(payload), 256)) OVER w AS bytes, row_number() OVER w AS rn
           FROM built WINDOW w AS (ORDER BY id)),
       chunked AS (
         SELECT id, payload, dense_rank() OVER (ORDER BY (bytes - 1) / $3, (rn - 1) / $4) AS chunk FROM sized),
       ins AS (
         INSERT INTO sync_outbox (type, key, payload)
         SELECT 'teacher.snapshot', min(id::text), jsonb_build_object('records', jsonb_agg(payload ORDER BY id))
           FROM chunked GROUP BY chunk ORDER BY chunk
         RETURNING 1)
       SELECT (SELECT count(*) FROM page)::int AS queued, (SELECT count(*) FROM ins)::int AS chunks,
              (SELECT id::text FROM page ORDER BY id DESC LIMIT 1) AS "lastTeacherId"`,
      [afterTeacherId, limit, chunkBytes, chunkRecords],
    );
    return { queued: row.queued, lastTeacherId: row.lastTeacherId };
  }

  /** The highest sequence written so far (0 when none). */
  async head(): Promise<number> {
    const [{ head }] = await this.tx.query(`SELECT COALESCE(max(sequence), 0)::bigint AS head FROM sync_outbox`);
    return Number(head);
  }

  /**
   * Hands out the next publish sequences (consecutive, no gaps) to up to `limit` committed rows that
   * have none, in outbox order, under the counter's row lock (one assigner at a time); returns how
   * many. Run in its own transaction and committed before publishing, so a row published twice
   * (a crash after the broker took it) keeps its number. A snapshot marker gets, as `headSequence`,
   * the publish sequence just before its snapshot's `begin` marker.
   */
  async assignPublishSequences(limit: number): Promise<number> {
    // An index scan, not a bitmap scan: each row's unnumbered version dies when it is numbered, and only a
    // plain index scan marks such dead index entries as dead for the next scans (a bitmap scan read all
    // of them, ~1,500 heap pages and ~43 ms a call after a resync, until VACUUM).
    await this.tx.query(`SET LOCAL enable_bitmapscan = off`);
    const [{ last }] = await this.tx.query(`SELECT last::text AS last FROM sync_publish_counter FOR UPDATE`);
    const [{ n, markers }] = await this.tx.query(
      `WITH picked AS (SELECT sequence, row_number() OVER (ORDER BY sequence) AS rn
                         FROM (SELECT sequence FROM sync_outbox WHERE publish_sequence IS NULL ORDER BY sequence LIMIT $2) s),
            done AS (UPDATE sync_outbox o SET publish_sequence = $1::bigint + p.rn FROM picked p WHERE o.sequence = p.sequence RETURNING o.type)
       SELECT count(*)::int AS n, count(*) FILTER (WHERE type = 'snapshot.marker')::int AS markers FROM done`,
      [last, limit],
    );
    if (!n) return 0;
    // Only a resync's markers carry a head sequence (the live path's rows skip this statement).
    if (markers)
      await this.tx.query(
        `UPDATE sync_outbox m SET payload = jsonb_set(m.payload, '{headSequence}', to_jsonb(b.head))
         FROM (SELECT m2.sequence, (SELECT b.publish_sequence - 1 FROM sync_outbox b
                                     WHERE b.type = 'snapshot.marker' AND b.payload->>'phase' = 'begin' AND b.publish_sequence <= m2.publish_sequence
                                     ORDER BY b.publish_sequence DESC LIMIT 1) AS head
                 FROM sync_outbox m2 WHERE m2.publish_sequence > $1::bigint AND m2.publish_sequence <= $1::bigint + $2 AND m2.type = 'snapshot.marker') b
        WHERE m.sequence = b.sequence AND b.head IS NOT NULL`,
        [last, n],
      );
    await this.tx.query(`UPDATE sync_publish_counter SET last = last + $1`, [n]);
    return n;
  }

  /**
   * Up to `limit` numbered, unpublished rows in publish order, and no more than about `maxBytes` of
   * stored payload (a resync's `teacher.snapshot` rows hold a few hundred records each; at least one
   * row is taken), locked (SKIP LOCKED) for the open transaction.
   */
  async lockUnpublished(limit: number, maxBytes = 4 * 1024 * 1024, from = 0): Promise<OutboxRow[]> {
    // ORDER BY o.publish_sequence, the bigint column: an unqualified name would sort by the text output column.
    // pg_column_size reads a stored (TOASTed) payload's size from its pointer, without fetching it.
    return this.tx.query(
      `SELECT o.sequence::text AS sequence, o.publish_sequence::text AS "publishSequence", o.event_id AS "eventId", o.type, o.key,
              o.payload::text AS payload, o.created_at AS "createdAt" FROM sync_outbox o
        WHERE o.sequence IN (
                SELECT s.sequence FROM (
                  SELECT sequence, sum(pg_column_size(payload)) OVER (ORDER BY publish_sequence) - pg_column_size(payload) AS before
                    FROM sync_outbox WHERE published_at IS NULL AND publish_sequence IS NOT NULL AND publish_sequence >= $3 ORDER BY publish_sequence LIMIT $1) s
                 WHERE s.before < $2)
          AND o.published_at IS NULL
        ORDER BY o.publish_sequence FOR UPDATE SKIP LOCKED`,
      [limit, maxBytes, from],
    );
  }

  /**
   * A publish sequence at or below every unpublished row's (the lowest unpublished at or above `from`,
   * else the next to be handed out), for `lockUnpublished`'s `from`: its index range then starts past
   * the entries of rows already published, which stay in the partial index (dead, two per row) until
   * VACUUM — thousands of them at 200 changes/s, walked by every claim (issue 19). Sound because a
   * row, once numbered, only goes from unpublished to published, and numbers are handed out
   * increasing under the counter's lock (a number being handed out concurrently is above the counter
   * this reads, so above the floor).
   */
  async unpublishedFloor(from: number): Promise<number> {
    const [{ floor }] = await this.tx.query(
      // A counter below the floor went back (a restored database): start again from the bottom.
      `SELECT (CASE WHEN c.last + 1 < $1 THEN 0
                    ELSE COALESCE((SELECT publish_sequence FROM sync_outbox WHERE published_at IS NULL AND publish_sequence IS NOT NULL
                                      AND publish_sequence >= $1 ORDER BY publish_sequence LIMIT 1), c.last + 1) END)::text AS floor
         FROM sync_publish_counter c`,
      [from],
    );
    return Number(floor);
  }

  async markPublished(sequences: string[]): Promise<void> {
    await this.tx.query(`UPDATE sync_outbox SET published_at = now() WHERE sequence = ANY($1::bigint[])`, [sequences]);
  }

  async status(): Promise<OutboxStatusRow> {
    const [row] = await this.tx.query(
      // Through the partial index of unpublished rows, not a scan of every row published so far.
      `SELECT count(*)::int AS unpublished, (SELECT last FROM sync_publish_counter) AS last, min(created_at) AS oldest
         FROM sync_outbox WHERE published_at IS NULL`,
    );
    return { unpublished: row.unpublished, lastSequence: Number(row.last), oldestUnpublishedAt: row.oldest };
  }

  // ---- sync_resync ----

  /** Starts a resync row (the unique index refuses a second running one). */
  async createResync(headSequence: number, startedBy: string | null): Promise<string> {
    const [row] = await this.tx.query(
      `INSERT INTO sync_resync (state, head_sequence, started_by) VALUES ('running', $1, $2) RETURNING id::text`,
      [headSequence, startedBy],
    );
    return row.id;
  }

  async runningResyncId(): Promise<string | null> {
    const rows: { id: string }[] = await this.tx.query(`SELECT id::text FROM sync_resync WHERE state = 'running'`);
    return rows[0]?.id ?? null;
  }

  async latestResync(): Promise<ResyncRow | null> {
    const [r] = await this.tx.query(
      `SELECT id::text, state, head_sequence::int AS "headSequence", units_queued AS "unitsQueued", teachers_queued AS "teachersQueued",
              credits_queued AS "creditsQueued", started_at AS "startedAt", finished_at AS "finishedAt", error
         FROM sync_resync ORDER BY id DESC LIMIT 1`,
    );
    return r ?? null;
  }

  /** The resync's cursors, locked for the open transaction. */
  async lockResyncCursor(id: string): Promise<{
    afterTeacherId: string | null;
    afterUnitPath: string | null;
    afterCreditTeacherId: string | null;
    headSequence: number;
  }> {
    const [r] = await this.tx.query(
      `SELECT after_teacher_id AS "afterTeacherId", after_unit_path AS "afterUnitPath",
              after_credit_teacher_id::text AS "afterCreditTeacherId", head_sequence::bigint AS head
         FROM sync_resync WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return {
      afterTeacherId: r.afterTeacherId,
      afterUnitPath: r.afterUnitPath,
      afterCreditTeacherId: r.afterCreditTeacherId,
      headSequence: Number(r.head),
    };
  }

  async advanceResyncCredits(id: string, afterTeacherId: string, queued: number): Promise<void> {
    await this.tx.query(
      `UPDATE sync_resync SET after_credit_teacher_id = $2, credits_queued = credits_queued + $3 WHERE id = $1`,
      [id, afterTeacherId, queued],
    );
  }

  async advanceResyncUnits(id: string, afterUnitPath: string, queued: number): Promise<void> {
    await this.tx.query(`UPDATE sync_resync SET after_unit_path = $2, units_queued = units_queued + $3 WHERE id = $1`, [
      id,
      afterUnitPath,
      queued,
    ]);
  }

  async advanceResyncTeachers(id: string, afterTeacherId: string, queued: number): Promise<void> {
    await this.tx.query(
      `UPDATE sync_resync SET after_teacher_id = $2, teachers_queued = teachers_queued + $3 WHERE id = $1`,
      [id, afterTeacherId, queued],
    );
  }

  async finishResync(id: string): Promise<void> {
    await this.tx.query(`UPDATE sync_resync SET state = 'done', finished_at = now() WHERE id = $1`, [id]);
  }

  async failResync(id: string, error: string): Promise<void> {
    await this.tx.query(`UPDATE sync_resync SET state = 'failed', error = $2, finished_at = now() WHERE id = $1`, [
      id,
      error.slice(0, 2000),
    ]);
  }
}
