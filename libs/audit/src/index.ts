export * from './audit.repository.js';
export * from './audit.service.js';
export * from './audit.module.js';
