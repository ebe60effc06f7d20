// The public surface of libs/workflow: only what other libs, apps, tests, bench and tools import.
// WorkflowDefinition: named in the declarations of the workflows other libs define.
export { availableActions, defineWorkflow, transition, type WorkflowDefinition } from './workflow.js';
