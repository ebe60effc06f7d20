import { Injectable } from '@nestjs/common';
import { AccessPolicy, inScope, type Actor } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { commonError, CommonErrorCode, decodeCursor, encodeCursor, type Page } from '@tmis/common';
import { isUniqueViolation } from '@tmis/database';
import { checkSchoolCode, schoolCodeProblemMessages } from '@tmis/core-indicators';
import { buildPayload, OrgUnitsChangedPayload, SyncOutbox } from '@tmis/contracts';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import type {
  CloseUnitDto,
  CreateUnitDto,
  MergeUnitDto,
  MoveUnitDto,
  SubtreeQueryDto,
  UpdateUnitDto,
} from './dto/unit.dto.js';
import { LEVEL_OF_KIND, OrgUnitEntity, UnitKind, UnitStatus } from './org-unit.entity.js';
import { orgError, OrgErrorCode } from './org.errors.js';
import { OrgRepository, type UnitEventRow } from './org.repository.js';

/**
 * What happens to the records held by units when units move, merge or close. The records (teacher
 * records) live in a lib above org, which implements this port and passes it to the use cases below
 * (`move`, `merge`, `close`) — org never writes or reads another lib's tables, and there is no import
 * cycle: org only declares what it needs. (Chosen over injecting the port through DI, which would need
 * a global provider from the lib above; passing it makes the dependency visible at each call.)
 */
export interface UnitRecords {
  /** Active records held by the unit itself. */
  countActive(unitId: string): Promise<number>;
  /** A subtree moved from `oldPath` to `newPath` (records carry their unit's path). */
  subtreeMoved(oldPath: string, newPath: string): Promise<void>;
  /** The absorbing unit takes over the merged unit's records; returns how many moved. */
  unitMerged(fromUnitId: string, into: { id: string; path: string }, actorAccountId: string): Promise<number>;
}

/** Which kinds of parent each kind of unit may hang under. */
const ALLOWED_PARENTS: Record<UnitKind, UnitKind[]> = {
  [UnitKind.Ministry]: [],
  [UnitKind.Province]: [UnitKind.Ministry],
  [UnitKind.City]: [UnitKind.Province],
  [UnitKind.County]: [UnitKind.City],
  [UnitKind.School]: [UnitKind.Province, UnitKind.City, UnitKind.County, UnitKind.Ministry],
  [UnitKind.Department]: [UnitKind.School],
  // Registered through libs/training (POST /training/institutions), never through /units.
  [UnitKind.Institution]: [],
};

/** The two-digit province prefix of a unit's path (`/000000/440000/...` → `44`), or null at the ministry. */
export function provinceOfPath(path: string): string | null {
  const seg = path.split('/').find((s) => /^[0-9]{6}$/.test(s) && s !== '000000');
  return seg ? seg.slice(0, 2) : null;
}

function snapshot(u: OrgUnitEntity): Record<string, unknown> {
  return {
    code: u.code,
    name: u.name,
    parentId: u.parentId,
    status: u.status,
    schoolType: u.schoolType,
    urbanRural: u.urbanRural,
    sponsor: u.sponsor,
    mergedIntoId: u.mergedIntoId,
    closedOn: u.closedOn,
  };
}

