// The public surface of the org tree lib: what other libs, apps, tests and tools use.
export { OrgModule } from './org.module.js';
export { OrgService, provinceOfPath, type UnitRecords } from './org.service.js';
export { OrgRepository, type ReplicaUnitRow, type SyncedUnitRow } from './org.repository.js';
export { OrgSeeder } from './org.seeder.js';
export { OrgUnitEntity, UnitKind, UnitStatus } from './org-unit.entity.js';
export { toSyncedUnit } from './synced-unit.js';
export { UNIT_MANAGERS } from './org.controller.js';
export { CloseUnitDto, MergeUnitDto, MoveUnitDto, toUnitResponse, type UnitResponse } from './dto/unit.dto.js';
