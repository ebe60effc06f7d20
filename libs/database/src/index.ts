// The public surface of libs/database: only what other libs, apps, tests, bench and tools import.
export { type EmbeddedDatabase, startEmbeddedPostgres } from './embedded.js';
export { dataSourceOptions, runMigrations } from './data-source.js';
export { isTransientDatabaseError, isUniqueViolation, returned } from './rows.js';
export { type ChannelHandlers, type ChannelListener, listenToChannel } from './notifications.js';
// The one transaction mechanism (ADR 0009): repositories inject the TransactionHost and run on `txHost.tx`.
export { Propagation, type TransactionalAdapterTypeOrm, TransactionHost, transactionsModule } from './transactions.js';
