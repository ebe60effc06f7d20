// The public surface of libs/org: only what other libs, apps, tests, bench and tools import.
export { OrgModule } from './org.module.js';
export { OrgService, provinceOfPath, type UnitRecords } from './org.service.js';
export { OrgRepository, type ReplicaUnitRow } from './org.repository.js';
export { OrgSeeder } from './org.seeder.js';
export { OrgUnitEntity, UnitKind, UnitStatus } from './org-unit.entity.js';
export { UNIT_MANAGERS } from './org.controller.js';
export { CloseUnitDto, MergeUnitDto, MoveUnitDto, toUnitResponse, type UnitResponse } from './dto/unit.dto.js';
export { UnitPathCache } from './unit-path.cache.js';
