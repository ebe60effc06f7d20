import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AccessPolicy, inScope, Role, type Actor } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { commonError, CommonErrorCode } from '@tmis/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { OrgService, type OrgUnitEntity } from '@tmis/org';
import { SpotCheckRepository, type SpotCheckItemRow, type SpotCheckRow } from './spot-check.repository.js';

export type { SpotCheckRow };

/**
 * Art. 17 spot checks: a department draws a random sample of schools or teachers in its subtree.
 * The draw orders the population by md5(seed || id), so it is reproducible from the stored seed.
 */
@Injectable()
export class SpotCheckService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly repo: SpotCheckRepository,
    private readonly org: OrgService,
    private readonly audit: AuditService,
  ) {}

  async create(
    actor: Actor,
    dto: { unitId?: string; kind: 'schools' | 'teachers'; size: number; seed?: string },
  ): Promise<SpotCheckRow & { items: SpotCheckItemRow[] }> {
    this.requireDepartment(actor);
    const unit = dto.unitId ? await this.org.findById(dto.unitId) : await this.org.findById(actor.unitId);
    if (!unit) throw commonError(CommonErrorCode.NotFound, 'unitId does not exist');
    AccessPolicy.requireInScope(actor, unit.path);
    const seed = dto.seed ?? randomBytes(12).toString('hex');
    const id = await this.draw(actor, unit, dto.kind, dto.size, seed);
    return this.get(actor, id);
  }

  private draw(
    actor: Actor,
    unit: OrgUnitEntity,
    kind: 'schools' | 'teachers',
    size: number,
    seed: string,
  ): Promise<string> {
    return this.txHost.withTransaction(async () => {
      const population = await this.repo.populationSize(kind, unit.path);
      const checkId = await this.repo.insert({
        unitId: unit.id,
        unitPath: unit.path,
        kind,
        sampleSize: Math.min(size, population),
        population,
        seed,
        createdBy: actor.accountId,
      });
      await this.repo.drawItems(checkId, kind, unit.path, seed, size);
      await this.audit.record(actor, {
        action: 'spot-check.create',
        targetType: 'spot-check',
        targetId: checkId,
        unitPath: unit.path,
        details: { kind, size },
      });
      return checkId;
    });
  }

  async get(actor: Actor, id: string): Promise<SpotCheckRow & { items: SpotCheckItemRow[] }> {
    const row = await this.repo.findById(id);
    if (!row) throw commonError(CommonErrorCode.NotFound, 'No such spot check');
    const own = inScope(actor, row.unitPath);
    // The units concerned (those below the checking department) read the published summary.
    const concerned = row.status === 'published' && actor.unitPath.startsWith(row.unitPath);
    if (!own && !concerned) throw commonError(CommonErrorCode.OutOfScope);
    const items = own && actor.role === Role.InfoAdmin ? await this.repo.items(id) : [];
    return { ...row, items };
  }

  async record(
    actor: Actor,
    checkId: string,
    itemId: string,
    result: 'verified' | 'discrepancy',
    note?: string,
  ): Promise<void> {
    this.requireDepartment(actor);
    const check = await this.get(actor, checkId);
    if (check.status !== 'open') throw commonError(CommonErrorCode.Conflict, 'The spot check is published');
    if (!(await this.repo.recordItem(checkId, itemId, result, note ?? null, actor.accountId)))
      throw commonError(CommonErrorCode.NotFound, 'No such item in this spot check');
  }

  async publish(actor: Actor, checkId: string): Promise<SpotCheckRow & { items: SpotCheckItemRow[] }> {
    this.requireDepartment(actor);
    await this.get(actor, checkId);
    await this.publishSummary(actor, checkId);
    return this.get(actor, checkId);
  }

  private publishSummary(actor: Actor, checkId: string): Promise<void> {
    return this.txHost.withTransaction(async () => {
      const rows = await this.repo.resultCounts(checkId);
      const summary = {
        pending: 0,
        verified: 0,
        discrepancy: 0,
        ...Object.fromEntries(rows.map((r) => [r.result, r.n])),
      };
      if (!(await this.repo.publish(checkId, summary)))
        throw commonError(CommonErrorCode.Conflict, 'Already published');
      await this.audit.record(actor, {
        action: 'spot-check.publish',
        targetType: 'spot-check',
        targetId: checkId,
        unitPath: actor.unitPath,
        details: summary,
      });
    });
  }

  /** Published checks of the departments above the caller, and the caller's own. */
  async list(actor: Actor): Promise<SpotCheckRow[]> {
    return this.repo.visibleTo(actor.unitPath);
  }

  private requireDepartment(actor: Actor): void {
    if (actor.role !== Role.InfoAdmin || actor.unitLevel > 4)
      throw commonError(
        CommonErrorCode.Forbidden,
        "Spot checks are run by an education department's information administrator",
      );
  }
}
