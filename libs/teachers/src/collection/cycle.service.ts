import { Injectable } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { commonError, CommonErrorCode } from '@tmis/common';
import { isUniqueViolation } from '@tmis/database';
import { OrgService, UnitKind } from '@tmis/org';
import { CycleRepository, type CycleRow } from './cycle.repository.js';

export type { CycleRow };

/**
 * Art. 18 reporting cycles: a province sets cycles with deadlines (by default 31 March for the
 * previous year's full update, 30 September for the first half); each school confirms its teachers;
 * progress rolls up the tree.
 */
@Injectable()
export class CycleService {
  constructor(
    private readonly repo: CycleRepository,
    private readonly org: OrgService,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, dto: { name: string; period: string; deadline: string }): Promise<CycleRow> {
    this.requireProvince(actor);
    try {
      const row = await this.repo.insert({
        unitId: actor.unitId,
        unitPath: actor.unitPath,
        name: dto.name,
        period: dto.period,
        deadline: dto.deadline,
        createdBy: actor.accountId,
      });
      await this.audit.record(actor, {
        action: 'cycle.create',
        targetType: 'cycle',
        targetId: row.id,
        unitPath: actor.unitPath,
        details: { period: dto.period },
      });
      return row;
    } catch (e) {
      if (isUniqueViolation(e)) throw commonError(CommonErrorCode.Conflict, `A cycle for period ${dto.period} exists`);
      throw e;
    }
  }

  /** The two statutory cycles of a year: the previous year's full update (31 March) and the first half (30 September). */
  async createDefaults(actor: Actor, year: number): Promise<CycleRow[]> {
    this.requireProvince(actor);
    const wanted = [
      { name: `${year - 1}年度全量更新`, period: `${year - 1}-annual`, deadline: `${year}-03-31` },
      { name: `${year}年上半年更新`, period: `${year}-H1`, deadline: `${year}-09-30` },
    ];
    const out: CycleRow[] = [];
    for (const w of wanted) {
      const existing = await this.repo.findByPeriod(actor.unitId, w.period);
      out.push(existing ?? (await this.create(actor, w)));
    }
    return out;
  }

  async list(actor: Actor): Promise<CycleRow[]> {
    return this.repo.related(actor.unitPath);
  }

  private async cycle(actor: Actor, id: string): Promise<CycleRow> {
    const c = await this.repo.findById(id);
    if (!c || !(actor.unitPath.startsWith(c.unitPath) || c.unitPath.startsWith(actor.unitPath)))
      throw commonError(CommonErrorCode.NotFound, 'No such cycle');
    return c;
  }

  /** A school's information administrator confirms the school's teachers for the cycle. */
  async confirm(
    actor: Actor,
    cycleId: string,
    schoolId?: string,
  ): Promise<{ schoolId: string; teachers: number; confirmedAt: Date }> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    const cycle = await this.cycle(actor, cycleId);
    const school = await this.org.findById(schoolId ?? actor.unitId);
    if (!school || school.kind !== UnitKind.School)
      throw commonError(CommonErrorCode.ValidationFailed, 'Confirmation is per school');
    AccessPolicy.requireInScope(actor, school.path);
    if (!school.path.startsWith(cycle.unitPath)) throw commonError(CommonErrorCode.OutOfScope);
    const row = await this.repo.confirm(cycleId, school, actor.accountId);
    await this.audit.record(actor, {
      action: 'cycle.confirm',
      targetType: 'cycle',
      targetId: cycleId,
      unitPath: school.path,
      details: { teachers: row.teachers },
    });
    return row;
  }

  /** Progress per child unit of `unitId` (default: the caller's unit), with overdue schools when past the deadline. */
  async progress(actor: Actor, cycleId: string, unitId?: string) {
    const cycle = await this.cycle(actor, cycleId);
    const unit = await this.org.findById(unitId ?? actor.unitId);
    if (!unit) throw commonError(CommonErrorCode.NotFound, 'unitId does not exist');
    AccessPolicy.requireInScope(actor, unit.path);
    const overdue = new Date().toISOString().slice(0, 10) > cycle.deadline;
    const rows = await this.repo.progressByChild(unit.path, cycleId);
    const children = rows.length ? await this.org.findByPaths(rows.map((r) => r.childPath)) : [];
    const byPath = new Map(children.map((c) => [c.path, c]));
    const total = rows.reduce(
      (a, r) => ({
        schools: a.schools + r.schools,
        confirmed: a.confirmed + r.confirmed,
        teachers: a.teachers + r.teachers,
      }),
      { schools: 0, confirmed: 0, teachers: 0 },
    );
    const overdueSchools = overdue ? await this.repo.unconfirmedSchools(unit.path, cycleId) : [];
    return {
      cycle,
      unitId: unit.id,
      deadline: cycle.deadline,
      pastDeadline: overdue,
      ...total,
      children: rows.map((r) => ({
        unitId: byPath.get(r.childPath)?.id,
        code: byPath.get(r.childPath)?.code,
        name: byPath.get(r.childPath)?.name,
        schools: r.schools,
        confirmed: r.confirmed,
        teachers: r.teachers,
        overdue: overdue ? r.schools - r.confirmed : 0,
      })),
      overdueSchools,
    };
  }

  private requireProvince(actor: Actor): void {
    if (actor.role !== Role.InfoAdmin || actor.unitLevel !== 2)
      throw commonError(
        CommonErrorCode.Forbidden,
        "Reporting cycles are set by the province's information administrator",
      );
  }
}
