/**
 * A province's periodic-registration rules (Art. 26, Appendix A), kept as versioned data: each
 * version applies from its effective date. The defaults are the national minimum: a five-year cycle
 * and 360 hours of training in it.
 */
export interface RegistrationRules {
  /** The rules' version label (e.g. `11-2026.1`); the default is `default`. */
  version: string;
  /** Cycle length in whole years. */
  cycleYears: number;
  /** Hours of counted training the cycle needs (used when `requiredCredits` is null). */
  requiredHours: number;
  /** Credits the cycle needs, when the province counts credits instead of hours. */
  requiredCredits: number | null;
  /** The credit kinds that count toward registration; null: every kind. */
  countedKinds: string[] | null;
  /** A year of the cycle without an annual assessment defers, like an unqualified one. */
  missingAssessmentDefers: boolean;
  /** How long a confirmed serious ethics violation vetoes registration and titles, in years from its date. */
  vetoYears: number;
  /** Title evaluation: whole years in the current grade before the next one. */
  titleYearsInGrade: number;
  /**
   * The registration authority the province names: the unit level that decides (4 = county
   * department, 3 = city, 2 = province).
   */
  authorityLevel: number;
}

export const DEFAULT_RULES: RegistrationRules = {
  version: 'default',
  cycleYears: 5,
  requiredHours: 360,
  requiredCredits: null,
  countedKinds: null,
  missingAssessmentDefers: true,
  vetoYears: 5,
  titleYearsInGrade: 5,
  authorityLevel: 4,
};

/** A rules version as stored: the fields that differ from the default, from a date on. */
export interface RulesVersion {
  version: string;
  effectiveFrom: string;
  rules: Partial<Omit<RegistrationRules, 'version'>>;
}

/** The rules in force on `date`: the latest version effective on or before it, over the defaults. */
export function rulesOn(versions: readonly RulesVersion[], date: string): RegistrationRules {
  const v = [...versions]
    .filter((x) => x.effectiveFrom <= date)
    .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : -1))[0];
  return v ? { ...DEFAULT_RULES, ...v.rules, version: v.version } : DEFAULT_RULES;
}

// ---- calendar dates as YYYY-MM-DD strings (UTC, no time zone drift) ----

const ms = (d: string) => Date.parse(`${d}T00:00:00Z`);
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

export function isDate(d: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(d) && iso(ms(d)) === d;
}

export function addDays(d: string, n: number): string {
  return iso(ms(d) + n * 86_400_000);
}

/**
 * The anniversary of `d` after `years` years. 29 February has its anniversary on 1 March in a common
 * year (the day after 28 February), so a cycle never ends before its full length.
 */
export function anniversary(d: string, years: number): string {
  const y = Number(d.slice(0, 4)) + years;
  const md = d.slice(5);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (md === '02-29' && !leap) return `${y}-03-01`;
  return `${y}-${md}`;
}

/** The last day of a cycle that starts on `start`: the day before its anniversary. */
export function cycleEnd(start: string, years: number): string {
  return addDays(anniversary(start, years), -1);
}

/** Whole years from `from` to `to` (the anniversary counts as a full year). */
export function wholeYears(from: string, to: string): number {
  let n = Number(to.slice(0, 4)) - Number(from.slice(0, 4));
  if (n > 0 && anniversary(from, n) > to) n -= 1;
  return Math.max(0, n);
}

export function yearOf(d: string): number {
  return Number(d.slice(0, 4));
}
