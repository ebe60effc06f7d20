import { INDICATOR_SET_BY_SCHOOL_TYPE, INDICATOR_SETS, labelOf, TITLE_LEVEL_OF_TITLE } from '@tmis/core-indicators';

/** A code with its labels, as every code in a statistics response carries. */
export interface Labelled {
  code: string | null;
  zh: string;
  en: string;
}

/**
 * `personal`: facts about the person (sex, age, retirement); `special`: categories that deserve extra
 * care (ethnicity, political status); `pay`: only for readers who see pay; `normal`: the rest.
 */
export type DimensionSensitivity = 'normal' | 'personal' | 'special' | 'pay';

export interface DimensionDef {
  /** The API name (`by=sex,title`, `filter=title:012`). */
  key: string;
  zh: string;
  en: string;
  /** Column of `stat_fact` (text, or text[] when `multi`). */
  column: string;
  /** Multi-valued (a teacher teaches several subjects): counted once per value in breakdowns by it. */
  multi?: boolean;
  /** National code table giving the labels … */
  codeTable?: string;
  /** … or labels computed here (bands, indicator sets). */
  label?: (code: string) => { zh: string; en: string } | undefined;
  sensitivity: DimensionSensitivity;
}

/** Age bands at the refresh date: under 25, five-year bands, 60 and over. */
export const AGE_BANDS: readonly { code: string; zh: string; en: string; from: number }[] = [
  { code: '00', zh: '25岁以下', en: 'Under 25', from: 0 },
  ...[25, 30, 35, 40, 45, 50, 55].map((a) => ({
    code: String(a),
    zh: `${a}-${a + 4}岁`,
    en: `${a}-${a + 4}`,
    from: a,
  })),
  { code: '60', zh: '60岁及以上', en: '60 and over', from: 60 },
];

/** Pay bands of the latest annual pay (CNY per year, `payBenefits[].annualPay` of the latest year). */
export const PAY_BANDS: readonly { code: string; zh: string; en: string; from: number }[] = [
  { code: 'P1', zh: '6万元以下', en: 'Under 60,000', from: 0 },
  { code: 'P2', zh: '6万-8万元', en: '60,000-79,999', from: 60000 },
  { code: 'P3', zh: '8万-10万元', en: '80,000-99,999', from: 80000 },
  { code: 'P4', zh: '10万-12万元', en: '100,000-119,999', from: 100000 },
  { code: 'P5', zh: '12万-15万元', en: '120,000-149,999', from: 120000 },
  { code: 'P6', zh: '15万-20万元', en: '150,000-199,999', from: 150000 },
  { code: 'P7', zh: '20万元及以上', en: '200,000 and over', from: 200000 },
];

/** How far ahead the precomputed retirement dimension names single years (later ones are `later`). */
export const RETIRE_HORIZON_YEARS = 10;

function retireLabel(code: string): { zh: string; en: string } | undefined {
  if (code === 'past') return { zh: '已达退休年龄', en: 'Already past retirement age' };
  if (code === 'later')
    return { zh: `${RETIRE_HORIZON_YEARS}年以后`, en: `More than ${RETIRE_HORIZON_YEARS} years ahead` };
  return /^\d{4}$/.test(code) ? { zh: `${code}年`, en: code } : undefined;
}

/**
 * `newEntrant` and `leftThisYear` (issue 17, the yearly report's new entrants and leavers), computed when the
 * facts are loaded, for the twelve months up to the reference date (the refresh's asOf): `1` when the school
 * entry month (进本校年月) is one of the twelve months ending with the reference month / the status effective
 * date (人员状态生效日期) is after the same day a year before and not after the reference date; `0` otherwise;
 * not recorded when the record has no such date.
 */
const yearFlag =
  (yes: { zh: string; en: string }, no: { zh: string; en: string }) =>
  (code: string): { zh: string; en: string } | undefined =>
    code === '1' ? yes : code === '0' ? no : undefined;

const band = (list: readonly { code: string; zh: string; en: string }[]) => (code: string) =>
  list.find((b) => b.code === code);
const indicatorSet = (code: string) => INDICATOR_SETS.find((s) => s.key === code);

/**
 * The dimensions of the statistics, in canonical order (a pair of dimensions is always stored with the
 * earlier one first). Province, city, county and school are not dimensions but the `level`.
 */
