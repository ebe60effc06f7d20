import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@tmis/accounts';
import { ApiClientsModule } from '@tmis/api-clients';
import { AuditModule } from '@tmis/audit';
import { BulkModule } from '@tmis/bulk';
import { ChangeFeedModule } from '@tmis/change-feed';
import { dataSourceOptions, transactionsModule } from '@tmis/database';
import { OrgModule, OrgUnitEntity } from '@tmis/org';
import { TeachersModule } from '@tmis/teachers';
import { WebhooksModule } from '@tmis/webhooks';
import { join, resolve } from 'node:path';
import {
  DatabaseProbeRepository,
  HealthController,
  HealthRegistry,
  NodeReady,
  MetricsController,
  NODE_INFO,
  type NodeRuntime,
} from '@tmis/server';

/**
 * What every node has: the database and its transactions, the org tree, the record modules
 * (teachers, review, bulk: the provinces' schools, and the central universities at national),
 * accounts and auth, audit and health. Each app adds what makes it that node.
 */
@Module({})
export class CoreNodeModule {
  static register(
    runtime: NodeRuntime,
    node: { provinceCode?: string; version?: string; topUnitLevel: number },
  ): DynamicModule {
    const c = runtime.config;
    const teachers = TeachersModule.register({ provinceCode: node.provinceCode });
    const changeFeed = ChangeFeedModule.register({
      intervalMs: c.CHANGE_FEED_INTERVAL_MS,
      retentionDays: c.CHANGE_FEED_RETENTION_DAYS,
    });
    return {
      module: CoreNodeModule,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(runtime.databaseUrl, [OrgUnitEntity], {
            extra: {
              max: c.DB_POOL_SIZE,
              // Waiting for a pooled connection is bounded: past it the request fails with 503 DATABASE_BUSY.
              connectionTimeoutMillis: c.DB_ACQUIRE_TIMEOUT_MS,
              application_name: `tmis-${runtime.kind}`,
            },
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
        changeFeed,
        WebhooksModule.register(
          {
            intervalMs: c.WEBHOOK_INTERVAL_MS,
            retryBaseMs: c.WEBHOOK_RETRY_BASE_MS,
            maxAttempts: c.WEBHOOK_MAX_ATTEMPTS,
            disableAfter: c.WEBHOOK_DISABLE_AFTER,
            timeoutMs: c.WEBHOOK_TIMEOUT_MS,
            concurrency: c.WEBHOOK_CONCURRENCY,
            maxEndpoints: c.WEBHOOK_MAX_ENDPOINTS,
            allowPrivateNetworks: c.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
            allowedCidrs: c.WEBHOOK_ALLOWED_CIDRS,
          },
          [changeFeed, teachers],
        ),
        AccountsModule.register({
          jwtSecret: runtime.jwtSecret,
          jwtIssuer: `tmis-${runtime.kind}${node.provinceCode ? `-${node.provinceCode}` : ''}`,
          accessTokenTtlSeconds: c.ACCESS_TOKEN_TTL_SECONDS,
          refreshTokenTtlSeconds: c.REFRESH_TOKEN_TTL_SECONDS,
          lockoutThreshold: c.LOCKOUT_THRESHOLD,
          lockoutMinutes: c.LOCKOUT_MINUTES,
          sessionCacheMs: c.SESSION_CACHE_MS,
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
        ApiClientsModule.register({
          tokenTtlSeconds: c.API_CLIENT_TOKEN_TTL_SECONDS,
          clientRateLimitPerMinute: c.API_CLIENT_RATE_LIMIT,
          addressRateLimitPerMinute: c.API_ADDRESS_RATE_LIMIT,
          idempotencyTtlSeconds: c.IDEMPOTENCY_TTL_HOURS * 3600,
        }),
      ],
      global: true,
      controllers: [HealthController, MetricsController],
      providers: [
        {
          provide: NODE_INFO,
          useValue: {
            kind: runtime.kind,
            provinceCode: node.provinceCode,
            version: node.version ?? '0.1.0',
            embeddedDatabase: runtime.embedded,
            metricsToken: c.METRICS_TOKEN,
            topUnitLevel: node.topUnitLevel,
          },
        },
        HealthRegistry,
        NodeReady,
        DatabaseProbeRepository,
      ],
      // The record modules' public providers (repositories, services) for what each app adds (sync-publish, sync-ingest).
      exports: [HealthRegistry, NodeReady, OrgModule, teachers],
    };
  }
}
