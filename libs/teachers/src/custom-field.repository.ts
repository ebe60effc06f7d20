import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import type { EntityManager } from 'typeorm';

export interface CustomFieldRow {
  key: string;
  version: number;
  status: string;
  definition: Record<string, unknown>;
  createdAt: Date;
}

/** Every query on `custom_field` (the province's versioned custom indicator definitions). */
@Injectable()
export class CustomFieldRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get db(): EntityManager {
    return this.txHost.tx;
  }

  /** The latest version of every field of a province. */
  async latest(provinceCode: string, includeRetired: boolean): Promise<CustomFieldRow[]> {
    const rows: CustomFieldRow[] = await this.db.query(
      `SELECT DISTINCT ON (key) key, version, status, definition, created_at AS "createdAt" FROM custom_field
        WHERE province_code = $1 ORDER BY key, version DESC`,
      [provinceCode],
    );
    return includeRetired ? rows : rows.filter((r) => r.status === 'active');
  }

  async versions(provinceCode: string, key: string): Promise<Omit<CustomFieldRow, 'key'>[]> {
    return this.db.query(
      `SELECT version, status, definition, created_at AS "createdAt" FROM custom_field WHERE province_code = $1 AND key = $2 ORDER BY version`,
      [provinceCode, key],
    );
  }

  async insert(
    provinceCode: string,
    key: string,
    version: number,
    status: string,
    definition: object,
    createdBy: string,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO custom_field (province_code, key, version, status, definition, created_by) VALUES ($1,$2,$3,$4,$5,$6)`,
      [provinceCode, key, version, status, JSON.stringify(definition), createdBy],
    );
  }
}
