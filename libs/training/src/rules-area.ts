import { provinceOfPath } from '@tmis/org';

/** The code under which the ministry keeps the conversion rules of the units that report to it directly. */
export const MINISTRY_RULES_AREA = '00';

/**
 * Whose hour→credit rules govern a unit (ADR 0015): its province's (the two-digit code); for the
 * central universities, which report straight to the national node with no province above them (Art. 6),
 * and for the ministry itself, the ministry's (`00`). Null for a path outside the tree.
 */
export function rulesAreaOf(unitPath: string): string | null {
  return provinceOfPath(unitPath) ?? (unitPath.startsWith('/000000/') ? MINISTRY_RULES_AREA : null);
}
