import { Injectable } from '@nestjs/common';
import { returned, TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import type { EntityManager } from 'typeorm';
import type { ReportedRow } from './sync/reported-payload.js';

/** The searchable columns promoted out of the record (kept in step on every write). */
/** A person the national node reported active in more than one province, as a "to verify" entry. */
export interface CrossProvinceDuplicateRow {
  name: string;
  idType: string;
  idNumber: string;
  provinces: string[];
  teacherIds: string[];
  noticedAt: Date;
}

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

/** The reported columns of `t` (record) / `u` (its unit) as a `ReportedRow`. */
const REPORTED_COLS = (t: string, r: string) =>
  `${t}.id AS "teacherId", u.code AS "unitCode", ${r}.id_type AS "idType", ${r}.id_number AS "idNumber", ${r}.name,
   ${r}.person_status AS "personStatus", ${t}.reported_version AS "reportedVersion", ${r}.record, ${r}.custom,
   ${r}.catalogue_version AS "catalogueVersion"`;

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

/** The list's columns as the page query selects them (the birth date still a date: formatted after the page is cut). */
const LIST_COLS = `t.id, t.unit_id AS "unitId", t.unit_path AS "unitPath", t.id_type AS "idType", t.id_number AS "idNumber", t.name,
  t.sex, t.birth_date, t.person_status AS "personStatus", t.active, t.school_type AS "schoolType",
  t.staff_category AS "staffCategory", t.title, t.subjects, t.version`;

/**
 * What a list returns of the page query's rows. The date is formatted here, on the page's rows only:
 * in the page query, `to_char` ran on every row before the sort (for a name prefix over a province,
 * every match), a quarter of that query's CPU.
 */
const PAGE_COLS = `p.id, p."unitId", p."unitPath", p."idType", p."idNumber", p.name, p.sex,
  to_char(p.birth_date, 'YYYY-MM-DD') AS "birthDate", p."personStatus", p.active, p."schoolType", p."staffCategory",
  p.title, p.subjects, p.version`;

/** The longest custom value (JSON text) kept in `teacher_custom_value` (migration 1767840000001). */
const INDEXED_CUSTOM_BYTES = 200;

/**
 * The record of each entry of `k` (a record id `kid` with its unit path and name), read from its
 * `teacher_list_idx` entry by that key: index-only, no heap read (by id, each was a record read: at
 * 1.5 M records with the machine's 128 MB of shared buffers, a page read from the OS cache). A
 * lateral subquery (its `LIMIT` keeps it one), so it stays one lookup per entry of `k` in page order:
 * as a plain join on three correlated columns the planner estimated one row in all and joined whole
 * subtrees instead (a province's custom value: 17,760 × 300,000 index entries, 0.8 s).
 */
const byListKey = (k: string, kid: string, withCustom: boolean) =>
  `CROSS JOIN LATERAL (SELECT t.id, t.unit_id, t.unit_path, t.id_type, t.id_number, t.name, t.sex, t.birth_date, t.person_status,
      t.active, t.school_type, t.staff_category, t.title, t.subjects, t.qualification_types, t.version${withCustom ? ', t.custom' : ''}
      FROM teacher t WHERE t.unit_path = ${k}.unit_path AND t.name = ${k}.name AND t.id = ${kid} LIMIT 1) t`;

/**
 * The list query. Every column it shows or filters on (but custom values) is in the covering index
 * `teacher_list_idx` (migration 1766300000000), keyed by the page order (unit path, name, id), so a
 * page without a subject or custom value is one index-only scan. Over a wide subtree (a province or
 * a city), a name prefix or an ID number is looked up through its own index and the few matches
 * sorted (an `OFFSET 0` fence keeps the planner from walking the whole subtree in page order hoping
 * to meet them: a rare combination made that a 1.5-million-entry scan). A custom value is read from
 * `teacher_custom_value` (migration 1767840000001), whose index holds each value's records in list
 * order (its unit path and name are the record's, kept by the trigger): the page is that index's
 * entries in the subtree, in order, each record's columns then read from its list index entry
 * ({@link byListKey}). A subject is read the same way from `teacher_subject` (migration
 * 1767910000000), which also carries the record's other filter columns, so they are tested in that
 * index before any record is read; with a name prefix over a wide subtree, from its (subject, name)
 * index, or its (subject, title, name) index when a title is given too (migration 1767960000000).
 * The birth date is formatted on the page's rows only (`PAGE_COLS`).
 */
function searchSql(s: TeacherSearch): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const where: string[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace(/\?/g, `$${params.length}`));
  };
  const wide = s.pathPrefix.split('/').filter(Boolean).length <= 2;
  const byOwnIndex = !!s.idNumber || (!!s.name && wide);
  const custom = Object.entries(s.custom ?? {});
  const joined = custom.find(([, v]) => Buffer.byteLength(JSON.stringify(v)) <= INDEXED_CUSTOM_BYTES);
  const viaCustom = joined && !byOwnIndex;
  const viaSubject = !viaCustom && !!s.subject && !s.idNumber;
  // The values not read through teacher_custom_value are tested on the record (a heap read).
  const rest = custom.filter((kv) => !viaCustom || kv !== joined);
  // `k`: the relation whose index gives the page (its unit path, name and record id are the record's).
  const [k, kid, from] = viaCustom
    ? ['c', 'c.teacher_id', `teacher_custom_value c ${byListKey('c', 'c.teacher_id', rest.length > 0)}`]
    : viaSubject
      ? ['s', 's.teacher_id', `teacher_subject s ${byListKey('s', 's.teacher_id', rest.length > 0)}`]
      : ['t', 't.id', 'teacher t'];
  // The filter columns `teacher_subject` carries are tested there (in its index), the others on the record.
  const carried = viaSubject ? 's' : 't';
  add(`${k}.unit_path LIKE ?`, s.pathPrefix + '%');
  if (s.activeOnly) where.push(`${viaCustom || viaSubject ? k : 't'}.active`);
  if (s.name) add(`${viaSubject ? 's' : 't'}.name LIKE ?`, `${s.name.replace(/[\\%_]/g, (ch) => '\\' + ch)}%`);
  if (s.idNumber) add('t.id_number = ?', s.idNumber);
  if (s.personStatus) add(`${carried}.person_status = ?`, s.personStatus);
  if (s.schoolType) add(`${carried}.school_type = ?`, s.schoolType);
  if (s.staffCategory) add(`${carried}.staff_category = ?`, s.staffCategory);
  if (s.subject && viaSubject) add('s.subject = ?', s.subject);
  else if (s.subject) add('t.subjects @> ARRAY[?]::text[]', s.subject);
  if (s.title) add(`${carried}.title = ?`, s.title);
  if (s.qualificationType) add('t.qualification_types @> ARRAY[?]::text[]', s.qualificationType);
  if (rest.length) add('t.custom @> ?::jsonb', JSON.stringify(Object.fromEntries(rest)));
  if (viaCustom) {
    add('c.key = ?', joined[0]);
    add('c.value = ?::jsonb', JSON.stringify(joined[1]));
  }
  if (s.after) {
    params.push(s.after[0], s.after[1], s.after[2]);
    const [a, b, c] = [params.length - 2, params.length - 1, params.length];
    where.push(`(t.unit_path, t.name, t.id) > ($${a}, $${b}, $${c}::uuid)`);
    if (k !== 't') where.push(`(${k}.unit_path, ${k}.name, ${kid}) > ($${a}, $${b}, $${c}::uuid)`);
  }
  params.push(s.limit);
  const matches = `SELECT ${LIST_COLS} FROM ${from} WHERE ${where.join(' AND ')}`;
  // Looked up through its own index: every match, then the page's first entries in page order. On the
  // record's own index (`t`) an `OFFSET 0` fence keeps the planner from walking the subtree in page
  // order hoping to meet them (a rare combination made that a 1.5-million-entry scan) while the matches
  // are sorted by the plain columns (sorting by `unit_path || ''` cost a string per match: 25 % of the
  // query for a name prefix over a province). Through `teacher_subject` (`s`) the `|| ''` stays: there the
  // planner may sort the entries before it reads each page row's record; behind a fence it would read
  // the record of every match first.
  const page =
    byOwnIndex && k === 't'
      ? `SELECT * FROM (${matches} OFFSET 0) m ORDER BY m."unitPath", m.name, m.id LIMIT $${params.length}`
      : `${matches} ORDER BY ${byOwnIndex ? `${k}.unit_path || ''` : `${k}.unit_path`}, ${k}.name, ${kid} LIMIT $${params.length}`;
  return {
    sql: `SELECT ${PAGE_COLS} FROM (${page}) p ORDER BY p."unitPath", p.name, p.id`,
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
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  /** The open transaction's manager, or the pool when none is open. */
  private get db(): EntityManager {
    return this.txHost.tx;
  }

  /** One record; `lock` takes a row lock (inside the caller's transaction). */
  async findById(id: string, lock = false): Promise<TeacherRow | null> {
    const rows = await this.db.query(`SELECT ${COLS} FROM teacher WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
    return rows[0] ?? null;
  }

  async findByPerson(idType: string, idNumber: string): Promise<TeacherRow | null> {
    const rows = await this.db.query(`SELECT ${COLS} FROM teacher WHERE id_type = $1 AND id_number = $2`, [
      idType,
      idNumber,
    ]);
    return rows[0] ?? null;
  }

  async insert(c: TeacherColumns, record: object, custom: object, catalogueVersion: string): Promise<string> {
    const rows = await this.db.query(
      `INSERT INTO teacher (unit_id, unit_path, id_type, id_number, name, sex, birth_date, person_status, status_since, active, school_type,
         staff_category, on_establishment, highest_education, title, subjects, qualification_types, record, custom, catalogue_version)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20) RETURNING id`,
      [...colParams(c), JSON.stringify(record), JSON.stringify(custom), catalogueVersion],
    );
    return rows[0].id;
  }

  /**
   * Replaces the record when `version` still matches; false on a stale version. `reviewState` moves the
   * review state along (new information on a reported record goes back to draft); becoming (or staying)
   * reported is never done here but by `markReported`, so that it always announces the record.
   */
  async update(
    id: string,
    version: number,
    c: TeacherColumns,
    record: object,
    custom: object,
    catalogueVersion: string,
    reviewState?: Exclude<ReviewState, 'reported'>,
  ): Promise<boolean> {
    const res = await this.db.query(
      `UPDATE teacher SET unit_id = $1, unit_path = $2, id_type = $3, id_number = $4, name = $5, sex = $6, birth_date = $7, person_status = $8,
         status_since = $9, active = $10, school_type = $11, staff_category = $12, on_establishment = $13, highest_education = $14, title = $15,
         subjects = $16, qualification_types = $17, record = $18, custom = $19, catalogue_version = $20, version = version + 1, updated_at = now(),
         review_state = COALESCE($23::varchar, review_state)
       WHERE id = $21 AND version = $22 RETURNING id`,
      [
        ...colParams(c),
        JSON.stringify(record),
        JSON.stringify(custom),
        catalogueVersion,
        id,
        version,
        reviewState ?? null,
      ],
    );
    return returned(res).length > 0;
  }

  async addChange(
    teacherId: string,
    actor: { accountId: string | null; role: string | null },
    action: string,
    changes: TeacherChange[],
  ): Promise<void> {
    await this.db.query(
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
    crossProvinceDuplicates: CrossProvinceDuplicateRow[];
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
    // People the national node reported active in another province too (downward notices), with this subtree's records of them.
    const crossProvinceDuplicates = await this.db.query(
      `SELECT min(t.name) AS name, d.id_type AS "idType", d.id_number AS "idNumber", d.provinces,
              array_agg(t.id ORDER BY t.id) AS "teacherIds", d.noticed_at AS "noticedAt"
         FROM teacher_cross_province_duplicate d JOIN teacher t ON t.id_type = d.id_type AND t.id_number = d.id_number
        WHERE t.unit_path LIKE $1 GROUP BY d.id_type, d.id_number, d.provinces, d.noticed_at ORDER BY 1, 3 LIMIT 500`,
      [pathPrefix + '%'],
    );
    return { invalidIdNumber, possibleDuplicates, crossProvinceDuplicates };
  }

  /** The national node's notice about one person: kept (one row per person), or removed when fewer than two provinces remain. */
  async noteCrossProvinceDuplicate(
    idType: string,
    idNumber: string,
    provinces: string[],
    noticeId: string,
  ): Promise<void> {
    if (provinces.length < 2)
      await this.db.query(`DELETE FROM teacher_cross_province_duplicate WHERE id_type = $1 AND id_number = $2`, [
        idType,
        idNumber,
      ]);
    else
      await this.db.query(
        `INSERT INTO teacher_cross_province_duplicate (id_type, id_number, provinces, notice_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id_type, id_number) DO UPDATE SET provinces = EXCLUDED.provinces, notice_id = EXCLUDED.notice_id, noticed_at = now()`,
        [idType, idNumber, provinces, noticeId],
      );
  }

  /** The ID document of an account (a teacher account is linked to its record by it). */
  async accountPerson(accountId: string): Promise<{ idType: string; idNumber: string } | null> {
    const rows = await this.db.query(`SELECT id_type AS "idType", id_number AS "idNumber" FROM account WHERE id = $1`, [
      accountId,
    ]);
    return rows[0] ?? null;
  }

  /** Whether any record holds a value of custom field `key`. */
  async anyWithCustomField(key: string): Promise<boolean> {
    const rows = await this.db.query(`SELECT 1 FROM teacher WHERE custom ? $1 LIMIT 1`, [key]);
    return rows.length > 0;
  }

  // ---- review state ----

  /**
   * Moves the review state only if it is still `from` at `version`; false when someone else moved first.
   * Not for `reported`: that is `markReported`, which returns what must be announced.
   */
  async setReviewState(
    teacherId: string,
    from: ReviewState,
    to: Exclude<ReviewState, 'reported'>,
    version: number,
  ): Promise<boolean> {
    const res = await this.db.query(
      `UPDATE teacher SET review_state = $3::varchar WHERE id = $1 AND review_state = $2::varchar AND version = $4 RETURNING id`,
      [teacherId, from, to, version],
    );
    return returned(res).length > 0;
  }

  /**
   * Set-based: the records become reported at their current version (`reported_version = version`; the
   * `teacher_keep_reported` trigger drops their reported snapshot) and come back as they were reported,
   * in id order. With `expect`, only a record still in `expect.from` at `expect.version` moves. Called
   * only by `RecordReporting`, which announces every row returned.
   */
  async markReported(ids: string[], expect?: { from: ReviewState; version: number }): Promise<ReportedRow[]> {
    if (!ids.length) return [];
    const guard = expect ? `AND t.review_state = $2::varchar AND t.version = $3` : '';
    const res = await this.db.query(
      `WITH r AS (
         UPDATE teacher t SET review_state = 'reported', reported_version = t.version
          WHERE t.id = ANY($1::uuid[]) ${guard}
         RETURNING t.id, t.unit_id, t.id_type, t.id_number, t.name, t.person_status, t.reported_version, t.record, t.custom, t.catalogue_version
       )
       SELECT ${REPORTED_COLS('r', 'r')} FROM r JOIN org_unit u ON u.id = r.unit_id ORDER BY r.id`,
      expect ? [ids, expect.from, expect.version] : [ids],
    );
    return returned<ReportedRow>(res);
  }

  /** Records in a subtree waiting in `state`, oldest change first, keyset-paged by (updated_at, id). */
  async pendingReview(
    pathPrefix: string,
    state: ReviewState,
    after: [string, string] | null,
    limit: number,
  ): Promise<{ id: string; name: string; unitId: string; version: number; updatedAt: Date }[]> {
    const params: unknown[] = [state, pathPrefix + '%', limit];
    let cursor = '';
    if (after) {
      params.push(after[0], after[1]);
      cursor = `AND (updated_at, id) > ($4::timestamptz, $5::uuid)`;
    }
    return this.db.query(
      `SELECT id, name, unit_id AS "unitId", version, updated_at AS "updatedAt" FROM teacher
        WHERE review_state = $1 AND unit_path LIKE $2 ${cursor} ORDER BY updated_at, id LIMIT $3`,
      params,
    );
  }

  // ---- records of units that move, merge or close (the org use cases call these) ----

  /** Records keep their unit's path (denormalised for subtree search): a moved subtree rewrites them. */
  async rewriteUnitPaths(oldPath: string, newPath: string): Promise<void> {
    await this.db.query(`UPDATE teacher SET unit_path = $2 || substr(unit_path, $3) WHERE unit_path LIKE $1`, [
      oldPath + '%',
      newPath,
      oldPath.length + 1,
    ]);
  }

  /**
   * A transfer (Art. 23) moves one record to another school: the unit and school type change, the
   * version moves on and a history row keeps where it came from. Returns the record's review state
   * (a reported record is then re-reported by the caller through `RecordReporting`), or null when the
   * record is not at `from` any more.
   */
  async moveUnit(
    teacherId: string,
    from: { id: string },
    to: { id: string; path: string; schoolType: string | null },
    actor: { accountId: string | null; role: string | null },
    action: string,
    details: Record<string, unknown>,
  ): Promise<ReviewState | null> {
    const res = await this.db.query(
      `WITH moved AS (
         UPDATE teacher SET unit_id = $3, unit_path = $4, school_type = $5, version = version + 1, updated_at = now()
          WHERE id = $1 AND unit_id = $2
         RETURNING id, review_state
       ), changed AS (
         INSERT INTO teacher_change (teacher_id, actor_account_id, actor_role, action, changes)
         SELECT id, $6, $7, $8, jsonb_build_array(jsonb_build_object('path', 'unitId', 'before', $2::text, 'after', $3::text, 'details', $9::jsonb))
           FROM moved
       )
       SELECT review_state AS "reviewState" FROM moved`,
      [teacherId, from.id, to.id, to.path, to.schoolType, actor.accountId, actor.role, action, JSON.stringify(details)],
    );
    const rows = returned<{ reviewState: ReviewState }>(res);
    return rows[0]?.reviewState ?? null;
  }

  async countActiveInUnit(unitId: string): Promise<number> {
    const [row] = await this.db.query(`SELECT count(*)::int AS n FROM teacher WHERE unit_id = $1 AND active`, [unitId]);
    return row.n;
  }

  /**
   * On a merge, the absorbing unit takes over the merged unit's records (each gets a new version and a
   * history entry). Returns the ids moved and those of them that are reported (to be re-reported).
   */
  async moveToUnit(
    fromUnitId: string,
    to: { id: string; path: string },
    actorAccountId: string,
  ): Promise<{ moved: string[]; reported: string[] }> {
    const res = await this.db.query(
      `WITH moved AS (
         UPDATE teacher SET unit_id = $2, unit_path = $3, version = version + 1, updated_at = now() WHERE unit_id = $1
         RETURNING id, review_state
       ), changed AS (
         INSERT INTO teacher_change (teacher_id, actor_account_id, action, changes)
         SELECT id, $4, 'unit-merge', jsonb_build_array(jsonb_build_object('path', 'unitId', 'before', $1::text, 'after', $2::text))
           FROM moved
       )
       SELECT id::text, review_state AS "reviewState" FROM moved ORDER BY id`,
      [fromUnitId, to.id, to.path, actorAccountId],
    );
    const rows = returned<{ id: string; reviewState: ReviewState }>(res);
    return {
      moved: rows.map((r) => r.id),
      reported: rows.filter((r) => r.reviewState === 'reported').map((r) => r.id),
    };
  }

  // ---- what waits for someone (to-do counts) ----

  async countInReviewState(pathPrefix: string, state: ReviewState): Promise<number> {
    const [row] = await this.db.query(
      `SELECT count(*)::int AS n FROM teacher WHERE review_state = $1 AND unit_path LIKE $2`,
      [state, pathPrefix + '%'],
    );
    return row.n;
  }

  /** A teacher's own record(s) still to submit (draft or returned). */
  async countOwnToSubmit(idType: string, idNumber: string, pathPrefix: string): Promise<number> {
    const [row] = await this.db.query(
      `SELECT count(*)::int AS n FROM teacher WHERE id_type = $1 AND id_number = upper($2) AND review_state IN ('draft','returned') AND unit_path LIKE $3`,
      [idType, idNumber, pathPrefix + '%'],
    );
    return row.n;
  }

  /** Locked accounts in a subtree (read here: the accounts lib exports no repository). */
  async countLockedAccounts(pathPrefix: string): Promise<number> {
    const [row] = await this.db.query(
      `SELECT count(*)::int AS n FROM account a JOIN org_unit u ON u.id = a.unit_id WHERE a.locked_until > now() AND u.path LIKE $1`,
      [pathPrefix + '%'],
    );
    return row.n;
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
      active: boolean;
    }[]
  > {
    if (!keys.length) return [];
    return this.db.query(
      `SELECT t.id, t.unit_id AS "unitId", t.unit_path AS "unitPath", t.school_type AS "schoolType", t.version, t.review_state AS "reviewState",
              t.record, t.active, t.id_type AS "idType", t.id_number AS "idNumber"
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
    const [{ n }] = await this.db.query(
      `SELECT count(*)::int AS n FROM bulk_job_person p
        WHERE p.job_id = $1 AND CASE WHEN p.action = 'update'
          THEN NOT EXISTS (SELECT 1 FROM teacher t WHERE t.id = p.teacher_id AND t.version = p.base_version AND t.review_state IN ('draft','returned','submitted'))
          WHEN p.action = 're-register'
          THEN NOT EXISTS (SELECT 1 FROM teacher t WHERE t.id = p.teacher_id AND t.version = p.base_version AND NOT t.active)
          ELSE EXISTS (SELECT 1 FROM teacher t WHERE t.id_type = p.id_type AND t.id_number = p.id_number) END`,
      [jobId],
    );
    return n;
  }

  /** The job's new records, submitted, with the ids assigned when they were staged (no join back). */
  async insertFromImport(jobId: string): Promise<number> {
    const [{ n }] = await this.db.query(
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
    const [{ n }] = await this.db.query(
      `SELECT count(*)::int AS n FROM bulk_job_person WHERE job_id = $1 AND action IN ('update','re-register')`,
      [jobId],
    );
    if (!n) return { expected: 0, updated: 0 };
    const res = await this.db.query(
      `UPDATE teacher t SET unit_id = (c->>'unitId')::uuid, unit_path = c->>'unitPath', id_type = c->>'idType', id_number = c->>'idNumber', name = c->>'name',
              sex = c->>'sex', birth_date = (c->>'birthDate')::date, person_status = c->>'personStatus', status_since = (c->>'statusSince')::date,
              active = (c->>'active')::boolean, school_type = c->>'schoolType', staff_category = c->>'staffCategory',
              on_establishment = (c->>'onEstablishment')::boolean, highest_education = c->>'highestEducation', title = c->>'title',
              subjects = ARRAY(SELECT jsonb_array_elements_text(c->'subjects')), qualification_types = ARRAY(SELECT jsonb_array_elements_text(c->'qualificationTypes')),
              record = p.record, custom = p.custom, catalogue_version = p.catalogue_version, version = t.version + 1, updated_at = now(), review_state = 'submitted'
         FROM bulk_job_person p CROSS JOIN LATERAL (SELECT p.columns AS c) cc
        WHERE p.job_id = $1 AND t.id = p.teacher_id AND t.version = p.base_version
          AND ((p.action = 'update' AND t.review_state IN ('draft','returned','submitted'))
            -- a person who left and comes back: their record (whatever its review state) takes the registration
            OR (p.action = 're-register' AND NOT t.active))
       RETURNING t.id`,
      [jobId],
    );
    return { expected: n, updated: returned(res).length };
  }

  /** A history row per record of the job (`create` / `update` with the leaf changes). */
  async addChangesFromImport(jobId: string, actor: { accountId: string; role: string }): Promise<void> {
    await this.db.query(
      `INSERT INTO teacher_change (teacher_id, actor_account_id, actor_role, action, changes)
       SELECT teacher_id, $2, $3, action, changes FROM bulk_job_person WHERE job_id = $1`,
      [jobId, actor.accountId, actor.role],
    );
  }
}
