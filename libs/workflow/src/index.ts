// The public surface of libs/workflow: only what other libs, apps, tests, bench and tools import.
// WorkflowDefinition (and WorkflowAction, for workflows built from data): named in the declarations of the
// workflows other libs define.
export {
  availableActions,
  defineWorkflow,
  transition,
  type TransitionResult,
  type WorkflowAction,
  type WorkflowDefinition,
} from './workflow.js';
