import { SCHOOL_TYPES } from '@tmis/core-indicators';
import { payBandSql } from './dimensions.js';

/**
 * The SQL that builds and maintains the fact table (ADR 0008) and reads it into a node's memory: one row
 * per teacher with every dimension's code, from either node's source table.
 */

const arr = (expr: string) => `CASE WHEN jsonb_typeof(${expr}) = 'array' THEN ${expr} END`;

/** The columns of a fact row after `teacher_id` and `unit_code` (ADR 0008), in the order of FACT_COLUMNS. */
export const FACT_COLUMNS = [
  'teacher_id',
  'unit_code',
  'province_code',
  'school_type',
  'sex',
  'birth_date',
  'retire_date',
  'ethnicity',
  'political_status',
  'highest_education',
  'title',
  'staff_category',
  'on_establishment',
  'person_status',
  'active',
  'pay_band',
  'subjects',
  'qualification_types',
  'custom',
  'updated_at',
  'staff_source',
  'school_entry_month',
  'status_since',
] as const;

/** The derived columns every fact row has, given how to read the source (`r` = record). Age and retirement bands are computed when the facts are loaded (they depend on the date). */
function factColumns(src: {
  schoolType: string;
  sex: string;
  birthDate: string;
  highestEducation: string;
  title: string;
  staffCategory: string;
  onEstablishment: string;
  personStatus: string;
  active: string;
  subjects: string;
  qualificationTypes: string;
  custom: string;
  updatedAt: string;
  r: string;
}): string {
  const pay = `(SELECT CASE WHEN jsonb_typeof(e->'annualPay') = 'number' THEN (e->>'annualPay')::numeric END FROM jsonb_array_elements(${arr(`${src.r}->'payBenefits'`)}) e ORDER BY CASE WHEN jsonb_typeof(e->'year') = 'number' THEN (e->>'year')::int END DESC NULLS LAST LIMIT 1)`;
  return `
    (${src.schoolType})::text AS school_type, (${src.sex})::text AS sex, ${src.birthDate} AS birth_date, rd.d AS retire_date,
    ${src.r}->'basic'->>'ethnicity' AS ethnicity, ${src.r}->'basic'->>'politicalStatus' AS political_status,
    (${src.highestEducation})::text AS highest_education, (${src.title})::text AS title,
    (${src.staffCategory})::text AS staff_category, ${src.onEstablishment} AS on_establishment, (${src.personStatus})::text AS person_status, ${src.active} AS active,
    ${payBandSql(`(${pay})`)} AS pay_band, (${src.subjects})::text[] AS subjects, (${src.qualificationTypes})::text[] AS qualification_types, ${src.custom} AS custom, ${src.updatedAt} AS updated_at,
    ${src.r}->'basic'->>'staffSource' AS staff_source, ${src.r}->'basic'->>'schoolEntryMonth' AS school_entry_month,
    ${src.r}->'basic'->>'statusSince' AS status_since`;
}

/**
 * The `teacher` table, whose searchable columns are derived on every write (derive.ts): a provincial node's
 * own records. `changedOnly`: only the teachers in the temporary table `stat_changed` (an incremental refresh).
 * `reportedOnly` (the national node's own records, central universities): only records reported at least
 * once, as the provinces' records at national are.
 */
function teacherSource(changedOnly: boolean, reportedOnly: boolean): string {
  return `
  SELECT t.id AS teacher_id, u.code::text AS unit_code, split_part(t.unit_path, '/', 2) AS province_code,
    ${factColumns({
      schoolType: 't.school_type',
      sex: 't.sex',
      birthDate: 't.birth_date',
      highestEducation: 't.highest_education',
      title: 't.title',
      staffCategory: 't.staff_category',
      onEstablishment: `CASE t.on_establishment WHEN true THEN '1' WHEN false THEN '0' END`,
      personStatus: 't.person_status',
      active: 't.active',
      subjects: 't.subjects',
      qualificationTypes: 't.qualification_types',
      custom: 't.custom',
      updatedAt: 't.updated_at',
      r: 't.record',
    })}
    FROM teacher t
    ${changedOnly ? 'JOIN stat_changed c ON c.teacher_id = t.id' : ''}
    LEFT JOIN org_unit u ON u.id = t.unit_id
    CROSS JOIN LATERAL (SELECT tmis_retirement_date(t.sex, t.birth_date) AS d) rd
    ${reportedOnly ? 'WHERE t.reported_version IS NOT NULL' : ''}`;
}

