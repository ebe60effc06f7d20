import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import type { CatalogueChanges, PublishedVersion } from './catalogue-changes.js';

/** `catalogue_version` (both nodes: published at national, applied at a province) and `province_catalogue` (national). */
@Injectable()
export class CatalogueVersionsRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get tx() {
    return this.txHost.tx;
  }

  /** Every version held, oldest first. */
  async versions(): Promise<(PublishedVersion & { publishedAt: Date; appliedAt: Date | null })[]> {
    return this.tx.query(
      `SELECT version, base, changes, published_at AS "publishedAt", applied_at AS "appliedAt" FROM catalogue_version ORDER BY seq`,
    );
  }

  /**
   * A stamp of what the table holds (the version names in order): a cached catalogue is good while it is
   * unchanged. Cheap (a handful of rows), and it sees what this transaction and other processes committed.
   */
  async stamp(): Promise<string> {
    const [r] = await this.tx.query(
      `SELECT coalesce(string_agg(version, ',' ORDER BY seq), '') AS s FROM catalogue_version`,
    );
    return r.s;
  }

  /** Adds a version (idempotent on the version name: a redelivered publication changes nothing). */
  async add(version: string, base: string, changes: CatalogueChanges, applied: boolean): Promise<boolean> {
    const rows: unknown[] = await this.tx.query(
      `INSERT INTO catalogue_version (version, base, changes, applied_at) VALUES ($1, $2, $3, CASE WHEN $4 THEN now() END)
       ON CONFLICT (version) DO NOTHING RETURNING version`,
      [version, base, JSON.stringify(changes), applied],
    );
    return rows.length > 0;
  }

  /** National: the version a province reports it runs. */
  async reportApplied(province: string, version: string): Promise<void> {
    await this.tx.query(
      `INSERT INTO province_catalogue (province_code, version, applied_at) VALUES ($1, $2, now())
       ON CONFLICT (province_code) DO UPDATE SET version = EXCLUDED.version, applied_at = now()`,
      [province, version],
    );
  }

  async provinces(province: string | null): Promise<{ province: string; version: string; appliedAt: Date }[]> {
    return this.tx.query(
      `SELECT province_code AS province, version, applied_at AS "appliedAt" FROM province_catalogue
        WHERE $1::text IS NULL OR province_code = $1 ORDER BY province_code`,
      [province],
    );
  }
}
