import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { returned, TransactionHost, type DbTx } from '@tmis/database';
import type { ReviewState } from '../teacher.repository.js';

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

@Injectable()
export class ReviewRepository {
  constructor(private readonly db: DataSource) {}

  transaction<T>(fn: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction('READ COMMITTED', fn);
  }

  /** Moves the state only if it is still `from` at `version`; false when someone else moved first. */
  async setState(
    teacherId: string,
    from: ReviewState,
    to: ReviewState,
    version: number,
    tx: EntityManager,
  ): Promise<boolean> {
    const res = await tx.query(
      `UPDATE teacher SET review_state = $3::varchar, reported_version = CASE WHEN $3::varchar = 'reported' THEN version ELSE reported_version END
        WHERE id = $1 AND review_state = $2::varchar AND version = $4 RETURNING id`,
      [teacherId, from, to, version],
    );
    return returned(res).length > 0;
  }

  async addEvent(e: Omit<ReviewEventRow, 'id' | 'at'> & { teacherId: string }, tx: EntityManager): Promise<void> {
    await tx.query(
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

  /** Records in a subtree waiting in `state`, oldest change first, keyset-paged by (updated_at, id). */
  async pending(
    pathPrefix: string,
    state: ReviewState,
    after: [string, string] | null,
    limit: number,
  ): Promise<{ id: string; name: string; unitId: string; version: number; updatedAt: Date }[]> {
    const params: unknown[] = [state, pathPrefix + '%', limit];
    let cursor = '';
    if (after) {
      params.push(after[0], after[1]);
      cursor = `AND (updated_at, id) > ($4::timestamptz, $5::uuid)`;
    }
    return this.db.query(
      `SELECT id, name, unit_id AS "unitId", version, updated_at AS "updatedAt" FROM teacher
        WHERE review_state = $1 AND unit_path LIKE $2 ${cursor} ORDER BY updated_at, id LIMIT $3`,
      params,
    );
  }

  // ---- set-based writes of a bulk import (this repository is the one writer of review_event) ----

  @Inject(TransactionHost) private readonly importTx!: DbTx;

  /**
   * A `submit` event for every record of a bulk import job (`bulk_job_person`) that was not submitted
   * yet, at the record's new version; in the caller's transaction, after the records were written.
   */
  async addSubmitEventsFromImport(jobId: string, actor: { accountId: string; role: string }): Promise<void> {
    await this.importTx.tx.query(
      `INSERT INTO review_event (teacher_id, actor_account_id, actor_role, action, from_state, to_state, record_version)
       SELECT p.teacher_id, $2, $3, 'submit', CASE WHEN p.action = 'create' THEN 'draft' ELSE p.from_state END, 'submitted',
              CASE WHEN p.action = 'create' THEN 1 ELSE p.base_version + 1 END
         FROM bulk_job_person p
        WHERE p.job_id = $1 AND (p.action = 'create' OR p.from_state <> 'submitted')`,
      [jobId, actor.accountId, actor.role],
    );
  }
}