/** Provincial node: every record in its `teacher` table (drafts included). */
export function provincialSource(changedOnly: boolean): string {
  return teacherSource(changedOnly, false);
}

const SCHOOL_TYPE_CODES = SCHOOL_TYPES.entries.map((e) => `'${e.code}'`).join(',');

/**
 * National node: `national_teacher` (the provinces' reported records) joined to the school in the
 * national `org_unit` by its code when the facts are loaded. The derived values are computed from the record as derive.ts does;
 * the school type here (read from the school code) serves a school not (yet) known at national. A record
 * its province removed is no one's record: it has no fact row (it counted among the inactive people, so
 * `includeInactive` counted it as someone who left).
 */
function reportedByProvinces(changedOnly: boolean): string {
  return `
  SELECT nt.teacher_id, nt.unit_code::text AS unit_code, nt.province_code || '0000' AS province_code,
    ${factColumns({
      schoolType: `CASE WHEN left(nt.unit_code, 2) IN (${SCHOOL_TYPE_CODES}) THEN left(nt.unit_code, 2) END`,
      sex: `(nt.record->'basic'->>'sex')`,
      birthDate: `(CASE WHEN nt.record->'basic'->>'birthDate' ~ '^\\d{4}-\\d{2}-\\d{2}$' THEN (nt.record->'basic'->>'birthDate')::date END)`,
      highestEducation: `(SELECT e->>'educationLevel' FROM jsonb_array_elements(${arr(`nt.record->'education'`)}) WITH ORDINALITY x(e, i)
                          ORDER BY COALESCE(e->'isHighest' = 'true'::jsonb, false) DESC, CASE WHEN e->'isHighest' = 'true'::jsonb THEN i END, e->>'educationLevel' COLLATE "C" NULLS LAST LIMIT 1)`,
      title: `(SELECT e->>'title' FROM jsonb_array_elements(${arr(`nt.record->'professionalTitle'`)}) e WHERE COALESCE(e->>'endMonth', '') = '' ORDER BY e->>'startMonth' COLLATE "C" DESC NULLS LAST LIMIT 1)`,
      staffCategory: `(nt.record->'basic'->>'staffCategory')`,
      onEstablishment: `CASE nt.record->'basic'->'onEstablishment' WHEN 'true'::jsonb THEN '1' WHEN 'false'::jsonb THEN '0' END`,
      personStatus: 'nt.person_status::text',
      active: 'nt.active',
      subjects: `ARRAY(SELECT DISTINCT e->>'subject' FROM jsonb_array_elements(${arr(`nt.record->'teaching'`)}) e
                  WHERE e ? 'subject' AND e->>'schoolYear' = (SELECT max(e2->>'schoolYear' COLLATE "C") FROM jsonb_array_elements(${arr(`nt.record->'teaching'`)}) e2))`,
      qualificationTypes: `ARRAY(SELECT DISTINCT e->>'qualificationType' FROM jsonb_array_elements(${arr(`nt.record->'qualification'`)}) e WHERE e ? 'qualificationType')`,
      custom: 'nt.custom',
      updatedAt: 'nt.updated_at',
      r: 'nt.record',
    })}
    FROM national_teacher nt
    ${changedOnly ? 'JOIN stat_changed c ON c.teacher_id = nt.teacher_id' : ''}
    CROSS JOIN LATERAL (SELECT tmis_retirement_date(nt.record->'basic'->>'sex', CASE WHEN nt.record->'basic'->>'birthDate' ~ '^\\d{4}-\\d{2}-\\d{2}$' THEN (nt.record->'basic'->>'birthDate')::date END) AS d) rd
    WHERE NOT nt.removed`;
}

/**
 * National node: one population (issue 17) — the provinces' reported records (`national_teacher`) and the
 * records of the units reporting to the national node directly (central universities, in its own
 * `teacher` table, once reported). A teacher id is in one of the two tables only, so each is counted once.
 */
