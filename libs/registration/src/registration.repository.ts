import { Injectable } from '@nestjs/common';
import { returned, TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import type { EntityManager } from 'typeorm';
import type { Eligibility } from './eligibility.js';
import type { RulesVersion } from './rules.js';
import type { ApplicationState } from './registration.workflow.js';

export interface TrailEntry {
  action: string;
  at: string;
  by: string;
  role: string;
  reason?: string | null;
}

export interface ApplicationRow {
  id: string;
  teacherId: string;
  unitPath: string;
  state: ApplicationState;
  cycleStart: string;
  cycleEnd: string;
  qualificationEntryId: string | null;
  appliedBy: string;
  appliedAs: 'teacher' | 'school';
  batchId: string | null;
  eligibility: Eligibility | null;
  decisionReason: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  trail: TrailEntry[];
  version: number;
  createdAt: Date;
}

export interface StatusRow {
  teacherId: string;
  result: 'registered' | 'deferred' | 'not_passed';
  cycleStart: string;
  cycleEnd: string;
  reason: string | null;
  decidedOn: string;
  applicationId: string;
}

export interface ViolationRow {
  id: string;
  teacherId: string;
  unitPath: string;
  state: 'reported' | 'confirmed' | 'rejected';
  date: string;
  description: string;
  vetoUntil: string | null;
  recordEntryId: string | null;
  reportedBy: string;
  reportedAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
}

export interface ListedTeacher {
  teacherId: string;
  name: string;
  unitId: string;
  unitCode: string;
  unitName: string;
  unitPath?: string;
  status: string;
  cycleStart: string | null;
  cycleEnd: string | null;
  reason: string | null;
}

export interface OutcomeCount {
  region: string;
  schoolType: string | null;
  year: number;
  result: string;
  count: number;
}

const APP_COLS = `id, teacher_id AS "teacherId", unit_path AS "unitPath", state, to_char(cycle_start, 'YYYY-MM-DD') AS "cycleStart",
  to_char(cycle_end, 'YYYY-MM-DD') AS "cycleEnd", qualification_entry_id AS "qualificationEntryId", applied_by AS "appliedBy",
  applied_as AS "appliedAs", batch_id AS "batchId", eligibility, decision_reason AS "decisionReason", decided_by AS "decidedBy",
  decided_at AS "decidedAt", trail, version, created_at AS "createdAt"`;
const STATUS_COLS = `teacher_id AS "teacherId", result, to_char(cycle_start, 'YYYY-MM-DD') AS "cycleStart",
  to_char(cycle_end, 'YYYY-MM-DD') AS "cycleEnd", reason, to_char(decided_on, 'YYYY-MM-DD') AS "decidedOn", application_id AS "applicationId"`;
const VIOLATION_COLS = `id, teacher_id AS "teacherId", unit_path AS "unitPath", state, to_char(violation_date, 'YYYY-MM-DD') AS "date",
  description, to_char(veto_until, 'YYYY-MM-DD') AS "vetoUntil", record_entry_id AS "recordEntryId", reported_by AS "reportedBy",
  reported_at AS "reportedAt", decided_by AS "decidedBy", decided_at AS "decidedAt", decision_reason AS "decisionReason"`;

/**
 * Every query on `registration_rules`, `registration_application`, `registration_status` and
 * `ethics_violation` (their only writer), and the read-only lists and counts that join them with the
 * `teacher` rows and the org tree (ADR 0016).
 */
@Injectable()
export class RegistrationRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get db(): EntityManager {
    return this.txHost.tx;
  }

  // ---- rules ----

  async rules(): Promise<RulesVersion[]> {
    return this.db.query(
      `SELECT version, to_char(effective_from, 'YYYY-MM-DD') AS "effectiveFrom", rules FROM registration_rules ORDER BY effective_from`,
    );
  }

  async insertRules(v: RulesVersion, by: string): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO registration_rules (version, effective_from, rules, created_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (version) DO NOTHING RETURNING version`,
      [v.version, v.effectiveFrom, JSON.stringify(v.rules), by],
    );
    return rows.length === 1;
  }

  // ---- applications ----

  async insertApplication(a: {
    teacherId: string;
    unitPath: string;
    cycleStart: string;
    cycleEnd: string;
    qualificationEntryId: string | null;
    appliedBy: string;
    appliedAs: 'teacher' | 'school';
    batchId: string | null;
    trail: TrailEntry[];
  }): Promise<string> {
    const rows = await this.db.query(
      `INSERT INTO registration_application (teacher_id, unit_path, state, cycle_start, cycle_end, qualification_entry_id, applied_by, applied_as, batch_id, trail)
       VALUES ($1, $2, 'applied', $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [
        a.teacherId,
        a.unitPath,
        a.cycleStart,
        a.cycleEnd,
        a.qualificationEntryId,
        a.appliedBy,
        a.appliedAs,
        a.batchId,
        JSON.stringify(a.trail),
      ],
    );
    return rows[0].id;
  }

  async application(id: string, lock = false): Promise<ApplicationRow | null> {
    const rows = await this.db.query(
      `SELECT ${APP_COLS} FROM registration_application WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ?? null;
  }

  async applicationsOf(teacherId: string): Promise<ApplicationRow[]> {
    return this.db.query(
      `SELECT ${APP_COLS} FROM registration_application WHERE teacher_id = $1 ORDER BY created_at DESC, id LIMIT 50`,
      [teacherId],
    );
  }

  async applications(pathPrefix: string, state: string): Promise<ApplicationRow[]> {
    return this.db.query(
      `SELECT ${APP_COLS} FROM registration_application WHERE state = $1 AND unit_path LIKE $2 ORDER BY created_at, id LIMIT 500`,
      [state, pathPrefix + '%'],
    );
  }

  async countApplications(pathPrefix: string, state: string): Promise<number> {
    const rows = await this.db.query(
      `SELECT count(*)::int AS n FROM registration_application WHERE state = $1 AND unit_path LIKE $2`,
      [state, pathPrefix + '%'],
    );
    return rows[0].n;
  }

  /** Moves an application on at `version`; false when it moved meanwhile. */
  async step(
    id: string,
    version: number,
    state: ApplicationState,
    entry: TrailEntry,
    decision?: { eligibility?: Eligibility; reason: string | null; by: string },
  ): Promise<boolean> {
    const res = await this.db.query(
      `UPDATE registration_application SET state = $3, trail = trail || $4::jsonb, version = version + 1, updated_at = now(),
         eligibility = COALESCE($5::jsonb, eligibility), decision_reason = COALESCE($6, decision_reason),
         decided_by = COALESCE($7::uuid, decided_by), decided_at = CASE WHEN $7::uuid IS NULL THEN decided_at ELSE now() END
       WHERE id = $1 AND version = $2 RETURNING id`,
      [
        id,
        version,
        state,
        JSON.stringify([entry]),
        decision?.eligibility ? JSON.stringify(decision.eligibility) : null,
        decision?.reason ?? null,
        decision?.by ?? null,
      ],
    );
    return returned(res).length === 1;
  }

  // ---- status ----

  async status(teacherId: string): Promise<StatusRow | null> {
    const rows = await this.db.query(`SELECT ${STATUS_COLS} FROM registration_status WHERE teacher_id = $1`, [
      teacherId,
    ]);
    return rows[0] ?? null;
  }

  async saveStatus(s: StatusRow & { unitPath: string; schoolType: string | null }): Promise<void> {
    await this.db.query(
      `INSERT INTO registration_status (teacher_id, unit_path, school_type, result, cycle_start, cycle_end, reason, decided_on, application_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (teacher_id) DO UPDATE SET unit_path = EXCLUDED.unit_path, school_type = EXCLUDED.school_type, result = EXCLUDED.result,
         cycle_start = EXCLUDED.cycle_start, cycle_end = EXCLUDED.cycle_end, reason = EXCLUDED.reason, decided_on = EXCLUDED.decided_on,
         application_id = EXCLUDED.application_id, updated_at = now()`,
      [
        s.teacherId,
        s.unitPath,
        s.schoolType,
        s.result,
        s.cycleStart,
        s.cycleEnd,
        s.reason,
        s.decidedOn,
        s.applicationId,
      ],
    );
  }

  // ---- ethics violations ----

  async insertViolation(v: {
    teacherId: string;
    unitPath: string;
    date: string;
    description: string;
    reportedBy: string;
  }): Promise<string> {
    const rows = await this.db.query(
      `INSERT INTO ethics_violation (teacher_id, unit_path, state, violation_date, description, reported_by)
       VALUES ($1, $2, 'reported', $3, $4, $5) RETURNING id`,
      [v.teacherId, v.unitPath, v.date, v.description, v.reportedBy],
    );
    return rows[0].id;
  }

  async violation(id: string, lock = false): Promise<ViolationRow | null> {
    const rows = await this.db.query(
      `SELECT ${VIOLATION_COLS} FROM ethics_violation WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ?? null;
  }

  async decideViolation(
    id: string,
    state: 'confirmed' | 'rejected',
    by: string,
    reason: string | null,
    vetoUntil: string | null,
    recordEntryId: string | null,
  ): Promise<boolean> {
    const res = await this.db.query(
      `UPDATE ethics_violation SET state = $2, decided_by = $3, decided_at = now(), decision_reason = $4, veto_until = $5, record_entry_id = $6
       WHERE id = $1 AND state = 'reported' RETURNING id`,
      [id, state, by, reason, vetoUntil, recordEntryId],
    );
    return returned(res).length === 1;
  }

  async confirmedViolations(teacherId: string): Promise<{ id: string; date: string; vetoUntil: string }[]> {
    return this.db.query(
      `SELECT id, to_char(violation_date, 'YYYY-MM-DD') AS date, to_char(veto_until, 'YYYY-MM-DD') AS "vetoUntil"
         FROM ethics_violation WHERE teacher_id = $1 AND state = 'confirmed' ORDER BY violation_date`,
      [teacherId],
    );
  }

  async violations(pathPrefix: string, state: string): Promise<ViolationRow[]> {
    return this.db.query(
      `SELECT ${VIOLATION_COLS} FROM ethics_violation WHERE state = $1 AND unit_path LIKE $2 ORDER BY reported_at, id LIMIT 500`,
      [state, pathPrefix + '%'],
    );
  }

  async countViolations(pathPrefix: string, state: string): Promise<number> {
    const rows = await this.db.query(
      `SELECT count(*)::int AS n FROM ethics_violation WHERE state = $1 AND unit_path LIKE $2`,
      [state, pathPrefix + '%'],
    );
    return rows[0].n;
  }

  // ---- lists (read-only joins with teacher and org_unit) ----

  /**
   * Active teachers of a subtree whose registration falls due in `year`: registered teachers whose next
   * cycle ends in it, deferred teachers whose cycle ends in it, and teachers never registered whose
   * current cycle (anchored on the first qualification's issue date, `cycleYears` long) ends in it.
   * One pass in the record list's order (unit path, name, id: the `teacher_path_name_idx` order), so a
   * page stops early instead of sorting the province.
   */
  async dueInYear(
    pathPrefix: string,
    year: number,
    cycleYears: number,
    limit: number,
    after?: [string, string, string],
  ): Promise<ListedTeacher[]> {
    return this.db.query(
      `SELECT f.id AS "teacherId", f.name, f.unit_path AS "unitPath", f.unit_id AS "unitId", u.code AS "unitCode", u.name AS "unitName",
              CASE WHEN f.result IS NULL THEN 'first' WHEN f.result = 'registered' THEN 'due' ELSE f.result END AS status,
              to_char(CASE WHEN f.result IS NULL THEN (f.issued::date + make_interval(years => f.ey - $3 - f.iy))::date
                           WHEN f.result = 'registered' THEN f.cycle_end + 1 ELSE f.cycle_start END, 'YYYY-MM-DD') AS "cycleStart",
              to_char(CASE WHEN f.result IS NULL THEN
                             CASE WHEN substr(f.issued, 6) = '02-29' THEN make_date(f.ey, 2, 28)
                                  ELSE (f.issued::date + make_interval(years => f.ey - f.iy))::date - 1 END
                           WHEN f.result = 'registered' THEN ((f.cycle_end + 1) + make_interval(years => $3))::date - 1
                           ELSE f.cycle_end END, 'YYYY-MM-DD') AS "cycleEnd",
              f.reason
         FROM (
           SELECT b.*, CASE WHEN b.issued ~ '^\\d{4}-\\d{2}-\\d{2}$' THEN substr(b.issued, 1, 4)::int END AS iy,
                  CASE WHEN substr(b.issued, 6) = '01-01' THEN $2 + 1 ELSE $2 END AS ey
             FROM (
               SELECT t.id, t.name, t.unit_id, t.unit_path, rs.result, rs.cycle_start, rs.cycle_end, rs.reason,
                      t.record->'qualification'->0->>'issuedDate' AS issued
                 FROM teacher t LEFT JOIN registration_status rs ON rs.teacher_id = t.id
                WHERE t.unit_path LIKE $1 AND t.active
                  AND ($5::text IS NULL OR (t.unit_path, t.name, t.id) > ($5::text, $6::text, $7::uuid))) b) f
         JOIN org_unit u ON u.id = f.unit_id
        WHERE (f.result = 'registered' AND f.cycle_end >= make_date($2 - $3, 1, 1) AND f.cycle_end < make_date($2 - $3 + 1, 1, 1))
           OR (f.result = 'deferred' AND f.cycle_end >= make_date($2, 1, 1) AND f.cycle_end < make_date($2 + 1, 1, 1))
           OR (f.result IS NULL AND f.iy IS NOT NULL AND f.ey - f.iy > 0 AND (f.ey - f.iy) % $3 = 0)
        ORDER BY f.unit_path, f.name, f.id
        LIMIT $4`,
      [pathPrefix + '%', year, cycleYears, limit, after?.[0] ?? null, after?.[1] ?? null, after?.[2] ?? null],
    );
  }

  /** Deferred and not-passed teachers of a subtree, by school. */
  async decidedNegative(pathPrefix: string, limit: number): Promise<ListedTeacher[]> {
    return this.db.query(
      `SELECT t.id AS "teacherId", t.name, t.unit_id AS "unitId", u.code AS "unitCode", u.name AS "unitName",
              rs.result AS status, to_char(rs.cycle_start, 'YYYY-MM-DD') AS "cycleStart", to_char(rs.cycle_end, 'YYYY-MM-DD') AS "cycleEnd", rs.reason
         FROM registration_status rs JOIN teacher t ON t.id = rs.teacher_id JOIN org_unit u ON u.id = t.unit_id
        WHERE rs.unit_path LIKE $1 AND rs.result IN ('deferred', 'not_passed')
        ORDER BY u.path, t.name, t.id LIMIT $2`,
      [pathPrefix + '%', limit],
    );
  }

  // ---- statistics ----

  /** Decisions by region (the unit `depth` levels down the path), school type, year and result. */
  async outcomes(pathPrefix: string, depth: number): Promise<OutcomeCount[]> {
    const rows: { region: string; schoolType: string | null; year: number; result: string; count: string }[] =
      await this.db.query(
        `SELECT split_part(unit_path, '/', $2) AS region, school_type AS "schoolType", extract(year FROM decided_on)::int AS year,
                result, count(*) AS count
           FROM registration_status WHERE unit_path LIKE $1
          GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
        [pathPrefix + '%', depth + 1],
      );
    return rows.map((r) => ({ ...r, count: Number(r.count) }));
  }

  /** National: the registration results the provinces reported, counted from the records as received. */
  async nationalOutcomes(province: string | null): Promise<OutcomeCount[]> {
    const rows: { region: string; year: number | null; result: string; count: string }[] = await this.db.query(
      `SELECT n.province_code AS region, substr(q->>'registrationDate', 1, 4)::int AS year, q->>'registrationResult' AS result,
              count(*) AS count
         FROM national_teacher n CROSS JOIN LATERAL jsonb_array_elements(
                CASE WHEN jsonb_typeof(n.record->'qualification') = 'array' THEN n.record->'qualification' ELSE '[]'::jsonb END) q
        WHERE NOT n.removed AND q ? 'registrationResult' AND ($1::text IS NULL OR n.province_code = $1)
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      [province],
    );
    const byCode: Record<string, string> = { '1': 'registered', '2': 'deferred', '3': 'not_passed' };
    return rows.map((r) => ({
      region: r.region,
      schoolType: null,
      year: r.year ?? 0,
      result: byCode[r.result] ?? r.result,
      count: Number(r.count),
    }));
  }
}
