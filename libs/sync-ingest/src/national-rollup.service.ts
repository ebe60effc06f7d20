import { Injectable, Optional } from '@nestjs/common';
import { CatalogueVersionsService, ProvinceCatalogues } from '@tmis/catalogue';
import type { Actor } from '@tmis/access';
import { maskIdNumber } from '@tmis/common';
import { NationalCustomFieldsRepository } from './national-custom-fields.repository.js';
import { NationalScope } from './national-scope.js';
import { NationalTeacherRepository } from './national-teacher.repository.js';
import { NationalTrainingRepository } from './national-training.repository.js';
import { SyncLedgerRepository } from './sync-ledger.repository.js';

/**
 * What the national node holds from the provinces, as its readers see it: progress, dead letters,
 * records (ID numbers masked) and custom fields — each scoped to the provinces the actor reads.
 */
@Injectable()
export class NationalRollupService {
  constructor(
    private readonly ledger: SyncLedgerRepository,
    private readonly teachers: NationalTeacherRepository,
    private readonly customFields: NationalCustomFieldsRepository,
    private readonly training: NationalTrainingRepository,
    @Optional() private readonly catalogue?: ProvinceCatalogues,
    @Optional() private readonly versions?: CatalogueVersionsService,
  ) {}

  async status(a: Actor) {
    const p = NationalScope.of(a);
    // Catalogue versions (ADR 0018): the versions accepted, and the one each province reports it runs.
    const running = this.catalogue ? await this.catalogue.list(p) : [];
    const provinces = (await this.ledger.progress(p)).map((row) => ({
      ...row,
      catalogueVersion: running.find((r) => r.province === row.province)?.version ?? null,
    }));
    return {
      node: 'national',
      provinces,
      deadLetters: await this.ledger.deadLetterCount(p),
      ...(this.versions ? { catalogue: { accepted: await this.versions.accepted(), provinces: running } } : {}),
    };
  }

  deadLetters(a: Actor) {
    return this.ledger.deadLetters(NationalScope.of(a));
  }

  async teacherList(a: Actor, province: string | undefined) {
    const rows = await this.teachers.list(NationalScope.resolve(a, province));
    return rows.map((r) => ({ ...r, idNumber: maskIdNumber(r.idNumber) }));
  }

  customFieldList(a: Actor, province: string | undefined) {
    return this.customFields.list(NationalScope.resolve(a, province));
  }

  /**
   * Training completion (Art. 25) from the credits the provinces sent (schema v3): per province, or per
   * city of the one province asked for; over a window of confirmation dates (default: the current
   * five-year cycle from 2021).
   */
  async trainingCompletion(a: Actor, province: string | undefined, from?: string, to?: string) {
    const p = NationalScope.resolve(a, province);
    const y = new Date().getUTCFullYear();
    const start = 2021 + Math.floor((y - 2021) / 5) * 5;
    const window = { from: from ?? `${start}-01-01`, to: to ?? `${start + 4}-12-31` };
    const rows = await this.training.completion(p, window.from, window.to);
    return {
      window,
      level: p ? 'city' : 'province',
      rows: rows.map((r) => ({
        ...r,
        coverage: r.teachers ? Math.round((r.withCredits / r.teachers) * 1000) / 1000 : 0,
        creditsPerTeacher: r.teachers ? Math.round((r.credits / r.teachers) * 100) / 100 : 0,
      })),
    };
  }
}
