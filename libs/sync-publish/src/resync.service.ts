import { Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { commonError, CommonErrorCode } from '@tmis/common';
import {
  buildPayload,
  CustomFieldsChangedPayload,
  OrgUnitsChangedPayload,
  ResyncParticipant,
  SNAPSHOT_MAX_RECORDS,
  SnapshotMarkerPayload,
} from '@tmis/contracts';
import {
  isTransientDatabaseError,
  isUniqueViolation,
  TransactionHost,
  type TransactionalAdapterTypeOrm,
} from '@tmis/database';
import { OutboxRepository, type ResyncRow } from './outbox.repository.js';
import { OrgRepository } from '@tmis/org';
import { ReportedStateRepository } from './reported-state.repository.js';

export type ResyncStatus = ResyncRow;

/** Records per resync transaction (each held `FOR SHARE` until its chunk commits, a fraction of a second). */
const TEACHER_CHUNK = 10_000;
/** About this many bytes of records per `teacher.snapshot` message (the broker takes 1 MiB per request). */
const SNAPSHOT_BYTES = 400_000;
const UNIT_CHUNK = 2000;
/** Teachers whose credits one resync transaction queues (a `teacher.credits` message each). */
const CREDIT_TEACHERS = 500;
/** Wait before carrying on after the database failed under the resync. */
const RETRY_MS = 2000;

/**
 * Province side: re-publishes the full reported state (after a national restore, or on first
 * connection) alongside normal traffic, between `snapshot.marker` begin/end: the custom indicator
 * definitions, every unit (parents first), then every reported record — as reported: a record
 * changed since (a draft under review) is published from its reported snapshot (`teacher_reported`).
 * It runs in the background in chunks, each in its own transaction with its progress, so normal
 * writes are never blocked for long and a node restarted mid-resync carries on where it stopped.
 * Unit and custom-field messages are built with `buildPayload` from the contract classes, as on the
 * live path; the records, the bulk of it, are appended set-based in chunks of a few hundred per
 * `teacher.snapshot` message (`appendReportedTeacherChunks`: each record's payload built in SQL from the
 * stored jsonb, the same members as the live path's builder; ADR 0022). Then what the record modules
 * keep beside the records (`ResyncParticipant`: every teacher's training credits, with the confirmed
 * training of sub-set 13), so that a rebuilt national node holds them too.
 */
@Injectable()
export class ResyncService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Resync');
  private running: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly reported: ReportedStateRepository,
    private readonly org: OrgRepository,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    /** The training module's credits (absent on a node without it). */
    @Optional() private readonly participant?: ResyncParticipant,
  ) {}

  onApplicationBootstrap(): void {
    void this.outbox
      .runningResyncId()
      .then((id) => {
        if (id && !this.stopping) {
          this.log.log(`resuming resync ${id}`);
          this.launch(id);
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
      id = await this.txHost.withTransaction(async () => {
        const head = await this.outbox.head();
        const resyncId = await this.outbox.createResync(head, accountId);
        await this.marker('begin', head);
        const definitions = await this.reported.customFieldDefinitions();
        if (definitions.length)
          await this.outbox.append(
            'custom-fields.changed',
            'custom-fields',
            buildPayload(CustomFieldsChangedPayload, { definitions }),
          );
        return resyncId;
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
  status(): Promise<ResyncStatus | null> {
    return this.outbox.latestResync();
  }

  /** Waits for the resync in progress (tests, tools). */
  async settled(): Promise<void> {
    await this.running;
  }

  private async marker(phase: 'begin' | 'end', headSequence: number): Promise<void> {
    await this.outbox.append(
      'snapshot.marker',
      'snapshot',
      buildPayload(SnapshotMarkerPayload, { phase, headSequence }),
    );
  }

  private launch(id: string): void {
    this.running = this.runToEnd(id).finally(() => {
      this.running = null;
    });
  }

  /**
   * Runs the resync; a failure of the database itself (restarted, unreachable, a deadlock) does not
   * end it: the chunk in flight rolled back, and it carries on from its committed cursor once the
   * database answers again. Any other error marks it failed.
   */
  private async runToEnd(id: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.run(id);
        return;
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        if (this.stopping) return; // the pool is closing: resumed at the next start
        if (isTransientDatabaseError(e)) {
          this.log.warn(`resync ${id} paused (${msg}); carrying on in ${RETRY_MS / 1000} s (attempt ${attempt})`);
          await new Promise((r) => setTimeout(r, RETRY_MS));
          continue;
        }
        this.log.error(`resync ${id} failed: ${msg}`);
        await this.outbox.failResync(id, msg).catch(() => undefined);
        return;
      }
    }
  }

  private async run(id: string): Promise<void> {
    // Units, parents first (by path), a chunk per transaction: one `org-units.changed` message per chunk.
    for (;;) {
      if (this.stopping) return;
      const more = await this.txHost.withTransaction(async () => {
        const cursor = await this.outbox.lockResyncCursor(id);
        const page = await this.org.syncedUnitsPage(cursor.afterUnitPath, UNIT_CHUNK);
        if (!page.length) return false;
        await this.outbox.append(
          'org-units.changed',
          'org-units',
          buildPayload(OrgUnitsChangedPayload, { units: page.map((p) => p.unit) }),
        );
        await this.outbox.advanceResyncUnits(id, page[page.length - 1].path, page.length);
        return page.length === UNIT_CHUNK;
      });
      if (!more) break;
    }
    // Reported records in id order, a chunk per transaction, set-based (read FOR SHARE: a concurrent
    // change of the same teacher commits first, so its own outbox event has the lower sequence).
    for (;;) {
      if (this.stopping) return;
      const more = await this.txHost.withTransaction(async () => {
        const cursor = await this.outbox.lockResyncCursor(id);
        const { queued, lastTeacherId } = await this.outbox.appendReportedTeacherChunks(
          cursor.afterTeacherId,
          TEACHER_CHUNK,
          SNAPSHOT_BYTES,
          SNAPSHOT_MAX_RECORDS,
        );
        if (!queued || !lastTeacherId) return false;
        await this.outbox.advanceResyncTeachers(id, lastTeacherId, queued);
        return true;
      });
      if (!more) break;
    }
    // What the record modules keep beside the records (the training credits), teacher by teacher.
    const participant = this.participant;
    while (participant && !this.stopping) {
      const more = await this.txHost.withTransaction(async () => {
        const cursor = await this.outbox.lockResyncCursor(id);
        const { queued, lastTeacherId } = await participant.queuePage(cursor.afterCreditTeacherId, CREDIT_TEACHERS);
        if (!queued || !lastTeacherId) return false;
        await this.outbox.advanceResyncCredits(id, lastTeacherId, queued);
        return queued === CREDIT_TEACHERS;
      });
      if (!more) break;
    }
    if (this.stopping) return;
    await this.txHost.withTransaction(async () => {
      const { headSequence } = await this.outbox.lockResyncCursor(id);
      await this.marker('end', headSequence);
      await this.outbox.finishResync(id);
    });
    this.log.log(`resync ${id} queued`);
  }
}
