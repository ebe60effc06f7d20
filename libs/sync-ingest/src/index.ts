export { SyncIngestModule } from './sync-ingest.module.js';
export type { SyncIngestOptions } from './sync-ingest.options.js';
export { SyncIngestService, type IngestOutcome } from './ingest.service.js';
export { MAX_SEQUENCE, SEQUENCE_WINDOW } from './message-checks.js';
