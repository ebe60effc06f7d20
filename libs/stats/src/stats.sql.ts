import { SCHOOL_TYPES } from '@tmis/core-indicators';
import { ageBandSql, DIMENSIONS, dimensionIndex, indicatorSetSql, payBandSql, retireBandSql, titleLevelSql, type DimensionDef } from './dimensions.js';

/**
 * The SQL that builds the statistics tables, generated from the dimension list so that the fact table,
 * the precomputed cells and the fallback queries cannot disagree about a dimension.
 */

const arr = (expr: string) => `CASE WHEN jsonb_typeof(${expr}) = 'array' THEN ${expr} END`;

/** Every school and department with its province, city, county and school (from the path's codes). */
export const UNIT_MAP_SQL = `
  CREATE TEMP TABLE stat_unit_map ON COMMIT DROP AS
  SELECT s.id AS unit_id, s.code::text AS unit_code, s.path::text COLLATE "C" AS path,
         max(a.code::text) FILTER (WHERE a.kind = 'province') AS province_code,
         max(a.code::text) FILTER (WHERE a.kind = 'city') AS city_code,
         max(a.code::text) FILTER (WHERE a.kind = 'county') AS county_code,
         max(a.code::text) FILTER (WHERE a.kind = 'school') AS school_code,
         max(a.school_type::text) FILTER (WHERE a.kind = 'school') AS school_type,
         max(a.urban_rural::text) FILTER (WHERE a.kind = 'school') AS urban_rural,
         max(a.sponsor::text) FILTER (WHERE a.kind = 'school') AS sponsor
    FROM org_unit s
    CROSS JOIN LATERAL unnest(string_to_array(trim(both '/' from s.path), '/')) AS p(code)
    JOIN org_unit a ON a.code = p.code
   WHERE s.kind IN ('school', 'department')
   GROUP BY s.id, s.code, s.path`;

/** The derived columns every fact row has, given how to read the source (`b` = basic sub-set, `r` = record). */
function factColumns(src: { schoolType: string; sex: string; birthDate: string; highestEducation: string; title: string; staffCategory: string; onEstablishment: string; personStatus: string; active: string; subjects: string; qualificationTypes: string; custom: string; updatedAt: string; r: string }): string {
  const pay = `(SELECT CASE WHEN jsonb_typeof(e->'annualPay') = 'number' THEN (e->>'annualPay')::numeric END FROM jsonb_array_elements(${arr(`${src.r}->'payBenefits'`)}) e ORDER BY CASE WHEN jsonb_typeof(e->'year') = 'number' THEN (e->>'year')::int END DESC NULLS LAST LIMIT 1)`;
  return `
    ${src.schoolType} AS school_type, ${indicatorSetSql(src.schoolType)} AS indicator_set, m.urban_rural, m.sponsor,
    ${src.sex} AS sex, ${src.birthDate} AS birth_date, ${ageBandSql(src.birthDate, 'current_date')} AS age_band,
    rd.d AS retire_date, ${retireBandSql('rd.d', 'current_date')} AS retire_band,
    ${src.r}->'basic'->>'ethnicity' AS ethnicity, ${src.r}->'basic'->>'politicalStatus' AS political_status,
    ${src.highestEducation} AS highest_education, ${src.title} AS title, ${titleLevelSql(src.title)} AS title_level,
    ${src.staffCategory} AS staff_category, ${src.onEstablishment} AS on_establishment, ${src.personStatus} AS person_status, ${src.active} AS active,
    ${payBandSql(`(${pay})`)} AS pay_band, ${src.subjects} AS subjects, ${src.qualificationTypes} AS qualification_types, ${src.custom} AS custom, ${src.updatedAt} AS updated_at`;
}

