import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { CLIENT_STORE } from '@tmis/access';
import { AuditModule } from '@tmis/audit';
import { OrgModule } from '@tmis/org';
import { ApiClientsController, OAuthController } from './api-clients.controller.js';
import { API_CLIENTS_OPTIONS, type ApiClientsOptions } from './api-clients.options.js';
import { ApiClientsRepository } from './api-clients.repository.js';
import { ApiClientsService } from './api-clients.service.js';
import { ClientAuthService } from './client-auth.service.js';
import { ClientCallAuditInterceptor } from './client-call-audit.interceptor.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { IdempotencyRepository } from './idempotency.repository.js';
import { PlatformMaintenance } from './platform-maintenance.js';
import { RateLimitRepository } from './rate-limit.repository.js';
import { RateLimiter } from './rate-limiter.js';

/**
 * API clients for third-party platforms (issue 16, ADR 0017): registration, the client-credentials
 * token endpoint, the `ClientStore` behind every `@Authenticated` route, rate limits, the audit of
 * every client call, and `Idempotency-Key` on creating POSTs. Global: the guard of every module
 * finds the client store here.
 */
@Global()
@Module({})
export class ApiClientsModule {
  static register(options: ApiClientsOptions): DynamicModule {
    return {
      module: ApiClientsModule,
      imports: [AuditModule, OrgModule],
      controllers: [OAuthController, ApiClientsController],
      providers: [
        { provide: API_CLIENTS_OPTIONS, useValue: options },
        ApiClientsRepository,
        RateLimitRepository,
        IdempotencyRepository,
        RateLimiter,
        ApiClientsService,
        ClientAuthService,
        PlatformMaintenance,
        { provide: CLIENT_STORE, useExisting: ClientAuthService },
        // Outermost first: the call's audit row is written after the idempotent write has committed.
        { provide: APP_INTERCEPTOR, useClass: ClientCallAuditInterceptor },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
      exports: [CLIENT_STORE, ApiClientsService, RateLimiter],
    };
  }
}
