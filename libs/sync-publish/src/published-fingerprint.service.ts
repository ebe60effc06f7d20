import { Inject, Injectable } from '@nestjs/common';
import { fingerprintOf, fingerprintTreePage, type Fingerprint, type FingerprintTreePage } from '@tmis/sync-transport';
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

  /** One page of the reconciliation tree: the 256 bucket hashes, or one bucket's schools after `after`. */
  async tree(bucket: string | null, after: string | null): Promise<FingerprintTreePage> {
    return fingerprintTreePage(await this.fingerprint(), bucket, after);
  }

  records(unitCode: string): Promise<{ teacherId: string; reportedVersion: number }[]> {
    return this.reported.schoolRecords(unitCode);
  }
}
