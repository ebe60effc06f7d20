// The public surface of libs/node-kit: only what other libs, apps, tests, bench and tools import.
export { CoreNodeModule } from './core-node.module.js';
export { startTmisNode, type NodeDefinition, type TmisNode } from './start.js';
export { runNodeMain } from './run-main.js';
export { kafkaConnection } from './kafka-config.js';
export { bootstrapRootAdmin } from './seed.js';
export { seedNationalDemo, seedProvincialDemo } from './demo.js';
