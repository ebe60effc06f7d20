export { OrgUnitEntity, UnitKind, UnitStatus, LEVEL_OF_KIND } from './org-unit.entity.js';
export { OrgErrorCode, orgError } from './org.errors.js';
export { OrgRepository, type SyncedUnitRow } from './org.repository.js';
export { OrgService, provinceOfPath, type UnitRecords } from './org.service.js';
export { OrgSeeder } from './org.seeder.js';
export { OrgModule } from './org.module.js';
export { UNIT_MANAGERS } from './org.controller.js';
export { toSyncedUnit } from './synced-unit.js';
export * from './dto/unit.dto.js';
