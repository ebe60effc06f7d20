export {
  availableActions,
  defineWorkflow,
  transition,
  type TransitionResult,
  type WorkflowAction,
  type WorkflowDefinition,
} from './workflow.js';
