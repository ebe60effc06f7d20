import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { returned, TransactionHost, type DbTx } from '@tmis/database';

/** The searchable columns promoted out of the record (kept in step on every write). */
export interface TeacherColumns {
  unitId: string;
  unitPath: string;
  idType: string;
  idNumber: string;
  name: string;
  sex: string | null;
  birthDate: string | null;
  personStatus: string;
  statusSince: string | null;
  active: boolean;
  schoolType: string | null;
  staffCategory: string | null;
  onEstablishment: boolean | null;
  highestEducation: string | null;
  title: string | null;
  subjects: string[];
  qualificationTypes: string[];
}

export interface TeacherRow extends TeacherColumns {
  id: string;
  record: Record<string, unknown>;
  custom: Record<string, unknown>;
  catalogueVersion: string;
  version: number;
  reviewState: ReviewState;
  reportedVersion: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export type ReviewState = 'draft' | 'submitted' | 'returned' | 'school_approved' | 'reported';

export interface TeacherChange {
  path: string;
  before: unknown;
  after: unknown;
}

export interface TeacherChangeRow {
  id: string;
  at: Date;
  actorAccountId: string | null;
  actorRole: string | null;
  action: string;
  changes: TeacherChange[];
}

export interface TeacherSearch {
  pathPrefix: string;
  name?: string;
  idNumber?: string;
  personStatus?: string;
  activeOnly: boolean;
  schoolType?: string;
  staffCategory?: string;
  subject?: string;
  title?: string;
  qualificationType?: string;
  custom?: Record<string, string | number | boolean>;
  after?: [string, string, string];
  limit: number;
}

const COLS = `id, unit_id AS "unitId", unit_path AS "unitPath", id_type AS "idType", id_number AS "idNumber", name, sex,
  to_char(birth_date, 'YYYY-MM-DD') AS "birthDate", person_status AS "personStatus", to_char(status_since, 'YYYY-MM-DD') AS "statusSince", active,
  school_type AS "schoolType", staff_category AS "staffCategory", on_establishment AS "onEstablishment", highest_education AS "highestEducation",
  title, subjects, qualification_types AS "qualificationTypes", record, custom, catalogue_version AS "catalogueVersion", version, review_state AS "reviewState", reported_version AS "reportedVersion",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** What a list shows of each record (and its keyset cursor): no record body. */
export type TeacherListRow = Pick<
  TeacherRow,
  | 'id'
  | 'unitId'
  | 'unitPath'
  | 'idType'
  | 'idNumber'
  | 'name'
  | 'sex'
  | 'birthDate'
  | 'personStatus'
  | 'active'
  | 'schoolType'
  | 'staffCategory'
  | 'title'
  | 'subjects'
  | 'version'
>;

const LIST_COLS = `t.id, t.unit_id AS "unitId", t.unit_path AS "unitPath", t.id_type AS "idType", t.id_number AS "idNumber", t.name,
  t.sex, to_char(t.birth_date, 'YYYY-MM-DD') AS "birthDate", t.person_status AS "personStatus", t.active, t.school_type AS "schoolType",
  t.staff_category AS "staffCategory", t.title, t.subjects, t.version`;

/**
 * The list query. Every column it filters on or shows is in the covering indexes (migration
 * 1766300000000), so a page is one index-only scan unless it filters on custom values. Over a wide
 * subtree (a province or a city), a name prefix or an ID number is looked up through its own index
 * and the few matches sorted (`unit_path || ''` keeps the planner from walking the whole subtree in
 * page order hoping to meet them: a rare combination made that a 1.5-million-entry scan).
 */
function searchSql(s: TeacherSearch): { sql: string; params: unknown[] } {
  const params: unknown[] = [s.pathPrefix + '%'];
  const where = ['unit_path LIKE $1'];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace(/\?/g, `$${params.length}`));
  };
  if (s.activeOnly) where.push('active');
  if (s.name) add(`name LIKE ?`, `${s.name.replace(/[\\%_]/g, (ch) => '\\' + ch)}%`);
  if (s.idNumber) add('id_number = ?', s.idNumber);
  if (s.personStatus) add('person_status = ?', s.personStatus);
  if (s.schoolType) add('school_type = ?', s.schoolType);
  if (s.staffCategory) add('staff_category = ?', s.staffCategory);
  if (s.subject) add('subjects @> ARRAY[?]::text[]', s.subject);
  if (s.title) add('title = ?', s.title);
  if (s.qualificationType) add('qualification_types @> ARRAY[?]::text[]', s.qualificationType);
  if (s.custom && Object.keys(s.custom).length) add('custom @> ?::jsonb', JSON.stringify(s.custom));
  if (s.after) {
    params.push(s.after[0], s.after[1], s.after[2]);
    where.push(`(unit_path, name, id) > ($${params.length - 2}, $${params.length - 1}, $${params.length}::uuid)`);
  }
  params.push(s.limit);
  const wide = s.pathPrefix.split('/').filter(Boolean).length <= 2;
  const byOwnIndex = !!s.idNumber || (!!s.name && wide);
  return {
    sql: `SELECT ${LIST_COLS} FROM teacher t WHERE ${where.join(' AND ')}
           ORDER BY ${byOwnIndex ? `unit_path || ''` : 'unit_path'}, name, id LIMIT $${params.length}`,
    params,
  };
}

const colParams = (c: TeacherColumns) => [
  c.unitId,
  c.unitPath,
  c.idType,
  c.idNumber,
  c.name,
  c.sex,
  c.birthDate,
  c.personStatus,
  c.statusSince,
  c.active,
  c.schoolType,
  c.staffCategory,
  c.onEstablishment,
  c.highestEducation,
  c.title,
  c.subjects,
  c.qualificationTypes,
];

/** Every query on teacher records. */
@Injectable()
export class TeacherRepository {
  constructor(private readonly db: DataSource) {}

  transaction<T>(fn: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction('READ COMMITTED', fn);
  }

  async findById(id: string, tx?: EntityManager, lock = false): Promise<TeacherRow | null> {
    const rows = await (tx ?? this.db.manager).query(
      `SELECT ${COLS} FROM teacher WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ?? null;
  }

  async findByPerson(idType: string, idNumber: string, tx?: EntityManager): Promise<TeacherRow | null> {
    const rows = await (tx ?? this.db.manager).query(
      `SELECT ${COLS} FROM teacher WHERE id_type = $1 AND id_number = $2`,
      [idType, idNumber],
    );
    return rows[0] ?? null;
  }

  async insert(
    c: TeacherColumns,
    record: object,
    custom: object,
    catalogueVersion: string,
    tx: EntityManager,
  ): Promise<string> {
    const rows = await tx.query(
      `INSERT INTO teacher (unit_id, unit_path, id_type, id_number, name, sex, birth_date, person_status, status_since, active, school_type,
         staff_category, on_establishment, highest_education, title, subjects, qualification_types, record, custom, catalogue_version)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20) RETURNING id`,
      [...colParams(c), JSON.stringify(record), JSON.stringify(custom), catalogueVersion],
    );
    return rows[0].id;
  }

  /** Replaces the record when `version` still matches; false on a stale version. */
  async update(
    id: string,
    version: number,
    c: TeacherColumns,
    record: object,
    custom: object,
    catalogueVersion: string,
    tx: EntityManager,
    reviewState?: ReviewState,
    keepReported = false,
  ): Promise<boolean> {
    const res = await tx.query(
      `UPDATE teacher SET unit_id = $1, unit_path = $2, id_type = $3, id_number = $4, name = $5, sex = $6, birth_date = $7, person_status = $8,
         status_since = $9, active = $10, school_type = $11, staff_category = $12, on_establishment = $13, highest_education = $14, title = $15,
         subjects = $16, qualification_types = $17, record = $18, custom = $19, catalogue_version = $20, version = version + 1, updated_at = now(),
         review_state = COALESCE($23::varchar, review_state), reported_version = CASE WHEN $24::boolean THEN version + 1 ELSE reported_version END
       WHERE id = $21 AND version = $22 RETURNING id`,
      [
        ...colParams(c),
        JSON.stringify(record),
        JSON.stringify(custom),
        catalogueVersion,
        id,
        version,
        reviewState ?? null,
        keepReported,
      ],
    );
    return returned(res).length > 0;
  }

  async addChange(
    teacherId: string,
    actor: { accountId: string | null; role: string | null },
    action: string,
    changes: TeacherChange[],
    tx: EntityManager,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO teacher_change (teacher_id, actor_account_id, actor_role, action, changes) VALUES ($1,$2,$3,$4,$5)`,
      [teacherId, actor.accountId, actor.role, action, JSON.stringify(changes)],
    );
  }

  async history(teacherId: string): Promise<TeacherChangeRow[]> {
    return this.db.query(
      `SELECT id::text, at, actor_account_id AS "actorAccountId", actor_role AS "actorRole", action, changes FROM teacher_change WHERE teacher_id = $1 ORDER BY teacher_change.id`,
      [teacherId],
    );
  }

  /**
   * Keyset-paged search within a unit subtree, ordered by (unit path, name, id); the list columns only.
   * The page's keys are found first, from the covering indexes alone where the filters allow (an
   * index-only scan: no record is read to be thrown away), then only the page's rows are read.
   */
  async search(s: TeacherSearch): Promise<TeacherListRow[]> {
    const { sql, params } = searchSql(s);
    return this.db.query(sql, params);
  }

  async toVerify(pathPrefix: string): Promise<{
    invalidIdNumber: TeacherRow[];
    possibleDuplicates: { name: string; birthDate: string; teacherIds: string[] }[];
  }> {
    const invalidIdNumber = await this.db.query(
      `SELECT ${COLS} FROM teacher WHERE unit_path LIKE $1 AND active AND id_type = '1' AND NOT tmis_gb11643_valid(id_number) ORDER BY unit_path, name LIMIT 500`,
      [pathPrefix + '%'],
    );
    const possibleDuplicates = await this.db.query(
      `SELECT name, to_char(birth_date, 'YYYY-MM-DD') AS "birthDate", array_agg(id ORDER BY id) AS "teacherIds" FROM teacher
        WHERE unit_path LIKE $1 AND active GROUP BY name, birth_date, sex HAVING count(*) > 1 ORDER BY name LIMIT 500`,
      [pathPrefix + '%'],
    );
    return { invalidIdNumber, possibleDuplicates };
  }

  /** The ID document of an account (a teacher account is linked to its record by it). */
  async accountPerson(accountId: string): Promise<{ idType: string; idNumber: string } | null> {
    const rows = await this.db.query(`SELECT id_type AS "idType", id_number AS "idNumber" FROM account WHERE id = $1`, [
      accountId,
    ]);
    return rows[0] ?? null;
  }

  // ---- custom field definitions ----

  async customFields(
    provinceCode: string,
    includeRetired: boolean,
  ): Promise<{ key: string; version: number; status: string; definition: Record<string, unknown>; createdAt: Date }[]> {
    return this.db
      .query(
        `SELECT DISTINCT ON (key) key, version, status, definition, created_at AS "createdAt" FROM custom_field
        WHERE province_code = $1 ORDER BY key, version DESC`,
        [provinceCode],
      )
      .then((rows: { status: string }[]) =>
        includeRetired ? rows : rows.filter((r) => r.status === 'active'),
      ) as never;
  }

  async customFieldVersions(
    provinceCode: string,
    key: string,
  ): Promise<{ version: number; status: string; definition: Record<string, unknown>; createdAt: Date }[]> {
    return this.db.query(
      `SELECT version, status, definition, created_at AS "createdAt" FROM custom_field WHERE province_code = $1 AND key = $2 ORDER BY version`,
      [provinceCode, key],
    );
  }

  async insertCustomField(
    provinceCode: string,
    key: string,
    version: number,
    status: string,
    definition: object,
    createdBy: string,
    tx: EntityManager,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO custom_field (province_code, key, version, status, definition, created_by) VALUES ($1,$2,$3,$4,$5,$6)`,
      [provinceCode, key, version, status, JSON.stringify(definition), createdBy],
    );
  }

  async customFieldInUse(key: string): Promise<boolean> {
    const rows = await this.db.query(`SELECT 1 FROM teacher WHERE custom ? $1 LIMIT 1`, [key]);
    return rows.length > 0;
  }

  /** The plan of `search` for these filters, run (`EXPLAIN (ANALYZE, BUFFERS)`): for benchmarks and diagnosis. */
  async explainSearch(s: TeacherSearch): Promise<string> {
    const { sql, params } = searchSql(s);
    const rows: { 'QUERY PLAN': string }[] = await this.db.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }

  /** Whole records by id, in the order given (an export reads a list page's records). */
  async findManyById(ids: string[]): Promise<TeacherRow[]> {
    if (!ids.length) return [];
    return this.db.query(
      `SELECT ${COLS} FROM unnest($1::uuid[]) WITH ORDINALITY AS k(id, n) JOIN teacher USING (id) ORDER BY k.n`,
      [ids],
    );
  }

  // ---- set-based writes of a bulk import (issue 12: this repository is the one writer of teacher and
  // teacher_change). They read the import's staged persons, `bulk_job_person` rows of one job: id_type,
  // id_number, action ('create' | 'update'), teacher_id (assigned when staged, for creates too),
  // base_version, from_state, columns (TeacherColumns as JSON), record, custom, catalogue_version,
  // changes. They run in the caller's transaction (`txHost.tx`). ----

  @Inject(TransactionHost) private readonly importTx!: DbTx;

  /** The records of these persons, as an import assesses them. */
  async findForImport(keys: [string, string][]): Promise<
    {
      id: string;
      unitId: string;
      unitPath: string;
      schoolType: string | null;
      version: number;
      reviewState: string;
      record: Record<string, unknown>;
      idType: string;
      idNumber: string;
    }[]
  > {
    if (!keys.length) return [];
    return this.importTx.tx.query(
      `SELECT t.id, t.unit_id AS "unitId", t.unit_path AS "unitPath", t.school_type AS "schoolType", t.version, t.review_state AS "reviewState",
              t.record, t.id_type AS "idType", t.id_number AS "idNumber"
         FROM unnest($1::text[], $2::text[]) AS k(t, n) JOIN teacher t ON t.id_type = k.t AND t.id_number = k.n`,
      [keys.map((k) => k[0]), keys.map((k) => k[1])],
    );
  }

  /**
   * How many of a job's staged persons no longer stand as staged: an update whose record moved on
   * (version or review state), a create whose person got a record meanwhile. Each probe is a primary
   * or unique key lookup, whatever the staging table's statistics.
   */
  async staleForImport(jobId: string): Promise<number> {
    const [{ n }] = await this.importTx.tx.query(
      `SELECT count(*)::int AS n FROM bulk_job_person p
        WHERE p.job_id = $1 AND CASE WHEN p.action = 'update'
          THEN NOT EXISTS (SELECT 1 FROM teacher t WHERE t.id = p.teacher_id AND t.version = p.base_version AND t.review_state IN ('draft','returned','submitted'))
          ELSE EXISTS (SELECT 1 FROM teacher t WHERE t.id_type = p.id_type AND t.id_number = p.id_number) END`,
      [jobId],
    );
    return n;
  }

  /** The job's new records, submitted, with the ids assigned when they were staged (no join back). */
  async insertFromImport(jobId: string): Promise<number> {
    const [{ n }] = await this.importTx.tx.query(
      `WITH ins AS (INSERT INTO teacher (id, unit_id, unit_path, id_type, id_number, name, sex, birth_date, person_status, status_since, active, school_type, staff_category,
                            on_establishment, highest_education, title, subjects, qualification_types, record, custom, catalogue_version, review_state)
       SELECT p.teacher_id, (c->>'unitId')::uuid, c->>'unitPath', c->>'idType', c->>'idNumber', c->>'name', c->>'sex', (c->>'birthDate')::date, c->>'personStatus',
              (c->>'statusSince')::date, (c->>'active')::boolean, c->>'schoolType', c->>'staffCategory', (c->>'onEstablishment')::boolean, c->>'highestEducation',
              c->>'title', ARRAY(SELECT jsonb_array_elements_text(c->'subjects')), ARRAY(SELECT jsonb_array_elements_text(c->'qualificationTypes')),
              p.record, p.custom, p.catalogue_version, 'submitted'
         FROM bulk_job_person p CROSS JOIN LATERAL (SELECT p.columns AS c) cc
        WHERE p.job_id = $1 AND p.action = 'create'
        RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
      [jobId],
    );
    return n;
  }

  /** The job's updates, at the version that was validated; returns how many were expected and matched. */
  async updateFromImport(jobId: string): Promise<{ expected: number; updated: number }> {
    const [{ n }] = await this.importTx.tx.query(
      `SELECT count(*)::int AS n FROM bulk_job_person WHERE job_id = $1 AND action = 'update'`,
      [jobId],
    );
    if (!n) return { expected: 0, updated: 0 };
    const res = await this.importTx.tx.query(
      `UPDATE teacher t SET unit_id = (c->>'unitId')::uuid, unit_path = c->>'unitPath', id_type = c->>'idType', id_number = c->>'idNumber', name = c->>'name',
              sex = c->>'sex', birth_date = (c->>'birthDate')::date, person_status = c->>'personStatus', status_since = (c->>'statusSince')::date,
              active = (c->>'active')::boolean, school_type = c->>'schoolType', staff_category = c->>'staffCategory',
              on_establishment = (c->>'onEstablishment')::boolean, highest_education = c->>'highestEducation', title = c->>'title',
              subjects = ARRAY(SELECT jsonb_array_elements_text(c->'subjects')), qualification_types = ARRAY(SELECT jsonb_array_elements_text(c->'qualificationTypes')),
              record = p.record, custom = p.custom, catalogue_version = p.catalogue_version, version = t.version + 1, updated_at = now(), review_state = 'submitted'
         FROM bulk_job_person p CROSS JOIN LATERAL (SELECT p.columns AS c) cc
        WHERE p.job_id = $1 AND p.action = 'update' AND t.id = p.teacher_id AND t.version = p.base_version AND t.review_state IN ('draft','returned','submitted')
       RETURNING t.id`,
      [jobId],
    );
    return { expected: n, updated: returned(res).length };
  }

  /** A history row per record of the job (`create` / `update` with the leaf changes). */
  async addChangesFromImport(jobId: string, actor: { accountId: string; role: string }): Promise<void> {
    await this.importTx.tx.query(
      `INSERT INTO teacher_change (teacher_id, actor_account_id, actor_role, action, changes)
       SELECT teacher_id, $2, $3, action, changes FROM bulk_job_person WHERE job_id = $1`,
      [jobId, actor.accountId, actor.role],
    );
  }
}
