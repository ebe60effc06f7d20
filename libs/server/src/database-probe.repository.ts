import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';

/** The node's own look at its database for `/health`: does it answer, and how many migrations are applied. */
@Injectable()
export class DatabaseProbeRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  async migrationsApplied(): Promise<number> {
    const [row]: { migrations: number }[] = await this.txHost.tx.query(
      `SELECT (SELECT count(*) FROM schema_migrations)::int AS migrations`,
    );
    return row.migrations;
  }
}