/** Provincial node: the `teacher` table, whose searchable columns are derived on every write (derive.ts). */
export const PROVINCIAL_FACT_SQL = `
  CREATE UNLOGGED TABLE stat_fact_next AS
  SELECT t.id AS teacher_id, COALESCE(m.path, t.unit_path::text) COLLATE "C" AS unit_path, m.unit_code, m.province_code, m.city_code, m.county_code, m.school_code,
    ${factColumns({
      schoolType: 't.school_type::text', sex: 't.sex::text', birthDate: 't.birth_date', highestEducation: 't.highest_education::text', title: 't.title::text',
      staffCategory: 't.staff_category::text', onEstablishment: `CASE t.on_establishment WHEN true THEN '1' WHEN false THEN '0' END`, personStatus: 't.person_status::text',
      active: 't.active', subjects: 't.subjects', qualificationTypes: 't.qualification_types', custom: 't.custom', updatedAt: 't.updated_at', r: 't.record',
    })}
    FROM teacher t
    LEFT JOIN stat_unit_map m ON m.unit_id = t.unit_id
    CROSS JOIN LATERAL (SELECT tmis_retirement_date(t.sex, t.birth_date) AS d) rd`;

const SCHOOL_TYPE_CODES = SCHOOL_TYPES.entries.map((e) => `'${e.code}'`).join(',');

/**
 * National node: `national_teacher` (the provinces' reported records) joined to the school in the
 * national `org_unit` by its code. The derived values are computed from the record as derive.ts does;
 * a school not (yet) known at national still counts in its province, its type read from its code.
 */
export const NATIONAL_FACT_SQL = `
  CREATE UNLOGGED TABLE stat_fact_next AS
  SELECT nt.teacher_id, m.path AS unit_path, nt.unit_code::text AS unit_code, COALESCE(m.province_code, nt.province_code || '0000') AS province_code, m.city_code, m.county_code,
    COALESCE(m.school_code, nt.unit_code::text) AS school_code,
    ${factColumns({
      schoolType: `COALESCE(m.school_type, CASE WHEN left(nt.unit_code, 2) IN (${SCHOOL_TYPE_CODES}) THEN left(nt.unit_code, 2) END)`,
      sex: `(nt.record->'basic'->>'sex')`,
      birthDate: `(CASE WHEN nt.record->'basic'->>'birthDate' ~ '^\\d{4}-\\d{2}-\\d{2}$' THEN (nt.record->'basic'->>'birthDate')::date END)`,
      highestEducation: `(SELECT e->>'educationLevel' FROM jsonb_array_elements(${arr(`nt.record->'education'`)}) WITH ORDINALITY x(e, i)
                          ORDER BY COALESCE(e->'isHighest' = 'true'::jsonb, false) DESC, CASE WHEN e->'isHighest' = 'true'::jsonb THEN i END, e->>'educationLevel' COLLATE "C" NULLS LAST LIMIT 1)`,
      title: `(SELECT e->>'title' FROM jsonb_array_elements(${arr(`nt.record->'professionalTitle'`)}) e WHERE COALESCE(e->>'endMonth', '') = '' ORDER BY e->>'startMonth' COLLATE "C" DESC NULLS LAST LIMIT 1)`,
      staffCategory: `(nt.record->'basic'->>'staffCategory')`,
      onEstablishment: `CASE nt.record->'basic'->'onEstablishment' WHEN 'true'::jsonb THEN '1' WHEN 'false'::jsonb THEN '0' END`,
      personStatus: 'nt.person_status::text',
      active: '(nt.active AND NOT nt.removed)',
      subjects: `ARRAY(SELECT DISTINCT e->>'subject' FROM jsonb_array_elements(${arr(`nt.record->'teaching'`)}) e
                  WHERE e ? 'subject' AND e->>'schoolYear' = (SELECT max(e2->>'schoolYear' COLLATE "C") FROM jsonb_array_elements(${arr(`nt.record->'teaching'`)}) e2))`,
      qualificationTypes: `ARRAY(SELECT DISTINCT e->>'qualificationType' FROM jsonb_array_elements(${arr(`nt.record->'qualification'`)}) e WHERE e ? 'qualificationType')`,
      custom: `'{}'::jsonb`,
      updatedAt: 'nt.updated_at',
      r: 'nt.record',
    })}
    FROM national_teacher nt
    LEFT JOIN stat_unit_map m ON m.unit_code = nt.unit_code
    CROSS JOIN LATERAL (SELECT tmis_retirement_date(nt.record->'basic'->>'sex', CASE WHEN nt.record->'basic'->>'birthDate' ~ '^\\d{4}-\\d{2}-\\d{2}$' THEN (nt.record->'basic'->>'birthDate')::date END) AS d) rd`;

