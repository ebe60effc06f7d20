import { Injectable } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { commonError, CommonErrorCode } from '@tmis/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { ALL_PROVINCES, FederationMessenger, OnFederationMessage, type FederationMessage } from '@tmis/federation';
import { checkChanges, type CatalogueChanges } from './catalogue-changes.js';
import { CatalogueVersionsRepository } from './catalogue-versions.repository.js';
import { CatalogueVersionsService } from './catalogue-versions.service.js';

/** Message types of the catalogue's downward and upward messages. */
export const CATALOGUE_PUBLISHED = 'catalogue.published';
export const CATALOGUE_APPLIED = 'catalogue.applied';

/**
 * The national node's side of catalogue versions (the national composition binds it): the ministry
 * publishes a version (changes against the current one) to every province over the federation messenger
 * in the transaction that stores it; each province reports back the version it runs.
 */
@Injectable()
export class NationalCatalogue {
  constructor(
    private readonly versions: CatalogueVersionsService,
    private readonly repo: CatalogueVersionsRepository,
    private readonly messenger: FederationMessenger,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
  ) {}

  /** The ministry's administrators: a new version, published to every province. */
  async publish(a: Actor, version: string, changes: CatalogueChanges) {
    AccessPolicy.requireRole(a, [Role.SysAdmin, Role.InfoAdmin]);
    if (a.unitLevel !== 1)
      throw commonError(
        CommonErrorCode.Forbidden,
        'Catalogue versions are published by the ministry on the national node',
      );
    const s = await this.versions.state();
    const problems = s.versions.includes(version) ? [`version ${version} exists`] : checkChanges(s.catalogue, changes);
    if (problems.length)
      throw commonError(
        CommonErrorCode.ValidationFailed,
        'The catalogue version is not valid',
        undefined,
        problems.map((message) => ({
          path: message.split(':')[0].split(' ')[0],
          code: 'catalogueChange',
          message,
          messageZh: `指标目录版本变更无效：${message}`,
        })),
      );
    await this.txHost.withTransaction(async () => {
      await this.repo.add(version, s.version, changes, true);
      for (const p of ALL_PROVINCES)
        await this.messenger.send(p, CATALOGUE_PUBLISHED, { version, base: s.version, changes }, 'catalogue');
    });
    return { version, base: s.version, provinces: ALL_PROVINCES.length };
  }

  /** A province runs a version. */
  @OnFederationMessage(CATALOGUE_APPLIED)
  async applied(m: FederationMessage<{ version: string }>): Promise<void> {
    if (!/^\d{2}$/.test(m.from)) throw new Error('catalogue.applied comes from a province');
    await this.repo.reportApplied(m.from, String(m.payload.version).slice(0, 32));
  }
}
