import { Inject, Injectable } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { validateCustomFieldDefinition, type CustomFieldDefinition } from '@tmis/core-indicators';
import type { CustomFieldDto } from './dto/teacher.dto.js';
import { teacherError, TeacherErrorCode } from './teacher.errors.js';
import { buildPayload, CustomFieldsChangedPayload, SyncOutbox } from '@tmis/contracts';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { CustomFieldRepository } from './custom-field.repository.js';
import { TeacherRepository } from './teacher.repository.js';
import { TEACHERS_OPTIONS, type TeachersOptions } from './teachers.options.js';

/** Province-defined custom indicators (Art. 11): versioned; a field in use is retired, never silently retyped. */
@Injectable()
export class CustomFieldsService {
  private cache: { at: number; defs: CustomFieldDefinition[] } | null = null;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly repo: CustomFieldRepository,
    private readonly records: TeacherRepository,
    private readonly audit: AuditService,
    @Inject(TEACHERS_OPTIONS) private readonly options: TeachersOptions,
    private readonly outbox: SyncOutbox,
  ) {}

  /**
   * Current definitions of this node's province (active and retired), cached for a few seconds. A refill
   * inside a transaction reads on that transaction's connection (the repository runs on `txHost.tx`),
   * never on a second pooled one: a write path holding its connection can always finish.
   */
  async current(): Promise<CustomFieldDefinition[]> {
    if (!this.options.provinceCode) return [];
    if (this.cache && Date.now() - this.cache.at < 5000) return this.cache.defs;
    const rows = await this.repo.latest(this.options.provinceCode, true);
    const defs = rows.map((r) => ({
      ...(r.definition as unknown as CustomFieldDefinition),
      version: r.version,
      status: r.status as 'active' | 'retired',
    }));
    this.cache = { at: Date.now(), defs };
    return defs;
  }

  async list(includeRetired: boolean): Promise<CustomFieldDefinition[]> {
    const defs = await this.current();
    return includeRetired ? defs : defs.filter((d) => d.status === 'active');
  }

  async versions(key: string): Promise<CustomFieldDefinition[]> {
    if (!this.options.provinceCode) return [];
    const rows = await this.repo.versions(this.options.provinceCode, key);
    if (!rows.length) throw teacherError(TeacherErrorCode.CustomFieldNotFound);
    return rows.map((r) => ({
      ...(r.definition as unknown as CustomFieldDefinition),
      version: r.version,
      status: r.status as 'active' | 'retired',
    }));
  }

  async define(actor: Actor, dto: CustomFieldDto): Promise<CustomFieldDefinition> {
    const province = this.requireProvinceAdmin(actor);
    const previous = (await this.current()).find((d) => d.key === dto.key);
    const def: CustomFieldDefinition = { ...dto, version: (previous?.version ?? 0) + 1, status: 'active' };
    const problems = validateCustomFieldDefinition(
      def,
      previous,
      previous ? await this.records.anyWithCustomField(dto.key) : false,
    );
    if (problems.length)
      throw teacherError(
        TeacherErrorCode.CustomFieldInvalid,
        problems.map((p) => `${p.path}: ${p.message}`).join('; '),
        undefined,
        problems,
      );
    await this.store(actor, province, def, previous ? 'custom-field.update' : 'custom-field.define');
    return def;
  }

  async retire(actor: Actor, key: string): Promise<CustomFieldDefinition> {
    const province = this.requireProvinceAdmin(actor);
    const previous = (await this.current()).find((d) => d.key === key);
    if (!previous) throw teacherError(TeacherErrorCode.CustomFieldNotFound);
    if (previous.status === 'retired') return previous;
    const def: CustomFieldDefinition = { ...previous, version: previous.version + 1, status: 'retired' };
    await this.store(actor, province, def, 'custom-field.retire');
    return def;
  }

  private async store(actor: Actor, province: string, def: CustomFieldDefinition, action: string): Promise<void> {
    await this.storeIn(actor, province, def, action).catch((e: { code?: string }) => {
      if (e.code === '23505')
        throw teacherError(
          TeacherErrorCode.CustomFieldInvalid,
          'Another administrator changed this field at the same time; reload and retry',
        );
      throw e;
    });
    this.cache = null;
  }

  private storeIn(actor: Actor, province: string, def: CustomFieldDefinition, action: string): Promise<void> {
    return this.txHost.withTransaction(async () => {
      await this.repo.insert(province, def.key, def.version, def.status, def, actor.accountId);
      await this.audit.record(actor, {
        action,
        targetType: 'custom-field',
        targetId: def.key,
        unitPath: actor.unitPath,
        details: { version: def.version },
      });
      await this.outbox.customFieldsChanged(
        buildPayload(CustomFieldsChangedPayload, { definitions: [def as unknown as Record<string, unknown>] }),
      );
    });
  }

  private requireProvinceAdmin(actor: Actor): string {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    if (!this.options.provinceCode || actor.unitLevel !== 2)
      throw teacherError(TeacherErrorCode.CustomFieldsProvinceOnly);
    return this.options.provinceCode;
  }
}
