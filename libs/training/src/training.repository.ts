import { Injectable } from '@nestjs/common';
import { returned, TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import type { EntityManager } from 'typeorm';

export type ProjectLevel = 'national' | 'province' | 'city' | 'county' | 'school';
export type ProjectState = 'pending' | 'approved' | 'refused';

export interface ProjectTarget {
  schoolTypes?: string[];
  subjects?: string[];
  titles?: string[];
}

export interface ProjectRow {
  id: string;
  ownerUnitId: string;
  ownerPath: string;
  level: ProjectLevel;
  nationalCode: string | null;
  name: string;
  category: string;
  creditKind: string;
  organiser: string;
  hours: number;
  startsOn: string;
  endsOn: string;
  capacity: number;
  target: ProjectTarget;
  selfEnrol: boolean;
  state: ProjectState;
  refusalReason: string | null;
  version: number;
  institutions: { id: string; code: string; name: string }[];
  enrolled: number;
}

export type NewProject = Omit<ProjectRow, 'id' | 'version' | 'institutions' | 'enrolled' | 'refusalReason'> & {
  institutionIds: string[];
  createdBy: string | null;
};

export interface EnrolmentRow {
  id: string;
  projectId: string;
  teacherId: string;
  teacherName: string;
  idNumber: string;
  unitPath: string;
  completedHours: number | null;
  passed: boolean | null;
  certificateNo: string | null;
  resultAt: Date | null;
  confirmedAt: Date | null;
}

export interface ResultInput {
  teacherId: string;
  completedHours: number;
  passed: boolean;
  certificateNo: string | null;
}

const PROJECT_COLUMNS = `p.id, p.owner_unit_id AS "ownerUnitId", p.owner_path AS "ownerPath", p.level,
  p.national_code AS "nationalCode", p.name, p.category, p.credit_kind AS "creditKind", p.organiser,
  p.hours::float8 AS hours, to_char(p.starts_on, 'YYYY-MM-DD') AS "startsOn", to_char(p.ends_on, 'YYYY-MM-DD') AS "endsOn",
  p.capacity, p.target, p.self_enrol AS "selfEnrol", p.state, p.refusal_reason AS "refusalReason", p.version,
  COALESCE((SELECT json_agg(json_build_object('id', u.id, 'code', u.code, 'name', u.name) ORDER BY u.code)
     FROM training_project_institution pi JOIN org_unit u ON u.id = pi.institution_unit_id
    WHERE pi.project_id = p.id), '[]'::json) AS institutions,
  (SELECT count(*)::int FROM training_enrolment e WHERE e.project_id = p.id) AS enrolled`;

const ENROLMENT_COLUMNS = `e.id, e.project_id AS "projectId", e.teacher_id AS "teacherId", t.name AS "teacherName",
  t.id_number AS "idNumber", t.unit_path AS "unitPath", e.completed_hours::float8 AS "completedHours", e.passed,
  e.certificate_no AS "certificateNo", e.result_at AS "resultAt", e.confirmed_at AS "confirmedAt"`;

/** Training projects, the institutions that run them, enrolments and results. */
/** A result's columns as a sub-set 13 entry needs them (`trainingEntry`); `e` the enrolment, `p` its project. */
const RESULT_ENTRY_COLUMNS = `e.id, p.name, to_char(p.starts_on, 'YYYY-MM-DD') AS "startsOn", to_char(p.ends_on, 'YYYY-MM-DD') AS "endsOn",
  e.completed_hours::float8 AS hours, p.organiser, p.level, p.credit_kind AS kind`;

/** A passed, confirmed training result: the source of a sub-set 13 entry (`trainingEntry`). */
export interface ConfirmedTrainingRow {
  id: string;
  name: string;
  startsOn: string;
  endsOn: string;
  hours: number;
  organiser: string;
  level: string;
  kind: string;
}

@Injectable()
export class TrainingRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get db(): EntityManager {
    return this.txHost.tx;
  }

  async insertProject(p: NewProject): Promise<string> {
    const [row] = await this.db.query(
      `INSERT INTO training_project (owner_unit_id, owner_path, level, national_code, name, category, credit_kind,
         organiser, hours, starts_on, ends_on, capacity, target, self_enrol, state, created_by)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16) RETURNING id`,
      [
        p.ownerUnitId,
        p.ownerPath,
        p.level,
        p.nationalCode,
        p.name,
        p.category,
        p.creditKind,
        p.organiser,
        p.hours,
        p.startsOn,
        p.endsOn,
        p.capacity,
        JSON.stringify(p.target),
        p.selfEnrol,
        p.state,
        p.createdBy,
      ],
    );
    if (p.institutionIds.length)
      await this.db.query(
        `INSERT INTO training_project_institution (project_id, institution_unit_id) SELECT $1, unnest($2::uuid[])`,
        [row.id, p.institutionIds],
      );
    return row.id;
  }

  /**
   * A province's copy of a national project (issue 14): the national project with this code owned by the
   * province unit, locked; the copy is looked up under an advisory lock on the code so two deliveries never
   * insert it twice.
   */
  async findNationalCopy(ownerUnitId: string, nationalCode: string): Promise<ProjectRow | null> {
    await this.db.query(`SELECT pg_advisory_xact_lock(hashtext('training.national:' || $1::text))`, [nationalCode]);
    const rows = await this.db.query(
      `SELECT id FROM training_project WHERE owner_unit_id = $1 AND level = 'national' AND national_code = $2
        ORDER BY created_at LIMIT 1 FOR UPDATE`,
      [ownerUnitId, nationalCode],
    );
    return rows[0] ? this.findProject(rows[0].id) : null;
  }

  /** Rewrites a national copy's description from the ministry's latest publication (enrolments stay). */
  async updateNationalCopy(
    id: string,
    p: Pick<
      ProjectRow,
      | 'name'
      | 'category'
      | 'creditKind'
      | 'organiser'
      | 'hours'
      | 'startsOn'
      | 'endsOn'
      | 'capacity'
      | 'target'
      | 'selfEnrol'
    >,
  ): Promise<void> {
    await this.db.query(
      `UPDATE training_project SET name = $2, category = $3, credit_kind = $4, organiser = $5, hours = $6,
         starts_on = $7, ends_on = $8, capacity = $9, target = $10, self_enrol = $11, version = version + 1
       WHERE id = $1`,
      [
        id,
        p.name,
        p.category,
        p.creditKind,
        p.organiser,
        p.hours,
        p.startsOn,
        p.endsOn,
        p.capacity,
        JSON.stringify(p.target),
        p.selfEnrol,
      ],
    );
  }

  /** Links institutions to a project (those already linked stay). */
  async linkInstitutions(projectId: string, institutionIds: string[]): Promise<void> {
    if (!institutionIds.length) return;
    await this.db.query(
      `INSERT INTO training_project_institution (project_id, institution_unit_id) SELECT $1, unnest($2::uuid[])
       ON CONFLICT DO NOTHING`,
      [projectId, institutionIds],
    );
  }

  /** Registered institutions in a subtree with one of these codes. */
  async institutionsByCode(pathPrefix: string, codes: string[]): Promise<string[]> {
    if (!codes.length) return [];
    const rows = await this.db.query(
      `SELECT id FROM org_unit WHERE kind = 'institution' AND path LIKE $1 || '%' AND code = ANY($2::text[])`,
      [pathPrefix, codes],
    );
    return rows.map((r: { id: string }) => r.id);
  }

  async findProject(id: string, lock = false): Promise<ProjectRow | null> {
    if (lock) await this.db.query(`SELECT 1 FROM training_project WHERE id = $1 FOR UPDATE`, [id]);
    const rows = await this.db.query(`SELECT ${PROJECT_COLUMNS} FROM training_project p WHERE p.id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Projects owned in a subtree, or run by one institution; newest first. */
  async listProjects(f: {
    ownerPrefix?: string;
    institutionId?: string;
    level?: string;
    state?: string;
    limit: number;
  }): Promise<ProjectRow[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (f.ownerPrefix !== undefined) {
      params.push(f.ownerPrefix + '%');
      where.push(`p.owner_path LIKE $${params.length}`);
    }
    if (f.institutionId) {
      params.push(f.institutionId);
      where.push(
        `EXISTS (SELECT 1 FROM training_project_institution pi WHERE pi.project_id = p.id AND pi.institution_unit_id = $${params.length})`,
      );
    }
    if (f.level) {
      params.push(f.level);
      where.push(`p.level = $${params.length}`);
    }
    if (f.state) {
      params.push(f.state);
      where.push(`p.state = $${params.length}`);
    }
    params.push(f.limit);
    return this.db.query(
      `SELECT ${PROJECT_COLUMNS} FROM training_project p ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
        ORDER BY p.created_at DESC, p.id LIMIT $${params.length}`,
      params,
    );
  }

  async decideProject(id: string, version: number, state: ProjectState, reason: string | null): Promise<boolean> {
    const rows = returned(
      await this.db.query(
        `UPDATE training_project SET state = $3, refusal_reason = $4, version = version + 1
        WHERE id = $1 AND version = $2 AND state = 'pending' RETURNING id`,
        [id, version, state, reason],
      ),
    );
    return rows.length === 1;
  }

  /** Enrols teachers not enrolled yet; returns the ids of the teachers enrolled now. */
  async enrol(projectId: string, teacherIds: string[], by: string): Promise<string[]> {
    const rows: { teacherId: string }[] = await this.db.query(
      `INSERT INTO training_enrolment (project_id, teacher_id, enrolled_by)
       SELECT $1, t, $3 FROM unnest($2::uuid[]) AS t
       ON CONFLICT (project_id, teacher_id) DO NOTHING RETURNING teacher_id AS "teacherId"`,
      [projectId, teacherIds, by],
    );
    return rows.map((r) => r.teacherId);
  }

  async enrolments(projectId: string, pathPrefix?: string): Promise<EnrolmentRow[]> {
    const params: unknown[] = [projectId];
    let where = 'e.project_id = $1';
    if (pathPrefix) {
      params.push(pathPrefix + '%');
      where += ` AND t.unit_path LIKE $2`;
    }
    return this.db.query(
      `SELECT ${ENROLMENT_COLUMNS} FROM training_enrolment e JOIN teacher t ON t.id = e.teacher_id
        WHERE ${where} ORDER BY t.unit_path, t.name, e.id`,
      params,
    );
  }

  /** Enrolments of a project by teacher id (for a result batch), locked. */
  async enrolmentsOf(projectId: string, teacherIds: string[]): Promise<EnrolmentRow[]> {
    return this.db.query(
      `SELECT ${ENROLMENT_COLUMNS} FROM training_enrolment e JOIN teacher t ON t.id = e.teacher_id
        WHERE e.project_id = $1 AND e.teacher_id = ANY($2::uuid[]) FOR UPDATE OF e`,
      [projectId, teacherIds],
    );
  }

  /** Teacher ids by ID number among a project's enrolments (for an xlsx import). */
  async enrolledByIdNumber(projectId: string, idNumbers: string[]): Promise<Map<string, string>> {
    const rows: { idNumber: string; teacherId: string }[] = await this.db.query(
      `SELECT t.id_number AS "idNumber", t.id AS "teacherId" FROM training_enrolment e JOIN teacher t ON t.id = e.teacher_id
        WHERE e.project_id = $1 AND t.id_number = ANY($2::text[])`,
      [projectId, idNumbers],
    );
    return new Map(rows.map((r) => [r.idNumber, r.teacherId]));
  }

  /** Writes results of unconfirmed enrolments, set-based; returns how many rows changed. */
  async writeResults(projectId: string, unitId: string, results: ResultInput[]): Promise<number> {
    if (!results.length) return 0;
    const rows = returned(
      await this.db.query(
        `UPDATE training_enrolment e SET completed_hours = r.hours, passed = r.passed, certificate_no = r.cert,
              result_by_unit_id = $2, result_at = now()
         FROM unnest($3::uuid[], $4::numeric[], $5::boolean[], $6::text[]) AS r(teacher_id, hours, passed, cert)
        WHERE e.project_id = $1 AND e.teacher_id = r.teacher_id AND e.confirmed_at IS NULL
        RETURNING e.id`,
        [
          projectId,
          unitId,
          results.map((r) => r.teacherId),
          results.map((r) => r.completedHours),
          results.map((r) => r.passed),
          results.map((r) => r.certificateNo),
        ],
      ),
    );
    return rows.length;
  }

  /**
   * Results awaiting confirmation in a project whose teachers are under `pathPrefix`, locked; at most
   * `limit`, in id order after `afterId`.
   */
  async unconfirmedResults(
    projectId: string,
    pathPrefix: string,
    limit: number,
  ): Promise<{ id: string; teacherId: string; unitPath: string; completedHours: number; passed: boolean }[]> {
    return this.db.query(
      `SELECT e.id, e.teacher_id AS "teacherId", t.unit_path AS "unitPath", e.completed_hours::float8 AS "completedHours", e.passed
         FROM training_enrolment e JOIN teacher t ON t.id = e.teacher_id
        WHERE e.project_id = $1 AND t.unit_path LIKE $2 AND e.result_at IS NOT NULL AND e.confirmed_at IS NULL
        ORDER BY e.id LIMIT $3 FOR UPDATE OF e SKIP LOCKED`,
      [projectId, pathPrefix + '%', limit],
    );
  }

  async markConfirmed(ids: string[]): Promise<void> {
    await this.db.query(`UPDATE training_enrolment SET confirmed_at = now() WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /** Confirmed project training of these teachers, as sub-set 13 (domestic training) entries need it, per teacher. */
  async confirmedTraining(teacherIds: string[]): Promise<Map<string, ConfirmedTrainingRow[]>> {
    const rows: (ConfirmedTrainingRow & { teacherId: string })[] = await this.db.query(
      `SELECT e.teacher_id::text AS "teacherId", ${RESULT_ENTRY_COLUMNS}
         FROM training_enrolment e JOIN training_project p ON p.id = e.project_id
        WHERE e.teacher_id = ANY($1::uuid[]) AND e.confirmed_at IS NOT NULL AND e.passed
        ORDER BY e.teacher_id, p.starts_on, e.id`,
      [teacherIds],
    );
    const out = new Map<string, ConfirmedTrainingRow[]>();
    for (const { teacherId, ...r } of rows) (out.get(teacherId) ?? out.set(teacherId, []).get(teacherId)!).push(r);
    return out;
  }

  /** These results (enrolment ids: a project credit's source), as `confirmedTraining` gives them. */
  async resultsById(ids: string[]): Promise<ConfirmedTrainingRow[]> {
    return this.db.query(
      `SELECT ${RESULT_ENTRY_COLUMNS} FROM training_enrolment e JOIN training_project p ON p.id = e.project_id
        WHERE e.id = ANY($1::uuid[])`,
      [ids],
    );
  }
}
