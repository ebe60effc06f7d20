import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { returned } from '@tmis/database';

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

  /** Keyset-paged search within a unit subtree, ordered by (unit path, name, id). */
  async search(s: TeacherSearch): Promise<TeacherRow[]> {
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
    if (s.name || s.idNumber) {
      // A name or ID-number filter selects few rows: find them through their own index first, then order.
      // (Left to itself the planner may walk the whole subtree in page order looking for rare names.)
      return this.db.query(
        `WITH m AS MATERIALIZED (SELECT ${COLS} FROM teacher WHERE ${where.join(' AND ')}) SELECT * FROM m ORDER BY "unitPath", name, id LIMIT $${params.length}`,
        params,
      );
    }
    return this.db.query(
      `SELECT ${COLS} FROM teacher WHERE ${where.join(' AND ')} ORDER BY unit_path, name, id LIMIT $${params.length}`,
      params,
    );
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
}
