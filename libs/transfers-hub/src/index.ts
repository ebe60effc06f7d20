// The public surface of libs/transfers-hub: only what other libs, apps, tests, bench and tools import.
export { TransfersHubModule } from './hub.module.js';
export { TransfersHubService } from './hub.service.js';
