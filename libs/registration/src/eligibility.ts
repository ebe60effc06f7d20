import { addDays, anniversary, cycleEnd, wholeYears, yearOf, type RegistrationRules } from './rules.js';

/** The facts of a teacher's record that registration looks at (read from the record, never typed again). */
export interface RecordFacts {
  /** basic.personStatus (01 in post; 02 long sick leave and 03 long absence are not on post). */
  personStatus: string | null;
  /** 7 年度考核: year and result (4 = 不合格). */
  assessments: { year: number; result: string }[];
  /** Confirmed serious violations of professional ethics (the school reported, the department confirmed). */
  violations: { id: string; date: string; vetoUntil: string }[];
}

/** One confirmed credit, as the credit bank answers it (`CreditBank.creditsInWindow().entries`). */
export interface CreditEntry {
  id: string;
  kind: string;
  credits: number;
  hours: number;
  confirmedOn: string;
  source: string;
  ruleVersion: string;
  appliedTo: string | null;
}

export interface Cycle {
  start: string;
  end: string;
}

export type ConditionKey = 'on-post' | 'assessments' | 'credits' | 'ethics';
export type Outcome = 'eligible' | 'deferred' | 'not_passed';

export interface Condition {
  key: ConditionKey;
  met: boolean;
  /** What an unmet condition does: defer (暂缓注册) or veto (不合格). */
  effect: 'defers' | 'veto';
  evidence: Record<string, unknown>;
  en: string;
  zh: string;
}

export interface Eligibility {
  outcome: Outcome;
  cycle: Cycle;
  asOf: string;
  rulesVersion: string;
  conditions: Condition[];
  /** The credits the registration would use (applied on a positive decision). */
  creditIds: string[];
  /** What is missing, in words, for a deferred teacher. */
  missing: { key: ConditionKey; en: string; zh: string }[];
}

const ON_POST = new Set(['01']);
const UNQUALIFIED = '4';

/** The years whose annual assessment falls in the cycle: those whose 31 December lies in [start, min(end, asOf)]. */
export function assessmentYears(cycle: Cycle, asOf: string): number[] {
  const last = cycle.end < asOf ? cycle.end : asOf;
  const years: number[] = [];
  for (let y = yearOf(cycle.start); y <= yearOf(last); y++) {
    const dec31 = `${y}-12-31`;
    if (dec31 >= cycle.start && dec31 <= last) years.push(y);
  }
  return years;
}

/** The credits of the cycle that count: confirmed in it, of a counted kind, not used for another purpose. */
export function countedCredits(entries: readonly CreditEntry[], cycle: Cycle, rules: RegistrationRules): CreditEntry[] {
  return entries.filter(
    (e) =>
      e.confirmedOn >= cycle.start &&
      e.confirmedOn <= cycle.end &&
      e.appliedTo === null &&
      (rules.countedKinds === null || rules.countedKinds.includes(e.kind)),
  );
}

/** A violation vetoes the cycle when it happened in it or its veto period overlaps it. */
export function vetoesIn(v: { date: string; vetoUntil: string }, cycle: Cycle): boolean {
  return v.date <= cycle.end && v.vetoUntil >= cycle.start;
}

/** The end of a violation's veto period under `rules` (the day before the anniversary). */
export function vetoUntil(date: string, rules: RegistrationRules): string {
  return cycleEnd(date, rules.vetoYears);
}

/**
 * Art. 26: may the teacher's qualification be registered for `cycle`? Pure: the record's facts, the
 * credits of the cycle (from the credit bank: each at its confirmed value, whichever province confirmed
 * it), the province's rules and the date. Every condition comes with its evidence. A serious ethics
 * violation in the cycle is a veto (not passed); any other unmet condition defers.
 */
