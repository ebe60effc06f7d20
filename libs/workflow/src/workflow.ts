/**
 * A small, pure state-machine library for the business flows (review, change requests, later
 * transfers, rotations, training credits, registration): states, actions with who may take them
 * (a guard over the actor and the case), whether a reason is required, and a trail entry for each
 * step. Persistence belongs to the feature that uses it.
 */
export interface WorkflowAction<S extends string, C> {
  name: string;
  from: readonly S[];
  to: S;
  /** Who may act: role and unit relation, evaluated on the caller and the case. */
  allowed: (ctx: C) => boolean;
  requiresReason?: boolean;
}

export interface WorkflowDefinition<S extends string, C> {
  key: string;
  initial: S;
  actions: readonly WorkflowAction<S, C>[];
}

export type TransitionResult<S extends string> =
  | { ok: true; from: S; to: S; action: string }
  | {
      ok: false;
      reason: 'unknown-action' | 'illegal-transition' | 'not-allowed' | 'reason-required';
      from: S;
      action: string;
    };

export function defineWorkflow<S extends string, C>(def: WorkflowDefinition<S, C>): WorkflowDefinition<S, C> {
  const names = new Set<string>();
  for (const a of def.actions) {
    if (names.has(a.name)) throw new Error(`workflow ${def.key}: duplicate action ${a.name}`);
    names.add(a.name);
  }
  return def;
}

/** The actions the caller may take now (what a response's `may…` flags are built from). */
export function availableActions<S extends string, C>(wf: WorkflowDefinition<S, C>, state: S, ctx: C): string[] {
  return wf.actions.filter((a) => a.from.includes(state) && a.allowed(ctx)).map((a) => a.name);
}

/** Checks one step; never throws, so callers map the refusal to their own error. */
export function transition<S extends string, C>(
  wf: WorkflowDefinition<S, C>,
  state: S,
  action: string,
  ctx: C,
  reason?: string,
): TransitionResult<S> {
  const a = wf.actions.find((x) => x.name === action);
  if (!a) return { ok: false, reason: 'unknown-action', from: state, action };
  if (!a.from.includes(state)) return { ok: false, reason: 'illegal-transition', from: state, action };
  if (!a.allowed(ctx)) return { ok: false, reason: 'not-allowed', from: state, action };
  if (a.requiresReason && !(reason && reason.trim()))
    return { ok: false, reason: 'reason-required', from: state, action };
  return { ok: true, from: state, to: a.to, action };
}
