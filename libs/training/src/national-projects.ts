import { Injectable } from '@nestjs/common';
import { ALL_PROVINCES, FederationMessenger, OnFederationMessage, type FederationMessage } from '@tmis/federation';
import { OrgRepository } from '@tmis/org';
import { TrainingRepository, type ProjectRow, type ProjectTarget } from './training.repository.js';

/** The message type of a national project published by the ministry to every province. */
export const NATIONAL_PROJECT_PUBLISHED = 'training.national-project';

/** What a province receives: the project's description and the institutions the ministry named (by code). */
export interface NationalProjectPublished {
  nationalCode: string;
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
  institutions: { code: string; name: string }[];
}

/**
 * National projects travel down (issue 14, ADR 0015): the national node publishes each national project the
 * ministry enters to every province over the federation messenger, in the transaction that stores it (and
 * again on `POST /training/projects/:id/publish`); a province keeps one local copy per national code, owned
 * by its province unit, created or updated on receipt. The copy is run at the province by the province's
 * own registration of the institutions the ministry named (same code), linked on each receipt.
 */
@Injectable()
export class NationalProjects {
  constructor(
    private readonly repo: TrainingRepository,
    private readonly org: OrgRepository,
    private readonly messenger: FederationMessenger,
  ) {}

  /** National: sends the project to every province; call inside the transaction that wrote it. */
  async publish(p: ProjectRow): Promise<number> {
    const payload: NationalProjectPublished = {
      nationalCode: p.nationalCode ?? p.id,
      name: p.name,
      category: p.category,
      creditKind: p.creditKind,
      organiser: p.organiser,
      hours: p.hours,
      startsOn: p.startsOn,
      endsOn: p.endsOn,
      capacity: p.capacity,
      target: p.target,
      selfEnrol: p.selfEnrol,
      institutions: p.institutions.map((i) => ({ code: i.code, name: i.name })),
    };
    for (const province of ALL_PROVINCES)
      await this.messenger.send(
        province,
        NATIONAL_PROJECT_PUBLISHED,
        { ...payload },
        `training.${payload.nationalCode}`,
      );
    return ALL_PROVINCES.length;
  }

  /** A province: creates or updates its copy (one per national code), idempotently. */
  @OnFederationMessage(NATIONAL_PROJECT_PUBLISHED)
  async received(m: FederationMessage<NationalProjectPublished>): Promise<void> {
    if (m.from !== 'national') throw new Error('national projects come from the national node');
    const d = m.payload;
    const province = await this.org.findByCode(`${m.to}0000`);
    if (!province || province.level !== 2) throw new Error(`no province unit ${m.to}0000 on this node`);
    // Runs in the receiver's transaction (the inbox row and these writes commit together).
    const names = d.institutions.map((i) => i.name).join('、');
    const fields = {
      name: d.name,
      category: d.category,
      creditKind: d.creditKind,
      organiser: (names ? `${d.organiser}（${names}）` : d.organiser).slice(0, 200),
      hours: d.hours,
      startsOn: d.startsOn,
      endsOn: d.endsOn,
      capacity: d.capacity,
      target: d.target ?? {},
      selfEnrol: d.selfEnrol,
    };
    const institutionIds = await this.repo.institutionsByCode(
      province.path,
      d.institutions.map((i) => i.code),
    );
    const copy = await this.repo.findNationalCopy(province.id, d.nationalCode);
    if (copy) {
      await this.repo.updateNationalCopy(copy.id, fields);
      await this.repo.linkInstitutions(copy.id, institutionIds);
      return;
    }
    await this.repo.insertProject({
      ...fields,
      ownerUnitId: province.id,
      ownerPath: province.path,
      level: 'national',
      nationalCode: d.nationalCode,
      state: 'approved',
      institutionIds,
      createdBy: null,
    });
  }
}
