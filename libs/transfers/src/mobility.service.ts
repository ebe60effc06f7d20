import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { labelOf } from '@tmis/core-indicators';
import { OrgService } from '@tmis/org';
import { MobilityRepository, type MobilityCounts, type MobilityQuery } from './mobility.repository.js';
import { TransferService } from './transfer.service.js';

export interface MobilityRow extends MobilityCounts {
  code: string | null;
  zh: string;
  en: string;
}

export interface MobilityResponse {
  asOf: string;
  scope: { unitId: string; path: string };
  period: { from: string; to: string };
  totals: MobilityCounts & { transfersWithin: number };
  byRegion: MobilityRow[];
  bySchoolType: MobilityRow[];
  byUrbanRural: MobilityRow[];
  byTitle: MobilityRow[];
  bySubject: MobilityRow[];
  flows: {
    from: { code: string; name: string };
    to: { code: string; name: string };
    transfers: number;
    rotations: number;
  }[];
  /** National node only: completed cross-province transfers between provinces. */
  crossProvince?: { fromProvince: string; toProvince: string; transfers: number }[];
  notes: { zh: string; en: string }[];
}

const UNKNOWN = { zh: '未填报', en: 'Not recorded' };

/** The national node's cross-province flows (completed cross-province transfers), provided by its transfer hub. */
export interface CrossProvinceFlows {
  flows(from: string, to: string): Promise<{ fromProvince: string; toProvince: string; transfers: number }[]>;
}
export const CROSS_PROVINCE_FLOWS = Symbol('CROSS_PROVINCE_FLOWS');

/**
 * Mobility statistics (SPEC §6, Art. 20): transfers in and out and rotations of the caller's subtree,
 * by region, school type, urban/rural, title and subject, and the flows between regions.
 */
@Injectable()
export class MobilityService {
  constructor(
    private readonly repo: MobilityRepository,
    private readonly org: OrgService,
    private readonly transfers: TransferService,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** The national node's hub, when this node has one (looked up once, at the first request). */
  private get crossFlows(): CrossProvinceFlows | undefined {
    if (this.cross === undefined) {
      try {
        this.cross = this.moduleRef.get<CrossProvinceFlows>(CROSS_PROVINCE_FLOWS, { strict: false });
      } catch {
        this.cross = null;
      }
    }
    return this.cross ?? undefined;
  }
  private cross?: CrossProvinceFlows | null;

  async mobility(actor: Actor, period: { from?: string; to?: string }): Promise<MobilityResponse> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin, Role.Query]);
    // Cases whose date has come are applied first, so the figures include them.
    await this.transfers.applyDue();
    const q: MobilityQuery = {
      pathPrefix: actor.unitPath,
      depth: actor.unitPath.split('/').filter(Boolean).length,
      from: period.from ?? '1900-01-01',
      to: period.to ?? '9999-12-31',
    };
    const [totals, region, schoolType, urbanRural, title, subject, flows] = await Promise.all([
      this.repo.totals(q),
      this.repo.by(q, 'region'),
      this.repo.by(q, 'schoolType'),
      this.repo.by(q, 'urbanRural'),
      this.repo.by(q, 'title'),
      this.repo.by(q, 'subject'),
      this.repo.flows(q),
    ]);
    const paths = [...new Set([...region.map((r) => r.key!), ...flows.flatMap((f) => [f.fromRegion, f.toRegion])])];
    const units = new Map((paths.length ? await this.org.findByPaths(paths) : []).map((u) => [u.path, u]));
    const unitOf = (path: string) => {
      const u = units.get(path);
      return { code: u?.code ?? path.split('/').filter(Boolean).pop() ?? '', name: u?.name ?? '' };
    };
    const coded = (table: string) => (r: MobilityCounts & { key: string | null }) => {
      const l = r.key ? labelOf(table, r.key) : undefined;
      return { ...counts(r), code: r.key, zh: l?.zh ?? r.key ?? UNKNOWN.zh, en: l?.en ?? r.key ?? UNKNOWN.en };
    };
    return {
      asOf: new Date().toISOString(),
      scope: { unitId: actor.unitId, path: actor.unitPath },
      period: { from: q.from, to: q.to },
      totals,
      byRegion: region.map((r) => {
        const u = unitOf(r.key!);
        return { ...counts(r), code: u.code, zh: u.name, en: u.name };
      }),
      bySchoolType: schoolType.map(coded('school-type')),
      byUrbanRural: urbanRural.map(coded('urban-rural')),
      byTitle: title.map(coded('professional-title')),
      bySubject: subject.map(coded('subject')),
      flows: flows.map((f) => ({
        from: unitOf(f.fromRegion),
        to: unitOf(f.toRegion),
        transfers: f.transfers,
        rotations: f.rotations,
      })),
      ...(this.crossFlows ? { crossProvince: await this.crossFlows.flows(q.from, q.to) } : {}),
      notes: [
        {
          zh: '调动按生效日期计入（档案已转移）；交流轮岗按开始日期计入，人员仍在派出学校统计一次。辖区内部调动同时计入调入与调出。',
          en: 'Transfers count on their effective date (the record moved); rotations on their start date, the teacher still counted once at the sending school. A transfer within the subtree counts both in and out.',
        },
      ],
    };
  }
}

function counts(r: MobilityCounts): MobilityCounts {
  return {
    transfersIn: r.transfersIn,
    transfersOut: r.transfersOut,
    rotationsIn: r.rotationsIn,
    rotationsOut: r.rotationsOut,
  };
}
