import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { commonError, CommonErrorCode } from '@tmis/common';
import { isUniqueViolation } from '@tmis/database';
import { ModuleRef } from '@nestjs/core';
import { buildPayload, OrgUnitsChangedPayload, SyncOutbox } from '@tmis/contracts';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { OrgRepository } from '@tmis/org';
import { TeacherRepository } from '@tmis/teachers';
import { DataSource } from 'typeorm';
import { SYNC_OPTIONS, type SyncOptions } from './sync.options.js';

export interface ResyncStatus {
  id: string;
  state: 'running' | 'done' | 'failed';
  headSequence: number;
  unitsQueued: number;
  teachersQueued: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

const TEACHER_CHUNK = 5000;
const UNIT_CHUNK = 2000;

/**
 * Province side: re-publishes the full reported state (after a national restore, or on first
 * connection) alongside normal traffic, between `snapshot.marker` begin/end: the custom indicator
 * definitions, every unit (parents first), then every reported record — as reported: a record
 * changed since (a draft under review) is published from its reported snapshot (`teacher_reported`).
 * It runs in the background in chunks, each in its own transaction with its progress, so normal
 * writes are never blocked for long and a node restarted mid-resync carries on where it stopped.
 * Rows are read FOR SHARE: a concurrent change of the same teacher commits first, so its own outbox
 * event always has the lower sequence and the national node keeps the newer state.
 */
@Injectable()
export class ResyncService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Resync');
  private running: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly db: DataSource,
    @Inject(SYNC_OPTIONS) private readonly options: SyncOptions,
    private readonly moduleRef: ModuleRef,
    private readonly outbox: SyncOutbox,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
  ) {}

  private tx<T>(fn: () => Promise<T>): Promise<T> {
    return this.txHost.withTransaction(fn);
  }

  // The record modules' repositories and their payload builders (the same the live path uses).
  private get units(): OrgRepository {
    return this.moduleRef.get(OrgRepository, { strict: false });
  }

  private get teachers(): TeacherRepository {
    return this.moduleRef.get(TeacherRepository, { strict: false });
  }

  onApplicationBootstrap(): void {
    if (this.options.kind !== 'provincial') return;
    void this.db
      .query(`SELECT id::text FROM sync_resync WHERE state = 'running'`)
      .then((rows: { id: string }[]) => {
        if (rows[0] && !this.stopping) {
          this.log.log(`resuming resync ${rows[0].id}`);
          this.launch(rows[0].id);
        }
      })
      .catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /** Starts a resync (refused while one is running); returns at once with its status. */
  async start(accountId: string | null): Promise<ResyncStatus> {
    let id: string;
    try {
      id = await this.db.transaction(async (tx) => {
        const [{ head }] = await tx.query(`SELECT COALESCE(max(sequence), 0)::bigint AS head FROM sync_outbox`);
        const [row] = await tx.query(
          `INSERT INTO sync_resync (state, head_sequence, started_by) VALUES ('running', $1, $2) RETURNING id::text`,
          [head, accountId],
        );
        await tx.query(`INSERT INTO sync_outbox (type, key, payload) VALUES ('snapshot.marker', 'snapshot', $1)`, [
          JSON.stringify({ phase: 'begin', headSequence: Number(head) }),
        ]);
        await tx.query(
          `INSERT INTO sync_outbox (type, key, payload) SELECT 'custom-fields.changed', 'custom-fields', jsonb_build_object('definitions', jsonb_agg(d.definition || jsonb_build_object('version', d.version, 'status', d.status)))
             FROM (SELECT DISTINCT ON (key) key, version, status, definition FROM custom_field ORDER BY key, version DESC) d HAVING count(*) > 0`,
        );
        return row.id as string;
      });
    } catch (e) {
      if (isUniqueViolation(e))
        throw commonError(CommonErrorCode.Conflict, 'A resync is already running', { running: await this.status() });
      throw e;
    }
    this.launch(id);
    return (await this.status())!;
  }

  /** The latest resync, or null if none ever ran. */
  async status(): Promise<ResyncStatus | null> {
    const [r] = await this.db.query(
      `SELECT id::text, state, head_sequence::int AS "headSequence", units_queued AS "unitsQueued", teachers_queued AS "teachersQueued", started_at AS "startedAt", finished_at AS "finishedAt", error
         FROM sync_resync ORDER BY id DESC LIMIT 1`,
    );
    return r ?? null;
  }

  /** Waits for the resync in progress (tests, tools). */
  async settled(): Promise<void> {
    await this.running;
  }

  private launch(id: string): void {
    this.running = this.run(id)
      .catch(async (e: unknown) => {
        const msg = e instanceof Error ? e.message : String(e);
        if (this.stopping) return; // the pool is closing: resumed at the next start
        this.log.error(`resync ${id} failed: ${msg}`);
        await this.db
          .query(`UPDATE sync_resync SET state = 'failed', error = $2, finished_at = now() WHERE id = $1`, [
            id,
            msg.slice(0, 2000),
          ])
          .catch(() => undefined);
      })
      .finally(() => {
        this.running = null;
      });
  }

  private async run(id: string): Promise<void> {
    // Units, parents first (ordered by path), in chunks: one message per chunk, key 'org-units'.
    let [{ unitsQueued }] = await this.db.query(`SELECT units_queued AS "unitsQueued" FROM sync_resync WHERE id = $1`, [
      id,
    ]);
    for (;;) {
      if (this.stopping) return;
      const n = await this.tx(async () => {
        const units = await this.units.syncedUnitsPage(null, unitsQueued + UNIT_CHUNK);
        const page = units.slice(unitsQueued);
        if (page.length) await this.outbox.unitsChanged(buildPayload(OrgUnitsChangedPayload, { units: page }));
        await this.txHost.tx.query(`UPDATE sync_resync SET units_queued = units_queued + $2 WHERE id = $1`, [
          id,
          page.length,
        ]);
        return page.length;
      });
      unitsQueued += n;
      if (n < UNIT_CHUNK) break;
    }
    // Reported records in id order, a chunk per transaction, as reported (the live path's builder).
    for (;;) {
      if (this.stopping) return;
      const more = await this.tx(async () => {
        const [cursor] = await this.txHost.tx.query(
          `SELECT after_teacher_id AS after FROM sync_resync WHERE id = $1 FOR UPDATE`,
          [id],
        );
        const page = await this.teachers.reportedPage(cursor.after, TEACHER_CHUNK);
        if (!page.length) return false;
        // One multi-row insert per chunk, in id order (the relay publishes in sequence order).
        await this.txHost.tx.query(
          `INSERT INTO sync_outbox (type, key, payload)
           SELECT 'teacher.upserted', p->>'teacherId', p FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(p, i) ORDER BY i`,
          [JSON.stringify(page)],
        );
        await this.txHost.tx.query(
          `UPDATE sync_resync SET after_teacher_id = $2, teachers_queued = teachers_queued + $3 WHERE id = $1`,
          [id, page[page.length - 1].teacherId, page.length],
        );
        return true;
      });
      if (!more) break;
    }
    await this.db.transaction(async (tx) => {
      const [{ head }] = await tx.query(`SELECT head_sequence::bigint AS head FROM sync_resync WHERE id = $1`, [id]);
      await tx.query(`INSERT INTO sync_outbox (type, key, payload) VALUES ('snapshot.marker', 'snapshot', $1)`, [
        JSON.stringify({ phase: 'end', headSequence: Number(head) }),
      ]);
      await tx.query(`UPDATE sync_resync SET state = 'done', finished_at = now() WHERE id = $1`, [id]);
    });
    this.log.log(`resync ${id} queued`);
  }
}
