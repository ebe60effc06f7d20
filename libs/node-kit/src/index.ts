export { CoreNodeModule } from './core-node.module.js';
export { bootstrapRootAdmin } from './seed.js';
export { DEMO_PASSWORD, seedNationalDemo, seedProvincialDemo, type DemoLogin } from './demo.js';
export { runNodeMain } from './run-main.js';
export { startTmisNode, type NodeDefinition, type TmisNode } from './start.js';
export { kafkaConnection } from './kafka-config.js';
