import { Injectable, Optional } from '@nestjs/common';
import type { SyncedUnit } from '@tmis/contracts';
import { returned, TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import type { EntityManager } from 'typeorm';
import { toSyncedUnit, type SyncedUnitRow } from './synced-unit.js';
import { OrgUnitEntity, UnitKind, UnitStatus } from './org-unit.entity.js';
import { UnitPathCache } from './unit-path.cache.js';

const COLUMNS = `id, kind, level, code, name, parent_id AS "parentId", path, status, school_type AS "schoolType", urban_rural AS "urbanRural",
  sponsor, central, merged_into_id AS "mergedIntoId", to_char(closed_on, 'YYYY-MM-DD') AS "closedOn", version, created_at AS "createdAt", updated_at AS "updatedAt"`;

export interface NewUnit {
  kind: UnitKind;
  level: number;
  code: string;
  name: string;
  parentId: string | null;
  path: string;
  schoolType?: string | null;
  urbanRural?: string | null;
  sponsor?: string | null;
  central?: boolean;
}

export interface SubtreeFilter {
  pathPrefix: string;
  kind?: UnitKind;
  status?: UnitStatus;
  schoolType?: string;
  nameContains?: string;
  afterPath?: string;
  limit: number;
}

export interface UnitEventRow {
  id: string;
  action: string;
  actorAccountId: string | null;
  at: Date;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** Provinces and the ministry are reference data and not synced. */
const SYNCED_UNIT_SELECT = `SELECT u.path, u.code, u.kind, u.name, p.code AS "parentCode", u.status, u.school_type AS "schoolType",
    u.urban_rural AS "urbanRural", u.sponsor, u.central, m.code AS "mergedIntoCode", to_char(u.closed_on, 'YYYY-MM-DD') AS "closedOn"
  FROM org_unit u JOIN org_unit p ON p.id = u.parent_id LEFT JOIN org_unit m ON m.id = u.merged_into_id
  WHERE u.kind IN ('city','county','school','department')`;

/** Every query on the org tree (`org_unit`, `org_unit_event`). Subtree queries use the materialised `path` (btree, prefix match). */
@Injectable()
export class OrgRepository {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    /** Provided with the session cache (libs/accounts); absent, nothing is cached. */
    @Optional() private readonly paths?: UnitPathCache,
  ) {}

  /** A unit's path by id: from the cache while it holds (see {@link UnitPathCache}), else looked up. */
  async pathOf(id: string): Promise<string | null> {
    const cached = this.paths?.get(id);
    if (cached !== undefined) return cached;
    const started = this.paths?.begin() ?? 0;
    const rows = (await this.db.query(`SELECT path FROM org_unit WHERE id = $1`, [id])) as { path: string }[];
    const path = rows[0]?.path ?? null;
    if (path !== null) this.paths?.put(started, id, path);
    return path;
  }

  /** The open transaction's manager, or the pool when none is open. */
  private get db(): EntityManager {
    return this.txHost.tx;
  }

  async findById(id: string, lock = false): Promise<OrgUnitEntity | null> {
    const rows = await this.db.query(`SELECT ${COLUMNS} FROM org_unit WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
    return rows[0] ?? null;
  }

  async findByCode(code: string): Promise<OrgUnitEntity | null> {
    const rows = await this.db.query(`SELECT ${COLUMNS} FROM org_unit WHERE code = $1`, [code]);
    return rows[0] ?? null;
  }

  async findRoot(): Promise<OrgUnitEntity | null> {
    const rows = await this.db.query(`SELECT ${COLUMNS} FROM org_unit WHERE parent_id IS NULL ORDER BY level LIMIT 1`);
    return rows[0] ?? null;
  }

  async children(parentId: string, includeInactive: boolean): Promise<OrgUnitEntity[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM org_unit WHERE parent_id = $1 ${includeInactive ? '' : `AND status = 'active'`} ORDER BY code`,
      [parentId],
    );
  }

  async subtree(f: SubtreeFilter): Promise<OrgUnitEntity[]> {
    const params: unknown[] = [f.pathPrefix + '%'];
    let where = `path LIKE $1`;
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where += ` AND ${sql.replace('?', `$${params.length}`)}`;
    };
    if (f.kind) add('kind = ?', f.kind);
    if (f.status) add('status = ?', f.status);
    if (f.schoolType) add('school_type = ?', f.schoolType);
    if (f.nameContains) add(`name LIKE ?`, `%${f.nameContains.replace(/[\\%_]/g, (c) => '\\' + c)}%`);
    if (f.afterPath) add('path > ?', f.afterPath);
    params.push(f.limit);
    return this.db.query(
      `SELECT ${COLUMNS} FROM org_unit WHERE ${where} ORDER BY path LIMIT $${params.length}`,
      params,
    );
  }

  async countSubtree(pathPrefix: string): Promise<Record<string, number>> {
    const rows: { kind: string; n: number }[] = await this.db.query(
      `SELECT kind, count(*)::int AS n FROM org_unit WHERE path LIKE $1 AND status = 'active' GROUP BY kind`,
      [pathPrefix + '%'],
    );
    return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
  }

  async countActiveChildren(id: string): Promise<number> {
    const [row] = await this.db.query(
      `SELECT count(*)::int AS n FROM org_unit WHERE parent_id = $1 AND status = 'active'`,
      [id],
    );
    return row.n;
  }

  async insert(u: NewUnit): Promise<OrgUnitEntity> {
    const rows = await this.db.query(
      `INSERT INTO org_unit (kind, level, code, name, parent_id, path, status, school_type, urban_rural, sponsor, central)
       VALUES ($1,$2,$3,$4,$5,$6,'active',$7,$8,$9,$10) RETURNING ${COLUMNS}`,
      [
        u.kind,
        u.level,
        u.code,
        u.name,
        u.parentId,
        u.path,
        u.schoolType ?? null,
        u.urbanRural ?? null,
        u.sponsor ?? null,
        u.central ?? false,
      ],
    );
    return rows[0];
  }

  /** Updates scalar attributes when `version` still matches; returns null on a stale version. */
  async update(
    id: string,
    version: number,
    patch: Partial<
      Pick<OrgUnitEntity, 'name' | 'schoolType' | 'urbanRural' | 'sponsor' | 'status' | 'mergedIntoId' | 'closedOn'>
    >,
  ): Promise<OrgUnitEntity | null> {
    const cols: Record<string, string> = {
      name: 'name',
      schoolType: 'school_type',
      urbanRural: 'urban_rural',
      sponsor: 'sponsor',
      status: 'status',
      mergedIntoId: 'merged_into_id',
      closedOn: 'closed_on',
    };
    const sets: string[] = [];
    const params: unknown[] = [id, version];
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) continue;
      params.push(v);
      sets.push(`${cols[k]} = $${params.length}`);
    }
    this.paths?.invalidate();
    const rows = await this.db.query(
      `UPDATE org_unit SET ${sets.join(', ')}${sets.length ? ',' : ''} version = version + 1, updated_at = now() WHERE id = $1 AND version = $2 RETURNING ${COLUMNS}`,
      params,
    );
    return returned<OrgUnitEntity>(rows)[0] ?? null;
  }

  /** Moves a unit and rewrites the paths of its whole subtree in one statement. */
  async move(id: string, version: number, newParentId: string, oldPath: string, newPath: string): Promise<boolean> {
    this.paths?.invalidate();
    const res = await this.db.query(
      `UPDATE org_unit SET parent_id = $2, version = version + 1, updated_at = now() WHERE id = $1 AND version = $3 RETURNING id`,
      [id, newParentId, version],
    );
    const ok = returned(res).length > 0;
    if (!ok) return false;
    await this.db.query(`UPDATE org_unit SET path = $2 || substr(path, $3) WHERE path LIKE $1`, [
      oldPath + '%',
      newPath,
      oldPath.length + 1,
    ]);
    return true;
  }

  async addEvent(
    unitId: string,
    action: string,
    actorAccountId: string | null,
    before: unknown,
    after: unknown,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO org_unit_event (unit_id, action, actor_account_id, before, after) VALUES ($1,$2,$3,$4,$5)`,
      [
        unitId,
        action,
        actorAccountId,
        before == null ? null : JSON.stringify(before),
        after == null ? null : JSON.stringify(after),
      ],
    );
  }

  async events(unitId: string): Promise<UnitEventRow[]> {
    return this.db.query(
      `SELECT id::text, action, actor_account_id AS "actorAccountId", at, before, after FROM org_unit_event WHERE unit_id = $1 ORDER BY org_unit_event.id`,
      [unitId],
    );
  }

  /** Set-based idempotent insert of reference units (division codes); existing codes are left alone. */
  async insertReferenceUnits(
    rows: { kind: UnitKind; level: number; code: string; name: string; parentCode: string | null }[],
  ): Promise<number> {
    let inserted = 0;
    // Parents first: rows are given in level order, so one statement per level resolves parent ids.
    const byLevel = new Map<number, typeof rows>();
    for (const r of rows) byLevel.set(r.level, [...(byLevel.get(r.level) ?? []), r]);
    for (const level of [...byLevel.keys()].sort()) {
      const batch = byLevel.get(level)!;
      const res = await this.db.query(
        `INSERT INTO org_unit (kind, level, code, name, parent_id, path, status)
         SELECT r.kind, r.level, r.code, r.name, p.id, COALESCE(p.path, '/') || r.code || '/', 'active'
           FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[]) AS r(kind, level, code, name, parent_code)
           LEFT JOIN org_unit p ON p.code = r.parent_code
         ON CONFLICT (code) DO NOTHING RETURNING id`,
        [
          batch.map((b) => b.kind),
          batch.map((b) => b.level),
          batch.map((b) => b.code),
          batch.map((b) => b.name),
          batch.map((b) => b.parentCode),
        ],
      );
      inserted += returned(res).length;
    }
    return inserted;
  }

  /** A unit as the federation sees it; null for the ministry and provinces (reference data, not synced). */
  async syncedUnit(id: string): Promise<SyncedUnit | null> {
    const [row]: SyncedUnitRow[] = await this.db.query(`${SYNCED_UNIT_SELECT} AND u.id = $1`, [id]);
    return row ? toSyncedUnit(row) : null;
  }

  /**
   * Every synced unit (cities, counties, schools, departments) in path order — parents first — after
   * `afterPath`, `limit` at a time, built by the same `toSyncedUnit` as the live path. For the resync.
   */
  async syncedUnitsPage(afterPath: string | null, limit: number): Promise<{ path: string; unit: SyncedUnit }[]> {
    const rows: (SyncedUnitRow & { path: string })[] = await this.db.query(
      `${SYNCED_UNIT_SELECT} AND ($1::text IS NULL OR u.path > $1::text) ORDER BY u.path LIMIT $2`,
      [afterPath, limit],
    );
    return rows.map((r) => ({ path: r.path, unit: toSyncedUnit(r) }));
  }

  /** Units by path (e.g. the child units a roll-up groups by). */
  async findByPaths(paths: string[]): Promise<OrgUnitEntity[]> {
    return this.db.query(`SELECT ${COLUMNS} FROM org_unit WHERE path = ANY($1::text[])`, [paths]);
  }

  // ---------------------------------------------------------------------------------------------
  // The national node's replica of the provinces' units (libs/sync-ingest calls these; appended by
  // the sync work). Set-based, one level at a time, in the caller's open transaction. Ownership is
  // read from the national tree: a province writes only inside its own subtree (`subtreePath`, the
  // path of its province unit), never a unit outside it (another province's, or a central
  // university under the ministry), and never places a unit outside it.
  // ---------------------------------------------------------------------------------------------

  /** The materialised path of the unit with this code, or null. */
  async replicaPathOf(code: string): Promise<string | null> {
    const rows: { path: string }[] = await this.db.query(`SELECT path FROM org_unit WHERE code = $1`, [code]);
    return rows[0]?.path ?? null;
  }

  /** Of these unit codes, the ones that exist here outside `subtreePath` (or are central units). */
  async replicaCodesOutside(subtreePath: string, codes: string[]): Promise<string[]> {
    if (!codes.length) return [];
    const rows: { code: string }[] = await this.db.query(
      `SELECT code FROM org_unit WHERE code = ANY($1::varchar[]) AND (central OR NOT starts_with(path, $2::text) OR path = $2::text)`,
      [codes, subtreePath],
    );
    return rows.map((r) => r.code);
  }

  /**
   * Upserts one level of a province's units by code under their parents (a move re-roots the unit's
   * subtree), after checking every row: the parent exists inside the subtree and may hold this kind,
   * an existing unit of that code is of this kind and inside the subtree, neither is central, and a
   * merge target exists inside the subtree. Returns the first problem (nothing written), or null.
   */
  async upsertReplicaLevel(
    subtreePath: string,
    kind: UnitKind,
    parentKinds: UnitKind[],
    rows: ReplicaUnitRow[],
  ): Promise<{ problem: string | null }> {
    this.paths?.invalidate();
    const level = LEVEL_OF_REPLICA_KIND[kind];
    const json = JSON.stringify(rows);
    const X = `jsonb_to_recordset($1::jsonb) AS x(code varchar, name varchar, parent_code varchar, status varchar, school_type varchar, urban_rural varchar, sponsor varchar, central boolean, merged_into_code varchar, closed_on date)`;
    const inside = (a: string) => `(starts_with(${a}.path, $3::text) AND ${a}.path <> $3::text AND NOT ${a}.central)`;
    const problems: { code: string; problem: string; other: string | null }[] = await this.db.query(
      `SELECT x.code,
              CASE WHEN x.central THEN 'central'
                   WHEN p.id IS NULL THEN 'parent'
                   WHEN NOT (p.kind = ANY($4::varchar[])) THEN 'parent-kind'
                   WHEN NOT (p.path = $3::text OR ${inside('p')}) THEN 'parent-outside'
                   WHEN c.id IS NOT NULL AND c.kind <> $2 THEN 'kind'
                   WHEN c.id IS NOT NULL AND NOT ${inside('c')} THEN 'outside'
                   WHEN x.merged_into_code IS NOT NULL AND m.id IS NULL THEN 'merged'
                   ELSE 'merged-outside' END AS problem,
              CASE WHEN p.id IS NULL THEN x.parent_code WHEN NOT (p.kind = ANY($4::varchar[])) THEN p.kind
                   WHEN c.id IS NOT NULL AND c.kind <> $2 THEN c.kind ELSE x.merged_into_code END AS other
         FROM ${X} LEFT JOIN org_unit p ON p.code = x.parent_code LEFT JOIN org_unit c ON c.code = x.code
         LEFT JOIN org_unit m ON m.code = x.merged_into_code
        WHERE x.central OR p.id IS NULL OR NOT (p.kind = ANY($4::varchar[])) OR NOT (p.path = $3::text OR ${inside('p')})
           OR (c.id IS NOT NULL AND (c.kind <> $2 OR NOT ${inside('c')}))
           OR (x.merged_into_code IS NOT NULL AND (m.id IS NULL OR NOT ${inside('m')}))
        LIMIT 1`,
      [json, kind, subtreePath, parentKinds],
    );
    if (problems[0]) {
      const { code, problem, other } = problems[0];
      const messages: Record<string, string> = {
        central: `unit ${code}: a province may not write a central unit`,
        parent: `unit ${code}: its parent ${other} is not known at the national node`,
        'parent-kind': `unit ${code}: a ${kind} cannot be placed under a ${other}`,
        'parent-outside': `unit ${code}: its parent is outside the province's subtree`,
        kind: `unit ${code} is a ${other} at the national node, not a ${kind}`,
        outside: `unit ${code} is not in the province's subtree at the national node`,
        merged: `unit ${code}: the unit it merged into, ${other}, is not known at the national node`,
        'merged-outside': `unit ${code}: the unit it merged into, ${other}, is outside the province's subtree`,
      };
      return { problem: messages[problem] };
    }
    // Paths before the upsert, to re-root the subtree of a unit that moved.
    const before: { code: string; path: string }[] = await this.db.query(
      `SELECT code, path FROM org_unit WHERE code = ANY($1::varchar[])`,
      [rows.map((u) => u.code)],
    );
    const after: { code: string; path: string }[] = await this.db.query(
      `INSERT INTO org_unit (kind, level, code, name, parent_id, path, status, school_type, urban_rural, sponsor, central, merged_into_id, closed_on)
       SELECT $2, $3, x.code, x.name, p.id, p.path || x.code || '/', x.status, x.school_type, x.urban_rural, x.sponsor, false, m.id, x.closed_on
         FROM ${X} JOIN org_unit p ON p.code = x.parent_code LEFT JOIN org_unit m ON m.code = x.merged_into_code
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, parent_id = EXCLUDED.parent_id, path = EXCLUDED.path, status = EXCLUDED.status,
         school_type = EXCLUDED.school_type, urban_rural = EXCLUDED.urban_rural, sponsor = EXCLUDED.sponsor, merged_into_id = EXCLUDED.merged_into_id,
         closed_on = EXCLUDED.closed_on, version = org_unit.version + 1, updated_at = now()
       WHERE (org_unit.name, org_unit.parent_id, org_unit.path, org_unit.status, org_unit.school_type, org_unit.urban_rural, org_unit.sponsor, org_unit.merged_into_id, org_unit.closed_on)
         IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.parent_id, EXCLUDED.path, EXCLUDED.status, EXCLUDED.school_type, EXCLUDED.urban_rural, EXCLUDED.sponsor, EXCLUDED.merged_into_id, EXCLUDED.closed_on)
       RETURNING code, path`,
      [json, kind, level],
    );
    const oldPath = new Map(before.map((r) => [r.code, r.path]));
    for (const r of after) {
      const was = oldPath.get(r.code);
      if (was && was !== r.path)
        await this.db.query(
          `UPDATE org_unit SET path = $2 || substr(path, length($1) + 1) WHERE path LIKE $1 || '%' AND path <> $2`,
          [was, r.path],
        );
    }
    return { problem: null };
  }
}

/** One unit of a province's `org-units.changed` message, as the replica stores it. */
export interface ReplicaUnitRow {
  code: string;
  name: string;
  parent_code: string;
  status: string;
  school_type: string | null;
  urban_rural: string | null;
  sponsor: string | null;
  central: boolean;
  merged_into_code: string | null;
  closed_on: string | null;
}

const LEVEL_OF_REPLICA_KIND: Partial<Record<UnitKind, number>> = {
  [UnitKind.City]: 3,
  [UnitKind.County]: 4,
  [UnitKind.School]: 5,
  [UnitKind.Department]: 6,
};