export function assessEligibility(input: {
  facts: RecordFacts;
  credits: readonly CreditEntry[];
  rules: RegistrationRules;
  cycle: Cycle;
  asOf: string;
}): Eligibility {
  const { facts, rules, cycle, asOf } = input;
  const conditions: Condition[] = [];

  const onPost = facts.personStatus !== null && ON_POST.has(facts.personStatus);
  conditions.push({
    key: 'on-post',
    met: onPost,
    effect: 'defers',
    evidence: { personStatus: facts.personStatus },
    en: onPost ? 'In post' : 'Not in post (long leave or absence, or left)',
    zh: onPost ? '在职在岗' : '不在岗（长期病假、长期不在岗或已离岗）',
  });

  const years = assessmentYears(cycle, asOf);
  const byYear = new Map(facts.assessments.map((a) => [a.year, a.result]));
  const unqualified = years.filter((y) => byYear.get(y) === UNQUALIFIED);
  const missingYears = years.filter((y) => !byYear.has(y));
  const assessmentsMet = unqualified.length === 0 && (!rules.missingAssessmentDefers || missingYears.length === 0);
  conditions.push({
    key: 'assessments',
    met: assessmentsMet,
    effect: 'defers',
    evidence: {
      years,
      results: Object.fromEntries(years.map((y) => [y, byYear.get(y) ?? null])),
      unqualifiedYears: unqualified,
      missingYears,
    },
    en: assessmentsMet
      ? 'Every annual assessment of the cycle qualified'
      : unqualified.length
        ? `Annual assessment unqualified in ${unqualified.join(', ')}`
        : `Annual assessment missing for ${missingYears.join(', ')}`,
    zh: assessmentsMet
      ? '周期内年度考核均合格'
      : unqualified.length
        ? `${unqualified.join('、')}年度考核不合格`
        : `缺少${missingYears.join('、')}年度考核结果`,
  });

  const counted = countedCredits(input.credits, cycle, rules);
  const totalHours = round(counted.reduce((a, e) => a + e.hours, 0));
  const totalCredits = round(counted.reduce((a, e) => a + e.credits, 0));
  const byCredits = rules.requiredCredits !== null;
  const have = byCredits ? totalCredits : totalHours;
  const need = byCredits ? rules.requiredCredits! : rules.requiredHours;
  const creditsMet = have >= need;
  const unit = byCredits ? { en: 'credits', zh: '学分' } : { en: 'hours', zh: '学时' };
  conditions.push({
    key: 'credits',
    met: creditsMet,
    effect: 'defers',
    evidence: {
      totalHours,
      totalCredits,
      required: need,
      measure: byCredits ? 'credits' : 'hours',
      countedKinds: rules.countedKinds,
      sources: [...new Set(counted.map((e) => e.source))],
      entries: counted.map((e) => ({
        id: e.id,
        kind: e.kind,
        credits: e.credits,
        hours: e.hours,
        confirmedOn: e.confirmedOn,
        source: e.source,
        ruleVersion: e.ruleVersion,
      })),
    },
    en: creditsMet
      ? `Training ${have} of ${need} ${unit.en}`
      : `Training ${have} of ${need} ${unit.en}: ${round(need - have)} missing`,
    zh: creditsMet
      ? `培训${have}/${need}${unit.zh}`
      : `培训${have}/${need}${unit.zh}，尚缺${round(need - have)}${unit.zh}`,
  });

  const vetoing = facts.violations.filter((v) => vetoesIn(v, cycle));
  conditions.push({
    key: 'ethics',
    met: vetoing.length === 0,
    effect: 'veto',
    evidence: { violations: vetoing },
    en: vetoing.length ? 'A confirmed serious violation of professional ethics (one-vote veto)' : 'No ethics veto',
    zh: vetoing.length ? '经确认的严重违反师德行为（一票否决）' : '无师德一票否决情形',
  });

  const unmet = conditions.filter((c) => !c.met);
  const outcome: Outcome = unmet.some((c) => c.effect === 'veto')
    ? 'not_passed'
    : unmet.length
      ? 'deferred'
      : 'eligible';
  return {
    outcome,
    cycle,
    asOf,
    rulesVersion: rules.version,
    conditions,
    creditIds: outcome === 'eligible' ? counted.map((e) => e.id) : [],
    missing: unmet.map((c) => ({ key: c.key, en: c.en, zh: c.zh })),
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

// ---- registration status of a qualification ----

export type RegistrationStatusCode = 'first' | 'due' | 'registered' | 'deferred' | 'not_passed' | 'lapsed';

export const STATUS_LABELS: Record<RegistrationStatusCode, { en: string; zh: string }> = {
  first: { en: 'First registration', zh: '首次注册' },
  due: { en: 'Periodic registration due', zh: '定期注册到期' },
  registered: { en: 'Registered', zh: '注册合格' },
  deferred: { en: 'Deferred', zh: '暂缓注册' },
  not_passed: { en: 'Not passed', zh: '注册不合格' },
  lapsed: { en: 'Lapsed', zh: '注册失效' },
};

/** The last decision on a teacher's registration, as stored. */
export interface LastDecision {
  result: 'registered' | 'deferred' | 'not_passed';
  cycle: Cycle;
  reason: string | null;
}

export interface RegistrationStatus {
  status: RegistrationStatusCode;
  /** The cycle the next (or pending) registration assesses. */
  cycle: Cycle;
  reason: string | null;
  /** A registration may be applied for now. */
  mayApply: boolean;
}

/** The cycle anchored on `anchor` (cycles of `years` back to back) that contains `date`. */
export function cycleContaining(anchor: string, years: number, date: string): Cycle {
  if (date < anchor) return { start: anchor, end: cycleEnd(anchor, years) };
  let k = Math.floor(wholeYears(anchor, date) / years);
  let start = anniversary(anchor, k * years);
  while (start > date) start = anniversary(anchor, --k * years);
  return { start, end: cycleEnd(start, years) };
}

/**
 * Pure: where a qualification stands on `asOf`. Never registered: first registration, for the cycle
 * (anchored on the qualification's date) that contains today. Registered for a cycle: registered for the
 * next one, due in its last calendar year, lapsed after it. Deferred or not passed: as decided, for the
 * decided cycle (a deferred teacher re-applies for it).
 */
export function registrationStatus(
  qualification: { issuedDate: string | null } | null,
  last: LastDecision | null,
  rules: RegistrationRules,
  asOf: string,
): RegistrationStatus | null {
  if (!last) {
    if (!qualification?.issuedDate) return null;
    const cycle = cycleContaining(qualification.issuedDate, rules.cycleYears, asOf);
    return { status: 'first', cycle, reason: null, mayApply: true };
  }
  if (last.result === 'deferred') return { status: 'deferred', cycle: last.cycle, reason: last.reason, mayApply: true };
  if (last.result === 'not_passed')
    return { status: 'not_passed', cycle: last.cycle, reason: last.reason, mayApply: false };
  const nextStart = addDays(last.cycle.end, 1);
  const next = { start: nextStart, end: cycleEnd(nextStart, rules.cycleYears) };
  if (asOf > next.end) return { status: 'lapsed', cycle: next, reason: null, mayApply: true };
  if (yearOf(next.end) === yearOf(asOf)) return { status: 'due', cycle: next, reason: null, mayApply: true };
  return { status: 'registered', cycle: next, reason: null, mayApply: false };
}

// ---- title evaluation eligibility ----

export interface TitleEligibility {
  eligible: boolean;
  conditions: {
    key: 'years-in-grade' | 'assessments' | 'credits' | 'ethics';
    met: boolean;
    evidence: Record<string, unknown>;
    en: string;
    zh: string;
  }[];
  /** The first refusal reason; the veto comes first when there is one. */
  reason: { key: string; en: string; zh: string } | null;
}

/**
 * Pure: the title evaluation check — whole years in the current grade, no unqualified assessment in
 * the years counted, the cycle's training, and no ethics veto in force on `asOf` (the veto is the reason
 * whenever there is one).
 */
export function assessTitleEligibility(input: {
  facts: RecordFacts;
  gradeSince: string | null;
  credits: readonly CreditEntry[];
  rules: RegistrationRules;
  asOf: string;
}): TitleEligibility {
  const { facts, rules, asOf } = input;
  const inGrade = input.gradeSince ? wholeYears(input.gradeSince, asOf) : 0;
  const window: Cycle = { start: addDays(anniversary(asOf, -rules.titleYearsInGrade), 1), end: asOf };
  const reg = assessEligibility({ facts, credits: input.credits, rules, cycle: window, asOf });
  const get = (k: ConditionKey) => reg.conditions.find((c) => c.key === k)!;
  const vetoes = facts.violations.filter((v) => v.date <= asOf && v.vetoUntil >= asOf);
  const conditions: TitleEligibility['conditions'] = [
    {
      key: 'ethics',
      met: vetoes.length === 0,
      evidence: { violations: vetoes },
      en: vetoes.length ? `One-vote veto until ${vetoes[0].vetoUntil}` : 'No ethics veto',
      zh: vetoes.length ? `师德一票否决，至${vetoes[0].vetoUntil}` : '无师德一票否决情形',
    },
    {
      key: 'years-in-grade',
      met: inGrade >= rules.titleYearsInGrade,
      evidence: { since: input.gradeSince, years: inGrade, required: rules.titleYearsInGrade },
      en: `${inGrade} of ${rules.titleYearsInGrade} years in the current grade`,
      zh: `现职务任职${inGrade}年（需${rules.titleYearsInGrade}年）`,
    },
    { ...pick(get('assessments')), key: 'assessments' },
    { ...pick(get('credits')), key: 'credits' },
  ];
  const first = conditions.find((c) => !c.met);
  return {
    eligible: !first,
    conditions,
    reason: first ? { key: first.key, en: first.en, zh: first.zh } : null,
  };
}

function pick(c: Condition) {
  return { met: c.met, evidence: c.evidence, en: c.en, zh: c.zh };
}
