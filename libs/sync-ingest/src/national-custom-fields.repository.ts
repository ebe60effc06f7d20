import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';

/** `national_custom_fields`: each province's custom indicator definitions as received. The only writer. */
@Injectable()
export class NationalCustomFieldsRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get tx() {
    return this.txHost.tx;
  }

  async get(
    province: string,
  ): Promise<{ definitions: Record<string, Record<string, unknown>>; lastSequence: number } | null> {
    const [cur] = await this.tx.query(
      `SELECT definitions, last_sequence::text AS "lastSequence" FROM national_custom_fields WHERE province_code = $1`,
      [province],
    );
    return cur ? { definitions: cur.definitions ?? {}, lastSequence: Number(cur.lastSequence) } : null;
  }

  /** Definitions of several provinces at once (for validating a batch of records). */
  async definitionsOf(provinces: string[]): Promise<Map<string, Record<string, Record<string, unknown>>>> {
    const rows: { p: string; d: Record<string, Record<string, unknown>> }[] = await this.tx.query(
      `SELECT province_code AS p, definitions AS d FROM national_custom_fields WHERE province_code = ANY($1::text[])`,
      [provinces],
    );
    return new Map(rows.map((r) => [r.p, r.d ?? {}]));
  }

  async put(province: string, definitions: Record<string, unknown>, sequence: number): Promise<void> {
    await this.tx.query(
      `INSERT INTO national_custom_fields (province_code, definitions, last_sequence) VALUES ($1,$2,$3)
       ON CONFLICT (province_code) DO UPDATE SET definitions = EXCLUDED.definitions, last_sequence = EXCLUDED.last_sequence, updated_at = now()`,
      [province, JSON.stringify(definitions), sequence],
    );
  }

  async list(
    province: string | null,
  ): Promise<{ province: string; definitions: Record<string, unknown>; updatedAt: Date }[]> {
    return this.tx.query(
      `SELECT province_code AS "province", definitions, updated_at AS "updatedAt" FROM national_custom_fields
        WHERE ($1::text IS NULL OR province_code = $1) ORDER BY province_code`,
      [province],
    );
  }
}
