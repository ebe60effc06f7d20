import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { returned } from '@tmis/database';
import { TransactionHost as ReplicaTxHost, type TransactionalAdapterTypeOrm as ReplicaTxAdapter } from '@tmis/database';
import { OrgUnitEntity, UnitKind, UnitStatus } from './org-unit.entity.js';

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

/** Every query on the org tree. Subtree queries use the materialised `path` (btree, prefix match). */

/** The `SyncedUnit` JSON of org_unit `u` (contracts: `org-units.changed`); provinces and the ministry are reference data and not synced. */
export const SYNCED_UNIT_JSON = `jsonb_strip_nulls(jsonb_build_object('code', u.code, 'kind', u.kind, 'name', u.name, 'parentCode', p.code, 'status', u.status, 'schoolType', u.school_type,
  'urbanRural', u.urban_rural, 'sponsor', u.sponsor, 'central', u.central, 'mergedIntoCode', m.code, 'closedOn', u.closed_on::text))`;
export const SYNCED_UNIT_FROM = `FROM org_unit u JOIN org_unit p ON p.id = u.parent_id LEFT JOIN org_unit m ON m.id = u.merged_into_id`;
export const SYNCED_UNIT_KINDS_SQL = `u.kind IN ('city','county','school','department')`;
/** True on a provincial node (its tree has no ministry unit): only provinces write the sync outbox. */
export const PROVINCIAL_NODE = `NOT EXISTS (SELECT 1 FROM org_unit WHERE kind = 'ministry')`;

@Injectable()
export class OrgRepository {
  constructor(private readonly db: DataSource) {}

  transaction<T>(fn: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction('READ COMMITTED', fn);
  }

  private m(tx?: EntityManager): EntityManager {
    return tx ?? this.db.manager;
  }

