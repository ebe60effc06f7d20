// The public surface of libs/stats: only what other libs, apps, tests, bench and tools import.
export { StatsModule } from './stats.module.js';
export { StatsService } from './stats.service.js';
export { NationalFactSource, ProvincialFactSource, StatsFactSource } from './fact-source.js';
// For the benchmarks: the refresh and the in-memory facts.
export { FactStore } from './fact-store.js';
export { FactEngine } from './engine.js';
export { StatsRepository } from './stats.repository.js';
