import { Injectable, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { CATALOGUE_VERSION, type CatalogueDefinition } from '@tmis/core-indicators';
import { HealthRegistry } from '@tmis/server';
import { effectiveCatalogue, type PublishedVersion } from './catalogue-changes.js';
import { CatalogueVersionsRepository } from './catalogue-versions.repository.js';

/** Message types of the catalogue's downward and upward messages. */
export const CATALOGUE_PUBLISHED = 'catalogue.published';
export const CATALOGUE_APPLIED = 'catalogue.applied';

/**
 * National only (the national composition binds it): the catalogue version each province reports it runs.
 */
@Injectable()
export class ProvinceCatalogues {
  constructor(private readonly repo: CatalogueVersionsRepository) {}

  /** One province's, or every province's (null). */
  list(province: string | null) {
    return this.repo.provinces(province);
  }
}

/**
 * The core catalogue and code tables as versioned data (issue 17, ADR 0018), as either node holds them:
 * the effective catalogue is the compiled-in one plus every version held, in order. The national node
 * publishes versions (`NationalCatalogue`), a province applies them on receipt (`ProvincialCatalogue`);
 * the national node accepts records of the current and the previous version.
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
    private readonly health: HealthRegistry,
    /** Bound on the national node only: each province's version joins /health and the list. */
    @Optional() private readonly provinceCatalogues?: ProvinceCatalogues,
  ) {}

  private async reported(): Promise<{ provinces?: Awaited<ReturnType<ProvinceCatalogues['list']>> }> {
    return this.provinceCatalogues ? { provinces: await this.provinceCatalogues.list(null) } : {};
  }

  onApplicationBootstrap(): void {
    this.health.register('catalogue', async () => {
      const s = await this.state();
      return {
        details: {
          version: s.version,
          previous: s.previous,
          ...(await this.reported()),
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

  async list(a: Actor) {
    AccessPolicy.requireRole(a, [Role.SysAdmin, Role.InfoAdmin, Role.Query]);
    const s = await this.state();
    return {
      current: s.version,
      previous: s.previous,
      versions: await this.repo.versions(),
      ...(await this.reported()),
    };
  }
}
