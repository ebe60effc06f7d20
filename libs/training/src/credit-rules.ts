/**
 * Hour→credit conversion (Art. 25): pure, per province, versioned by the caller. A province's rules say
 * how many hours make one credit for each kind of training, the caps per kind and per year, which kinds
 * count toward periodic registration, and how many credits a five-year cycle needs.
 */

/** Kinds of training and self-study a credit can come from. */
export const CREDIT_KINDS = [
  'training', // ordinary face-to-face training (national, provincial, city, county projects)
  'online', // online training
  'school_based', // school-based training (校本培训)
  'course', // self-study: courses
  'degree', // self-study: degree study
  'research', // self-study: research
  'publication', // self-study: publications
] as const;
export type CreditKind = (typeof CREDIT_KINDS)[number];

export const SELF_STUDY_KINDS: readonly CreditKind[] = ['course', 'degree', 'research', 'publication'];

export interface CreditRules {
  /** Hours that make one credit, per kind; a kind absent here earns no credit. */
  hoursPerCredit: Partial<Record<CreditKind, number>>;
  /** Most credits of a kind a teacher can earn in one calendar year. */
  capPerKindPerYear?: Partial<Record<CreditKind, number>>;
  /** Most credits a teacher can earn in one calendar year, all kinds together. */
  capPerYear?: number;
  /** Kinds that count toward periodic registration. */
  registrationKinds: CreditKind[];
  /** Credits a five-year registration cycle needs. */
  registrationCredits: number;
  /** First year of a registration cycle (cycles are five calendar years from it). */
  cycleStartYear: number;
}

/** Problems with a rule set, as `path: message` pairs (empty when valid). */
export function checkRules(r: CreditRules): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  const kinds = new Set<string>(CREDIT_KINDS);
  for (const [k, v] of Object.entries(r.hoursPerCredit ?? {})) {
    if (!kinds.has(k)) out.push({ path: `hoursPerCredit.${k}`, message: 'unknown kind' });
    else if (!(typeof v === 'number' && v > 0)) out.push({ path: `hoursPerCredit.${k}`, message: 'must be > 0' });
  }
  for (const [k, v] of Object.entries(r.capPerKindPerYear ?? {})) {
    if (!kinds.has(k)) out.push({ path: `capPerKindPerYear.${k}`, message: 'unknown kind' });
    else if (!(typeof v === 'number' && v >= 0)) out.push({ path: `capPerKindPerYear.${k}`, message: 'must be ≥ 0' });
  }
  for (const [i, k] of (r.registrationKinds ?? []).entries())
    if (!kinds.has(k)) out.push({ path: `registrationKinds[${i}]`, message: 'unknown kind' });
  if (!Object.keys(r.hoursPerCredit ?? {}).length) out.push({ path: 'hoursPerCredit', message: 'at least one kind' });
  return out;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * Credits for `hours` of `kind` under `rules`, given what the teacher already holds in the same
 * calendar year (of that kind, and in all). Caps cut the excess; the result is never negative.
 */
export function convertHours(
  rules: CreditRules,
  kind: string,
  hours: number,
  already: { kindInYear: number; allInYear: number },
): number {
  const per = rules.hoursPerCredit[kind as CreditKind];
  if (!per) return 0;
  let credits = round2(hours / per);
  const kindCap = rules.capPerKindPerYear?.[kind as CreditKind];
  if (kindCap !== undefined) credits = Math.min(credits, kindCap - already.kindInYear);
  if (rules.capPerYear !== undefined) credits = Math.min(credits, rules.capPerYear - already.allInYear);
  return Math.max(0, round2(credits));
}

/** The five-year registration cycle holding `date` (YYYY-MM-DD), as inclusive dates. */
export function cycleOf(date: string, cycleStartYear: number): { from: string; to: string } {
  const y = Number(date.slice(0, 4));
  const start = cycleStartYear + Math.floor((y - cycleStartYear) / 5) * 5;
  return { from: `${start}-01-01`, to: `${start + 4}-12-31` };
}
