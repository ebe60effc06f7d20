import { Injectable } from '@nestjs/common';
import { returned, TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import type { EntityManager } from 'typeorm';
import type { TransferKind, TransferState } from './transfer.workflow.js';

/** The actor who took the last approving step, kept to apply the case when it falls due. */
export interface StoredActor {
  accountId: string;
  role: string;
  unitId: string;
  unitPath: string;
  unitLevel: number;
}

export interface TransferRow {
  id: string;
  kind: TransferKind;
  teacherId: string;
  teacherName: string;
  fromUnitId: string;
  fromUnitPath: string;
  toUnitId: string;
  toUnitPath: string;
  newPost: string | null;
  effectiveDate: string;
  endDate: string | null;
  rotationKind: string | null;
  reason: string;
  state: TransferState;
  stateSince: Date;
  appliedBy: string;
  appliedAt: Date;
  approvedBy: StoredActor | null;
  entryFilled: boolean;
  movedAt: Date | null;
  closedAt: Date | null;
  version: number;
  overdue: boolean;
  otherProvince: string | null;
  personIdType: string | null;
  personIdNumber: string | null;
  /** Cross-in, once the sending province confirmed: the record it reported, registered on the effective date. */
  reportedRecord: Record<string, unknown> | null;
}

export interface TransferEventRow {
  action: string;
  fromState: string | null;
  toState: string;
  actorAccountId: string | null;
  actorUnitId: string | null;
  reason: string | null;
  at: Date;
}

export interface TransferFilter {
  pathPrefix: string;
  direction: 'in' | 'out' | 'all';
  kind?: TransferKind;
  state?: string;
  /** Only cases at one of these states (for the "waiting for me" lists). */
  states?: string[];
  limit: number;
  before?: [string, string];
}

const COLS = `t.id, t.kind, t.teacher_id AS "teacherId", t.teacher_name AS "teacherName", t.from_unit_id AS "fromUnitId",
  t.from_unit_path AS "fromUnitPath", t.to_unit_id AS "toUnitId", t.to_unit_path AS "toUnitPath", t.new_post AS "newPost",
  to_char(t.effective_date, 'YYYY-MM-DD') AS "effectiveDate", to_char(t.end_date, 'YYYY-MM-DD') AS "endDate",
  t.rotation_kind AS "rotationKind", t.reason, t.state, t.state_since AS "stateSince", t.applied_by AS "appliedBy",
  t.applied_at AS "appliedAt", t.approved_by AS "approvedBy", t.entry_filled AS "entryFilled", t.moved_at AS "movedAt",
  t.closed_at AS "closedAt", t.version, t.other_province AS "otherProvince", t.person_id_type AS "personIdType",
  t.person_id_number AS "personIdNumber", t.reported_record AS "reportedRecord",
  (t.state LIKE 'awaiting%' AND t.state_since < now() - make_interval(days => s.deadline_days)) AS overdue`;
const FROM = `transfer t CROSS JOIN transfer_setting s`;

/** Every query on `transfer`, `transfer_event` and `transfer_setting`. */
@Injectable()
export class TransferRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get db(): EntityManager {
    return this.txHost.tx;
  }

  async insert(r: {
    /** A cross-province case takes the saga's id on both provinces. */
    id?: string;
    kind: TransferKind;
    teacherId: string | null;
    teacherName: string;
    fromUnit: { id: string | null; path: string };
    toUnit: { id: string | null; path: string };
    otherProvince?: string;
    person?: { idType: string; idNumber: string };
    newPost: string | null;
    effectiveDate: string;
    endDate: string | null;
    rotationKind: string | null;
    reason: string;
    state: TransferState;
    appliedBy: string;
  }): Promise<string> {
    const rows = await this.db.query(
      `INSERT INTO transfer (kind, teacher_id, teacher_name, from_unit_id, from_unit_path, to_unit_id, to_unit_path, new_post,
         effective_date, end_date, rotation_kind, reason, state, applied_by, id, other_province, person_id_type, person_id_number)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14, COALESCE($15::uuid, gen_random_uuid()),$16,$17,$18) RETURNING id`,
      [
        r.kind,
        r.teacherId,
        r.teacherName,
        r.fromUnit.id,
        r.fromUnit.path,
        r.toUnit.id,
        r.toUnit.path,
        r.newPost,
        r.effectiveDate,
        r.endDate,
        r.rotationKind,
        r.reason,
        r.state,
        r.appliedBy,
        r.id ?? null,
        r.otherProvince ?? null,
        r.person?.idType ?? null,
        r.person?.idNumber ?? null,
      ],
    );
    return rows[0].id;
  }

  async findById(id: string, lock = false): Promise<TransferRow | null> {
    const rows = await this.db.query(`SELECT ${COLS} FROM ${FROM} WHERE t.id = $1 ${lock ? 'FOR UPDATE OF t' : ''}`, [
      id,
    ]);
    return rows[0] ?? null;
  }

  /** Moves a case from `from` (at `version`) to `to`; false when it moved on meanwhile. */
  async setState(
    id: string,
    from: TransferState,
    version: number,
    to: TransferState,
    extra: {
      approvedBy?: StoredActor;
      movedAt?: boolean;
      closedAt?: boolean;
      entryFilled?: boolean;
      teacherId?: string;
      teacherName?: string;
      reportedRecord?: Record<string, unknown>;
    } = {},
  ): Promise<boolean> {
    const res = await this.db.query(
      `UPDATE transfer SET state = $4, state_since = now(), version = version + 1,
              approved_by = COALESCE($5::jsonb, approved_by),
              moved_at = CASE WHEN $6 THEN now() ELSE moved_at END,
              closed_at = CASE WHEN $7 THEN now() ELSE closed_at END,
              entry_filled = entry_filled OR $8,
              teacher_id = COALESCE($9::uuid, teacher_id), teacher_name = COALESCE($10, teacher_name),
              reported_record = COALESCE($11::jsonb, reported_record)
        WHERE id = $1 AND state = $2 AND version = $3 RETURNING id`,
      [
        id,
        from,
        version,
        to,
        extra.approvedBy ? JSON.stringify(extra.approvedBy) : null,
        !!extra.movedAt,
        !!extra.closedAt,
        !!extra.entryFilled,
        extra.teacherId ?? null,
        extra.teacherName ?? null,
        extra.reportedRecord ? JSON.stringify(extra.reportedRecord) : null,
      ],
    );
    return returned(res).length > 0;
  }

  /** What the statistics keep of a moved (or started) case: the units' types and the teacher's title and subjects. */
  async snapshot(
    id: string,
    s: {
      fromSchoolType: string | null;
      toSchoolType: string | null;
      fromUrbanRural: string | null;
      toUrbanRural: string | null;
      title: string | null;
      subjects: string[];
    },
  ): Promise<void> {
    await this.db.query(
      `UPDATE transfer SET from_school_type = $2, to_school_type = $3, from_urban_rural = $4, to_urban_rural = $5, title = $6, subjects = $7
        WHERE id = $1`,
      [id, s.fromSchoolType, s.toSchoolType, s.fromUrbanRural, s.toUrbanRural, s.title, s.subjects],
    );
  }

  async addEvent(
    transferId: string,
    e: {
      action: string;
      fromState: string | null;
      toState: string;
      actorAccountId: string | null;
      actorUnitId: string | null;
      reason: string | null;
    },
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO transfer_event (transfer_id, action, from_state, to_state, actor_account_id, actor_unit_id, reason) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
      [transferId, e.action, e.fromState, e.toState, e.actorAccountId, e.actorUnitId, e.reason],
    );
  }

  async events(transferId: string): Promise<TransferEventRow[]> {
    return this.db.query(
      `SELECT action, from_state AS "fromState", to_state AS "toState", actor_account_id AS "actorAccountId",
              actor_unit_id AS "actorUnitId", reason, at FROM transfer_event WHERE transfer_id = $1 ORDER BY id`,
      [transferId],
    );
  }

  /** Cases touching a subtree (sending side, receiving side or either), newest first, keyset-paged. */
  async list(f: TransferFilter): Promise<TransferRow[]> {
    const params: unknown[] = [f.pathPrefix + '%'];
    const where = [
      f.direction === 'in'
        ? 't.to_unit_path LIKE $1'
        : f.direction === 'out'
          ? 't.from_unit_path LIKE $1'
          : '(t.to_unit_path LIKE $1 OR t.from_unit_path LIKE $1)',
    ];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.kind) add('t.kind = ?', f.kind);
    if (f.state) add('t.state = ?', f.state);
    if (f.states) add('t.state = ANY(?::text[])', f.states);
    if (f.before) {
      params.push(f.before[0], f.before[1]);
      where.push(`(t.applied_at, t.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(f.limit);
    return this.db.query(
      `SELECT ${COLS} FROM ${FROM} WHERE ${where.join(' AND ')} ORDER BY t.applied_at DESC, t.id DESC LIMIT $${params.length}`,
      params,
    );
  }

  /** Whether a teacher has a case not settled yet. */
  async hasOpen(teacherId: string): Promise<boolean> {
    const rows = await this.db.query(
      `SELECT 1 FROM transfer WHERE teacher_id = $1 AND state NOT IN ('completed','refused','withdrawn','expired') LIMIT 1`,
      [teacherId],
    );
    return rows.length > 0;
  }

  /**
   * Cases whose date has come: approved ones to take effect, serving rotations to close. Across
   * provinces the receiving province acts on the date (it holds the reported record); the sending
   * province's approved case ends when national tells it the record exists.
   */
  async due(limit: number, id?: string): Promise<TransferRow[]> {
    return this.db.query(
      `SELECT ${COLS} FROM ${FROM}
        WHERE ((t.state = 'approved' AND t.effective_date <= current_date AND t.kind <> 'cross-out')
           OR (t.state = 'serving' AND t.end_date <= current_date))
          AND ($2::uuid IS NULL OR t.id = $2::uuid)
        ORDER BY t.effective_date, t.id LIMIT $1`,
      [limit, id ?? null],
    );
  }

  /** Rotations serving at a host unit (or below it) today: for the host's staffing view. */
  async hosted(hostPathPrefix: string): Promise<TransferRow[]> {
    return this.db.query(
      `SELECT ${COLS} FROM ${FROM} WHERE t.kind = 'rotation' AND t.state = 'serving' AND t.to_unit_path LIKE $1
        ORDER BY t.to_unit_path, t.teacher_name, t.id LIMIT 1000`,
      [hostPathPrefix + '%'],
    );
  }

  async deadlineDays(): Promise<number> {
    const [row] = await this.db.query(`SELECT deadline_days AS d FROM transfer_setting`);
    return row.d;
  }

  async setDeadlineDays(days: number, by: string): Promise<void> {
    await this.db.query(`UPDATE transfer_setting SET deadline_days = $1, updated_by = $2, updated_at = now()`, [
      days,
      by,
    ]);
  }
}
