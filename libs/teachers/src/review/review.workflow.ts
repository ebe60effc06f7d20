import { Role, inScope, type Actor } from '@tmis/access';
import { defineWorkflow } from '@tmis/workflow';
import type { ReviewState } from '../teacher.repository.js';

/** Who is acting on which record: the review guards look only at this. */
export interface ReviewContext {
  actor: Actor;
  recordUnitPath: string;
  /** The actor is the teacher whose record it is. */
  isOwner: boolean;
}

const schoolAdmin = (c: ReviewContext) =>
  c.actor.role === Role.InfoAdmin && c.actor.unitLevel >= 5 && inScope(c.actor, c.recordUnitPath);
const departmentAdmin = (c: ReviewContext) =>
  c.actor.role === Role.InfoAdmin && c.actor.unitLevel <= 4 && inScope(c.actor, c.recordUnitPath);

/**
 * Art. 17: the teacher (or the school) submits; the school reviews collectively with its principal
 * accountable; the supervising department reviews what the school reports. Approved by the
 * department = reported.
 */
export const REVIEW_WORKFLOW = defineWorkflow<ReviewState, ReviewContext>({
  key: 'record-review',
  initial: 'draft',
  actions: [
    { name: 'submit', from: ['draft', 'returned'], to: 'submitted', allowed: (c) => c.isOwner || schoolAdmin(c) },
    { name: 'school-approve', from: ['submitted'], to: 'school_approved', allowed: schoolAdmin },
    { name: 'school-return', from: ['submitted'], to: 'returned', allowed: schoolAdmin, requiresReason: true },
    { name: 'department-approve', from: ['school_approved'], to: 'reported', allowed: departmentAdmin },
    {
      name: 'department-return',
      from: ['school_approved'],
      to: 'returned',
      allowed: departmentAdmin,
      requiresReason: true,
    },
  ],
});

export const MAY_FLAGS: Record<string, string> = {
  submit: 'maySubmit',
  'school-approve': 'mayApprove',
  'school-return': 'mayReturn',
  'department-approve': 'mayApprove',
  'department-return': 'mayReturn',
};
