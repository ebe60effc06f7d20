// The public surface of libs/server: only what other libs, apps, tests, bench and tools import.
export {
  NATIONAL_ROLE,
  NationalNodeConfig,
  NodeConfig,
  type NodeRole,
  PROVINCIAL_ROLE,
  ProvincialNodeConfig,
} from './node-config.js';
export { NODE_INFO, NODE_MICROSERVICES } from './node-info.js';
export { prepareRuntime, startNode, type NodeRuntime, type StartedNode } from './bootstrap.js';
export { HealthController, MetricsController } from './health.controller.js';
export { HealthRegistry } from './health.registry.js';
export { NodeReady } from './node-ready.js';
export { DatabaseProbeRepository } from './database-probe.repository.js';
