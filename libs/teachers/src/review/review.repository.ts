import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import type { EntityManager } from 'typeorm';

export interface ReviewEventRow {
  id: string;
  at: Date;
  actorAccountId: string;
  actorRole: string;
  action: string;
  fromState: string;
  toState: string;
  recordVersion: number;
  reason: string | null;
  fieldReasons: Record<string, string> | null;
  participants: string[] | null;
  principal: string | null;
}

/** Every query on `review_event` (the review trail); a record's review state is the teacher repository's. */
@Injectable()
export class ReviewRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get db(): EntityManager {
    return this.txHost.tx;
  }

  async addEvent(e: Omit<ReviewEventRow, 'id' | 'at'> & { teacherId: string }): Promise<void> {
    await this.db.query(
      `INSERT INTO review_event (teacher_id, actor_account_id, actor_role, action, from_state, to_state, record_version, reason, field_reasons, participants, principal)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
      [
        e.teacherId,
        e.actorAccountId,
        e.actorRole,
        e.action,
        e.fromState,
        e.toState,
        e.recordVersion,
        e.reason,
        e.fieldReasons ? JSON.stringify(e.fieldReasons) : null,
        e.participants ? JSON.stringify(e.participants) : null,
        e.principal,
      ],
    );
  }

  async trail(teacherId: string): Promise<ReviewEventRow[]> {
    return this.db.query(
      `SELECT id::text, at, actor_account_id AS "actorAccountId", actor_role AS "actorRole", action, from_state AS "fromState", to_state AS "toState",
              record_version AS "recordVersion", reason, field_reasons AS "fieldReasons", participants, principal
         FROM review_event WHERE teacher_id = $1 ORDER BY id`,
      [teacherId],
    );
  }

  // ---- set-based writes of a bulk import (this repository is the one writer of review_event) ----

  /**
   * A `submit` event for every record of a bulk import job (`bulk_job_person`) that was not submitted
   * yet, at the record's new version; in the caller's transaction, after the records were written.
   */
  async addSubmitEventsFromImport(jobId: string, actor: { accountId: string; role: string }): Promise<void> {
    await this.db.query(
      `INSERT INTO review_event (teacher_id, actor_account_id, actor_role, action, from_state, to_state, record_version)
       SELECT p.teacher_id, $2, $3, 'submit', CASE WHEN p.action = 'create' THEN 'draft' ELSE p.from_state END, 'submitted',
              CASE WHEN p.action = 'create' THEN 1 ELSE p.base_version + 1 END
         FROM bulk_job_person p
        WHERE p.job_id = $1 AND (p.action = 'create' OR p.from_state <> 'submitted')`,
      [jobId, actor.accountId, actor.role],
    );
  }
}
