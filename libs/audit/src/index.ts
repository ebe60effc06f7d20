// The public surface of libs/audit: only what other libs, apps, tests, bench and tools import.
export { AuditModule } from './audit.module.js';
export { AuditService } from './audit.service.js';
export { AuditRepository, type AuditRow } from './audit.repository.js';
