import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { commonError, CommonErrorCode } from '@tmis/common';
import { CATALOGUE_VERSION, type CatalogueDefinition } from '@tmis/core-indicators';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { ALL_PROVINCES, FederationMessenger, OnFederationMessage, type FederationMessage } from '@tmis/federation';
import { HealthRegistry } from '@tmis/server';
import { checkChanges, effectiveCatalogue, type CatalogueChanges, type PublishedVersion } from './catalogue-changes.js';
import { CatalogueVersionsRepository } from './catalogue-versions.repository.js';

export const CATALOGUE_OPTIONS = Symbol('CATALOGUE_OPTIONS');
export interface CatalogueOptions {
  role: 'national' | 'provincial';
}

/** Message types of the catalogue's downward and upward messages. */
export const CATALOGUE_PUBLISHED = 'catalogue.published';
export const CATALOGUE_APPLIED = 'catalogue.applied';

/**
 * The core catalogue and code tables as versioned data (issue 17, ADR 0018). The national node publishes
 * a version (changes against the current one) to every province over the federation messenger in the
 * transaction that stores it; a province applies it on receipt (no release: the effective catalogue is
 * the compiled-in one plus every version applied, in order) and reports the version it runs back. The
 * national node accepts records of the current and the previous version.
 */
@Injectable()
export class CatalogueVersionsService implements OnApplicationBootstrap {
  private cached: {
    stamp: string;
    catalogue: CatalogueDefinition;
    versions: string[];
    byVersion: Map<string, CatalogueDefinition>;
  } | null = null;

  constructor(
    private readonly repo: CatalogueVersionsRepository,
    private readonly messenger: FederationMessenger,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly health: HealthRegistry,
    @Inject(CATALOGUE_OPTIONS) private readonly options: CatalogueOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.health.register('catalogue', async () => {
      const s = await this.state();
      return {
        details: {
          version: s.version,
          previous: s.previous,
          ...(this.options.role === 'national' ? { provinces: await this.repo.provinces(null) } : {}),
        },
        metrics: { catalogue_versions: s.versions.length },
      };
    });
  }

  /** The versions this node holds, the current one and the one before. */
  async state(): Promise<{
    version: string;
    previous: string | null;
    versions: string[];
    catalogue: CatalogueDefinition;
    byVersion: Map<string, CatalogueDefinition>;
  }> {
    // Checked against the table on every call, never only invalidated: a read racing a version being
    // stored (not yet committed), a rolled-back one, or another process of the node would pin a stale one.
    const stamp = await this.repo.stamp();
    if (this.cached?.stamp !== stamp) {
      const rows = (await this.repo.versions()) as PublishedVersion[];
      const byVersion = new Map<string, CatalogueDefinition>([[CATALOGUE_VERSION, effectiveCatalogue([])]]);
      rows.forEach((r, i) => byVersion.set(r.version, effectiveCatalogue(rows.slice(0, i + 1))));
      this.cached = {
        stamp: rows.map((r) => r.version).join(','),
        catalogue: effectiveCatalogue(rows),
        versions: [CATALOGUE_VERSION, ...rows.map((r) => r.version)],
        byVersion,
      };
    }
    const c = this.cached;
    const v = c.versions;
    return {
      version: v[v.length - 1],
      previous: v[v.length - 2] ?? null,
      versions: v,
      catalogue: c.catalogue,
      byVersion: c.byVersion,
    };
  }

  /** The catalogue in force on this node (the compiled-in one plus every version held). */
  async catalogue(): Promise<CatalogueDefinition> {
    return (await this.state()).catalogue;
  }

  /**
   * National: the catalogue to check a record of `version` against — when it is the current or the previous
   * version (both accepted); null for any other (refused).
   */
  async accepting(version: string): Promise<CatalogueDefinition | null> {
    const s = await this.state();
    if (version !== s.version && version !== s.previous) return null;
    return s.byVersion.get(version) ?? null;
  }

  /** The current and previous version (what national accepts). */
  async accepted(): Promise<string[]> {
    const s = await this.state();
    return [s.version, ...(s.previous ? [s.previous] : [])];
  }

  /** National: the version each province reports it runs (one province, or all). */
  provinces(province: string | null) {
    return this.repo.provinces(province);
  }

  async list(a: Actor) {
    AccessPolicy.requireRole(a, [Role.SysAdmin, Role.InfoAdmin, Role.Query]);
    const s = await this.state();
    return {
      current: s.version,
      previous: s.previous,
      versions: await this.repo.versions(),
      ...(this.options.role === 'national' ? { provinces: await this.repo.provinces(null) } : {}),
    };
  }

  /** National, the ministry's administrators: a new version, published to every province. */
  async publish(a: Actor, version: string, changes: CatalogueChanges) {
    AccessPolicy.requireRole(a, [Role.SysAdmin, Role.InfoAdmin]);
    if (this.options.role !== 'national' || a.unitLevel !== 1)
      throw commonError(
        CommonErrorCode.Forbidden,
        'Catalogue versions are published by the ministry on the national node',
      );
    const s = await this.state();
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

  /** A province: a version published by national, applied on receipt; the version it runs is reported back. */
  @OnFederationMessage(CATALOGUE_PUBLISHED)
  async published(m: FederationMessage<PublishedVersion>): Promise<void> {
    if (m.from !== 'national') throw new Error('catalogue versions come from the national node');
    const { version, base, changes } = m.payload;
    const s = await this.state();
    if (!s.versions.includes(version)) {
      if (base !== s.version) throw new Error(`catalogue ${version} is based on ${base}; this node runs ${s.version}`);
      await this.repo.add(version, base, changes, true);
    }
    await this.messenger.send('national', CATALOGUE_APPLIED, { version: (await this.state()).version }, 'catalogue');
  }

  /** National: a province runs a version. */
  @OnFederationMessage(CATALOGUE_APPLIED)
  async applied(m: FederationMessage<{ version: string }>): Promise<void> {
    if (!/^\d{2}$/.test(m.from)) throw new Error('catalogue.applied comes from a province');
    await this.repo.reportApplied(m.from, String(m.payload.version).slice(0, 32));
  }
}