@Injectable()
export class OrgService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly repo: OrgRepository,
    private readonly audit: AuditService,
    private readonly outbox: SyncOutbox,
  ) {}

  async get(actor: Actor, id: string): Promise<OrgUnitEntity> {
    const unit = await this.repo.findById(id);
    if (!unit) throw orgError(OrgErrorCode.UnitNotFound);
    AccessPolicy.requireInScope(actor, unit.path);
    return unit;
  }

  /** Internal lookup (no actor), used by other libraries that do their own scope check. */
  async findById(id: string): Promise<OrgUnitEntity | null> {
    return this.repo.findById(id);
  }

  /** A unit's path (no actor), from the unit-path cache while it holds: for the scope of list requests. */
  async pathOf(id: string): Promise<string | null> {
    return this.repo.pathOf(id);
  }

  /** Internal lookup of units by path (no actor). */
  async findByPaths(paths: string[]): Promise<OrgUnitEntity[]> {
    return this.repo.findByPaths(paths);
  }

  /** Internal lookup by code (no actor). */
  async findByCode(code: string): Promise<OrgUnitEntity | null> {
    return this.repo.findByCode(code);
  }

  async lookupByCode(actor: Actor, code: string): Promise<OrgUnitEntity> {
    const unit = await this.repo.findByCode(code);
    if (!unit || !inScope(actor, unit.path)) throw orgError(OrgErrorCode.UnitNotFound);
    return unit;
  }

  async children(actor: Actor, id: string, includeInactive: boolean): Promise<OrgUnitEntity[]> {
    const unit = await this.get(actor, id);
    return this.repo.children(unit.id, includeInactive);
  }

  async subtree(
    actor: Actor,
    id: string,
    q: SubtreeQueryDto,
  ): Promise<Page<OrgUnitEntity> & { counts?: Record<string, number> }> {
    const unit = await this.get(actor, id);
    const limit = q.limit ?? 100;
    const after = decodeCursor(q.cursor, 1);
    const rows = await this.repo.subtree({
      pathPrefix: unit.path,
      kind: q.kind,
      status: q.status,
      schoolType: q.schoolType,
      nameContains: q.name,
      afterPath: after ? String(after[0]) : undefined,
      limit: limit + 1,
    });
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeCursor([items[items.length - 1].path]) : null };
  }

  async summary(actor: Actor, id: string): Promise<Record<string, number>> {
    const unit = await this.get(actor, id);
    return this.repo.countSubtree(unit.path);
  }

  async history(actor: Actor, id: string): Promise<UnitEventRow[]> {
    const unit = await this.get(actor, id);
    return this.repo.events(unit.id);
  }

  create(actor: Actor, dto: CreateUnitDto): Promise<OrgUnitEntity> {
    return this.txHost.withTransaction(async () => {
      const parent = await this.repo.findById(dto.parentId, true);
      if (!parent) throw orgError(OrgErrorCode.UnitNotFound, 'parentId does not exist');
      AccessPolicy.requireInScope(actor, parent.path);
      if (parent.status !== UnitStatus.Active)
        throw orgError(OrgErrorCode.NotActive, 'The parent unit is closed or merged');
      if (!ALLOWED_PARENTS[dto.kind].includes(parent.kind))
        throw orgError(OrgErrorCode.InvalidParent, `A ${dto.kind} cannot be placed under a ${parent.kind}`);
      const central = dto.kind === UnitKind.School && parent.kind === UnitKind.Ministry;
      if (dto.central !== undefined && dto.central !== central)
        throw orgError(
          OrgErrorCode.InvalidParent,
          'Central-ministry universities, and only they, hang directly under the ministry',
        );
      const code =
        dto.kind === UnitKind.Department
          ? await this.departmentCode(parent, dto.code)
          : this.validateCode(dto.kind, dto.code, parent, dto.schoolType);
      if (dto.kind === UnitKind.School) {
        const missing = (['urbanRural', 'sponsor'] as const).filter((k) => !dto[k]);
        if (missing.length)
          throw commonError(
            CommonErrorCode.ValidationFailed,
            'A school needs its urban/rural class and sponsor',
            undefined,
            missing.map((k) => ({
              path: k,
              code: 'isDefined',
              message: `${k} is required for a school`,
              messageZh: `${k}：学校必填`,
            })),
          );
      }
      let unit: OrgUnitEntity;
      try {
        unit = await this.repo.insert({
          kind: dto.kind,
          level: LEVEL_OF_KIND[dto.kind],
          code,
          name: dto.name.trim(),
          parentId: parent.id,
          path: `${parent.path}${code}/`,
          schoolType: dto.kind === UnitKind.School ? (dto.schoolType ?? code.slice(0, 2)) : null,
          urbanRural: dto.kind === UnitKind.School ? dto.urbanRural : null,
          sponsor: dto.kind === UnitKind.School ? dto.sponsor : null,
          central,
        });
      } catch (e) {
        if (isUniqueViolation(e)) throw orgError(OrgErrorCode.CodeTaken, `Code ${code} is taken`);
        throw e;
      }
      await this.recordEvent(unit.id, 'create', actor.accountId, null, snapshot(unit));
      await this.audit.record(actor, {
        action: 'unit.create',
        targetType: 'unit',
        targetId: unit.id,
        unitPath: unit.path,
        details: { kind: unit.kind, code: unit.code },
      });
      return unit;
    });
  }

  update(actor: Actor, id: string, dto: UpdateUnitDto): Promise<OrgUnitEntity> {
    return this.txHost.withTransaction(async () => {
      const unit = await this.manageable(actor, id);
      if (unit.kind !== UnitKind.School && (dto.schoolType || dto.urbanRural || dto.sponsor)) {
        throw commonError(
          CommonErrorCode.ValidationFailed,
          'Only schools have a school type, urban/rural class and sponsor',
        );
      }
      const updated = await this.repo.update(id, dto.version, {
        name: dto.name?.trim(),
        schoolType: dto.schoolType,
        urbanRural: dto.urbanRural,
        sponsor: dto.sponsor,
      });
      if (!updated) throw commonError(CommonErrorCode.StaleVersion, undefined, { currentVersion: unit.version });
      await this.recordEvent(
        id,
        dto.name && dto.name !== unit.name ? 'rename' : 'update',
        actor.accountId,
        snapshot(unit),
        snapshot(updated),
      );
      await this.audit.record(actor, {
        action: 'unit.update',
        targetType: 'unit',
        targetId: id,
        unitPath: updated.path,
      });
      return updated;
    });
  }

  move(actor: Actor, id: string, dto: MoveUnitDto, records: UnitRecords): Promise<OrgUnitEntity> {
    return this.txHost.withTransaction(async () => {
      const unit = await this.manageable(actor, id);
      const parent = await this.repo.findById(dto.newParentId, true);
      if (!parent) throw orgError(OrgErrorCode.UnitNotFound, 'newParentId does not exist');
      AccessPolicy.requireInScope(actor, parent.path);
      if (parent.status !== UnitStatus.Active)
        throw orgError(OrgErrorCode.NotActive, 'The new parent is closed or merged');
      if (parent.path.startsWith(unit.path)) throw orgError(OrgErrorCode.MoveIntoOwnSubtree);
      if (
        !ALLOWED_PARENTS[unit.kind].includes(parent.kind) ||
        (unit.kind === UnitKind.School && (parent.kind === UnitKind.Ministry) !== unit.central)
      ) {
        throw orgError(OrgErrorCode.InvalidParent, `A ${unit.kind} cannot be placed under a ${parent.kind}`);
      }
      if (unit.kind === UnitKind.School && !unit.central && provinceOfPath(parent.path) !== unit.code.slice(2, 4)) {
        throw orgError(
          OrgErrorCode.InvalidParent,
          'A school cannot move to another province: its code carries its province',
        );
      }
      const newPath = `${parent.path}${unit.code}/`;
      if (!(await this.repo.move(id, dto.version, parent.id, unit.path, newPath)))
        throw commonError(CommonErrorCode.StaleVersion, undefined, { currentVersion: unit.version });
      await records.subtreeMoved(unit.path, newPath);
      const moved = (await this.repo.findById(id))!;
      await this.recordEvent(id, 'move', actor.accountId, snapshot(unit), snapshot(moved));
      await this.audit.record(actor, {
        action: 'unit.move',
        targetType: 'unit',
        targetId: id,
        unitPath: moved.path,
        details: { from: unit.parentId, to: parent.id },
      });
      return moved;
    });
  }

  merge(actor: Actor, id: string, dto: MergeUnitDto, records: UnitRecords): Promise<OrgUnitEntity> {
    return this.txHost.withTransaction(async () => {
      const unit = await this.manageable(actor, id);
      const into = await this.repo.findById(dto.intoId, true);
      if (!into) throw orgError(OrgErrorCode.UnitNotFound, 'intoId does not exist');
      AccessPolicy.requireInScope(actor, into.path);
      if (into.id === unit.id || into.kind !== unit.kind || into.status !== UnitStatus.Active)
        throw orgError(OrgErrorCode.MergeMismatch);
      if ((await this.repo.countActiveChildren(id)) > 0) throw orgError(OrgErrorCode.HasActiveChildren);
      const teachersMoved = await records.unitMerged(id, into, actor.accountId);
      const merged = await this.repo.update(id, dto.version, {
        status: UnitStatus.Merged,
        mergedIntoId: into.id,
        closedOn: new Date().toISOString().slice(0, 10),
      });
      if (!merged) throw commonError(CommonErrorCode.StaleVersion, undefined, { currentVersion: unit.version });
      await this.recordEvent(id, 'merge', actor.accountId, snapshot(unit), snapshot(merged));
      await this.recordEvent(into.id, 'absorb', actor.accountId, null, {
        absorbedId: unit.id,
        absorbedCode: unit.code,
        teachersMoved,
      });
      await this.audit.record(actor, {
        action: 'unit.merge',
        targetType: 'unit',
        targetId: id,
        unitPath: unit.path,
        details: { into: into.id },
      });
      return merged;
    });
  }

  close(actor: Actor, id: string, dto: CloseUnitDto, records: UnitRecords): Promise<OrgUnitEntity> {
    return this.txHost.withTransaction(async () => {
      const unit = await this.manageable(actor, id);
      if ((await this.repo.countActiveChildren(id)) > 0) throw orgError(OrgErrorCode.HasActiveChildren);
      if ((await records.countActive(id)) > 0) throw orgError(OrgErrorCode.HasActiveTeachers);
      const closed = await this.repo.update(id, dto.version, { status: UnitStatus.Closed, closedOn: dto.closedOn });
      if (!closed) throw commonError(CommonErrorCode.StaleVersion, undefined, { currentVersion: unit.version });
      await this.recordEvent(id, 'close', actor.accountId, snapshot(unit), snapshot(closed));
      await this.audit.record(actor, { action: 'unit.close', targetType: 'unit', targetId: id, unitPath: unit.path });
      return closed;
    });
  }

  /**
   * A unit's history entry, and the unit as it now stands announced to the federation (`SyncOutbox`), in
   * the same transaction. One key per province keeps unit changes in order (a county before its schools).
   */
  private async recordEvent(
    unitId: string,
    action: string,
    actorAccountId: string | null,
    before: unknown,
    after: unknown,
  ): Promise<void> {
    await this.repo.addEvent(unitId, action, actorAccountId, before, after);
    const unit = await this.repo.syncedUnit(unitId);
    if (unit) await this.outbox.unitsChanged(buildPayload(OrgUnitsChangedPayload, { units: [unit] }));
  }

  /** A unit the actor may change: strictly below the actor's own unit, active, not a ministry/province. */
  private async manageable(actor: Actor, id: string): Promise<OrgUnitEntity> {
    const unit = await this.repo.findById(id, true);
    if (!unit) throw orgError(OrgErrorCode.UnitNotFound);
    AccessPolicy.requireStrictlyBelow(actor, unit.path);
    if (unit.kind === UnitKind.Ministry || unit.kind === UnitKind.Province) throw orgError(OrgErrorCode.NotManageable);
    if (unit.status !== UnitStatus.Active) throw orgError(OrgErrorCode.NotActive);
    return unit;
  }

  private validateCode(kind: UnitKind, code: string | undefined, parent: OrgUnitEntity, schoolType?: string): string {
    const bad = (en: string, zh: string) =>
      orgError(OrgErrorCode.InvalidCode, en, undefined, [
        { path: 'code', code: 'unitCode', message: en, messageZh: `code：${zh}` },
      ]);
    if (!code) throw bad('code is required', '必填');
    switch (kind) {
      case UnitKind.City:
        if (!/^[0-9]{4}00$/.test(code) || code.endsWith('0000') || code.slice(0, 2) !== parent.code.slice(0, 2))
          throw bad(
            `a city code is 6 digits ending in 00 and starting with the province's ${parent.code.slice(0, 2)}`,
            `地市代码应为6位、以00结尾且以所属省份代码${parent.code.slice(0, 2)}开头`,
          );
        return code;
      case UnitKind.County:
        if (!/^[0-9]{6}$/.test(code) || code.endsWith('00') || code.slice(0, 4) !== parent.code.slice(0, 4))
          throw bad(
            `a county code is 6 digits starting with the city's ${parent.code.slice(0, 4)} and not ending in 00`,
            `区县代码应为6位、以所属地市代码${parent.code.slice(0, 4)}开头且不以00结尾`,
          );
        return code;
      case UnitKind.School: {
        const province = parent.kind === UnitKind.Ministry ? undefined : (provinceOfPath(parent.path) ?? undefined);
        const problem = checkSchoolCode(code, province);
        if (problem)
          throw bad(
            `school identification code ${schoolCodeProblemMessages[problem].en}`,
            `学校标识码${schoolCodeProblemMessages[problem].zh}`,
          );
        if (schoolType && schoolType !== code.slice(0, 2))
          throw bad(
            'schoolType must match the first two digits of the school code',
            '学校类型须与学校标识码前两位一致',
          );
        return code;
      }
      default:
        throw bad(`units of kind ${kind} cannot be created`, '不能创建该类型单位');
    }
  }

  private async departmentCode(school: OrgUnitEntity, given: string | undefined): Promise<string> {
    if (given) {
      if (!given.startsWith(`${school.code}-`))
        throw orgError(OrgErrorCode.InvalidCode, `a department code is ${school.code}-NNN`);
      return given;
    }
    const siblings = await this.repo.children(school.id, true);
    const max = siblings.reduce((m, s) => Math.max(m, Number(s.code.split('-')[1] ?? 0)), 0);
    return `${school.code}-${String(max + 1).padStart(3, '0')}`;
  }
}
