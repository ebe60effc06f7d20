import { readFileSync } from 'node:fs';
import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@tmis/accounts';
import { AuditModule } from '@tmis/audit';
import { dataSourceOptions, transactionsModule } from '@tmis/database';
import { OrgModule, OrgUnitEntity } from '@tmis/org';
import { StatsModule } from '@tmis/stats';
import { SyncModule } from '@tmis/sync';
import { TeachersModule } from '@tmis/teachers';
import { BulkModule } from '@tmis/bulk';
import { join, resolve } from 'node:path';
import { HealthController, HealthRegistry, MetricsController, NODE_INFO, type NodeRuntime } from '@tmis/server';

/** What every node has: the database, the org tree, accounts and auth, audit and health. */
@Module({})
export class CoreNodeModule {
  static register(runtime: NodeRuntime, version = '0.1.0'): DynamicModule {
    const c = runtime.config;
    const teachers = TeachersModule.register({ provinceCode: c.PROVINCE_CODE });
    return {
      module: CoreNodeModule,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(runtime.databaseUrl, [OrgUnitEntity], {
            extra: { max: c.DB_POOL_SIZE, application_name: `tmis-${runtime.kind}` },
          }),
        }),
        transactionsModule(),
        AuditModule,
        OrgModule,
        // Bulk before Teachers: GET /teachers/export must be routed before GET /teachers/:id.
        BulkModule.register(
          {
            maxUploadMb: c.BULK_MAX_UPLOAD_MB,
            dir: resolve(c.BULK_DIR ?? join(c.DATA_DIR, 'bulk')),
            maxJobs: c.BULK_MAX_JOBS,
            retentionHours: c.BULK_RETENTION_HOURS,
          },
          teachers,
        ),
        teachers,
        SyncModule.register({
          kind: runtime.kind,
          provinceCode: c.PROVINCE_CODE,
          kafkaBrokers: c.KAFKA_BROKERS?.split(',').map((b) => b.trim()),
          topic: c.SYNC_TOPIC,
          relayIntervalMs: c.SYNC_RELAY_INTERVAL_MS,
          kafkaSsl: c.KAFKA_SSL
            ? { ca: c.KAFKA_SSL_CA_FILE ? readFileSync(c.KAFKA_SSL_CA_FILE, 'utf8') : undefined }
            : false,
          kafkaSasl:
            c.KAFKA_SASL_MECHANISM && c.KAFKA_SASL_USERNAME && c.KAFKA_SASL_PASSWORD
              ? { mechanism: c.KAFKA_SASL_MECHANISM, username: c.KAFKA_SASL_USERNAME, password: c.KAFKA_SASL_PASSWORD }
              : undefined,
          nationalUrl: c.NATIONAL_URL,
          nodeToken: c.SYNC_NODE_TOKEN,
          nodeTokens: Object.fromEntries(
            (c.SYNC_NODE_TOKENS ?? '')
              .split(',')
              .filter(Boolean)
              .map((p) => [p.slice(0, 2), p.slice(3)]),
          ),
        }),
        StatsModule.register({
          kind: runtime.kind,
          provinceCode: c.PROVINCE_CODE,
          refreshSeconds: c.STATS_REFRESH_SECONDS,
          cacheEntries: c.STATS_CACHE_ENTRIES,
        }),
        AccountsModule.register({
          jwtSecret: runtime.jwtSecret,
          jwtIssuer: `tmis-${runtime.kind}${c.PROVINCE_CODE ? `-${c.PROVINCE_CODE}` : ''}`,
          accessTokenTtlSeconds: c.ACCESS_TOKEN_TTL_SECONDS,
          refreshTokenTtlSeconds: c.REFRESH_TOKEN_TTL_SECONDS,
          lockoutThreshold: c.LOCKOUT_THRESHOLD,
          lockoutMinutes: c.LOCKOUT_MINUTES,
          loginThrottle: {
            perAddress: c.LOGIN_FAILURES_PER_ADDRESS,
            global: c.LOGIN_FAILURES_GLOBAL,
            windowSeconds: c.LOGIN_THROTTLE_WINDOW_SECONDS,
          },
          clientCertHeader: c.CLIENT_CERT_HEADER,
          trustedProxies: (c.TRUSTED_PROXIES ?? '')
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        }),
      ],
      global: true,
      controllers: [HealthController, MetricsController],
      providers: [
        {
          provide: NODE_INFO,
          useValue: {
            kind: runtime.kind,
            provinceCode: c.PROVINCE_CODE,
            version,
            embeddedDatabase: runtime.embedded,
            metricsToken: c.METRICS_TOKEN,
          },
        },
        HealthRegistry,
      ],
      exports: [HealthRegistry],
    };
  }
}