export function nationalSource(changedOnly: boolean): string {
  return `${reportedByProvinces(changedOnly)}
  UNION ALL
  ${teacherSource(changedOnly, true)}`;
}

/** A fact source's SELECT: every teacher's fact columns (or only those in `stat_changed`). */
export type SourceSql = (changedOnly: boolean) => string;

/** What a refresh needs of a node's fact source (`StatsFactSource`): its table and its fact SELECT. */
export interface FactSql {
  readonly table: string;
  readonly sql: SourceSql;
}
const FACT_LIST = FACT_COLUMNS.join(', ');

/** Full rebuild: every teacher's fact row at positions 0…n-1, as generation `$1` (a refresh id). */
export const fullBuildSql = (source: SourceSql) => `
  CREATE UNLOGGED TABLE stat_fact_next AS
  SELECT (row_number() OVER () - 1)::bigint AS pos, s.teacher_id, $1::bigint AS born, NULL::bigint AS died, ${FACT_COLUMNS.slice(
    1,
  )
    .map((c) => `s.${c}`)
    .join(', ')}
    FROM (${source(false)}) s`;

/** Compaction: the live rows rewritten at positions 0…n-1 as generation `$1`. */
export const COMPACT_SQL = `
  CREATE UNLOGGED TABLE stat_fact_next AS
  SELECT (row_number() OVER () - 1)::bigint AS pos, teacher_id, $1::bigint AS born, NULL::bigint AS died, ${FACT_COLUMNS.slice(1).join(', ')}
    FROM stat_fact WHERE died IS NULL`;

/** Incremental: new rows, born in refresh `$1`, for the teachers in `stat_changed` that still exist. */
export const incrementalInsertSql = (source: SourceSql) => `
  INSERT INTO stat_fact (pos, born, ${FACT_LIST})
  SELECT nextval('stat_fact_pos'), $1::bigint, ${FACT_COLUMNS.map((c) => `s.${c}`).join(', ')} FROM (${source(true)}) s`;

/** The indexes of the fact table (created on `stat_fact_next` after a rebuild, renamed on the swap). */
export const FACT_INDEXES = [
  { name: 'live_idx', sql: (t: string) => `CREATE INDEX ${t}_live_idx ON ${t} (teacher_id) WHERE died IS NULL` },
  { name: 'born_idx', sql: (t: string) => `CREATE INDEX ${t}_born_idx ON ${t} (born)` },
  { name: 'died_idx', sql: (t: string) => `CREATE INDEX ${t}_died_idx ON ${t} (died) WHERE died IS NOT NULL` },
];

/**
 * What a node process loads into memory (COPY text format; one line per fact row): the state as of refresh
 * `upTo` — rows born after `after` (0 for everything) and not dead by `upTo`. Dates as yyyymmdd and years.
 */
export function loadSql(after: number, upTo: number): string {
  const a = Math.trunc(after);
  const b = Math.trunc(upTo);
  return `COPY (SELECT pos, unit_code, province_code, school_type, CASE WHEN active THEN 1 ELSE 0 END, sex,
      COALESCE(to_char(birth_date, 'YYYYMMDD'), '0'), COALESCE(date_part('year', retire_date)::int, 0),
      ethnicity, political_status, highest_education, title, staff_category, on_establishment, person_status, pay_band,
      array_to_string(subjects, ','), array_to_string(qualification_types, ','), CASE WHEN custom = '{}'::jsonb THEN NULL ELSE custom::text END,
      staff_source, CASE WHEN school_entry_month ~ '^\\d{4}-\\d{2}$' THEN replace(school_entry_month, '-', '') END,
      CASE WHEN status_since ~ '^\\d{4}-\\d{2}-\\d{2}$' THEN replace(status_since, '-', '') END
    FROM stat_fact WHERE born > ${a} AND born <= ${b} AND (died IS NULL OR died > ${b})) TO STDOUT`;
}

/**
 * The positions that died after refresh `after` up to `upTo` (tombstones for a process at `after`). Rows both
 * born and dead since are among them: the process never had them, so removing them changes nothing (and a
 * `born` condition here would lead the planner to the born index, which every older row matches).
 */
export const deadSinceSql = `SELECT pos::text FROM stat_fact WHERE died > $1 AND died <= $2`;
