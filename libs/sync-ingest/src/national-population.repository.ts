import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';

/** Where a record of the national population is held (issue 17). */
export type PopulationSource = 'province' | 'central';

/** A search of the national population: every condition optional; `after` is the keyset (unit code, teacher id). */
export interface PopulationSearch {
  /** Limit to one province's reported records (then no central record matches). */
  province: string | null;
  /** Limit to these schools (a region below a province, or one school); null: no unit condition. */
  unitCodes: string[] | null;
  /** Whether the national node's own records (central universities) are in the scope. */
  central: boolean;
  schoolType?: string;
  name?: string;
  idNumber?: string;
  personStatus?: string;
  activeOnly: boolean;
  staffCategory?: string;
  subject?: string;
  title?: string;
  qualificationType?: string;
  highestEducation?: string;
  /** Custom values (keys as the province defines them); only with `province`. */
  custom?: Record<string, unknown>;
  after?: [string, string];
  limit: number;
}

export interface PopulationRow {
  teacherId: string;
  source: PopulationSource;
  /** The province (two digits) that reported it; null for a central university's record. */
  province: string | null;
  unitCode: string;
  unitName: string | null;
  name: string;
  idType: string;
  idNumber: string;
  sex: string | null;
  birthDate: string | null;
  personStatus: string;
  active: boolean;
  staffCategory: string | null;
  title: string | null;
  reportedVersion: number | null;
  catalogueVersion: string;
}

export interface PopulationRecord extends PopulationRow {
  record: Record<string, unknown>;
  custom: Record<string, unknown>;
  updatedAt: Date;
}

/** A statement of the search, and which access path it takes. */
interface SearchQuery {
  path: 'facets' | 'scope' | 'records';
  sql: string;
  params: unknown[];
}

/** What a search's execution read (`NationalPopulationRepository.explain`). */
export interface SearchPlan {
  path: SearchQuery['path'];
  ms: number;
  /** Shared buffers hit or read by the whole statement. */
  buffers: number;
  /** Each scan node: index (or table) scanned, loops, rows read (returned and removed by filters), heap fetches of an index-only scan. */
  scans: { node: string; relation: string; on: string; loops: number; rowsRead: number; heapFetches: number | null }[];
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Heap Fetches'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

/** Both halves return the same columns (`PopulationRow`). */
const PROVINCE_COLUMNS = `nt.teacher_id::text AS "teacherId", 'province' AS source, nt.province_code AS province, nt.unit_code AS "unitCode",
  u.name AS "unitName", nt.name, nt.id_type AS "idType", nt.id_number AS "idNumber", nt.record->'basic'->>'sex' AS sex,
  nt.record->'basic'->>'birthDate' AS "birthDate", nt.person_status AS "personStatus", nt.active AND NOT nt.removed AS active,
  nt.record->'basic'->>'staffCategory' AS "staffCategory", tmis_record_title(nt.record) AS title,
  nt.reported_version AS "reportedVersion", nt.catalogue_version AS "catalogueVersion"`;
const CENTRAL_COLUMNS = `t.id::text AS "teacherId", 'central' AS source, NULL AS province, u.code AS "unitCode", u.name AS "unitName", t.name,
  t.id_type AS "idType", t.id_number AS "idNumber", t.sex, to_char(t.birth_date, 'YYYY-MM-DD') AS "birthDate", t.person_status AS "personStatus",
  t.active, t.staff_category AS "staffCategory", t.title, t.reported_version AS "reportedVersion", t.catalogue_version AS "catalogueVersion"`;

/**
 * The national population (issue 17, ADR 0018): the provinces' reported records (`national_teacher`)
 * and the records of the units reporting to the national node directly (central universities, its own
 * `teacher` table, once reported). A teacher id lives in one of the two, so each is counted once.
 * Searches page both halves in the same keyset order (unit code, teacher id) and merge them.
 */
@Injectable()
export class NationalPopulationRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get tx() {
    return this.txHost.tx;
  }

  /** One page (up to `limit` rows) in (unit code, teacher id) order. */
  async search(s: PopulationSearch): Promise<PopulationRow[]> {
    const province = await this.searchProvinces(s);
    const central = s.central && !s.custom ? await this.searchCentral(s) : [];
    if (!central.length) return province;
    return [...province, ...central]
      .sort((a, b) =>
        a.unitCode !== b.unitCode
          ? a.unitCode < b.unitCode
            ? -1
            : 1
          : a.teacherId < b.teacherId
            ? -1
            : a.teacherId > b.teacherId
              ? 1
              : 0,
      )
      .slice(0, s.limit);
  }

