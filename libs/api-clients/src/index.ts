// The public surface of libs/api-clients: only what other libs, apps, tests, bench and tools import.
export { ApiClientsModule } from './api-clients.module.js';
export { type ApiClientsOptions } from './api-clients.options.js';
export { ApiClientsService } from './api-clients.service.js';
export { RateLimiter, type RateLimit, type RateLimitExceeded } from './rate-limiter.js';