export const DIMENSIONS: readonly DimensionDef[] = [
  {
    key: 'schoolType',
    zh: '学校类型',
    en: 'School type',
    column: 'school_type',
    codeTable: 'school-type',
    sensitivity: 'normal',
  },
  {
    key: 'indicatorSet',
    zh: '指标集',
    en: 'Indicator set',
    column: 'indicator_set',
    label: indicatorSet,
    sensitivity: 'normal',
  },
  {
    key: 'urbanRural',
    zh: '城乡分类',
    en: 'Urban/rural',
    column: 'urban_rural',
    codeTable: 'urban-rural',
    sensitivity: 'normal',
  },
  {
    key: 'sponsor',
    zh: '办学性质',
    en: 'Public/private',
    column: 'sponsor',
    codeTable: 'sponsor',
    sensitivity: 'normal',
  },
  { key: 'sex', zh: '性别', en: 'Sex', column: 'sex', codeTable: 'sex', sensitivity: 'personal' },
  { key: 'ageBand', zh: '年龄段', en: 'Age band', column: 'age_band', label: band(AGE_BANDS), sensitivity: 'personal' },
  {
    key: 'retireYear',
    zh: '达到退休年龄年份',
    en: 'Year reaching retirement age',
    column: 'retire_band',
    label: retireLabel,
    sensitivity: 'personal',
  },
  {
    key: 'ethnicity',
    zh: '民族',
    en: 'Ethnicity',
    column: 'ethnicity',
    codeTable: 'ethnicity',
    sensitivity: 'special',
  },
  {
    key: 'politicalStatus',
    zh: '政治面貌',
    en: 'Political status',
    column: 'political_status',
    codeTable: 'political-status',
    sensitivity: 'special',
  },
  {
    key: 'highestEducation',
    zh: '最高学历',
    en: 'Highest education',
    column: 'highest_education',
    codeTable: 'education-level',
    sensitivity: 'normal',
  },
  {
    key: 'title',
    zh: '专业技术职务',
    en: 'Professional title',
    column: 'title',
    codeTable: 'professional-title',
    sensitivity: 'normal',
  },
  {
    key: 'titleLevel',
    zh: '职称等级',
    en: 'Title level',
    column: 'title_level',
    codeTable: 'title-level',
    sensitivity: 'normal',
  },
  {
    key: 'staffCategory',
    zh: '教职工类别',
    en: 'Staff category',
    column: 'staff_category',
    codeTable: 'staff-category',
    sensitivity: 'normal',
  },
  {
    key: 'onEstablishment',
    zh: '是否在编',
    en: 'On the establishment',
    column: 'on_establishment',
    codeTable: 'yes-no',
    sensitivity: 'normal',
  },
  {
    key: 'personStatus',
    zh: '人员状态',
    en: 'Person status',
    column: 'person_status',
    codeTable: 'person-status',
    sensitivity: 'normal',
  },
  {
    key: 'staffSource',
    zh: '教职工来源',
    en: 'Staff source',
    column: 'staff_source',
    codeTable: 'staff-source',
    sensitivity: 'normal',
  },
  {
    key: 'newEntrant',
    zh: '本年新进本校',
    en: 'New entrant this year',
    column: 'school_entry_month',
    label: yearFlag({ zh: '是', en: 'Yes' }, { zh: '否', en: 'No' }),
    sensitivity: 'normal',
  },
  {
    key: 'leftThisYear',
    zh: '本年离开',
    en: 'Left this year',
    column: 'status_since',
    label: yearFlag({ zh: '是', en: 'Yes' }, { zh: '否', en: 'No' }),
    sensitivity: 'normal',
  },
  {
    key: 'payBand',
    zh: '年工资收入段',
    en: 'Annual pay band',
    column: 'pay_band',
    label: band(PAY_BANDS),
    sensitivity: 'pay',
  },
  {
    key: 'subject',
    zh: '任教学科',
    en: 'Subject taught',
    column: 'subjects',
    multi: true,
    codeTable: 'subject',
    sensitivity: 'normal',
  },
  {
    key: 'qualificationType',
    zh: '教师资格种类',
    en: 'Qualification type',
    column: 'qualification_types',
    multi: true,
    codeTable: 'qualification-type',
    sensitivity: 'normal',
  },
];

export const DIMENSION_BY_KEY: ReadonlyMap<string, DimensionDef> = new Map(DIMENSIONS.map((d) => [d.key, d]));

/** Position in the canonical order (pairs are stored earlier-first). */
export const dimensionIndex = (key: string): number => DIMENSIONS.findIndex((d) => d.key === key);

export const NOT_RECORDED = { zh: '未填报', en: 'Not recorded' } as const;

/** The zh/en labels of a value of a core dimension; unknown codes are shown as themselves. */
export function labelValue(dim: DimensionDef, code: string | null): Labelled {
  if (code === null) return { code, ...NOT_RECORDED };
  const l = dim.codeTable ? labelOf(dim.codeTable, code) : dim.label?.(code);
  return { code, zh: l?.zh ?? code, en: l?.en ?? code };
}

/** Title → title level, as SQL (`CASE title WHEN … END`), from the core-indicator mapping. */
export function titleLevelSql(col: string): string {
  return `CASE ${col} ${Object.entries(TITLE_LEVEL_OF_TITLE)
    .map(([t, l]) => `WHEN '${t}' THEN '${l}'`)
    .join(' ')} END`;
}

/** School type → indicator set key, as SQL; school types without a set fall in `other` (as on write). */
export function indicatorSetSql(col: string): string {
  return `CASE WHEN ${col} IS NULL THEN NULL ${Object.entries(INDICATOR_SET_BY_SCHOOL_TYPE)
    .map(([t, s]) => `WHEN ${col} = '${t}' THEN '${s}'`)
    .join(' ')} ELSE 'other' END`;
}

/** Annual pay → pay band code, as SQL. */
export function payBandSql(expr: string): string {
  return `CASE WHEN ${expr} IS NULL THEN NULL ${[...PAY_BANDS]
    .reverse()
    .map((b) => `WHEN ${expr} >= ${b.from} THEN '${b.code}'`)
    .join(' ')} END`;
}

/** Age (whole years at `refDate`) → age band code, as SQL. */
export function ageBandSql(birthDate: string, refDate: string): string {
  const age = `date_part('year', age(${refDate}, ${birthDate}))`;
  return `CASE WHEN ${birthDate} IS NULL THEN NULL ${[...AGE_BANDS]
    .reverse()
    .map((b) => `WHEN ${age} >= ${b.from} THEN '${b.code}'`)
    .join(' ')} END`;
}

/** Retirement date → `past` / the year / `later`, relative to the year of `refDate`, as SQL. */
export function retireBandSql(retireDate: string, refDate: string): string {
  const y = `date_part('year', ${retireDate})::int`;
  const ref = `date_part('year', ${refDate})::int`;
  return `CASE WHEN ${retireDate} IS NULL THEN NULL WHEN ${y} < ${ref} THEN 'past' WHEN ${y} > ${ref} + ${RETIRE_HORIZON_YEARS} THEN 'later' ELSE ${y}::text END`;
}
