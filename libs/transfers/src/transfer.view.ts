import { availableActions } from '@tmis/workflow';
import type { TransferEventRow, TransferRow } from './transfer.repository.js';
import { FLOWS, stepAction, WORKFLOWS, type TransferContext } from './transfer.workflow.js';

export interface UnitRef {
  id: string;
  code: string;
  name: string;
}

export interface TransferResponse {
  id: string;
  kind: string;
  teacher: { id: string; name: string };
  from: UnitRef | null;
  to: UnitRef | null;
  newPost: string | null;
  effectiveDate: string;
  endDate: string | null;
  rotationKind: string | null;
  reason: string;
  state: string;
  stateSince: Date;
  /** Who the case waits for: the side (sending / receiving) and level (school / department). */
  waitingFor: { side: string; level: string } | null;
  /** Waiting at its step past the province's deadline: flagged on the to-do lists. */
  overdue: boolean;
  appliedAt: Date;
  movedAt: Date | null;
  closedAt: Date | null;
  version: number;
  mayApprove: boolean;
  mayRefuse: boolean;
  mayWithdraw: boolean;
  trail?: TransferEventRow[];
}

/** A case as the caller sees it, with what the caller may do next. */
export function toTransferResponse(
  t: TransferRow,
  ctx: TransferContext,
  units: Map<string, UnitRef>,
  trail?: TransferEventRow[],
): TransferResponse {
  const may = new Set(availableActions(WORKFLOWS[t.kind], t.state, ctx));
  const approve = stepAction(t.kind, t.state, 'approve');
  const refuse = stepAction(t.kind, t.state, 'refuse');
  const step = FLOWS[t.kind].steps.find((s) => `awaiting_${s.side}_${s.level}` === t.state);
  return {
    id: t.id,
    kind: t.kind,
    teacher: { id: t.teacherId, name: t.teacherName },
    from: units.get(t.fromUnitId) ?? null,
    to: units.get(t.toUnitId) ?? null,
    newPost: t.newPost,
    effectiveDate: t.effectiveDate,
    endDate: t.endDate,
    rotationKind: t.rotationKind,
    reason: t.reason,
    state: t.state,
    stateSince: t.stateSince,
    waitingFor: step ? { side: step.side, level: step.level } : null,
    overdue: t.overdue,
    appliedAt: t.appliedAt,
    movedAt: t.movedAt,
    closedAt: t.closedAt,
    version: t.version,
    mayApprove: !!approve && may.has(approve),
    mayRefuse: !!refuse && may.has(refuse),
    mayWithdraw: may.has('withdraw'),
    ...(trail ? { trail } : {}),
  };
}
