import { Injectable } from '@nestjs/common';
import { returned, TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import type { EntityManager } from 'typeorm';

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

export interface SpotCheckItemRow {
  id: string;
  ordinal: number;
  targetId: string;
  result: string;
  note: string | null;
  verifiedAt: Date | null;
}

const COLS = `id, unit_id AS "unitId", unit_path AS "unitPath", kind, sample_size AS "sampleSize", population, seed, status, summary, created_at AS "createdAt", published_at AS "publishedAt"`;

/** The population a spot check draws from: active schools or active teacher records of a subtree. */
const POPULATION = {
  schools: `SELECT id, path FROM org_unit WHERE kind = 'school' AND status = 'active' AND path LIKE $1`,
  teachers: `SELECT id, unit_path AS path FROM teacher WHERE active AND unit_path LIKE $1`,
} as const;

/** Every query on `spot_check` and `spot_check_item`. */
@Injectable()
export class SpotCheckRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get db(): EntityManager {
    return this.txHost.tx;
  }

  async populationSize(kind: 'schools' | 'teachers', pathPrefix: string): Promise<number> {
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM (${POPULATION[kind]}) p`, [pathPrefix + '%']);
    return n;
  }

  async insert(c: {
    unitId: string;
    unitPath: string;
    kind: 'schools' | 'teachers';
    sampleSize: number;
    population: number;
    seed: string;
    createdBy: string;
  }): Promise<string> {
    const [{ id }] = await this.db.query(
      `INSERT INTO spot_check (unit_id, unit_path, kind, sample_size, population, seed, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`,
      [c.unitId, c.unitPath, c.kind, c.sampleSize, c.population, c.seed, c.createdBy],
    );
    return id;
  }

  /** The reproducible draw: the population ordered by md5(seed || id), the first `size`. */
  async drawItems(
    checkId: string,
    kind: 'schools' | 'teachers',
    pathPrefix: string,
    seed: string,
    size: number,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO spot_check_item (spot_check_id, ordinal, target_id, target_path)
       SELECT $2, row_number() OVER (ORDER BY md5($3::text || p.id::text)), p.id, p.path FROM (${POPULATION[kind]}) p ORDER BY md5($3::text || p.id::text) LIMIT $4`,
      [pathPrefix + '%', checkId, seed, size],
    );
  }

  async findById(id: string): Promise<SpotCheckRow | null> {
    const [row] = await this.db.query(`SELECT ${COLS} FROM spot_check WHERE id = $1`, [id]);
    return row ?? null;
  }

  async items(checkId: string): Promise<SpotCheckItemRow[]> {
    return this.db.query(
      `SELECT id, ordinal, target_id AS "targetId", result, note, verified_at AS "verifiedAt" FROM spot_check_item WHERE spot_check_id = $1 ORDER BY ordinal`,
      [checkId],
    );
  }

  /** False when the item is not in this check. */
  async recordItem(
    checkId: string,
    itemId: string,
    result: string,
    note: string | null,
    verifiedBy: string,
  ): Promise<boolean> {
    const res = await this.db.query(
      `UPDATE spot_check_item SET result = $3, note = $4, verified_by = $5, verified_at = now() WHERE id = $2 AND spot_check_id = $1 RETURNING id`,
      [checkId, itemId, result, note, verifiedBy],
    );
    return returned(res).length > 0;
  }

  async resultCounts(checkId: string): Promise<{ result: string; n: number }[]> {
    return this.db.query(
      `SELECT result, count(*)::int AS n FROM spot_check_item WHERE spot_check_id = $1 GROUP BY result`,
      [checkId],
    );
  }

  /** False when it was published already. */
  async publish(checkId: string, summary: Record<string, number>): Promise<boolean> {
    const res = await this.db.query(
      `UPDATE spot_check SET status = 'published', summary = $2, published_at = now() WHERE id = $1 AND status = 'open' RETURNING unit_path`,
      [checkId, JSON.stringify(summary)],
    );
    return returned(res).length > 0;
  }

  /** A department's own checks and the published ones of the departments above `unitPath`. */
  async visibleTo(unitPath: string): Promise<SpotCheckRow[]> {
    return this.db.query(
      `SELECT ${COLS} FROM spot_check WHERE unit_path LIKE $1 OR (status = 'published' AND $2::text LIKE unit_path || '%') ORDER BY created_at DESC LIMIT 200`,
      [unitPath + '%', unitPath],
    );
  }

  async countPendingItems(pathPrefix: string): Promise<number> {
    const [row] = await this.db.query(
      `SELECT count(*)::int AS n FROM spot_check_item i JOIN spot_check s ON s.id = i.spot_check_id WHERE s.status = 'open' AND s.unit_path LIKE $1 AND i.result = 'pending'`,
      [pathPrefix + '%'],
    );
    return row.n;
  }
}
