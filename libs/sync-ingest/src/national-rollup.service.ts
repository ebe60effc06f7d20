import { Injectable, Optional } from '@nestjs/common';
import { CatalogueVersionsService } from '@tmis/catalogue';
import type { Actor } from '@tmis/access';
import { maskIdNumber } from '@tmis/common';
import { NationalCustomFieldsRepository } from './national-custom-fields.repository.js';
import { NationalScope } from './national-scope.js';
import { NationalTeacherRepository } from './national-teacher.repository.js';
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
    @Optional() private readonly catalogue?: CatalogueVersionsService,
  ) {}

  async status(a: Actor) {
    const p = NationalScope.of(a);
    // Catalogue versions (ADR 0018): the versions accepted, and the one each province reports it runs.
    const running = this.catalogue ? await this.catalogue.provinces(p) : [];
    const provinces = (await this.ledger.progress(p)).map((row: { province?: string }) => ({
      ...row,
      catalogueVersion: running.find((r) => r.province === row.province)?.version ?? null,
    }));
    return {
      node: 'national',
      provinces,
      deadLetters: await this.ledger.deadLetterCount(p),
      ...(this.catalogue ? { catalogue: { accepted: await this.catalogue.accepted(), provinces: running } } : {}),
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
}
