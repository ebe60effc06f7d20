import { inScope, Role, type Actor } from '@tmis/access';
import { defineWorkflow } from '@tmis/workflow';
import type { Outcome } from './eligibility.js';

export type ApplicationState = 'applied' | 'school_confirmed' | 'returned' | 'registered' | 'deferred' | 'not_passed';

/** Who acts on which application: the guards look only at this. */
export interface ApplicationContext {
  actor: Actor;
  unitPath: string;
  isOwner: boolean;
  /** The unit level of the application's registration authority ({@link authorityLevelFor}). */
  authorityLevel: number;
  /** The eligibility computed now (only the decision steps look at it). */
  outcome?: Outcome;
  /** A serious ethics violation covering the cycle has just been confirmed (only `veto-revoke` looks at it). */
  vetoConfirmed?: boolean;
}

/**
 * The unit level of the registration authority for a teacher's unit: the level the rules name (a
 * county, city or province department); for a central university, which reports straight to the
 * ministry with no province above it (Art. 6), the ministry's (level 1) — on the national node.
 */
export function authorityLevelFor(unitPath: string, named: number): number {
  const underProvince = unitPath.split('/').some((s) => /^[0-9]{6}$/.test(s) && s !== '000000');
  return underProvince ? named : 1;
}

const school = (c: ApplicationContext) =>
  c.actor.role === Role.InfoAdmin && c.actor.unitLevel >= 5 && inScope(c.actor, c.unitPath);
const department = (c: ApplicationContext) =>
  c.actor.role === Role.InfoAdmin && c.actor.unitLevel <= 4 && inScope(c.actor, c.unitPath);
const authority = (c: ApplicationContext) =>
  c.actor.role === Role.InfoAdmin && c.actor.unitLevel === c.authorityLevel && inScope(c.actor, c.unitPath);

/**
 * Art. 26: the teacher (or the school, for its teachers) applies → the school reviews and confirms the
 * facts → the registration authority decides. The decision follows the eligibility computed from the
 * record and the credit bank: registered only when every condition holds, not passed on an ethics veto,
 * deferred otherwise. A returned or deferred teacher applies again.
 */
export const REGISTRATION_WORKFLOW = defineWorkflow<ApplicationState, ApplicationContext>({
  key: 'qualification-registration',
  initial: 'applied',
  actions: [
    { name: 'school-confirm', from: ['applied'], to: 'school_confirmed', allowed: school },
    { name: 'school-return', from: ['applied'], to: 'returned', allowed: school, requiresReason: true },
    {
      name: 'register',
      from: ['school_confirmed'],
      to: 'registered',
      allowed: (c) => authority(c) && c.outcome === 'eligible',
    },
    {
      name: 'defer',
      from: ['school_confirmed'],
      to: 'deferred',
      allowed: (c) => authority(c) && c.outcome === 'deferred',
    },
    {
      name: 'refuse',
      from: ['school_confirmed'],
      to: 'not_passed',
      allowed: (c) => authority(c) && c.outcome === 'not_passed',
    },
    // SPEC §6: a serious ethics violation confirmed later by the supervising department vetoes a cycle
    // that was already registered; the registration is undone (never by hand: only from the veto).
    {
      name: 'veto-revoke',
      from: ['registered'],
      to: 'not_passed',
      allowed: (c) => department(c) && c.vetoConfirmed === true,
      requiresReason: true,
    },
  ],
});

export const DECISION_OF: Record<Outcome, 'register' | 'defer' | 'refuse'> = {
  eligible: 'register',
  deferred: 'defer',
  not_passed: 'refuse',
};

export const MAY_FLAGS: Record<string, string> = {
  'school-confirm': 'mayConfirm',
  'school-return': 'mayReturn',
  register: 'mayDecide',
  defer: 'mayDecide',
  refuse: 'mayDecide',
};
