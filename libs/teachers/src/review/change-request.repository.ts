import { Injectable } from '@nestjs/common';
import { returned, TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import type { EntityManager } from 'typeorm';
import type { ChangeRequestRow, ChangeSet } from './change-request.model.js';

const COLS = `id, teacher_id AS "teacherId", unit_path AS "unitPath", base_version AS "baseVersion", changes, reason, state, requested_by AS "requestedBy",
  requested_at AS "requestedAt", decided_by AS "decidedBy", decided_at AS "decidedAt", decision_reason AS "decisionReason"`;

/** Every query on `change_request`. */
@Injectable()
export class ChangeRequestRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get db(): EntityManager {
    return this.txHost.tx;
  }

  async insert(r: {
    teacherId: string;
    unitPath: string;
    baseVersion: number;
    changes: ChangeSet;
    reason: string;
    requestedBy: string;
  }): Promise<string> {
    const rows = await this.db.query(
      `INSERT INTO change_request (teacher_id, unit_path, base_version, changes, reason, requested_by) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`,
      [r.teacherId, r.unitPath, r.baseVersion, JSON.stringify(r.changes), r.reason, r.requestedBy],
    );
    return rows[0].id;
  }

  /** One request; `lock` takes a row lock (inside the caller's transaction). */
  async findById(id: string, lock = false): Promise<ChangeRequestRow | null> {
    const rows = await this.db.query(`SELECT ${COLS} FROM change_request WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [
      id,
    ]);
    return rows[0] ?? null;
  }

  async list(pathPrefix: string, state: string): Promise<ChangeRequestRow[]> {
    return this.db.query(
      `SELECT ${COLS} FROM change_request WHERE unit_path LIKE $1 AND state = $2 ORDER BY requested_at, id LIMIT 500`,
      [pathPrefix + '%', state],
    );
  }

  /** Decides a pending request; false when it was decided meanwhile. */
  async decide(id: string, state: string, decidedBy: string, reason: string | null): Promise<boolean> {
    const res = await this.db.query(
      `UPDATE change_request SET state = $2, decided_by = $3, decided_at = now(), decision_reason = $4 WHERE id = $1 AND state = 'pending' RETURNING id`,
      [id, state, decidedBy, reason],
    );
    return returned(res).length > 0;
  }

  /** Whether a record has a change request still waiting for the department (it blocks a transfer). */
  async hasPending(teacherId: string): Promise<boolean> {
    const rows = await this.db.query(
      `SELECT 1 FROM change_request WHERE teacher_id = $1 AND state = 'pending' LIMIT 1`,
      [teacherId],
    );
    return rows.length > 0;
  }

  async countPending(pathPrefix: string): Promise<number> {
    const [row] = await this.db.query(
      `SELECT count(*)::int AS n FROM change_request WHERE state = 'pending' AND unit_path LIKE $1`,
      [pathPrefix + '%'],
    );
    return row.n;
  }
}
