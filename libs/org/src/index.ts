export * from './org-unit.entity.js';
export * from './org.errors.js';
export * from './org.repository.js';
export * from './org.service.js';
export * from './org.seeder.js';
export * from './org.module.js';
export * from './dto/unit.dto.js';
