export { AuditModule } from './audit.module.js';
export { AuditService } from './audit.service.js';
export { AuditRepository, type AuditEntry, type AuditRow } from './audit.repository.js';
