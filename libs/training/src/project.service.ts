import { Injectable } from '@nestjs/common';
import { AccessPolicy, inScope, Role, type Actor } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { commonError, CommonErrorCode, maskIdNumber, type FieldError } from '@tmis/common';
import { isUniqueViolation, TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { OrgRepository, UnitKind, type OrgUnitEntity } from '@tmis/org';
import { TeacherRepository, TeacherService, type TeacherRow } from '@tmis/teachers';
import { randomUUID } from 'node:crypto';
import { CreditGranting } from './credit-granting.js';
import { NationalProjects } from './national-projects.js';
import type { CreateProjectDto, ResultDto } from './dto/training.dto.js';
import { trainingError, TrainingErrorCode } from './training.errors.js';
import { TrainingRepository, type EnrolmentRow, type ProjectLevel, type ProjectRow } from './training.repository.js';

/** The project level a unit owns, by the unit's level (1 ministry … 5 school). */
const LEVEL_OF_UNIT: Record<number, ProjectLevel> = {
  1: 'national',
  2: 'province',
  3: 'city',
  4: 'county',
  5: 'school',
};

const parentPath = (path: string): string => path.replace(/[^/]+\/$/, '');

export interface ProjectResponse extends Omit<ProjectRow, 'ownerPath'> {
  maySubmitResults: boolean;
  mayConfirm: boolean;
  mayApprove: boolean;
  mayEnrol: boolean;
}

export interface EnrolmentResponse extends Omit<EnrolmentRow, 'idNumber' | 'unitPath'> {
  idNumber: string | null;
}

/**
 * Training projects per level (Art. 25): plans entered by each level's department, school-based plans
 * approved by the school's supervising department, institutions registered by departments and scoped
 * to the projects they run, enrolment, results and the confirmation that turns them into credits.
 */
@Injectable()
export class ProjectService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly repo: TrainingRepository,
    private readonly org: OrgRepository,
    private readonly teachers: TeacherRepository,
    private readonly teacherService: TeacherService,
    private readonly granting: CreditGranting,
    private readonly audit: AuditService,
    private readonly national: NationalProjects,
  ) {}

  // ---- institutions ----

  /** A department registers a training institution: an org unit of kind institution below it (ADR 0015). */
  registerInstitution(actor: Actor, dto: { code: string; name: string }): Promise<OrgUnitEntity> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin, Role.SysAdmin]);
    if (actor.unitLevel > 4)
      throw trainingError(TrainingErrorCode.LevelNotAllowed, 'Only departments register institutions');
    return this.txHost.withTransaction(async () => {
      let unit: OrgUnitEntity;
      try {
        unit = await this.org.insert({
          kind: UnitKind.Institution,
          level: 7,
          code: dto.code,
          name: dto.name.trim(),
          parentId: actor.unitId,
          path: `${actor.unitPath}${dto.code}/`,
        });
      } catch (e) {
        if (isUniqueViolation(e)) throw commonError(CommonErrorCode.Conflict, `Code ${dto.code} is taken`);
        throw e;
      }
      await this.audit.record(actor, {
        action: 'training.institution.register',
        targetType: 'unit',
        targetId: unit.id,
        unitPath: unit.path,
        details: { code: unit.code },
      });
      return unit;
    });
  }

  async institutions(actor: Actor): Promise<OrgUnitEntity[]> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin, Role.SysAdmin, Role.Query]);
    return this.org.subtree({ pathPrefix: actor.unitPath, kind: UnitKind.Institution, limit: 1000 });
  }

  // ---- projects ----

  createProject(actor: Actor, dto: CreateProjectDto): Promise<ProjectResponse> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    const own = LEVEL_OF_UNIT[actor.unitLevel];
    const nationalByProvince = dto.level === 'national' && actor.unitLevel === 2;
    if (!own || (dto.level !== own && !nationalByProvince))
      throw trainingError(TrainingErrorCode.LevelNotAllowed, `Your unit enters ${own ?? 'no'} projects`);
    if (nationalByProvince && !dto.nationalCode)
      throw this.invalid('nationalCode', 'a national project entered by a province carries the national code');
    if (dto.endsOn < dto.startsOn) throw this.invalid('endsOn', 'the period ends before it starts');
    const school = dto.level === 'school';
    if (school !== (dto.category === 'school_based'))
      throw this.invalid('category', 'school-based plans, and only they, are entered by a school');
    // The ministry's national projects are published to every province (issue 14).
    const ministry = dto.level === 'national' && actor.unitLevel === 1;
    return this.txHost.withTransaction(async () => {
      const institutions = await this.checkInstitutions(actor, dto.institutionIds);
      const id = await this.repo.insertProject({
        ownerUnitId: actor.unitId,
        ownerPath: actor.unitPath,
        level: dto.level,
        // The ministry's own national project gets a code when it brings none: the provinces' copies key on it.
        nationalCode: dto.nationalCode ?? (ministry ? randomUUID() : null),
        name: dto.name.trim(),
        category: dto.category,
        creditKind: school ? 'school_based' : (dto.creditKind ?? 'training'),
        organiser: dto.organiser.trim(),
        hours: dto.hours,
        startsOn: dto.startsOn,
        endsOn: dto.endsOn,
        capacity: dto.capacity,
        target: dto.target ?? {},
        selfEnrol: dto.selfEnrol ?? false,
        // A school's plan waits for its supervising department (Art. 25).
        state: school ? 'pending' : 'approved',
        institutionIds: institutions.map((i) => i.id),
        createdBy: actor.accountId,
      });
      await this.audit.record(actor, {
        action: 'training.project.create',
        targetType: 'training_project',
        targetId: id,
        unitPath: actor.unitPath,
        details: { level: dto.level },
      });
      const row = (await this.repo.findProject(id))!;
      if (ministry) await this.national.publish(row);
      return this.respond(actor, row);
    });
  }

  /**
   * The ministry publishes its national project again to every province (after a province registered the
   * institution, or for a province that missed it): each province updates its one copy.
   */
  republish(actor: Actor, id: string): Promise<{ nationalCode: string; provinces: number }> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    return this.txHost.withTransaction(async () => {
      const p = await this.repo.findProject(id);
      if (!p || !inScope(actor, p.ownerPath)) throw trainingError(TrainingErrorCode.ProjectNotFound);
      if (p.level !== 'national' || actor.unitLevel !== 1 || p.ownerUnitId !== actor.unitId)
        throw commonError(CommonErrorCode.Forbidden, 'National projects are published by the ministry that owns them');
      const provinces = await this.national.publish(p);
      await this.audit.record(actor, {
        action: 'training.project.publish',
        targetType: 'training_project',
        targetId: p.id,
        unitPath: p.ownerPath,
        details: { provinces },
      });
      return { nationalCode: p.nationalCode ?? p.id, provinces };
    });
  }

  /** Institutions named by a project: registered institutions the owner may see (its subtree or above it). */
  private async checkInstitutions(actor: Actor, ids: string[]): Promise<OrgUnitEntity[]> {
    const out: OrgUnitEntity[] = [];
    for (const [i, id] of ids.entries()) {
      const u = await this.org.findById(id);
      const visible = u && (inScope(actor, u.path) || actor.unitPath.startsWith(parentPath(u.path)));
      if (!u || u.kind !== UnitKind.Institution || !visible)
        throw trainingError(TrainingErrorCode.InstitutionNotFound, undefined, undefined, [
          {
            path: `institutionIds[${i}]`,
            code: 'isInstitution',
            message: 'not a registered training institution',
            messageZh: '不是已登记的培训机构',
          },
        ]);
      out.push(u);
    }
    return out;
  }

  async getProject(actor: Actor, id: string): Promise<ProjectResponse> {
    return this.respond(actor, await this.readable(actor, id));
  }

  /**
   * Projects the caller deals with: an institution's own projects; a department's or school's projects
   * owned in its subtree and those of the units above it (which its teachers may attend).
   */
  async listProjects(actor: Actor, q: { level?: string; state?: string }): Promise<ProjectResponse[]> {
    if (actor.unitLevel === 7) {
      const rows = await this.repo.listProjects({ institutionId: actor.unitId, ...q, limit: 500 });
      return rows.map((r) => this.respond(actor, r));
    }
    const rows = await this.repo.listProjects({ ...q, limit: 1000 });
    return rows
      .filter((r) => inScope(actor, r.ownerPath) || actor.unitPath.startsWith(r.ownerPath))
      .slice(0, 500)
      .map((r) => this.respond(actor, r));
  }

  /** The supervising department approves or refuses a school-based plan (refusal with a reason). */
  decideProject(
    actor: Actor,
    id: string,
    approve: boolean,
    version: number,
    reason?: string,
  ): Promise<ProjectResponse> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    return this.txHost.withTransaction(async () => {
      const p = await this.repo.findProject(id, true);
      if (!p || !inScope(actor, p.ownerPath)) throw trainingError(TrainingErrorCode.ProjectNotFound);
      if (p.level !== 'school' || parentPath(p.ownerPath) !== actor.unitPath)
        throw commonError(CommonErrorCode.Forbidden, "Only the school's supervising department decides its plan");
      if (p.state !== 'pending') throw trainingError(TrainingErrorCode.ProjectDecided);
      if (!approve && !reason?.trim()) throw trainingError(TrainingErrorCode.ReasonRequired);
      if (
        !(await this.repo.decideProject(id, version, approve ? 'approved' : 'refused', approve ? null : reason!.trim()))
      )
        throw commonError(CommonErrorCode.StaleVersion, undefined, { currentVersion: p.version });
      await this.audit.record(actor, {
        action: approve ? 'training.project.approve' : 'training.project.refuse',
        targetType: 'training_project',
        targetId: id,
        unitPath: p.ownerPath,
      });
      return this.respond(actor, (await this.repo.findProject(id))!);
    });
  }

  // ---- enrolment ----

  /** Enrols teachers (a department or school, for teachers in its scope) or oneself (where the project allows). */
  enrol(actor: Actor, id: string, teacherIds?: string[]): Promise<{ enrolled: number; alreadyEnrolled: number }> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin, Role.Teacher]);
    return this.txHost.withTransaction(async () => {
      const p = await this.repo.findProject(id, true);
      if (!p || !(inScope(actor, p.ownerPath) || actor.unitPath.startsWith(p.ownerPath)))
        throw trainingError(TrainingErrorCode.ProjectNotFound);
      if (p.state !== 'approved') throw trainingError(TrainingErrorCode.ProjectNotApproved);
      let teachers: TeacherRow[];
      if (actor.role === Role.Teacher) {
        if (!p.selfEnrol) throw trainingError(TrainingErrorCode.SelfEnrolClosed);
        teachers = [await this.teacherService.mine(actor)];
      } else {
        if (!teacherIds?.length) throw this.invalid('teacherIds', 'teachers to enrol');
        const found = await this.teachers.findManyById(teacherIds);
        const byId = new Map(found.map((t) => [t.id, t]));
        teachers = teacherIds.map((tid) => byId.get(tid)).filter((t): t is TeacherRow => !!t);
        const bad = teacherIds.flatMap((tid, i) => {
          const t = byId.get(tid);
          return t && t.active && inScope(actor, t.unitPath) ? [] : [i];
        });
        if (bad.length)
          throw trainingError(
            TrainingErrorCode.TeacherNotFound,
            undefined,
            undefined,
            bad.map((i) => ({
              path: `teacherIds[${i}]`,
              code: 'inScope',
              message: 'no active teacher in your scope',
              messageZh: '本单位范围内无此在职教师',
            })),
          );
      }
      const errors = teachers.flatMap((t, i) => this.targetProblems(p, t, i));
      if (errors.length)
        throw commonError(CommonErrorCode.ValidationFailed, 'Not in the target group', undefined, errors);
      if (p.enrolled + teachers.length > p.capacity) {
        // Re-enrolments do not take a place: count only the new ones.
        const already = (
          await this.repo.enrolmentsOf(
            p.id,
            teachers.map((t) => t.id),
          )
        ).length;
        if (p.enrolled + teachers.length - already > p.capacity) throw trainingError(TrainingErrorCode.ProjectFull);
      }
      const enrolled = await this.repo.enrol(
        p.id,
        teachers.map((t) => t.id),
        actor.accountId,
      );
      if (actor.role === Role.Teacher && !enrolled.length) throw trainingError(TrainingErrorCode.AlreadyEnrolled);
      await this.audit.record(actor, {
        action: 'training.enrol',
        targetType: 'training_project',
        targetId: p.id,
        unitPath: actor.unitPath,
        details: { enrolled: enrolled.length },
      });
      return { enrolled: enrolled.length, alreadyEnrolled: teachers.length - enrolled.length };
    });
  }

  private targetProblems(p: ProjectRow, t: TeacherRow, i: number): FieldError[] {
    const out: FieldError[] = [];
    const path = `teacherIds[${i}]`;
    if (!t.unitPath.startsWith(p.ownerPath))
      out.push({
        path,
        code: 'inProjectArea',
        message: "outside the project owner's area",
        messageZh: '不在项目所属地区范围内',
      });
    const g = p.target;
    if (g.schoolTypes?.length && !g.schoolTypes.includes(t.schoolType ?? ''))
      out.push({
        path,
        code: 'targetSchoolType',
        message: 'school type not targeted',
        messageZh: '学校类型不在培训对象范围内',
      });
    if (g.subjects?.length && !t.subjects.some((s) => g.subjects!.includes(s)))
      out.push({
        path,
        code: 'targetSubject',
        message: 'subject not targeted',
        messageZh: '任教学科不在培训对象范围内',
      });
    if (g.titles?.length && !g.titles.includes(t.title ?? ''))
      out.push({ path, code: 'targetTitle', message: 'title not targeted', messageZh: '职称不在培训对象范围内' });
    return out;
  }

  /** Enrolments and results: the institutions running it see all, others their subtree (masked for query users). */
  async enrolments(actor: Actor, id: string): Promise<EnrolmentResponse[]> {
    const p = await this.readable(actor, id);
    const runs = p.institutions.some((i) => i.id === actor.unitId);
    const rows = await this.repo.enrolments(p.id, runs ? undefined : actor.unitPath);
    const mask = actor.role === Role.Query;
    return rows.map(({ unitPath: _u, idNumber, ...r }) => ({
      ...r,
      idNumber: mask ? maskIdNumber(idNumber) : idNumber,
    }));
  }

  // ---- results ----

  /**
   * The institution submits results per trainee: all or nothing, every bad row reported at its path;
   * a confirmed result never changes.
   */
  submitResults(actor: Actor, id: string, results: ResultDto[]): Promise<{ written: number }> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    return this.txHost.withTransaction(async () => {
      const p = await this.repo.findProject(id);
      if (!p) throw trainingError(TrainingErrorCode.ProjectNotFound);
      if (!p.institutions.some((i) => i.id === actor.unitId))
        throw trainingError(TrainingErrorCode.NotProjectInstitution);
      const errors = await this.resultProblems(p, results, (i, field) => `results[${i}].${field}`);
      if (errors.length) {
        const confirmed = errors.some((e) => e.code === 'notConfirmed');
        throw confirmed
          ? trainingError(TrainingErrorCode.ResultConfirmed, undefined, undefined, errors)
          : commonError(CommonErrorCode.ValidationFailed, 'Some results are not valid', undefined, errors);
      }
      const written = await this.repo.writeResults(
        p.id,
        actor.unitId,
        results.map((r) => ({
          teacherId: r.teacherId,
          completedHours: r.completedHours,
          passed: r.passed,
          certificateNo: r.certificateNo ?? null,
        })),
      );
      await this.audit.record(actor, {
        action: 'training.results',
        targetType: 'training_project',
        targetId: p.id,
        unitPath: actor.unitPath,
        details: { written },
      });
      return { written };
    });
  }

  /** The problems of a batch of results against the project and its enrolments (shared with the xlsx import). */
  async resultProblems(
    p: ProjectRow,
    results: { teacherId: string; completedHours: number; passed: boolean; certificateNo?: string | null }[],
    at: (index: number, field: string) => string,
  ): Promise<FieldError[]> {
    const enrolled = new Map(
      (await this.repo.enrolmentsOf(p.id, [...new Set(results.map((r) => r.teacherId))])).map((e) => [e.teacherId, e]),
    );
    const seen = new Set<string>();
    const errors: FieldError[] = [];
    for (const [i, r] of results.entries()) {
      const e = enrolled.get(r.teacherId);
      if (!e)
        errors.push({
          path: at(i, 'teacherId'),
          code: 'isEnrolled',
          message: 'not enrolled in this project',
          messageZh: '未报名此项目',
        });
      else if (e.confirmedAt)
        errors.push({
          path: at(i, 'teacherId'),
          code: 'notConfirmed',
          message: 'result already confirmed',
          messageZh: '结果已确认，不可修改',
        });
      if (seen.has(r.teacherId))
        errors.push({
          path: at(i, 'teacherId'),
          code: 'unique',
          message: 'the same trainee twice',
          messageZh: '学员重复',
        });
      seen.add(r.teacherId);
      if (r.completedHours > p.hours)
        errors.push({
          path: at(i, 'completedHours'),
          code: 'max',
          message: `more than the project's ${p.hours} hours`,
          messageZh: `超过项目学时 ${p.hours}`,
        });
      if (r.passed && !r.certificateNo)
        errors.push({
          path: at(i, 'certificateNo'),
          code: 'isDefined',
          message: 'a passed trainee needs a certificate number',
          messageZh: '合格学员须填写证书编号',
        });
    }
    return errors;
  }

  async projectForResults(actor: Actor, id: string): Promise<ProjectRow> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    const p = await this.repo.findProject(id);
    if (!p) throw trainingError(TrainingErrorCode.ProjectNotFound);
    if (!p.institutions.some((i) => i.id === actor.unitId))
      throw trainingError(TrainingErrorCode.NotProjectInstitution);
    return p;
  }

  // ---- confirmation ----

  /**
   * Confirms the submitted results in the caller's scope and credits the passed trainees: the owning
   * department for its projects (the supervising department for a school's plan); for a national
   * project, each province for its own teachers under its own rules. One transaction; set-based.
   */
  confirm(actor: Actor, id: string): Promise<{ confirmed: number; credited: number; credits: number }> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    return this.txHost.withTransaction(async () => {
      const p = await this.repo.findProject(id, true);
      if (!p) throw trainingError(TrainingErrorCode.ProjectNotFound);
      this.requireConfirmer(actor, p);
      let confirmed = 0;
      let credited = 0;
      let credits = 0;
      for (;;) {
        const batch = await this.repo.unconfirmedResults(p.id, actor.unitPath, 10_000);
        if (!batch.length) break;
        const passed = batch.filter((b) => b.passed && b.completedHours > 0);
        const g = await this.granting.grant(
          passed.map((b) => ({
            teacherId: b.teacherId,
            unitPath: b.unitPath,
            kind: p.creditKind,
            hours: b.completedHours,
            source: 'project' as const,
            sourceId: b.id,
            sourceName: p.name,
          })),
          actor.unitId,
        );
        await this.repo.markConfirmed(batch.map((b) => b.id));
        confirmed += batch.length;
        credited += g.credited;
        credits += g.credits;
        if (batch.length < 10_000) break;
      }
      await this.audit.record(actor, {
        action: 'training.confirm',
        targetType: 'training_project',
        targetId: p.id,
        unitPath: actor.unitPath,
        details: { confirmed, credited },
      });
      return { confirmed, credited, credits: Math.round(credits * 100) / 100 };
    });
  }

  private mayConfirm(actor: Actor, p: ProjectRow): boolean {
    if (actor.role !== Role.InfoAdmin || p.state !== 'approved') return false;
    if (p.level === 'national') return actor.unitLevel <= 2;
    if (p.level === 'school') return parentPath(p.ownerPath) === actor.unitPath;
    return p.ownerUnitId === actor.unitId;
  }

  private requireConfirmer(actor: Actor, p: ProjectRow): void {
    if (p.state !== 'approved') throw trainingError(TrainingErrorCode.ProjectNotApproved);
    if (!this.mayConfirm(actor, p)) throw trainingError(TrainingErrorCode.NotConfirmer);
  }

  // ---- helpers ----

  private async readable(actor: Actor, id: string): Promise<ProjectRow> {
    const p = await this.repo.findProject(id);
    const ok =
      p &&
      (p.institutions.some((i) => i.id === actor.unitId) ||
        inScope(actor, p.ownerPath) ||
        (actor.unitLevel !== 7 && actor.unitPath.startsWith(p.ownerPath)));
    if (!ok) throw trainingError(TrainingErrorCode.ProjectNotFound);
    return p;
  }

  private respond(actor: Actor, p: ProjectRow): ProjectResponse {
    const { ownerPath, ...rest } = p;
    void ownerPath; // internal: never in a response
    const approved = p.state === 'approved';
    return {
      ...rest,
      maySubmitResults: approved && actor.role === Role.InfoAdmin && p.institutions.some((i) => i.id === actor.unitId),
      mayConfirm: this.mayConfirm(actor, p),
      mayApprove: p.state === 'pending' && actor.role === Role.InfoAdmin && parentPath(p.ownerPath) === actor.unitPath,
      mayEnrol:
        approved &&
        ((actor.role === Role.InfoAdmin && actor.unitLevel <= 5) || (actor.role === Role.Teacher && p.selfEnrol)),
    };
  }

  private invalid(path: string, message: string) {
    return commonError(CommonErrorCode.ValidationFailed, message, undefined, [
      { path, code: 'invalid', message, messageZh: `${path}：不合法` },
    ]);
  }
}
