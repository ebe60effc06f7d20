import { Injectable } from '@nestjs/common';
import { FederationMessenger, OnFederationMessage, type FederationMessage } from '@tmis/federation';
import type { PublishedVersion } from './catalogue-changes.js';
import { CatalogueVersionsRepository } from './catalogue-versions.repository.js';
import { CatalogueVersionsService } from './catalogue-versions.service.js';
import { CATALOGUE_APPLIED, CATALOGUE_PUBLISHED } from './national-catalogue.service.js';

/**
 * A province's side of catalogue versions (the provincial composition binds it): a version published by
 * national is applied on receipt — no release — and the version the province runs is reported back.
 */
@Injectable()
export class ProvincialCatalogue {
  constructor(
    private readonly versions: CatalogueVersionsService,
    private readonly repo: CatalogueVersionsRepository,
    private readonly messenger: FederationMessenger,
  ) {}

  @OnFederationMessage(CATALOGUE_PUBLISHED)
  async published(m: FederationMessage<PublishedVersion>): Promise<void> {
    if (m.from !== 'national') throw new Error('catalogue versions come from the national node');
    const { version, base, changes } = m.payload;
    const s = await this.versions.state();
    if (!s.versions.includes(version)) {
      if (base !== s.version) throw new Error(`catalogue ${version} is based on ${base}; this node runs ${s.version}`);
      await this.repo.add(version, base, changes, true);
    }
    const now = await this.versions.state();
    await this.messenger.send('national', CATALOGUE_APPLIED, { version: now.version }, 'catalogue');
  }
}
