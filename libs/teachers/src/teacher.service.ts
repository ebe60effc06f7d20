import { randomUUID } from 'node:crypto';
import { Injectable, Optional } from '@nestjs/common';
import { CatalogueVersionsService } from '@tmis/catalogue';
import { ConfirmedTraining, withConfirmedTraining } from './confirmed-training.js';
import { AccessPolicy, inScope, Role, type Actor } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { commonError, CommonErrorCode, decodeCursor, encodeCursor, type Page, type FieldError } from '@tmis/common';
import { indicatorSetForSchoolType, subSet, validateRecord, type WriterKind } from '@tmis/core-indicators';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { OrgService, UnitKind, UnitStatus, type OrgUnitEntity } from '@tmis/org';
import { CustomFieldsService } from './custom-fields.service.js';
import { RecordReporting } from './sync/record-reporting.js';
import { customValues } from './derive.js';
import {
  assessWrite,
  planRecordWrite,
  requireAcceptable,
  toFieldErrors,
  type RecordCommand,
  type WriteAssessment,
} from './write-rules.js';
import type { CreateTeacherDto, ListTeachersQueryDto, UpdateTeacherDto } from './dto/teacher.dto.js';
import type { RecordView } from './record-view.js';
import { teacherError, TeacherErrorCode } from './teacher.errors.js';
import {
  TeacherRepository,
  type TeacherChangeRow,
  type TeacherListRow,
  type CrossProvinceDuplicateRow,
  type TeacherRow,
} from './teacher.repository.js';

type Rec = Record<string, unknown>;

/** Art. 16: which kind of writer an account is. Query users and system administrators do not write records. */
export function writerKind(actor: Actor): WriterKind | null {
  if (actor.role === Role.Teacher) return 'teacher';
  if (actor.role === Role.InfoAdmin) return actor.unitLevel >= 5 ? 'school' : 'department';
  return null;
}

const READERS = [Role.InfoAdmin, Role.Query, Role.Teacher];

/**
 * SPEC §6: a serious ethics violation (sub-set 9, kind 4, 一票否决) enters a record only through the
 * registration lib's report-and-confirm flow (the `ethics-veto` action), never typed.
 */
function refuseTypedVeto(changes: { path: string; after: unknown }[]): void {
  const typed = changes.filter((c) => /^ethics\[\d+\]\.kind$/.test(c.path) && c.after === '4');
  if (typed.length)
    throw teacherError(
      TeacherErrorCode.NotOwner,
      'A serious violation (kind 4) is recorded by the school reporting it and the supervising department confirming it (POST /registration/ethics-violations)',
      undefined,
      typed.map((c) => ({
        path: `record.${c.path}`,
        code: 'ethicsVeto',
        message: 'kind 4 is recorded through the ethics violation flow',
        messageZh: `record.${c.path}：严重违反师德（一票否决）须经学校报告、主管部门确认后记入`,
      })),
    );
}

function withEntryIds(record: Rec): Rec {
  const out: Rec = { ...record };
  for (const [k, v] of Object.entries(record)) {
    if (subSet(k)?.cardinality === 'many' && Array.isArray(v))
      out[k] = v.map((e) =>
        e && typeof e === 'object' && !Array.isArray(e) ? { ...(e as Rec), id: (e as Rec).id ?? randomUUID() } : e,
      );
  }
  return out;
}

/** The record without the province's custom indicators (`x_…` keys of the single sub-sets). */
function withoutCustom(record: Rec): Rec {
  const out: Rec = { ...record };
  for (const ss of ['basic', 'contacts']) {
    const o = record[ss];
    if (o && typeof o === 'object')
      out[ss] = Object.fromEntries(Object.entries(o as Rec).filter(([k]) => !k.startsWith('x_')));
  }
  return out;
}

