import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AUTH_OPTIONS, SESSION_STORE } from '@tmis/access';
import { AuditModule } from '@tmis/audit';
import { OrgModule, UnitPathCache } from '@tmis/org';
import { AccountsController } from './accounts.controller.js';
import { ACCOUNTS_OPTIONS, type AccountsOptions } from './accounts.options.js';
import { AccountsRepository } from './accounts.repository.js';
import { AccountsService } from './accounts.service.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { LoginThrottle } from './login-throttle.js';
import { PasswordHashMetrics } from './password-hash.queue.js';
import { SessionCache } from './session-cache.js';

/** Accounts, login and sessions. Global: it provides the session store every `@Authenticated` route uses. */
@Global()
@Module({})
export class AccountsModule {
  static register(options: AccountsOptions): DynamicModule {
    return {
      module: AccountsModule,
      imports: [AuditModule, OrgModule],
      controllers: [AuthController, AccountsController],
      providers: [
        { provide: ACCOUNTS_OPTIONS, useValue: options },
        {
          provide: AUTH_OPTIONS,
          useValue: {
            jwtSecret: options.jwtSecret,
            jwtIssuer: options.jwtIssuer,
            accessTokenTtlSeconds: options.accessTokenTtlSeconds,
          },
        },
        { provide: SessionCache, useValue: new SessionCache(options.sessionCacheMs ?? 0) },
        // Units' paths (libs/org): dropped by the same notification as the sessions, kept as long.
        { provide: UnitPathCache, useValue: new UnitPathCache(options.sessionCacheMs ?? 0) },
        AccountsRepository,
        LoginThrottle,
        AuthService,
        AccountsService,
        PasswordHashMetrics,
        { provide: SESSION_STORE, useExisting: AuthService },
      ],
      exports: [AccountsService, AuthService, SessionCache, UnitPathCache, SESSION_STORE, AUTH_OPTIONS],
    };
  }
}