  private async searchProvinces(s: PopulationSearch): Promise<PopulationRow[]> {
    const q = await this.provinceQuery(s);
    return this.tx.query(q.sql, q.params);
  }

  /**
   * The plan of a search's provinces half (benchmarks, issue 17): the path taken, and what its execution read
   * (EXPLAIN ANALYZE of the same statement: scan nodes with the rows they read, heap fetches, buffers, time).
   */
  async explain(s: PopulationSearch): Promise<SearchPlan> {
    const q = await this.provinceQuery(s);
    const [row] = await this.tx.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${q.sql}`, q.params);
    const [plan] = row['QUERY PLAN'] as [{ Plan: PlanNode; 'Execution Time': number }];
    const scans: SearchPlan['scans'] = [];
    const walk = (n: PlanNode) => {
      if (/Scan$/.test(n['Node Type']) && n['Relation Name']) {
        const loops = n['Actual Loops'] ?? 1;
        scans.push({
          node: n['Node Type'],
          relation: n['Relation Name'],
          on: n['Index Name'] ?? n['Relation Name'],
          loops,
          rowsRead: Math.round(
            ((n['Actual Rows'] ?? 0) + (n['Rows Removed by Filter'] ?? 0) + (n['Rows Removed by Index Recheck'] ?? 0)) *
              loops,
          ),
          heapFetches: n['Heap Fetches'] ?? null,
        });
      }
      for (const c of n.Plans ?? []) walk(c);
    };
    walk(plan.Plan);
    return {
      path: q.path,
      ms: plan['Execution Time'],
      buffers: (plan.Plan['Shared Hit Blocks'] ?? 0) + (plan.Plan['Shared Read Blocks'] ?? 0),
      scans,
    };
  }

  /** The provinces half's statement: from the facet index, the scope index, or the records. */
  private async provinceQuery(s: PopulationSearch): Promise<SearchQuery> {
    const facets = facetsOf(s);
    if (facets.length && !s.name && !s.idNumber && !s.custom)
      return this.facetsQuery(s, await this.rarestFirst(facets));
    if (!facets.length && !s.idNumber && !s.custom && (s.province || s.personStatus)) return this.scopeQuery(s);
    const p: unknown[] = [];
    const $ = (v: unknown) => {
      p.push(v);
      return `$${p.length}`;
    };
    const w: string[] = ['NOT nt.removed'];
    if (s.province) w.push(`nt.province_code = ${$(s.province)}`);
    if (s.unitCodes) w.push(`nt.unit_code = ANY(${$(s.unitCodes)}::varchar[])`);
    // A school's code begins with its type (org rules), so a type is a range of the keyset order.
    // (A range, not LIKE: the index is in the database's collation, where LIKE cannot be a range.)
    if (s.schoolType) {
      w.push(`nt.unit_code >= ${$(s.schoolType)} AND nt.unit_code LIKE ${$(`${s.schoolType}%`)}`);
      if (s.schoolType !== '99') w.push(`nt.unit_code < ${$(String(Number(s.schoolType) + 1).padStart(2, '0'))}`);
    }
    if (s.name) w.push(`nt.name LIKE ${$(`${likeEscape(s.name)}%`)}`);
    if (s.idNumber) w.push(`nt.id_number = ${$(s.idNumber)}`);
    if (s.personStatus) w.push(`nt.person_status = ${$(s.personStatus)}`);
    if (s.activeOnly) w.push('nt.active');
    if (s.staffCategory) w.push(`nt.record->'basic'->>'staffCategory' = ${$(s.staffCategory)}`);
    if (s.title) w.push(`tmis_record_title(nt.record) = ${$(s.title)}`);
    if (s.highestEducation) w.push(`tmis_record_highest_education(nt.record) = ${$(s.highestEducation)}`);
    if (s.subject) w.push(`${$(s.subject)} = ANY(tmis_record_subjects(nt.record))`);
    if (s.qualificationType) w.push(`${$(s.qualificationType)} = ANY(tmis_record_qualification_types(nt.record))`);
    if (s.custom) w.push(`nt.custom @> ${$(JSON.stringify(s.custom))}::jsonb`);
    if (s.after) w.push(`(nt.unit_code, nt.teacher_id) > (${$(s.after[0])}, ${$(s.after[1])}::uuid)`);
    return {
      path: 'records',
      sql: `SELECT ${PROVINCE_COLUMNS} FROM national_teacher nt LEFT JOIN org_unit u ON u.code = nt.unit_code
        WHERE ${w.join(' AND ')} ORDER BY nt.unit_code, nt.teacher_id LIMIT ${$(s.limit)}`,
      params: p,
    };
  }

  /**
   * A search by region, school type, status and name prefix only (migration 1767930000000): the page's keys
   * from `national_teacher_scope_idx` — a province's entries in keyset order, the region, status and name
   * checked on the entry (index-only), a school type a sub-range; a status other than "in post" from
   * `national_teacher_status_idx`, one range — per province (no province given: a walk over the index's
   * provinces, one page each, merged), then the page's records by id.
   */
  private scopeQuery(s: PopulationSearch): SearchQuery {
    const p: unknown[] = [];
    const $ = (v: unknown) => {
      p.push(v);
      return `$${p.length}`;
    };
    const w: string[] = ['k.province_code = pr.code', 'NOT k.removed'];
    if (s.unitCodes) w.push(`k.unit_code = ANY(${$(s.unitCodes)}::varchar[])`);
    if (s.schoolType) {
      w.push(`k.unit_code >= ${$(s.schoolType)} AND k.unit_code LIKE ${$(`${s.schoolType}%`)}`);
      if (s.schoolType !== '99') w.push(`k.unit_code < ${$(String(Number(s.schoolType) + 1).padStart(2, '0'))}`);
    }
    if (s.name) w.push(`k.name LIKE ${$(`${likeEscape(s.name)}%`)}`);
    // Repeating "not in post" lets the planner use the partial index of the rarer statuses.
    if (s.personStatus)
      w.push(`k.person_status = ${$(s.personStatus)}${s.personStatus !== '01' ? ` AND k.person_status <> '01'` : ''}`);
    if (s.activeOnly) w.push('k.active');
    if (s.after) w.push(`(k.unit_code, k.teacher_id) > (${$(s.after[0])}, ${$(s.after[1])}::uuid)`);
    const limit = $(s.limit);
    const provinces = s.province
      ? `SELECT ${$(s.province)}::varchar AS code`
      : `WITH RECURSIVE pv(code) AS (
           (SELECT province_code FROM national_teacher ORDER BY province_code LIMIT 1)
           UNION ALL
           SELECT (SELECT province_code FROM national_teacher WHERE province_code > pv.code ORDER BY province_code LIMIT 1)
             FROM pv WHERE pv.code IS NOT NULL)
         SELECT code FROM pv WHERE code IS NOT NULL`;
    return {
      path: 'scope',
      sql: `WITH page AS (
         SELECT k.unit_code, k.teacher_id FROM (${provinces}) pr
          CROSS JOIN LATERAL (SELECT k.unit_code, k.teacher_id FROM national_teacher k
                               WHERE ${w.join(' AND ')} ORDER BY k.unit_code, k.teacher_id LIMIT ${limit}) k
          ORDER BY k.unit_code, k.teacher_id LIMIT ${limit})
       SELECT ${PROVINCE_COLUMNS} FROM page JOIN national_teacher nt ON nt.teacher_id = page.teacher_id
         LEFT JOIN org_unit u ON u.code = nt.unit_code
        ORDER BY nt.unit_code, nt.teacher_id`,
      params: p,
    };
  }

  /**
   * A search with a person filter computed from the record (migration 1767850000000): the page's keys from
   * the facet index — per province, in keyset order, each stopping at a page (a region: its schools'
   * entries, then sorted) — merged, then the page's records by id. Further person filters are index
   * probes of the same rows.
   */
  private facetsQuery(s: PopulationSearch, facets: string[]): SearchQuery {
    const p: unknown[] = [];
    const $ = (v: unknown) => {
      p.push(v);
      return `$${p.length}`;
    };
    const first = $(facets[0]);
    const w: string[] = [`f.facet = ${first}`, 'f.province_code = pr.code'];
    if (s.unitCodes) w.push(`f.unit_code = ANY(${$(s.unitCodes)}::varchar[])`);
    if (s.schoolType) {
      w.push(`f.unit_code >= ${$(s.schoolType)} AND f.unit_code LIKE ${$(`${s.schoolType}%`)}`);
      if (s.schoolType !== '99') w.push(`f.unit_code < ${$(String(Number(s.schoolType) + 1).padStart(2, '0'))}`);
    }
    if (s.personStatus) w.push(`f.person_status = ${$(s.personStatus)}`);
    if (s.activeOnly) w.push('f.active');
    // Each further value is one index probe per candidate of the first (the rarest): `OFFSET 0` keeps the
    // EXISTS a per-row probe, where a semi-join would read the whole range of a common second value in
    // keyset order (province 44, subject 05 and title 013 at 15 M: 31,067 entries for a page of 50).
    for (const other of facets.slice(1))
      w.push(
        `EXISTS (SELECT 1 FROM national_teacher_facet g WHERE g.facet = ${$(other)} AND g.province_code = f.province_code AND g.unit_code = f.unit_code AND g.teacher_id = f.teacher_id OFFSET 0)`,
      );
    if (s.after) w.push(`(f.unit_code, f.teacher_id) > (${$(s.after[0])}, ${$(s.after[1])}::uuid)`);
    const limit = $(s.limit);
    // The provinces that have the first value: a province given, or a walk over the index's provinces.
    const provinces = s.province
      ? `SELECT ${$(s.province)}::varchar AS code`
      : `WITH RECURSIVE pv(code) AS (
           (SELECT province_code FROM national_teacher_facet WHERE facet = ${first} ORDER BY province_code LIMIT 1)
           UNION ALL
           SELECT (SELECT province_code FROM national_teacher_facet WHERE facet = ${first} AND province_code > pv.code ORDER BY province_code LIMIT 1)
             FROM pv WHERE pv.code IS NOT NULL)
         SELECT code FROM pv WHERE code IS NOT NULL`;
    return {
      path: 'facets',
      sql: `WITH page AS (
         SELECT k.unit_code, k.teacher_id FROM (${provinces}) pr
          CROSS JOIN LATERAL (SELECT f.unit_code, f.teacher_id FROM national_teacher_facet f
                               WHERE ${w.join(' AND ')} ORDER BY f.unit_code, f.teacher_id LIMIT ${limit}) k
          ORDER BY k.unit_code, k.teacher_id LIMIT ${limit})
       SELECT ${PROVINCE_COLUMNS} FROM page JOIN national_teacher nt ON nt.teacher_id = page.teacher_id
         LEFT JOIN org_unit u ON u.code = nt.unit_code
        ORDER BY nt.unit_code, nt.teacher_id`,
      params: p,
    };
  }

  /** Frequencies of facet values, from the planner's statistics of the facet table (refreshed every 10 minutes). */
  private facetFrequency: { at: number; of: Map<string, number> } | null = null;

  /**
   * The person filters, the rarest value first: the page walks the first value's entries in keyset order
   * and probes the others, so the walk is bounded by the rarest value's entries. A value the statistics do
   * not list among the most common is rarer than every listed one.
   */
  private async rarestFirst(facets: string[]): Promise<string[]> {
    if (facets.length < 2) return facets;
    if (!this.facetFrequency || Date.now() - this.facetFrequency.at > 600_000) {
      const rows: { v: string[] | null; f: number[] | null }[] = await this.tx.query(
        `SELECT most_common_vals::text::text[] AS v, most_common_freqs AS f FROM pg_stats
          WHERE schemaname = current_schema() AND tablename = 'national_teacher_facet' AND attname = 'facet'`,
      );
      const of = new Map<string, number>();
      const [r] = rows;
      (r?.v ?? []).forEach((v, i) => of.set(v, Number(r?.f?.[i] ?? 0)));
      this.facetFrequency = { at: Date.now(), of };
    }
    const of = this.facetFrequency.of;
    return [...facets].sort((a, b) => (of.get(a) ?? 0) - (of.get(b) ?? 0));
  }

  private async searchCentral(s: PopulationSearch): Promise<PopulationRow[]> {
    const p: unknown[] = [];
    const $ = (v: unknown) => {
      p.push(v);
      return `$${p.length}`;
    };
    // The national node's own records: units directly under the ministry (its top unit), once reported.
    const w: string[] = ['t.reported_version IS NOT NULL'];
    if (s.unitCodes) w.push(`u.code = ANY(${$(s.unitCodes)}::varchar[])`);
    if (s.schoolType) w.push(`t.school_type = ${$(s.schoolType)}`);
    if (s.name) w.push(`t.name LIKE ${$(`${likeEscape(s.name)}%`)}`);
    if (s.idNumber) w.push(`t.id_number = ${$(s.idNumber)}`);
    if (s.personStatus) w.push(`t.person_status = ${$(s.personStatus)}`);
    if (s.activeOnly) w.push('t.active');
    if (s.staffCategory) w.push(`t.staff_category = ${$(s.staffCategory)}`);
    if (s.title) w.push(`t.title = ${$(s.title)}`);
    if (s.highestEducation) w.push(`t.highest_education = ${$(s.highestEducation)}`);
    if (s.subject) w.push(`${$(s.subject)} = ANY(t.subjects)`);
    if (s.qualificationType) w.push(`${$(s.qualificationType)} = ANY(t.qualification_types)`);
    if (s.after) w.push(`(u.code, t.id) > (${$(s.after[0])}, ${$(s.after[1])}::uuid)`);
    return this.tx.query(
      `SELECT ${CENTRAL_COLUMNS} FROM teacher t JOIN org_unit u ON u.id = t.unit_id
        WHERE ${w.join(' AND ')} ORDER BY u.code, t.id LIMIT ${$(s.limit)}`,
      p,
    );
  }

  /** One record of the population with its record as reported (a central record: its reported state). */
  async findById(id: string): Promise<PopulationRecord | null> {
    const [nt] = await this.tx.query(
      `SELECT ${PROVINCE_COLUMNS}, nt.record, nt.custom, nt.updated_at AS "updatedAt"
         FROM national_teacher nt LEFT JOIN org_unit u ON u.code = nt.unit_code WHERE nt.teacher_id = $1 AND NOT nt.removed`,
      [id],
    );
    if (nt) return nt;
    // A central record changed since it was reported keeps its reported state in teacher_reported.
    const [t] = await this.tx.query(
      `SELECT ${CENTRAL_COLUMNS}, COALESCE(r.record, t.record) AS record, COALESCE(r.custom, t.custom) AS custom, t.updated_at AS "updatedAt"
         FROM teacher t JOIN org_unit u ON u.id = t.unit_id LEFT JOIN teacher_reported r ON r.teacher_id = t.id
        WHERE t.id = $1 AND t.reported_version IS NOT NULL`,
      [id],
    );
    return t ?? null;
  }

  /** The records (as reported) of these ids, from either half. */
  async records(ids: string[]): Promise<Map<string, Record<string, unknown>>> {
    if (!ids.length) return new Map();
    const rows: { id: string; record: Record<string, unknown> }[] = await this.tx.query(
      `SELECT teacher_id::text AS id, record FROM national_teacher WHERE teacher_id = ANY($1::uuid[])
       UNION ALL
       SELECT t.id::text, COALESCE(r.record, t.record) FROM teacher t LEFT JOIN teacher_reported r ON r.teacher_id = t.id
        WHERE t.id = ANY($1::uuid[]) AND t.reported_version IS NOT NULL`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.record]));
  }

  /** The school codes under a unit path (a region), optionally of one school type. */
  async schoolsUnder(pathPrefix: string): Promise<string[]> {
    const rows: { code: string }[] = await this.tx.query(
      `SELECT code FROM org_unit WHERE kind = 'school' AND path LIKE $1 ORDER BY code`,
      [`${likeEscape(pathPrefix)}%`],
    );
    return rows.map((r) => r.code);
  }

  /** Totals of the population, by where the records are held (active people, not removed). */
  async totals(): Promise<{ province: number; central: number }> {
    const [r] = await this.tx.query(
      `SELECT (SELECT count(*) FROM national_teacher WHERE active AND NOT removed)::int AS province,
              (SELECT count(*) FROM teacher WHERE active AND reported_version IS NOT NULL)::int AS central`,
    );
    return r;
  }
}

/** The search's person filters as facet values (`national_teacher_facet`), the rarest kinds first. */
function facetsOf(s: PopulationSearch): string[] {
  return [
    s.subject !== undefined ? `s${s.subject}` : null,
    s.title !== undefined ? `t${s.title}` : null,
    s.qualificationType !== undefined ? `q${s.qualificationType}` : null,
    s.highestEducation !== undefined ? `e${s.highestEducation}` : null,
    s.staffCategory !== undefined ? `c${s.staffCategory}` : null,
  ].filter((f): f is string => f !== null);
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