@Injectable()
export class TeacherService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly repo: TeacherRepository,
    private readonly org: OrgService,
    private readonly custom: CustomFieldsService,
    private readonly audit: AuditService,
    private readonly reporting: RecordReporting,
    /** Catalogue versions applied without a release (ADR 0018); absent: the compiled-in catalogue. */
    @Optional() private readonly catalogues?: CatalogueVersionsService,
    @Optional() private readonly training?: ConfirmedTraining,
  ) {}

  private async catalogue() {
    return this.catalogues ? this.catalogues.catalogue() : undefined;
  }

  /** A record as read: sub-set 13 adds the confirmed training entries (not stored in the record). */
  async present(t: TeacherRow): Promise<TeacherRow> {
    const confirmed = this.training ? await this.training.entriesFor(t.id) : [];
    return confirmed.length ? { ...t, record: withConfirmedTraining(t.record, confirmed) } : t;
  }

  /** How `actor` sees records: in full, masked, or as the teacher themself. */
  view(actor: Actor): RecordView {
    return actor.role === Role.Query ? 'masked' : actor.role === Role.Teacher ? 'teacher' : 'full';
  }

  async get(actor: Actor, id: string): Promise<TeacherRow> {
    AccessPolicy.requireRole(actor, READERS);
    const t = await this.repo.findById(id);
    if (!t) throw teacherError(TeacherErrorCode.NotFound);
    await this.requireReadable(actor, t);
    return t;
  }

  async mine(actor: Actor): Promise<TeacherRow> {
    AccessPolicy.requireRole(actor, [Role.Teacher]);
    const person = await this.repo.accountPerson(actor.accountId);
    const t = person ? await this.repo.findByPerson(person.idType, person.idNumber) : null;
    if (!t || !inScope(actor, t.unitPath)) throw teacherError(TeacherErrorCode.NoRecordForAccount);
    return t;
  }

  async history(actor: Actor, id: string): Promise<TeacherChangeRow[]> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin, Role.Teacher]);
    const t = await this.get(actor, id);
    return this.repo.history(t.id);
  }

  async list(actor: Actor, q: ListTeachersQueryDto): Promise<Page<TeacherListRow>> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin, Role.Query]);
    // A query user sees ID numbers masked; searching by a full one would confirm that it exists.
    if (q.idNumber !== undefined && actor.role !== Role.InfoAdmin)
      throw commonError(
        CommonErrorCode.Forbidden,
        'Only information administrators may search by ID number',
        undefined,
        [
          {
            path: 'idNumber',
            code: 'forbiddenFilter',
            message: 'idNumber is a filter for information administrators only',
            messageZh: 'idNumber：仅信息管理员可按身份证件号码查询',
          },
        ],
      );
    let pathPrefix = actor.unitPath;
    // The caller's own unit is the default: its path is the session's (kept in step with moves), so
    // only another unit is looked up (its path from the unit-path cache while it holds).
    if (q.unitId && q.unitId !== actor.unitId) {
      const path = await this.org.pathOf(q.unitId);
      if (path === null) throw commonError(CommonErrorCode.NotFound, 'unitId does not exist');
      AccessPolicy.requireInScope(actor, path);
      pathPrefix = path;
    }
    const limit = q.limit ?? 50;
    const after = decodeCursor(q.cursor, ['text', 'text', 'uuid']) as [string, string, string] | null;
    const custom = q.custom
      ? Object.fromEntries(
          q.custom.split(',').map((kv) => {
            const i = kv.indexOf(':');
            const v = kv.slice(i + 1);
            return [
              kv.slice(0, i),
              v === 'true' ? true : v === 'false' ? false : /^\d+(\.\d+)?$/.test(v) ? Number(v) : v,
            ];
          }),
        )
      : undefined;
    const rows = await this.repo.search({
      pathPrefix,
      name: q.name,
      idNumber: q.idNumber?.toUpperCase(),
      personStatus: q.personStatus,
      activeOnly: q.includeInactive !== 'true' && !q.personStatus,
      schoolType: q.schoolType,
      staffCategory: q.staffCategory,
      subject: q.subject,
      title: q.title,
      qualificationType: q.qualificationType,
      custom,
      after: after ?? undefined,
      limit: limit + 1,
    });
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit ? encodeCursor([last.unitPath, last.name, last.id]) : null };
  }

  /** Completeness check before submission: the record against the current catalogue and custom fields of its school's indicator set. */
  async completeness(
    actor: Actor,
    id: string,
  ): Promise<{ complete: boolean; indicatorSet: string; catalogueVersion: string; problems: FieldError[] }> {
    return this.completenessOf(await this.get(actor, id));
  }

  /** The completeness of a record already loaded (and access-checked) by the caller, e.g. inside a review step. */
  async completenessOf(
    t: TeacherRow,
  ): Promise<{ complete: boolean; indicatorSet: string; catalogueVersion: string; problems: FieldError[] }> {
    const unit = (await this.org.findById(t.unitId))!;
    const school = await this.schoolOf(unit, false);
    const set = this.setOf(school);
    const { problems, catalogueVersion } = validateRecord(t.record, {
      indicatorSet: set,
      customFields: await this.custom.current(),
      before: t.record,
    });
    return {
      complete: problems.length === 0,
      indicatorSet: set,
      catalogueVersion,
      problems: toFieldErrors(problems, 'record.'),
    };
  }

  /**
   * Art. 17: records whose ID number fails GB 11643, possible duplicates (same name, birth date and sex, different
   * numbers), and people the national node found active in another province too (its downward notices).
   */
  async toVerify(actor: Actor): Promise<{
    invalidIdNumber: TeacherRow[];
    possibleDuplicates: { name: string; birthDate: string; teacherIds: string[] }[];
    crossProvinceDuplicates: CrossProvinceDuplicateRow[];
  }> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    return this.repo.toVerify(actor.unitPath);
  }

  /** Onboarding (Art. 21): the school (or a department above it) registers the electronic record. */
  async create(actor: Actor, dto: CreateTeacherDto): Promise<TeacherRow> {
    const writer = writerKind(actor);
    if (writer !== 'school' && writer !== 'department')
      throw commonError(CommonErrorCode.Forbidden, 'Records are registered by an information administrator');
    const unit = await this.org.findById(dto.unitId);
    if (!unit) throw commonError(CommonErrorCode.NotFound, 'unitId does not exist');
    AccessPolicy.requireInScope(actor, unit.path);
    const school = await this.schoolOf(unit);
    const record = withEntryIds(dto.record);
    const customDefs = await this.custom.current();
    const a = requireAcceptable(writer, null, record, school, unit, customDefs, await this.catalogue());
    refuseTypedVeto(a.changes);
    const existing = await this.repo.findByPerson(a.columns.idType, a.columns.idNumber);
    // One person, one record: a person who left (resigned, retired…) and comes back is re-registered on it.
    if (existing && !existing.active && a.columns.active)
      return this.reRegister(
        actor,
        existing,
        unit,
        requireAcceptable(writer, existing.record, record, school, unit, customDefs),
        record,
      );
    if (existing) throw await this.duplicate(actor, existing);
    try {
      const id = await this.insertRecord(actor, unit, record, a);
      return (await this.repo.findById(id))!;
    } catch (e) {
      if ((e as { code?: string }).code === '23505') {
        const dup = await this.repo.findByPerson(a.columns.idType, a.columns.idNumber);
        if (dup) throw await this.duplicate(actor, dup);
      }
      throw e;
    }
  }

  /**
   * The re-registration rule: the record of a person who is no longer active (left, retired…) takes the
   * school's new registration — new unit, the record as registered now, back to draft for review —
   * keeping its id and its whole history (a `re-register` row says from which unit).
   */
  private async reRegister(
    actor: Actor,
    existing: TeacherRow,
    unit: OrgUnitEntity,
    a: WriteAssessment,
    record: Rec,
  ): Promise<TeacherRow> {
    await this.txHost.withTransaction(async () => {
      const ok = await this.repo.update(
        existing.id,
        existing.version,
        a.columns,
        record,
        customValues(record),
        a.catalogueVersion,
        'draft',
      );
      if (!ok) throw commonError(CommonErrorCode.StaleVersion);
      await this.repo.addChange(existing.id, { accountId: actor.accountId, role: actor.role }, 're-register', [
        { path: 'unitId', before: existing.unitId, after: unit.id },
        ...a.changes,
      ]);
      await this.audit.record(actor, {
        action: 'teacher.re-register',
        targetType: 'teacher',
        targetId: existing.id,
        unitPath: unit.path,
        details: { fromUnitId: existing.unitId, previousStatus: existing.personStatus },
      });
    });
    return (await this.repo.findById(existing.id))!;
  }

  private insertRecord(actor: Actor, unit: OrgUnitEntity, record: Rec, a: WriteAssessment): Promise<string> {
    return this.txHost.withTransaction(async () => {
      const id = await this.repo.insert(a.columns, record, customValues(record), a.catalogueVersion);
      await this.repo.addChange(id, { accountId: actor.accountId, role: actor.role }, 'create', a.changes);
      await this.audit.record(actor, {
        action: 'teacher.create',
        targetType: 'teacher',
        targetId: id,
        unitPath: unit.path,
      });
      return id;
    });
  }

  /** Field-by-field update of the single sub-sets (basic, contacts). */
  async update(actor: Actor, id: string, dto: UpdateTeacherDto): Promise<TeacherRow> {
    return this.mutate(actor, id, dto.version, 'update', (r) => {
      const next: Rec = { ...r };
      for (const ss of ['basic', 'contacts'] as const) {
        const changes = dto.changes[ss];
        if (!changes) continue;
        const merged: Rec = { ...((r[ss] as Rec | undefined) ?? {}) };
        for (const [k, v] of Object.entries(changes)) {
          if (v === null) delete merged[k];
          else merged[k] = v;
        }
        next[ss] = merged;
      }
      return next;
    });
  }

  async addEntry(actor: Actor, id: string, subSetKey: string, version: number, entry: Rec): Promise<TeacherRow> {
    this.requireList(subSetKey);
    return this.mutate(actor, id, version, 'entry.add', (r) => ({
      ...r,
      [subSetKey]: [...((r[subSetKey] as Rec[] | undefined) ?? []), { ...entry, id: randomUUID() }],
    }));
  }

  async updateEntry(
    actor: Actor,
    id: string,
    subSetKey: string,
    entryId: string,
    version: number,
    patch: Rec,
  ): Promise<TeacherRow> {
    this.requireList(subSetKey);
    return this.mutate(actor, id, version, 'entry.update', (r) => {
      const list = (r[subSetKey] as Rec[] | undefined) ?? [];
      if (!list.some((e) => e.id === entryId)) throw teacherError(TeacherErrorCode.EntryNotFound);
      return {
        ...r,
        [subSetKey]: list.map((e) =>
          e.id === entryId
            ? Object.fromEntries(Object.entries({ ...e, ...patch, id: entryId }).filter(([, v]) => v !== null))
            : e,
        ),
      };
    });
  }

  async removeEntry(
    actor: Actor,
    id: string,
    subSetKey: string,
    entryId: string,
    version: number,
  ): Promise<TeacherRow> {
    this.requireList(subSetKey);
    return this.mutate(actor, id, version, 'entry.remove', (r) => {
      const list = (r[subSetKey] as Rec[] | undefined) ?? [];
      if (!list.some((e) => e.id === entryId)) throw teacherError(TeacherErrorCode.EntryNotFound);
      return { ...r, [subSetKey]: list.filter((e) => e.id !== entryId) };
    });
  }

  /** An edit by a writer (the update and entry routes): the `edit` command, then the record as it now stands. */
  private async mutate(
    actor: Actor,
    id: string,
    version: number,
    action: string,
    change: (record: Rec) => Rec,
  ): Promise<TeacherRow> {
    await this.write('edit', actor, id, version, action, change).catch((e: { code?: string }) => {
      if (e.code === '23505') throw teacherError(TeacherErrorCode.Duplicate);
      throw e;
    });
    return (await this.repo.findById(id))!;
  }

  /**
   * Command: the supervising department applies an approved change request (Art. 19) to reported data.
   * The record stays reported (re-reported at its new version). Runs in the caller's transaction.
   */
  async applyChangeRequest(actor: Actor, id: string, version: number, change: (record: Rec) => Rec): Promise<void> {
    await this.write('change-request', actor, id, version, 'change-request', change);
  }

  /**
   * Art. 23 across provinces: the receiving province registers the teacher from the record the sending
   * province reported — core and national fields only (its custom indicators are empty until filled;
   * the sending province's values are kept in the history row), reported at once (the national node
   * learns the new province). A person with an inactive record here gets it back (re-registration).
   * Runs in the caller's transaction; returns the record id.
   */
  async registerTransferredIn(
    actor: Actor,
    unitId: string,
    incoming: Rec,
    carried: { fromProvince: string; custom: Rec; transferId: string },
  ): Promise<string> {
    const unit = await this.org.findById(unitId);
    if (!unit) throw commonError(CommonErrorCode.NotFound, 'unitId does not exist');
    const school = await this.schoolOf(unit);
    const record = withEntryIds(withoutCustom(incoming));
    const a = requireAcceptable(
      'department',
      null,
      record,
      school,
      unit,
      await this.transferCustomDefs(),
      await this.catalogue(),
    );
    const existing = await this.repo.findByPerson(a.columns.idType, a.columns.idNumber);
    if (existing?.active) throw await this.duplicate(actor, existing);
    return this.txHost.withTransaction(async () => {
      let id: string;
      if (existing) {
        id = existing.id;
        const ok = await this.repo.update(id, existing.version, a.columns, record, {}, a.catalogueVersion, 'draft');
        if (!ok) throw commonError(CommonErrorCode.StaleVersion);
      } else id = await this.repo.insert(a.columns, record, {}, a.catalogueVersion);
      await this.repo.addChange(id, { accountId: actor.accountId, role: actor.role }, 'transfer-in-province', [
        { path: 'unitId', before: existing?.unitId ?? null, after: unit.id },
        { path: 'custom', before: { province: carried.fromProvince, values: carried.custom }, after: {} },
        ...a.changes,
      ]);
      await this.audit.record(actor, {
        action: 'teacher.transfer-in-province',
        targetType: 'teacher',
        targetId: id,
        unitPath: unit.path,
        details: { transferId: carried.transferId, fromProvince: carried.fromProvince },
      });
      await this.reporting.report(id);
      return id;
    });
  }

  /**
   * Whether the record another province reported can be registered here, by the rules of
   * `registerTransferredIn` (this node's catalogue and custom fields — its own custom values empty
   * until filled, so none is required yet — and no active record of the person here): the problems
   * (paths `record.…`), none when it can. Writes nothing.
   */
  async transferredInProblems(unitId: string, incoming: Rec): Promise<FieldError[]> {
    const unit = await this.org.findById(unitId);
    if (
      !unit ||
      (unit.kind !== UnitKind.School && unit.kind !== UnitKind.Department) ||
      unit.status !== UnitStatus.Active
    )
      return [
        {
          path: 'toUnitId',
          code: 'unitNotActive',
          message: 'the receiving school is no longer an active school',
          messageZh: 'toUnitId：调入学校已不是正常办学的学校',
        },
      ];
    const school = await this.schoolOf(unit);
    const record = withEntryIds(withoutCustom(incoming));
    const a = assessWrite(
      'department',
      null,
      record,
      school,
      unit,
      await this.transferCustomDefs(),
      await this.catalogue(),
    );
    const problems: FieldError[] = [...a.problems];
    for (const p of a.denied)
      problems.push({
        path: `record.${p}`,
        code: 'owner',
        message: `${p} may not be written by a department`,
        messageZh: `record.${p}：该字段不能由主管部门写入`,
      });
    if (!problems.length) {
      const existing = await this.repo.findByPerson(a.columns.idType, a.columns.idNumber);
      if (existing?.active)
        problems.push({
          path: 'record.basic.idNumber',
          code: 'duplicate',
          message: 'this person already has an active record in this province',
          messageZh: 'record.basic.idNumber：该人员在本省已有在岗档案',
        });
    }
    return problems;
  }

  /** This node's custom fields, none of them required: a record transferred in has them empty until filled. */
  private async transferCustomDefs() {
    return (await this.custom.current()).map((c) => ({ ...c, requiredIn: [] }));
  }

  /**
   * Art. 24: the department that approved an exchange rotation enters it in a list sub-set (16). Like an
   * approved change request, a reported record stays reported (and is re-reported); a record not yet
   * reported takes it as an edit. Runs in the caller's transaction.
   */
  async addApprovedEntry(actor: Actor, id: string, subSetKey: string, entry: Rec, action: string): Promise<void> {
    this.requireList(subSetKey);
    const t = await this.repo.findById(id);
    if (!t) throw teacherError(TeacherErrorCode.NotFound);
    await this.write(t.reviewState === 'reported' ? 'change-request' : 'edit', actor, id, t.version, action, (r) => ({
      ...r,
      [subSetKey]: [...((r[subSetKey] as Rec[] | undefined) ?? []), { ...entry, id: randomUUID() }],
    }));
  }

  /**
   * Command: a department's decision written into a reported record (a registration result, a confirmed
   * ethics violation: issue 15). The record must be reported; it stays reported and is re-reported, so
   * the decision reaches the national node on the normal record path. Runs in the caller's transaction.
   */
  async applyDecision(actor: Actor, id: string, version: number, action: string, change: (record: Rec) => Rec) {
    const t = await this.repo.findById(id);
    if (t && t.reviewState !== 'reported') throw teacherError(TeacherErrorCode.NotReported);
    await this.write('change-request', actor, id, version, action, change);
  }

  /**
   * The change a change request would make, assessed without writing (the record, the writer's rules,
   * a duplicate ID number): throws what approval would refuse. Replaces a dry run of the real write.
   */
  async assessChangeRequest(actor: Actor, t: TeacherRow, change: (record: Rec) => Rec): Promise<void> {
    const writer = this.requireWriter(actor);
    await this.requireReadable(actor, t);
    const unit = (await this.org.findById(t.unitId))!;
    const school = await this.schoolOf(unit, false);
    const next = change(t.record);
    const plan = planRecordWrite(
      'change-request',
      writer,
      t,
      next,
      school,
      unit,
      await this.custom.current(),
      await this.catalogue(),
    );
    if (plan) await this.requireUniquePerson(actor, t, plan.assessment);
  }

  /** Art. 22: long absence, resignation, retirement, death… recorded by the school with an effective date. */
  async changeStatus(
    actor: Actor,
    id: string,
    version: number,
    personStatus: string,
    effectiveDate: string,
    reason?: string,
  ): Promise<TeacherRow> {
    const writer = writerKind(actor);
    if (writer !== 'school' && writer !== 'department')
      throw commonError(CommonErrorCode.Forbidden, 'Status changes are recorded by an information administrator');
    // A reported record stays reported through a status change: the national roll-up must learn it.
    await this.write('status-change', actor, id, version, 'status-change', (r) => ({
      ...r,
      basic: { ...(r.basic as Rec), personStatus, statusSince: effectiveDate },
    }));
    if (reason)
      await this.audit.record(actor, {
        action: 'teacher.status-change.reason',
        targetType: 'teacher',
        targetId: id,
        unitPath: actor.unitPath,
        details: { personStatus, effectiveDate },
      });
    return (await this.repo.findById(id))!;
  }

  /**
   * One write to a record, in one transaction (the caller's, if open): scope, version, then the pure
   * rules of `command` (`planRecordWrite`: review locks, owner rules, validation, what happens to the
   * review state), derived columns, history and audit; a record that stays reported is re-reported.
   * Everything inside runs on the transaction's connection (repositories use `txHost.tx`).
   */
  private write(
    command: RecordCommand,
    actor: Actor,
    id: string,
    version: number,
    action: string,
    change: (record: Rec) => Rec,
  ): Promise<void> {
    return this.txHost.withTransaction(async () => {
      const writer = this.requireWriter(actor);
      const customDefs = await this.custom.current();
      const t = await this.repo.findById(id, true);
      if (!t) throw teacherError(TeacherErrorCode.NotFound);
      await this.requireReadable(actor, t);
      if (t.version !== version)
        throw commonError(CommonErrorCode.StaleVersion, undefined, { currentVersion: t.version });
      const unit = (await this.org.findById(t.unitId))!;
      const school = await this.schoolOf(unit, false);
      const next = change(t.record);
      const plan = planRecordWrite(command, writer, t, next, school, unit, customDefs, await this.catalogue());
      if (!plan) return;
      const { columns, changes, catalogueVersion } = plan.assessment;
      if (action !== 'ethics-veto') refuseTypedVeto(changes);
      await this.requireUniquePerson(actor, t, plan.assessment);
      if (
        !(await this.repo.update(t.id, version, columns, next, customValues(next), catalogueVersion, plan.reviewState))
      )
        throw commonError(CommonErrorCode.StaleVersion);
      await this.repo.addChange(t.id, { accountId: actor.accountId, role: actor.role }, action, changes);
      await this.audit.record(actor, {
        action: `teacher.${action}`,
        targetType: 'teacher',
        targetId: t.id,
        unitPath: t.unitPath,
        details: { fields: changes.length },
      });
      if (plan.report) await this.reporting.report(t.id);
    });
  }

  private requireWriter(actor: Actor): WriterKind {
    const writer = writerKind(actor);
    if (!writer)
      throw commonError(CommonErrorCode.Forbidden, 'Query users and system administrators do not edit records');
    return writer;
  }

  private async requireUniquePerson(actor: Actor, t: TeacherRow, a: WriteAssessment): Promise<void> {
    if (a.columns.idNumber === t.idNumber && a.columns.idType === t.idType) return;
    const other = await this.repo.findByPerson(a.columns.idType, a.columns.idNumber);
    if (other && other.id !== t.id) throw await this.duplicate(actor, other);
  }

  private setOf(school: OrgUnitEntity): string {
    return indicatorSetForSchoolType(school.schoolType).key;
  }

  private async schoolOf(unit: OrgUnitEntity, requireActive = true): Promise<OrgUnitEntity> {
    if (unit.kind !== UnitKind.School && unit.kind !== UnitKind.Department)
      throw teacherError(TeacherErrorCode.NotASchool);
    if (requireActive && unit.status !== UnitStatus.Active) throw teacherError(TeacherErrorCode.UnitNotActive);
    return unit.kind === UnitKind.School ? unit : (await this.org.findById(unit.parentId!))!;
  }

  private requireList(key: string): void {
    if (subSet(key)?.cardinality !== 'many') throw teacherError(TeacherErrorCode.UnknownSubSet);
  }

  /** Readers: information administrators and query users within scope; a teacher only their own record. */
  private async requireReadable(actor: Actor, t: TeacherRow): Promise<void> {
    AccessPolicy.requireRole(actor, READERS);
    AccessPolicy.requireInScope(actor, t.unitPath);
    if (actor.role === Role.Teacher) {
      const person = await this.repo.accountPerson(actor.accountId);
      if (!person || person.idType !== t.idType || person.idNumber.toUpperCase() !== t.idNumber)
        throw commonError(CommonErrorCode.OutOfScope, 'A teacher reads and edits only their own record');
    }
  }

  private async duplicate(actor: Actor, existing: TeacherRow) {
    const unit = await this.org.findById(existing.unitId);
    const visible = unit && inScope(actor, unit.path);
    return teacherError(
      TeacherErrorCode.Duplicate,
      visible
        ? `Existing record in ${unit.name} (${unit.code}); to move it to another school, apply for a transfer: POST /transfers`
        : 'The existing record is in a unit outside your scope; the receiving school applies for a transfer: POST /transfers',
      visible
        ? { existing: { teacherId: existing.id, unitId: unit.id, unitName: unit.name, unitCode: unit.code } }
        : { existing: { inYourScope: false } },
    );
  }
}
