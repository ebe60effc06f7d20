import { Inject, Injectable } from '@nestjs/common';
import { fingerprintOf, type Fingerprint } from '@tmis/sync-transport';
import { ReportedStateRepository } from './reported-state.repository.js';
import { SYNC_PUBLISH_OPTIONS, type SyncPublishOptions } from './sync-publish.options.js';

/**
 * Reconciliation, province side: per school, the number of reported records and a hash over
 * (teacher id, reported version), computed as the national node computes it over what it received.
 */
@Injectable()
export class PublishedFingerprintService {
  constructor(
    private readonly reported: ReportedStateRepository,
    @Inject(SYNC_PUBLISH_OPTIONS) private readonly options: SyncPublishOptions,
  ) {}

  async fingerprint(): Promise<Fingerprint> {
    return fingerprintOf(this.options.provinceCode, await this.reported.schoolFingerprints());
  }

  records(unitCode: string): Promise<{ teacherId: string; reportedVersion: number }[]> {
    return this.reported.schoolRecords(unitCode);
  }
}
