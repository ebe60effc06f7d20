import { ClsPluginTransactional, Propagation, TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { type DynamicModule } from '@nestjs/common';
import { ClsModule } from 'nestjs-cls';
import { DataSource } from 'typeorm';

/**
 * The one transaction mechanism of every node (ADR 0009): a service declares its boundary with
 * `txHost.withTransaction(...)`, and every repository runs its queries on
 * `txHost.tx`, which is the open transaction's manager when there is one and the pool otherwise.
 * Nothing passes an `EntityManager` through calls, and nothing inside a transaction can reach for
 * a second pooled connection by accident.
 */
export type DbTx = TransactionHost<TransactionalAdapterTypeOrm>;
export type { TransactionalAdapterTypeOrm };

export { Propagation, TransactionHost };

/** The CLS context and the transactional plugin on the node's TypeORM data source (global). */
export function transactionsModule(): DynamicModule {
  return ClsModule.forRoot({
    global: true,
    plugins: [
      new ClsPluginTransactional({
        adapter: new TransactionalAdapterTypeOrm({ dataSourceToken: DataSource }),
      }),
    ],
  });
}
