import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Injectable, Optional } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import {
  commonError,
  CommonErrorCode,
  csvField,
  decodeCursor,
  encodeCursor,
  maskIdNumber,
  type Page,
} from '@tmis/common';
import { ALL_SETS, csvMetaLine, layoutMeta, recordRows, sheetLayouts, writeWorkbook } from '@tmis/bulk';
import type { CustomFieldDefinition } from '@tmis/core-indicators';
import { OrgService, provinceOfPath } from '@tmis/org';
import { ConfirmedTraining, viewRecord, withConfirmedTraining } from '@tmis/teachers';
import { NationalCustomFieldsRepository } from './national-custom-fields.repository.js';
import {
  NationalPopulationRepository,
  type PopulationRow,
  type PopulationSearch,
  type SearchPlan,
} from './national-population.repository.js';
import { NationalScope } from './national-scope.js';
import { NationalTrainingRepository } from './national-training.repository.js';
import type { NationalExportQueryDto, NationalSearchQueryDto } from './national-search.dto.js';

type Rec = Record<string, unknown>;
const EXPORT_PAGE = 500;

export interface HttpOut extends Writable {
  setHeader(name: string, value: string): void;
}

/**
 * Ministry staff's search, record view and export over the national population (issue 17): the
 * provinces' reported records and the central universities' records, scoped like every national read
 * (the ministry reads all; a province-level account its own province), masked for query users.
 */
@Injectable()
export class NationalSearchService {
  constructor(
    private readonly population: NationalPopulationRepository,
    private readonly customFields: NationalCustomFieldsRepository,
    private readonly org: OrgService,
    private readonly training: NationalTrainingRepository,
    /** A central university's confirmed training (the national node's own training module). */
    @Optional() private readonly centralTraining?: ConfirmedTraining,
  ) {}

