// The public surface of libs/sync-ingest: only what other libs, apps, tests, bench and tools import.
export { SyncIngestModule } from './sync-ingest.module.js';
export { SyncIngestService } from './ingest.service.js';
export { CROSS_PROVINCE_DUPLICATE, type CrossProvinceDuplicateNotice } from './duplicate-notices.service.js';
// Read by the cross-province transfer hub (libs/transfers-hub): where a person is active.
export { NationalTeacherRepository } from './national-teacher.repository.js';
// The national search, for the statistics bench's plans per filter (bench/suites/stats.mjs).
export { NationalSearchService } from './national-search.service.js';
export type { SearchPlan } from './national-population.repository.js';
// The facet values the staged apply sends with its rows; test/medium/national-facets-staged.test.ts holds them to the SQL.
export { recordFacets } from './record-facets.js';
