import { Injectable } from '@nestjs/common';
import { returned, TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import type { EntityManager } from 'typeorm';
import type { CreditRules } from './credit-rules.js';

export interface RuleRow {
  id: string;
  provinceCode: string;
  version: number;
  effectiveFrom: string;
  rules: CreditRules;
  createdAt: Date;
}

export interface CreditRow {
  id: string;
  teacherId: string;
  provinceCode: string;
  kind: string;
  hours: number;
  credits: number;
  confirmedOn: string;
  source: 'project' | 'self_study';
  sourceId: string;
  sourceName: string;
  ruleVersion: string | null;
  countsForRegistration: boolean;
  appliedPurpose: string | null;
  appliedReference: string | null;
  appliedAt: Date | null;
}

export interface NewCredit {
  teacherId: string;
  provinceCode: string;
  kind: string;
  hours: number;
  credits: number;
  confirmedOn: string;
  source: 'project' | 'self_study';
  sourceId: string;
  sourceName: string;
  ruleId: string | null;
  ruleVersion: string | null;
  confirmedByUnitId: string;
  countsForRegistration: boolean;
}

export type ClaimState = 'submitted' | 'school_approved' | 'approved' | 'refused';

export interface ClaimRow {
  id: string;
  teacherId: string;
  teacherName: string;
  idNumber: string;
  unitPath: string;
  kind: string;
  title: string;
  hours: number;
  occurredOn: string;
  evidence: { description: string; documentRef?: string };
  state: ClaimState;
  reason: string | null;
  trail: { at: string; action: string; by: string; unitId: string; reason?: string }[];
  version: number;
  createdAt: Date;
}

const CREDIT_COLUMNS = `c.id, c.teacher_id AS "teacherId", c.province_code AS "provinceCode", c.kind, c.hours::float8 AS hours,
  c.credits::float8 AS credits, to_char(c.confirmed_on, 'YYYY-MM-DD') AS "confirmedOn", c.source, c.source_id AS "sourceId",
  c.source_name AS "sourceName", c.rule_version AS "ruleVersion", c.counts_for_registration AS "countsForRegistration",
  c.applied_purpose AS "appliedPurpose", c.applied_reference AS "appliedReference", c.applied_at AS "appliedAt"`;

const CLAIM_COLUMNS = `c.id, c.teacher_id AS "teacherId", t.name AS "teacherName", t.id_number AS "idNumber", t.unit_path AS "unitPath",
  c.kind, c.title, c.hours::float8 AS hours, to_char(c.occurred_on, 'YYYY-MM-DD') AS "occurredOn", c.evidence, c.state,
  c.reason, c.trail, c.version, c.created_at AS "createdAt"`;

/** Credit rules per province, the credit bank and self-study claims. */
@Injectable()
export class CreditRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get db(): EntityManager {
    return this.txHost.tx;
  }

  // ---- rules ----

  /** Adds the next version of a province's rules (serialised per province by an advisory lock). */
  async addRule(provinceCode: string, effectiveFrom: string, rules: CreditRules, by: string): Promise<RuleRow> {
    await this.db.query(`SELECT pg_advisory_xact_lock(hashtext('credit_rule:' || $1::text))`, [provinceCode]);
    const [row] = await this.db.query(
      `INSERT INTO credit_rule (province_code, version, effective_from, rules, created_by)
       VALUES ($1::text, (SELECT COALESCE(max(version), 0) + 1 FROM credit_rule WHERE province_code = $1::text), $2, $3, $4)
       RETURNING id, province_code AS "provinceCode", version, to_char(effective_from, 'YYYY-MM-DD') AS "effectiveFrom", rules, created_at AS "createdAt"`,
      [provinceCode, effectiveFrom, JSON.stringify(rules), by],
    );
    return row;
  }

  async rules(provinceCode: string): Promise<RuleRow[]> {
    return this.db.query(
      `SELECT id, province_code AS "provinceCode", version, to_char(effective_from, 'YYYY-MM-DD') AS "effectiveFrom", rules, created_at AS "createdAt"
         FROM credit_rule WHERE province_code = $1 ORDER BY version`,
      [provinceCode],
    );
  }

  /** The rules of a province in force on a date: the latest effective date on or before it, then the latest version. */
  async ruleInForce(provinceCode: string, on: string): Promise<RuleRow | null> {
    const rows = await this.db.query(
      `SELECT id, province_code AS "provinceCode", version, to_char(effective_from, 'YYYY-MM-DD') AS "effectiveFrom", rules, created_at AS "createdAt"
         FROM credit_rule WHERE province_code = $1 AND effective_from <= $2
        ORDER BY effective_from DESC, version DESC LIMIT 1`,
      [provinceCode, on],
    );
    return rows[0] ?? null;
  }

  // ---- credits ----

  /**
   * Serialises credit writes per teacher (caps are computed from what the teacher already holds): one
   * transaction-scoped advisory lock per bucket of teachers (256 buckets, in order), so a confirmation of
   * 100,000 trainees takes at most 256 locks, not one per teacher (which exhausts the lock table).
   */
  async lockTeachers(teacherIds: string[]): Promise<void> {
    await this.db.query(
      `SELECT pg_advisory_xact_lock(7025, b) FROM (
         SELECT DISTINCT (hashtext(t) & 255) AS b FROM unnest($1::text[]) AS t ORDER BY 1) s`,
      [teacherIds],
    );
  }

  /** Credits already held per teacher, kind and calendar year, for the years given. */
  async yearTotals(
    teacherIds: string[],
    years: number[],
  ): Promise<{ teacherId: string; kind: string; year: number; credits: number }[]> {
    return this.db.query(
      `SELECT teacher_id AS "teacherId", kind, extract(year FROM confirmed_on)::int AS year, sum(credits)::float8 AS credits
         FROM training_credit WHERE teacher_id = ANY($1::uuid[]) AND extract(year FROM confirmed_on)::int = ANY($2::int[])
        GROUP BY 1, 2, 3`,
      [teacherIds, years],
    );
  }

  /** Inserts credits set-based; a source already credited is skipped (idempotent). Returns rows inserted. */
  async insertCredits(cs: NewCredit[]): Promise<number> {
    if (!cs.length) return 0;
    const col = <K extends keyof NewCredit>(k: K) => cs.map((c) => c[k]);
    const rows = await this.db.query(
      `INSERT INTO training_credit (teacher_id, province_code, kind, hours, credits, confirmed_on, source, source_id,
         source_name, rule_id, rule_version, confirmed_by_unit_id, counts_for_registration)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::numeric[], $5::numeric[], $6::date[], $7::text[],
         $8::uuid[], $9::text[], $10::uuid[], $11::text[], $12::uuid[], $13::boolean[])
       ON CONFLICT (source, source_id) DO NOTHING RETURNING id`,
      [
        col('teacherId'),
        col('provinceCode'),
        col('kind'),
        col('hours'),
        col('credits'),
        col('confirmedOn'),
        col('source'),
        col('sourceId'),
        col('sourceName'),
        col('ruleId'),
        col('ruleVersion'),
        col('confirmedByUnitId'),
        col('countsForRegistration'),
      ],
    );
    return rows.length;
  }

  async credits(teacherId: string, from?: string, to?: string, kinds?: string[]): Promise<CreditRow[]> {
    const params: unknown[] = [teacherId];
    let where = 'c.teacher_id = $1';
    if (from) {
      params.push(from);
      where += ` AND c.confirmed_on >= $${params.length}`;
    }
    if (to) {
      params.push(to);
      where += ` AND c.confirmed_on <= $${params.length}`;
    }
    if (kinds) {
      params.push(kinds);
      where += ` AND c.kind = ANY($${params.length}::text[])`;
    }
    return this.db.query(
      `SELECT ${CREDIT_COLUMNS} FROM training_credit c WHERE ${where} ORDER BY c.confirmed_on, c.id`,
      params,
    );
  }

  /** Every credit of the given teachers (for what the national node is sent), in one query. */
  /** The next teachers (in id order) holding any credit, with their unit's code now: a resync's credits phase. */
  async teachersWithCredits(afterTeacherId: string | null, limit: number): Promise<{ id: string; unitCode: string }[]> {
    return this.db.query(
      `SELECT t.id::text AS id, u.code AS "unitCode"
         FROM (SELECT DISTINCT teacher_id FROM training_credit WHERE $1::uuid IS NULL OR teacher_id > $1::uuid
                ORDER BY teacher_id LIMIT $2) c
         JOIN teacher t ON t.id = c.teacher_id JOIN org_unit u ON u.id = t.unit_id
        ORDER BY t.id`,
      [afterTeacherId, limit],
    );
  }

  async creditsOfTeachers(teacherIds: string[]): Promise<CreditRow[]> {
    return this.db.query(
      `SELECT ${CREDIT_COLUMNS} FROM training_credit c WHERE c.teacher_id = ANY($1::uuid[]) ORDER BY c.teacher_id, c.confirmed_on, c.id`,
      [teacherIds],
    );
  }

  /**
   * Marks credits applied to a purpose, only those of the teacher not applied yet, locking them; returns
   * how many were marked (fewer than asked means some were applied already or are not the teacher's).
   */
  async apply(teacherId: string, ids: string[], purpose: string, reference: string): Promise<number> {
    const rows = returned(
      await this.db.query(
        `UPDATE training_credit SET applied_purpose = $3, applied_reference = $4, applied_at = now()
        WHERE teacher_id = $1 AND id = ANY($2::uuid[]) AND applied_purpose IS NULL RETURNING id`,
        [teacherId, ids, purpose, reference],
      ),
    );
    return rows.length;
  }

  /** The teacher's credits among `ids` with their applied state (locked, in id order). */
  async lockCredits(teacherId: string, ids: string[]): Promise<{ id: string; appliedPurpose: string | null }[]> {
    return this.db.query(
      `SELECT id, applied_purpose AS "appliedPurpose" FROM training_credit
        WHERE teacher_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`,
      [teacherId, ids],
    );
  }

  /** Per-teacher totals in a subtree over a window (the subtree view of the bank). */
  async subtreeTotals(
    pathPrefix: string,
    from: string,
    to: string,
    limit: number,
    afterKey: [string, string, string] | null,
  ): Promise<
    {
      teacherId: string;
      name: string;
      idNumber: string;
      unitPath: string;
      credits: number;
      hours: number;
      registrationCredits: number;
    }[]
  > {
    const params: unknown[] = [pathPrefix + '%', from, to, limit];
    let after = '';
    if (afterKey) {
      params.push(...afterKey);
      after = `AND (t.unit_path, t.name, t.id) > ($5, $6, $7::uuid)`;
    }
    return this.db.query(
      `SELECT t.id AS "teacherId", t.name, t.id_number AS "idNumber", t.unit_path AS "unitPath",
              COALESCE(sum(c.credits), 0)::float8 AS credits, COALESCE(sum(c.hours), 0)::float8 AS hours,
              COALESCE(sum(c.credits) FILTER (WHERE c.counts_for_registration), 0)::float8 AS "registrationCredits"
         FROM teacher t LEFT JOIN training_credit c ON c.teacher_id = t.id AND c.confirmed_on BETWEEN $2 AND $3
        WHERE t.unit_path LIKE $1 AND t.active ${after}
        GROUP BY t.id ORDER BY t.unit_path, t.name, t.id LIMIT $4`,
      params,
    );
  }

  // ---- self-study claims ----

  async insertClaim(c: {
    teacherId: string;
    kind: string;
    title: string;
    hours: number;
    occurredOn: string;
    evidence: object;
    by: string;
    trail: object[];
  }): Promise<string> {
    const [row] = await this.db.query(
      `INSERT INTO credit_claim (teacher_id, kind, title, hours, occurred_on, evidence, state, trail, created_by)
       VALUES ($1,$2,$3,$4,$5,$6,'submitted',$7,$8) RETURNING id`,
      [c.teacherId, c.kind, c.title, c.hours, c.occurredOn, JSON.stringify(c.evidence), JSON.stringify(c.trail), c.by],
    );
    return row.id;
  }

  async findClaim(id: string, lock = false): Promise<ClaimRow | null> {
    const rows = await this.db.query(
      `SELECT ${CLAIM_COLUMNS} FROM credit_claim c JOIN teacher t ON t.id = c.teacher_id WHERE c.id = $1 ${lock ? 'FOR UPDATE OF c' : ''}`,
      [id],
    );
    return rows[0] ?? null;
  }

  async claims(f: { pathPrefix?: string; teacherId?: string; state?: string; limit: number }): Promise<ClaimRow[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (f.pathPrefix) {
      params.push(f.pathPrefix + '%');
      where.push(`t.unit_path LIKE $${params.length}`);
    }
    if (f.teacherId) {
      params.push(f.teacherId);
      where.push(`c.teacher_id = $${params.length}`);
    }
    if (f.state) {
      params.push(f.state);
      where.push(`c.state = $${params.length}`);
    }
    params.push(f.limit);
    return this.db.query(
      `SELECT ${CLAIM_COLUMNS} FROM credit_claim c JOIN teacher t ON t.id = c.teacher_id
        ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY c.created_at DESC, c.id LIMIT $${params.length}`,
      params,
    );
  }

  async moveClaim(
    id: string,
    version: number,
    state: ClaimState,
    reason: string | null,
    step: object,
  ): Promise<boolean> {
    const rows = returned(
      await this.db.query(
        `UPDATE credit_claim SET state = $3, reason = $4, trail = trail || $5::jsonb, version = version + 1
        WHERE id = $1 AND version = $2 RETURNING id`,
        [id, version, state, reason, JSON.stringify([step])],
      ),
    );
    return rows.length === 1;
  }
}