  /** Keyset-paged search in (unit code, teacher id) order. */
  async search(a: Actor, q: NationalSearchQueryDto): Promise<Page<PopulationRow>> {
    const s = await this.toSearch(a, q);
    const rows = await this.population.search({ ...s, limit: s.limit + 1 });
    const items = rows.slice(0, s.limit).map((r) => this.mask(a, r));
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > s.limit ? encodeCursor([last.unitCode, last.teacherId]) : null };
  }

  /** The plan of a search's first page as `search` would run it (benchmarks; the database's own EXPLAIN ANALYZE). */
  async explain(a: Actor, q: NationalSearchQueryDto): Promise<SearchPlan> {
    const s = await this.toSearch(a, q);
    return this.population.explain({ ...s, limit: s.limit + 1 });
  }

  /** One record as reported, its province's custom indicators labelled from the definitions it synced. */
  async get(a: Actor, id: string) {
    AccessPolicy.requireRole(a, [Role.InfoAdmin, Role.Query]);
    const own = NationalScope.of(a);
    const r = await this.population.findById(id);
    // Another province's record, or a central one for a province reader, is as unknown as a missing one.
    if (!r || (own !== null && r.province !== own)) throw commonError(CommonErrorCode.NotFound, 'No such record');
    const full = a.role === Role.InfoAdmin;
    const defs = r.province ? ((await this.customFields.get(r.province))?.definitions ?? {}) : {};
    const custom = Object.entries(r.custom ?? {}).flatMap(([key, value]) => {
      const d = defs[key] as Partial<CustomFieldDefinition> | undefined;
      if (!full && d?.sensitivity === 'pay') return [];
      const code = d?.codes?.find((c) => c.code === String(value));
      const shown =
        !full && d?.sensitivity === 'personal' && typeof value === 'string' ? `${value.slice(0, 1)}***` : value;
      return [
        {
          key,
          zh: d?.zh ?? null,
          en: d?.en ?? null,
          subSet: d?.subSet ?? null,
          value: shown,
          valueLabel: code ? { zh: code.zh, en: code.en } : null,
          defined: !!d,
        },
      ];
    });
    const { record, ...row } = r;
    const training = (await this.confirmedTraining([r])).get(r.teacherId);
    return {
      ...this.mask(a, row),
      record: viewRecord(withConfirmedTraining(record, training), full ? 'full' : 'masked'),
      custom,
    };
  }

  /**
   * Sub-set 13 as the provinces show it: after the typed entries, the confirmed training (not typed into
   * the record, Art. 25), each marked `confirmed` — a province's as it sent them with the credits, a
   * central university's from this node's own training module. Per teacher id, for these records.
   */
  private async confirmedTraining(rows: { teacherId: string; province: string | null }[]) {
    const ids = (central: boolean) => rows.filter((r) => (r.province === null) === central).map((r) => r.teacherId);
    const reported = await this.training.trainingEntries(ids(false));
    const out = new Map<string, Rec[]>();
    for (const [id, entries] of reported)
      out.set(
        id,
        entries.map((e) => ({ ...e, confirmed: true })),
      );
    const central = ids(true);
    if (central.length && this.centralTraining)
      for (const [id, entries] of await this.centralTraining.entriesForMany(central)) out.set(id, entries);
    return out;
  }

  /**
   * The search's whole result in the bulk layout (every sub-set's sheet; CSV: one sub-set), streamed page by
   * page. The province's custom columns when the search is limited to one province. Masked for query users.
   */
  async export(a: Actor, q: NationalExportQueryDto, out: HttpOut): Promise<void> {
    const s = await this.toSearch(a, { ...q, cursor: undefined, limit: undefined });
    const masked = a.role !== Role.InfoAdmin;
    const defs = s.province
      ? (Object.values(
          (await this.customFields.get(s.province))?.definitions ?? {},
        ) as unknown as CustomFieldDefinition[])
      : [];
    const layouts = sheetLayouts(ALL_SETS, defs, { withoutPay: masked });
    const meta = layoutMeta('export', ALL_SETS, defs, s.province ?? undefined, masked);
    const stamp = new Date().toISOString().slice(0, 10);
    const pages = async function* (this: NationalSearchService) {
      let after: [string, string] | undefined;
      for (;;) {
        const rows = await this.population.search({ ...s, after, limit: EXPORT_PAGE });
        const records = await this.population.records(rows.map((r) => r.teacherId));
        const training = await this.confirmedTraining(rows);
        for (const r of rows) {
          const rec = records.get(r.teacherId);
          if (rec)
            yield {
              r,
              record: viewRecord(withConfirmedTraining(rec, training.get(r.teacherId)), masked ? 'masked' : 'full'),
            };
        }
        if (rows.length < EXPORT_PAGE) return;
        const last = rows[rows.length - 1];
        after = [last.unitCode, last.teacherId];
      }
    }.bind(this);
    if (q.format === 'csv') {
      const subSet = q.subSet ?? 'basic';
      const layout = layouts.find((l) => l.subSet === subSet);
      if (!layout)
        throw commonError(CommonErrorCode.ValidationFailed, `No sheet "${subSet}" in this export`, undefined, [
          { path: 'subSet', code: 'isIn', message: 'unknown sub-set', messageZh: 'subSet：子集不存在' },
        ]);
      out.setHeader('content-type', 'text/csv; charset=utf-8');
      out.setHeader('content-disposition', `attachment; filename="tmis-national-${subSet}-${stamp}.csv"`);
      const write = async (line: string) => {
        if (!out.write(line)) await once(out, 'drain');
      };
      await write('\uFEFF' + csvMetaLine(meta, subSet) + '\r\n');
      for (const k of ['zh', 'en', 'key'] as const)
        await write(layout.columns.map((c) => csvField(c[k])).join(',') + '\r\n');
      for await (const { r, record } of pages())
        for (const row of recordRows(layout, r, record, r.unitCode, masked))
          await write(row.map(csvField).join(',') + '\r\n');
      out.end();
      return;
    }
    out.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    out.setHeader('content-disposition', `attachment; filename="tmis-national-export-${stamp}.xlsx"`);
    // One pass over the result per sheet: nothing but the current page is held in memory.
    await writeWorkbook(out, {
      layouts,
      meta,
      rows: async function* (l) {
        for await (const { r, record } of pages())
          for (const row of recordRows(l, r, record, r.unitCode, masked)) yield row;
      },
    });
  }

  private mask<T extends { idNumber: string }>(a: Actor, r: T): T {
    return a.role === Role.InfoAdmin ? r : { ...r, idNumber: maskIdNumber(r.idNumber) };
  }

  /** The filters, checked against the reader's scope. */
  private async toSearch(a: Actor, q: NationalSearchQueryDto): Promise<PopulationSearch> {
    AccessPolicy.requireRole(a, [Role.InfoAdmin, Role.Query]);
    // A query user sees ID numbers masked; searching by a full one would confirm that it exists (as on a province).
    if (q.idNumber !== undefined && a.role !== Role.InfoAdmin)
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
    let province = NationalScope.resolve(a, q.province);
    let unitCodes: string[] | null = null;
    let central = province === null;
    if (q.unitId) {
      const unit = await this.org.findById(q.unitId);
      if (!unit) throw commonError(CommonErrorCode.NotFound, 'unitId does not exist');
      AccessPolicy.requireInScope(a, unit.path);
      const p = provinceOfPath(unit.path);
      if (province && p !== province) throw commonError(CommonErrorCode.OutOfScope);
      if (unit.level > 1) {
        province = p;
        central = p === null;
        if (unit.kind !== 'province') unitCodes = await this.population.schoolsUnder(unit.path);
      }
    }
    if (q.custom && !province)
      throw commonError(CommonErrorCode.ValidationFailed, 'custom needs a province', undefined, [
        {
          path: 'custom',
          code: 'needsProvince',
          message: 'custom values are defined per province: give province (or a region inside one)',
          messageZh: 'custom：自定义指标按省定义，须指定省份（或省内区域）',
        },
      ]);
    const after = decodeCursor(q.cursor, ['text', 'uuid']) as [string, string] | null;
    return {
      province,
      unitCodes,
      central,
      schoolType: q.schoolType,
      name: q.name,
      idNumber: q.idNumber?.toUpperCase(),
      personStatus: q.personStatus,
      activeOnly: q.includeInactive !== 'true' && !q.personStatus,
      staffCategory: q.staffCategory,
      subject: q.subject,
      title: q.title,
      qualificationType: q.qualificationType,
      highestEducation: q.highestEducation,
      custom: q.custom ? parseCustom(q.custom) : undefined,
      after: after ?? undefined,
      limit: q.limit ?? 50,
    };
  }
}

function parseCustom(s: string): Rec {
  return Object.fromEntries(
    s.split(',').map((kv) => {
      const i = kv.indexOf(':');
      const v = kv.slice(i + 1);
      return [kv.slice(0, i), v === 'true' ? true : v === 'false' ? false : /^\d+(\.\d+)?$/.test(v) ? Number(v) : v];
    }),
  );
}
