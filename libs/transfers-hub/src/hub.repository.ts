import { Injectable } from '@nestjs/common';
import { returned, TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import type { EntityManager } from 'typeorm';

/**
 * `scheduled`: the sending province confirmed; the transfer waits for its effective date (the
 * receiving province registers the record on that date). `at_receiving_province`: the date had come
 * at the confirmation; the receiving province registers it now.
 */
export type HubStep = 'at_sending_province' | 'scheduled' | 'at_receiving_province' | 'done';
export type HubState = 'in_flight' | 'completed' | 'refused' | 'expired' | 'withdrawn';

export interface HubRow {
  id: string;
  fromProvince: string;
  toProvince: string;
  idType: string;
  idNumber: string;
  teacherName: string;
  toUnitCode: string;
  toUnitName: string;
  effectiveDate: string;
  step: HubStep;
  state: HubState;
  reason: string | null;
  requestedAt: Date;
  stepSince: Date;
  expiresAt: Date;
  settledAt: Date | null;
}

const COLS = `id, from_province AS "fromProvince", to_province AS "toProvince", id_type AS "idType", id_number AS "idNumber",
  teacher_name AS "teacherName", to_unit_code AS "toUnitCode", to_unit_name AS "toUnitName",
  to_char(effective_date, 'YYYY-MM-DD') AS "effectiveDate", step, state, reason, requested_at AS "requestedAt",
  step_since AS "stepSince", expires_at AS "expiresAt", settled_at AS "settledAt"`;

/** Every query on `transfer_hub`: the national node's state of each cross-province saga. */
@Injectable()
export class HubRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get db(): EntityManager {
    return this.txHost.tx;
  }

  async findById(id: string, lock = false): Promise<HubRow | null> {
    const rows = await this.db.query(`SELECT ${COLS} FROM transfer_hub WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [
      id,
    ]);
    return rows[0] ?? null;
  }

  async inFlightFor(idType: string, idNumber: string): Promise<boolean> {
    const rows = await this.db.query(
      `SELECT 1 FROM transfer_hub WHERE id_type = $1 AND id_number = $2 AND state = 'in_flight' LIMIT 1`,
      [idType, idNumber],
    );
    return rows.length > 0;
  }

  async insert(r: {
    id: string;
    fromProvince: string;
    toProvince: string;
    idType: string;
    idNumber: string;
    teacherName: string;
    toUnitCode: string;
    toUnitName: string;
    toSchoolType: string | null;
    effectiveDate: string;
    state: HubState;
    step: HubStep;
    reason: string | null;
    timeoutSeconds: number;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO transfer_hub (id, from_province, to_province, id_type, id_number, teacher_name, to_unit_code, to_unit_name, to_school_type,
         effective_date, state, step, reason, expires_at, settled_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13, now() + make_interval(secs => $14::int), CASE WHEN $15::boolean THEN now() END)`,
      [
        r.id,
        r.fromProvince,
        r.toProvince,
        r.idType,
        r.idNumber,
        r.teacherName,
        r.toUnitCode,
        r.toUnitName,
        r.toSchoolType,
        r.effectiveDate,
        r.state,
        r.step,
        r.reason,
        r.timeoutSeconds,
        r.state !== 'in_flight',
      ],
    );
  }

  /** Moves an in-flight saga from `step` (one of them) on; false when it was not there any more. */
  async advance(
    id: string,
    fromStep: HubStep | HubStep[],
    to: {
      step: HubStep;
      state: HubState;
      reason?: string | null;
      fromSchoolType?: string | null;
      title?: string | null;
    },
  ): Promise<boolean> {
    const res = await this.db.query(
      `UPDATE transfer_hub SET step = $3, state = $4, reason = COALESCE($5, reason), step_since = now(),
              settled_at = CASE WHEN $8::boolean THEN now() END,
              from_school_type = COALESCE($6, from_school_type), title = COALESCE($7, title)
        WHERE id = $1 AND step = ANY($2::text[]) AND state = 'in_flight' RETURNING id`,
      [
        id,
        Array.isArray(fromStep) ? fromStep : [fromStep],
        to.step,
        to.state,
        to.reason ?? null,
        to.fromSchoolType ?? null,
        to.title ?? null,
        to.state !== 'in_flight',
      ],
    );
    return returned(res).length > 0;
  }

  /** Sagas still at the sending province past their deadline. */
  async overdue(limit: number): Promise<HubRow[]> {
    return this.db.query(
      `SELECT ${COLS} FROM transfer_hub WHERE state = 'in_flight' AND step = 'at_sending_province' AND expires_at < now()
        ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  /** Today at the national node (the date a saga's effective date is compared with). */
  async today(): Promise<string> {
    const [r] = await this.db.query(`SELECT to_char(current_date, 'YYYY-MM-DD') AS d`);
    return r.d;
  }

  async list(state: string | null, limit: number): Promise<HubRow[]> {
    return this.db.query(
      `SELECT ${COLS} FROM transfer_hub WHERE ($1::text IS NULL OR state = $1::text) ORDER BY requested_at DESC, id LIMIT $2`,
      [state, limit],
    );
  }

  /** Cross-province flows (completed sagas) between provinces, for the national mobility statistics. */
  async flows(from: string, to: string): Promise<{ fromProvince: string; toProvince: string; transfers: number }[]> {
    return this.db.query(
      `SELECT from_province AS "fromProvince", to_province AS "toProvince", count(*)::int AS transfers FROM transfer_hub
        WHERE state = 'completed' AND effective_date BETWEEN $1::date AND $2::date GROUP BY 1, 2 ORDER BY 1, 2`,
      [from, to],
    );
  }
}