  async findById(id: string, tx?: EntityManager, lock = false): Promise<OrgUnitEntity | null> {
    const rows = await this.m(tx).query(`SELECT ${COLUMNS} FROM org_unit WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [
      id,
    ]);
    return rows[0] ?? null;
  }

  async findByCode(code: string, tx?: EntityManager): Promise<OrgUnitEntity | null> {
    const rows = await this.m(tx).query(`SELECT ${COLUMNS} FROM org_unit WHERE code = $1`, [code]);
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

  async countActiveChildren(id: string, tx?: EntityManager): Promise<number> {
    const [row] = await this.m(tx).query(
      `SELECT count(*)::int AS n FROM org_unit WHERE parent_id = $1 AND status = 'active'`,
      [id],
    );
    return row.n;
  }

  async insert(u: NewUnit, tx?: EntityManager): Promise<OrgUnitEntity> {
    const rows = await this.m(tx).query(
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
    tx: EntityManager,
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
    const rows = await tx.query(
      `UPDATE org_unit SET ${sets.join(', ')}${sets.length ? ',' : ''} version = version + 1, updated_at = now() WHERE id = $1 AND version = $2 RETURNING ${COLUMNS}`,
      params,
    );
    return returned<OrgUnitEntity>(rows)[0] ?? null;
  }

  /** Moves a unit and rewrites the paths of its whole subtree in one statement. */
  async move(
    id: string,
    version: number,
    newParentId: string,
    oldPath: string,
    newPath: string,
    tx: EntityManager,
  ): Promise<boolean> {
    const res = await tx.query(
      `UPDATE org_unit SET parent_id = $2, version = version + 1, updated_at = now() WHERE id = $1 AND version = $3 RETURNING id`,
      [id, newParentId, version],
    );
    const ok = returned(res).length > 0;
    if (!ok) return false;
    await tx.query(`UPDATE org_unit SET path = $2 || substr(path, $3) WHERE path LIKE $1`, [
      oldPath + '%',
      newPath,
      oldPath.length + 1,
    ]);
    // Teacher records carry their unit's path (denormalised for subtree search): keep it in step.
    await tx.query(`UPDATE teacher SET unit_path = $2 || substr(unit_path, $3) WHERE unit_path LIKE $1`, [
      oldPath + '%',
      newPath,
      oldPath.length + 1,
    ]);
    return true;
  }

  async countActiveTeachers(unitId: string, tx: EntityManager): Promise<number> {
    const [row] = await tx.query(`SELECT count(*)::int AS n FROM teacher WHERE unit_id = $1 AND active`, [unitId]);
    return row.n;
  }

  /** On a merge, the absorbing unit takes over the merged unit's teacher records. Returns how many moved. */
  async moveTeachers(
    fromUnitId: string,
    to: { id: string; path: string },
    actorAccountId: string,
    tx: EntityManager,
  ): Promise<number> {
    const res = await tx.query(
      `WITH moved AS (
         UPDATE teacher SET unit_id = $2, unit_path = $3, version = version + 1, updated_at = now() WHERE unit_id = $1 RETURNING id
       )
       INSERT INTO teacher_change (teacher_id, actor_account_id, action, changes)
       SELECT id, $4, 'unit-merge', jsonb_build_array(jsonb_build_object('path', 'unitId', 'before', $1::text, 'after', $2::text)) FROM moved
       RETURNING teacher_id`,
      [fromUnitId, to.id, to.path, actorAccountId],
    );
    return returned(res).length;
  }

  async addEvent(
    unitId: string,
    action: string,
    actorAccountId: string | null,
    before: unknown,
    after: unknown,
    tx: EntityManager,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO org_unit_event (unit_id, action, actor_account_id, before, after) VALUES ($1,$2,$3,$4,$5)`,
      [
        unitId,
        action,
        actorAccountId,
        before == null ? null : JSON.stringify(before),
        after == null ? null : JSON.stringify(after),
      ],
    );
    // Transactional outbox (federation): the unit as it now stands, in the same transaction as the change.
    // One key per province keeps unit changes in order (a county before the schools placed in it).
    await tx.query(
      `INSERT INTO sync_outbox (type, key, payload) SELECT 'org-units.changed', 'org-units', jsonb_build_object('units', jsonb_agg(${SYNCED_UNIT_JSON})) ${SYNCED_UNIT_FROM} WHERE u.id = $1 AND ${SYNCED_UNIT_KINDS_SQL} AND ${PROVINCIAL_NODE} HAVING count(*) > 0`,
      [unitId],
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
    tx: EntityManager,
  ): Promise<number> {
    let inserted = 0;
    // Parents first: rows are given in level order, so one statement per level resolves parent ids.
    const byLevel = new Map<number, typeof rows>();
    for (const r of rows) byLevel.set(r.level, [...(byLevel.get(r.level) ?? []), r]);
    for (const level of [...byLevel.keys()].sort()) {
      const batch = byLevel.get(level)!;
      const res = await tx.query(
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

  // ---------------------------------------------------------------------------------------------
  // The national node's replica of the provinces' units (libs/sync-ingest calls these; appended by
  // the sync work). Set-based, one level at a time, in the caller's open transaction. Ownership is
  // read from the national tree: a province writes only inside its own subtree (`subtreePath`, the
  // path of its province unit), never a unit outside it (another province's, or a central
  // university under the ministry), and never places a unit outside it.
  // ---------------------------------------------------------------------------------------------

  private get replicaTx() {
    return ReplicaTxHost.getInstance<ReplicaTxAdapter>().tx;
  }

  /** The materialised path of the unit with this code, or null. */
  async replicaPathOf(code: string): Promise<string | null> {
    const rows: { path: string }[] = await this.replicaTx.query(`SELECT path FROM org_unit WHERE code = $1`, [code]);
    return rows[0]?.path ?? null;
  }

  /** Of these unit codes, the ones that exist here outside `subtreePath` (or are central units). */
  async replicaCodesOutside(subtreePath: string, codes: string[]): Promise<string[]> {
    if (!codes.length) return [];
    const rows: { code: string }[] = await this.replicaTx.query(
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
    const level = LEVEL_OF_REPLICA_KIND[kind];
    const json = JSON.stringify(rows);
    const X = `jsonb_to_recordset($1::jsonb) AS x(code varchar, name varchar, parent_code varchar, status varchar, school_type varchar, urban_rural varchar, sponsor varchar, central boolean, merged_into_code varchar, closed_on date)`;
    const inside = (a: string) => `(starts_with(${a}.path, $3::text) AND ${a}.path <> $3::text AND NOT ${a}.central)`;
    const problems: { code: string; problem: string; other: string | null }[] = await this.replicaTx.query(
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
    const before: { code: string; path: string }[] = await this.replicaTx.query(
      `SELECT code, path FROM org_unit WHERE code = ANY($1::varchar[])`,
      [rows.map((u) => u.code)],
    );
    const after: { code: string; path: string }[] = await this.replicaTx.query(
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
        await this.replicaTx.query(
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
