// The public surface of libs/accounts: only what other libs, apps, tests, bench and tools import.
export { AccountsModule } from './accounts.module.js';
export { AccountsService } from './accounts.service.js';
export { AccountsRepository } from './accounts.repository.js';
export { hashPassword } from './password.js';
export { SessionCache } from './session-cache.js';
