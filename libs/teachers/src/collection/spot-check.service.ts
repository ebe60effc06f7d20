import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AccessPolicy, inScope, Role, type Actor } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { commonError, CommonErrorCode } from '@tmis/common';
import { returned } from '@tmis/database';
import { OrgService } from '@tmis/org';
import { DataSource } from 'typeorm';

export interface SpotCheckRow {
  id: string;
  unitId: string;
  unitPath: string;
  kind: 'schools' | 'teachers';
  sampleSize: number;
  population: number;
  seed: string;
  status: 'open' | 'published';
  summary: Record<string, number> | null;
  createdAt: Date;
  publishedAt: Date | null;
}

const COLS = `id, unit_id AS "unitId", unit_path AS "unitPath", kind, sample_size AS "sampleSize", population, seed, status, summary, created_at AS "createdAt", published_at AS "publishedAt"`;

/**
 * Art. 17 spot checks: a department draws a random sample of schools or teachers in its subtree.
 * The draw orders the population by md5(seed || id), so it is reproducible from the stored seed.
 */
@Injectable()
export class SpotCheckService {
  constructor(
    private readonly db: DataSource,
    private readonly org: OrgService,
    private readonly audit: AuditService,
  ) {}

  async create(
    actor: Actor,
    dto: { unitId?: string; kind: 'schools' | 'teachers'; size: number; seed?: string },
  ): Promise<SpotCheckRow & { items: unknown[] }> {
    this.requireDepartment(actor);
    const unit = dto.unitId ? await this.org.findById(dto.unitId) : await this.org.findById(actor.unitId);
    if (!unit) throw commonError(CommonErrorCode.NotFound, 'unitId does not exist');
    AccessPolicy.requireInScope(actor, unit.path);
    const seed = dto.seed ?? randomBytes(12).toString('hex');
    const id = await this.db.transaction(async (tx) => {
      const population =
        dto.kind === 'schools'
          ? `SELECT id, path FROM org_unit WHERE kind = 'school' AND status = 'active' AND path LIKE $1`
          : `SELECT id, unit_path AS path FROM teacher WHERE active AND unit_path LIKE $1`;
      const [{ n }] = await tx.query(`SELECT count(*)::int AS n FROM (${population}) p`, [unit.path + '%']);
      const [{ id: checkId }] = await tx.query(
        `INSERT INTO spot_check (unit_id, unit_path, kind, sample_size, population, seed, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`,
        [unit.id, unit.path, dto.kind, Math.min(dto.size, n), n, seed, actor.accountId],
      );
      await tx.query(
        `INSERT INTO spot_check_item (spot_check_id, ordinal, target_id, target_path)
         SELECT $2, row_number() OVER (ORDER BY md5($3::text || p.id::text)), p.id, p.path FROM (${population}) p ORDER BY md5($3::text || p.id::text) LIMIT $4`,
        [unit.path + '%', checkId, seed, dto.size],
      );
      await this.audit.record(
        actor,
        {
          action: 'spot-check.create',
          targetType: 'spot-check',
          targetId: checkId,
          unitPath: unit.path,
          details: { kind: dto.kind, size: dto.size },
        },
        tx,
      );
      return checkId as string;
    });
    return this.get(actor, id);
  }

  async get(actor: Actor, id: string): Promise<SpotCheckRow & { items: unknown[] }> {
    const [row] = await this.db.query(`SELECT ${COLS} FROM spot_check WHERE id = $1`, [id]);
    if (!row) throw commonError(CommonErrorCode.NotFound, 'No such spot check');
    const own = inScope(actor, row.unitPath);
    // The units concerned (those below the checking department) read the published summary.
    const concerned = row.status === 'published' && actor.unitPath.startsWith(row.unitPath);
    if (!own && !concerned) throw commonError(CommonErrorCode.OutOfScope);
    const items =
      own && actor.role === Role.InfoAdmin
        ? await this.db.query(
            `SELECT id, ordinal, target_id AS "targetId", result, note, verified_at AS "verifiedAt" FROM spot_check_item WHERE spot_check_id = $1 ORDER BY ordinal`,
            [id],
          )
        : [];
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
    const res = await this.db.query(
      `UPDATE spot_check_item SET result = $3, note = $4, verified_by = $5, verified_at = now() WHERE id = $2 AND spot_check_id = $1 RETURNING id`,
      [checkId, itemId, result, note ?? null, actor.accountId],
    );
    if (!returned(res).length) throw commonError(CommonErrorCode.NotFound, 'No such item in this spot check');
  }

  async publish(actor: Actor, checkId: string): Promise<SpotCheckRow & { items: unknown[] }> {
    this.requireDepartment(actor);
    await this.get(actor, checkId);
    await this.db.transaction(async (tx) => {
      const rows: { result: string; n: number }[] = await tx.query(
        `SELECT result, count(*)::int AS n FROM spot_check_item WHERE spot_check_id = $1 GROUP BY result`,
        [checkId],
      );
      const summary = {
        pending: 0,
        verified: 0,
        discrepancy: 0,
        ...Object.fromEntries(rows.map((r) => [r.result, r.n])),
      };
      const res = await tx.query(
        `UPDATE spot_check SET status = 'published', summary = $2, published_at = now() WHERE id = $1 AND status = 'open' RETURNING unit_path`,
        [checkId, JSON.stringify(summary)],
      );
      if (!returned(res).length) throw commonError(CommonErrorCode.Conflict, 'Already published');
      await this.audit.record(
        actor,
        {
          action: 'spot-check.publish',
          targetType: 'spot-check',
          targetId: checkId,
          unitPath: actor.unitPath,
          details: summary,
        },
        tx,
      );
    });
    return this.get(actor, checkId);
  }

  /** Published checks of the departments above the caller, and the caller's own. */
  async list(actor: Actor): Promise<SpotCheckRow[]> {
    return this.db.query(
      `SELECT ${COLS} FROM spot_check WHERE unit_path LIKE $1 OR (status = 'published' AND $2::text LIKE unit_path || '%') ORDER BY created_at DESC LIMIT 200`,
      [actor.unitPath + '%', actor.unitPath],
    );
  }

  private requireDepartment(actor: Actor): void {
    if (actor.role !== Role.InfoAdmin || actor.unitLevel > 4)
      throw commonError(
        CommonErrorCode.Forbidden,
        "Spot checks are run by an education department's information administrator",
      );
  }
}
