import { inScope, Role, type Actor } from '@tmis/access';
import { defineWorkflow, type WorkflowAction, type WorkflowDefinition } from '@tmis/workflow';

/**
 * Art. 23 transfer; Art. 24 rotation without, and with, a change of personnel relation; a cross-province
 * transfer as the receiving province (`cross-in`) and the sending province (`cross-out`) see it.
 */
export type TransferKind = 'transfer' | 'rotation' | 'rotation-transfer' | 'cross-in' | 'cross-out';
export const TRANSFER_KINDS: readonly TransferKind[] = ['transfer', 'rotation', 'rotation-transfer'];
export const ALL_KINDS: readonly TransferKind[] = [...TRANSFER_KINDS, 'cross-in', 'cross-out'];

export type Side = 'sending' | 'receiving';
type Level = 'school' | 'department';

export type TransferState =
  | 'awaiting_receiving_department'
  | 'awaiting_sending_school'
  | 'awaiting_sending_department'
  | 'awaiting_receiving_school'
  /** Cross-province: this province's steps are done; the other province (through national) acts. */
  | 'awaiting_other_province'
  /** Cross-province, receiving side: the applicant withdrew; national decides whether it came before the confirmation. */
  | 'withdrawing'
  /** Every step taken: waits for its effective date (across provinces, on both provinces and at national). */
  | 'approved'
  | 'serving'
  | 'completed'
  | 'refused'
  | 'withdrawn'
  | 'expired';

/** States in which a case waits for someone (the to-do deadline runs); the applicant may withdraw. */
export const AWAITING_STATES: readonly TransferState[] = [
  'awaiting_receiving_department',
  'awaiting_sending_school',
  'awaiting_sending_department',
  'awaiting_receiving_school',
];
export const SETTLED_STATES: readonly TransferState[] = ['completed', 'refused', 'withdrawn', 'expired'];

/** Who is acting on which case: the guards look only at this. */
export interface TransferContext {
  actor: Actor;
  sendingPath: string;
  receivingPath: string;
}

interface Step {
  side: Side;
  level: Level;
  /** The verb of the step in the trail (approve, agree, confirm). */
  verb: string;
}

/**
 * The steps after the application, in order (Art. 23–24). A transfer is applied for by the receiving
 * school; a rotation by the sending school.
 */
export const FLOWS: Record<TransferKind, { applicant: Side; steps: Step[] }> = {
  transfer: {
    applicant: 'receiving',
    steps: [
      { side: 'receiving', level: 'department', verb: 'approve' },
      { side: 'sending', level: 'school', verb: 'agree' },
      { side: 'sending', level: 'department', verb: 'confirm' },
    ],
  },
  rotation: { applicant: 'sending', steps: [{ side: 'sending', level: 'department', verb: 'approve' }] },
  'rotation-transfer': {
    applicant: 'sending',
    steps: [
      { side: 'sending', level: 'department', verb: 'approve' },
      { side: 'receiving', level: 'school', verb: 'agree' },
      { side: 'receiving', level: 'department', verb: 'confirm' },
    ],
  },
  // Across provinces each node holds its own side's steps; national routes between them.
  'cross-in': { applicant: 'receiving', steps: [{ side: 'receiving', level: 'department', verb: 'approve' }] },
  'cross-out': {
    applicant: 'receiving',
    steps: [
      { side: 'sending', level: 'school', verb: 'agree' },
      { side: 'sending', level: 'department', verb: 'confirm' },
    ],
  },
};

const stateOf = (s: Step) => `awaiting_${s.side}_${s.level}` as TransferState;
const pathOf = (c: TransferContext, side: Side) => (side === 'sending' ? c.sendingPath : c.receivingPath);

/** An information administrator of a school (level ≥ 5) or of a department (≤ 4) over that side's unit. */
export function actsFor(c: TransferContext, side: Side, level: Level): boolean {
  const a = c.actor;
  if (a.role !== Role.InfoAdmin) return false;
  if (level === 'school' ? a.unitLevel < 5 : a.unitLevel > 4) return false;
  return inScope(a, pathOf(c, side));
}

function build(kind: TransferKind): WorkflowDefinition<TransferState, TransferContext> {
  const flow = FLOWS[kind];
  const actions: WorkflowAction<TransferState, TransferContext>[] = [];
  flow.steps.forEach((step, i) => {
    const from = stateOf(step);
    const to = i + 1 < flow.steps.length ? stateOf(flow.steps[i + 1]) : 'approved';
    const allowed = (c: TransferContext) => actsFor(c, step.side, step.level);
    actions.push({ name: `${step.side}-${step.level}-${step.verb}`, from: [from], to, allowed });
    actions.push({
      name: `${step.side}-${step.level}-refuse`,
      from: [from],
      to: 'refused',
      allowed,
      requiresReason: true,
    });
  });
  // The applicant may withdraw before the last step is taken. Across provinces the last step is the
  // sending province's confirmation: the receiving side may withdraw while it waits for it.
  actions.push({
    name: 'withdraw',
    from: kind === 'cross-in' ? [...flow.steps.map(stateOf), 'awaiting_other_province'] : flow.steps.map(stateOf),
    to: 'withdrawn',
    allowed: (c) => actsFor(c, flow.applicant, 'school'),
  });
  return defineWorkflow<TransferState, TransferContext>({ key: kind, initial: stateOf(flow.steps[0]), actions });
}

export const WORKFLOWS: Record<TransferKind, WorkflowDefinition<TransferState, TransferContext>> = {
  transfer: build('transfer'),
  rotation: build('rotation'),
  'rotation-transfer': build('rotation-transfer'),
  'cross-in': build('cross-in'),
  'cross-out': build('cross-out'),
};

/** Who applies for each kind: a school information administrator over that side's school. */
export function mayApply(kind: TransferKind, c: TransferContext): boolean {
  return actsFor(c, FLOWS[kind].applicant, 'school');
}

/** The name of the approving / refusing action of the state's step, if the state is a step. */
export function stepAction(kind: TransferKind, state: TransferState, verb: 'approve' | 'refuse'): string | null {
  const step = FLOWS[kind].steps.find((s) => stateOf(s) === state);
  if (!step) return null;
  return `${step.side}-${step.level}-${verb === 'approve' ? step.verb : 'refuse'}`;
}