export const FACT_INDEX_COLUMNS = ['province_code', 'city_code', 'county_code', 'unit_path'];

const SCALAR = DIMENSIONS.filter((d) => !d.multi);
const [SUBJECT, QUALIFICATION] = DIMENSIONS.filter((d) => d.multi);

/** The grouping sets of a family (lists of dimension keys, canonical order). */
export function cellFamilies(): { name: string; multi: DimensionDef[]; dims: DimensionDef[]; sets: string[][] }[] {
  const sorted = (keys: string[]) => [...keys].sort((a, b) => dimensionIndex(a) - dimensionIndex(b));
  const scalarSets: string[][] = [[]];
  SCALAR.forEach((a, i) => { scalarSets.push([a.key]); SCALAR.slice(i + 1).forEach((b) => scalarSets.push([a.key, b.key])); });
  const withScalar = (m: DimensionDef) => [[m.key], ...SCALAR.map((s) => sorted([s.key, m.key]))];
  return [
    { name: 'scalar', multi: [], dims: SCALAR, sets: scalarSets },
    { name: SUBJECT.key, multi: [SUBJECT], dims: [...SCALAR, SUBJECT], sets: withScalar(SUBJECT) },
    { name: QUALIFICATION.key, multi: [QUALIFICATION], dims: [...SCALAR, QUALIFICATION], sets: withScalar(QUALIFICATION) },
    { name: `${SUBJECT.key}×${QUALIFICATION.key}`, multi: [SUBJECT, QUALIFICATION], dims: [SUBJECT, QUALIFICATION], sets: [sorted([SUBJECT.key, QUALIFICATION.key])] },
  ];
}

/** The multi-valued column unnested, one row per value (a teacher with none counts once as "not recorded"). */
export const unnestSql = (d: DimensionDef, alias: string) => `LEFT JOIN LATERAL unnest(CASE WHEN cardinality(f.${d.column}) = 0 THEN '{NULL}'::text[] ELSE f.${d.column} END) AS ${alias}(v) ON true`;

/**
 * One family's cells for one province (or the rows without one, `withProvince` false, no parameter): a single pass with GROUPING SETS at
 * county grain; GROUPING() tells which dimensions each output row is for.
 */
export function cellInsertSql(family: ReturnType<typeof cellFamilies>[number], withProvince: boolean): string {
  const expr = (d: DimensionDef) => (d.multi ? `u_${d.key}.v` : `f.${d.column}`);
  const k = family.dims.length;
  const mask = (set: string[]) => family.dims.reduce((m, d, i) => (set.includes(d.key) ? m : m | (1 << (k - 1 - i))), 0);
  const caseOf = (pick: (set: string[]) => string | null) =>
    `CASE a.g ${family.sets.map((s) => `WHEN ${mask(s)} THEN ${pick(s) ?? 'NULL'}`).join(' ')} END`;
  const colOf = (key: string | undefined) => (key ? `a."${key}"` : null);
  const grouping = family.dims.map(expr).join(', ');
  const sets = family.sets.map((s) => `(${s.map((key) => expr(family.dims.find((d) => d.key === key)!)).join(', ')})`).join(', ');
  return `
    INSERT INTO stat_cell_next (dim1, dim2, province_code, city_code, county_code, v1, v2, n)
    SELECT ${caseOf((s) => `'${s[0] ?? '*'}'`)}, ${caseOf((s) => `'${s[1] ?? ''}'`)}, a.province_code, a.city_code, a.county_code,
           ${caseOf((s) => colOf(s[0]))}, ${caseOf((s) => colOf(s[1]))}, a.n
      FROM (SELECT f.province_code, f.city_code, f.county_code, GROUPING(${grouping}) AS g, ${family.dims.map((d) => `${expr(d)} AS "${d.key}"`).join(', ')}, count(*)::int AS n
              FROM stat_fact_next f ${family.multi.map((d) => unnestSql(d, `u_${d.key}`)).join(' ')}
             WHERE f.active AND ${withProvince ? 'f.province_code = $1' : 'f.province_code IS NULL'}
             GROUP BY f.province_code, f.city_code, f.county_code, GROUPING SETS (${sets})) a`;
}
