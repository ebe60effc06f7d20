import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { jwtKey, type Actor, type SessionStore } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { requestContext } from '@tmis/common';
import { TransactionHost, type ChannelListener, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { UnitPathCache } from '@tmis/org';
import { AccountStatus } from './account.entity.js';
import { accountError, AccountErrorCode } from './accounts.errors.js';
import { ACCOUNTS_OPTIONS, type AccountsOptions } from './accounts.options.js';
import { AccountsRepository } from './accounts.repository.js';
import type { TokenResponse } from './dto/account.dto.js';
import { LoginThrottle, type ThrottleVerdict } from './login-throttle.js';
import { dummyHash, hashPassword, verifyPassword } from './password.js';
import { assertPasswordAcceptable } from './password-policy.js';
import { SessionCache } from './session-cache.js';

export interface ClientInfo {
  ip: string | null;
  /** Normalised SHA-256 fingerprint of the client certificate presented, if any. */
  certFingerprint: string | null;
}

export function normaliseFingerprint(f: string): string {
  return f.replace(/:/g, '').toUpperCase();
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function throttled(v: ThrottleVerdict) {
  return accountError(AccountErrorCode.TooManyAttempts, undefined, {
    retryAfterSeconds: v.retryAfterSeconds,
    rateLimit: { limit: v.limit, remaining: 0, reset: v.retryAfterSeconds, windowSeconds: v.windowSeconds },
  });
}

@Injectable()
export class AuthService implements SessionStore, OnModuleInit, OnModuleDestroy {
  private listener?: ChannelListener;

  constructor(
    private readonly repo: AccountsRepository,
    private readonly audit: AuditService,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(ACCOUNTS_OPTIONS) private readonly options: AccountsOptions,
    private readonly throttle: LoginThrottle,
    private readonly sessionCache: SessionCache,
    private readonly unitPaths: UnitPathCache,
  ) {}

  /**
   * Listens for `tmis_auth_changed` (migration 1767840000000): the session cache and the unit-path cache
   * (libs/org) are on only while it does.
   */
  onModuleInit(): void {
    if (!this.sessionCache.ttlMs) return;
    const caches = [this.sessionCache, this.unitPaths];
    this.listener =
      this.repo.listenForAuthChanges({
        onNotify: () => caches.forEach((c) => c.invalidate(false)),
        onUp: () => caches.forEach((c) => (c.live = true)),
        onDown: () => caches.forEach((c) => (c.live = false)),
      }) ?? undefined;
  }

  async onModuleDestroy(): Promise<void> {
    this.sessionCache.live = false;
    this.unitPaths.live = false;
    await this.listener?.close();
  }

  /**
   * The live session's actor: from the session cache when seen within its bound (see
   * {@link SessionCache}), else looked up (session, account and unit in one query) and remembered.
   */
  async resolveActor(sessionId: string, accountId: string): Promise<Actor | null> {
    const cached = this.sessionCache.actorOf(sessionId, accountId);
    if (cached) return cached;
    const started = this.sessionCache.begin();
    const actor = await this.repo.resolveActor(sessionId, accountId);
    if (actor) this.sessionCache.put(started, sessionId, actor);
    return actor;
  }

  /**
   * Logs in. Every refusal for the credentials looks the same whether or not the user name exists:
   * the same status, body and timing (a password hash is checked either way), and an unknown name
   * locks after the same number of failures as an account. Failures also count per address and
   * node-wide; past those limits attempts are refused with 429 before any password is checked.
   */
  async login(username: string, password: string, client: ClientInfo): Promise<TokenResponse> {
    const refuse = async (reason: string, accountId?: string, unitPath?: string) => {
      await this.audit.record(null, {
        action: 'auth.login',
        outcome: 'refused',
        targetType: 'account',
        targetId: accountId,
        unitPath,
        details: { reason },
      });
    };
    const verdict = await this.throttle.check(client.ip);
    if (verdict) {
      await refuse('throttled');
      throw throttled(verdict);
    }
    const { lockoutThreshold: threshold, lockoutMinutes: minutes } = this.options;
    const locked = (until: Date) =>
      accountError(AccountErrorCode.Locked, undefined, { lockedUntil: until.toISOString() });
    const account = await this.repo.findByUsername(username);
    if (!account) {
      await this.throttle.failed(client.ip);
      const lockedUntil = await this.repo.unknownLockedUntil(username);
      if (lockedUntil) {
        await refuse('locked');
        throw locked(lockedUntil);
      }
      await verifyPassword(await dummyHash(), password);
      const nowLocked = await this.repo.recordUnknownFailure(username, threshold, minutes);
      await refuse(nowLocked ? 'unknown-user-locked' : 'unknown-user');
      if (nowLocked) throw locked(nowLocked);
      throw accountError(AccountErrorCode.InvalidCredentials);
    }
    if (account.lockedUntil && account.lockedUntil > new Date()) {
      await this.throttle.failed(client.ip);
      await refuse('locked', account.id, account.unitPath);
      throw locked(account.lockedUntil);
    }
    if (!(await verifyPassword(account.passwordHash, password))) {
      await this.throttle.failed(client.ip);
      const lockedUntil = await this.repo.recordFailedLogin(account.id, threshold, minutes);
      await refuse(lockedUntil ? 'bad-password-locked' : 'bad-password', account.id, account.unitPath);
      if (lockedUntil) throw locked(lockedUntil);
      throw accountError(AccountErrorCode.InvalidCredentials);
    }
    if (account.status !== AccountStatus.Active || account.unitStatus !== 'active') {
      await refuse('disabled', account.id, account.unitPath);
      throw accountError(AccountErrorCode.Disabled);
    }
    if (account.certFingerprint && client.certFingerprint !== normaliseFingerprint(account.certFingerprint)) {
      await refuse(
        client.certFingerprint ? 'certificate-mismatch' : 'certificate-missing',
        account.id,
        account.unitPath,
      );
      throw accountError(AccountErrorCode.CertificateRequired);
    }
    const refreshToken = randomBytes(32).toString('base64url');
    const sessionId = await this.txHost.withTransaction(async () => {
      await this.repo.recordSuccessfulLogin(account.id);
      const sid = await this.repo.createSession(
        account.id,
        sha256(refreshToken),
        this.options.refreshTokenTtlSeconds,
        client.ip,
      );
      await this.audit.record({ accountId: account.id, unitId: account.unitId } as Actor, {
        action: 'auth.login',
        targetType: 'account',
        targetId: account.id,
        unitPath: account.unitPath,
        details: { sessionId: sid },
      });
      return sid;
    });
    return this.tokens(account.id, account.role, sessionId, refreshToken, account.mustChangePassword);
  }

  async refresh(refreshToken: string): Promise<TokenResponse> {
    const next = randomBytes(32).toString('base64url');
    const rotated = await this.repo.rotateRefresh(
      sha256(refreshToken),
      sha256(next),
      this.options.refreshTokenTtlSeconds,
    );
    if (!rotated) {
      // A token rotated away from, presented again, was copied: end the whole session (its family).
      const reused = await this.repo.revokeSessionOfRotatedToken(sha256(refreshToken));
      if (reused)
        await this.audit.record(null, {
          action: 'auth.refresh.reuse',
          outcome: 'refused',
          targetType: 'account',
          targetId: reused.accountId,
          details: { sessionId: reused.sessionId, sessionRevoked: true },
        });
      throw accountError(AccountErrorCode.InvalidRefreshToken);
    }
    const account = await this.repo.findById(rotated.accountId);
    if (!account) throw accountError(AccountErrorCode.InvalidRefreshToken);
    return this.tokens(account.id, account.role, rotated.sessionId, next, account.mustChangePassword);
  }

  async logout(actor: Actor): Promise<void> {
    await this.repo.revokeSession(actor.sessionId);
    await this.audit.record(actor, {
      action: 'auth.logout',
      targetType: 'account',
      targetId: actor.accountId,
      unitPath: actor.unitPath,
    });
  }

  /**
   * Changes the caller's password. A wrong current password counts toward the account's lockout
   * (and the address's throttle) like a failed login; when it locks the account, every session of
   * the account ends, this one included.
   */
  async changePassword(actor: Actor, currentPassword: string, newPassword: string): Promise<void> {
    const ip = requestContext.getStore()?.ip ?? null;
    const verdict = await this.throttle.check(ip);
    if (verdict) throw throttled(verdict);
    const account = await this.repo.findById(actor.accountId);
    if (!account) throw accountError(AccountErrorCode.AccountNotFound);
    if (account.lockedUntil && account.lockedUntil > new Date())
      throw accountError(AccountErrorCode.Locked, undefined, { lockedUntil: account.lockedUntil.toISOString() });
    if (!(await verifyPassword(account.passwordHash, currentPassword))) {
      await this.throttle.failed(ip);
      const lockedUntil = await this.txHost.withTransaction(async () => {
        const until = await this.repo.recordFailedLogin(
          account.id,
          this.options.lockoutThreshold,
          this.options.lockoutMinutes,
        );
        if (until) await this.repo.revokeAllSessions(account.id);
        await this.audit.record(actor, {
          action: 'auth.password.change',
          outcome: 'refused',
          targetType: 'account',
          targetId: account.id,
          unitPath: account.unitPath,
          details: { reason: until ? 'bad-password-locked' : 'bad-password' },
        });
        return until;
      });
      if (lockedUntil)
        throw accountError(AccountErrorCode.Locked, undefined, { lockedUntil: lockedUntil.toISOString() });
      throw accountError(AccountErrorCode.InvalidCredentials, 'currentPassword is wrong');
    }
    assertPasswordAcceptable('newPassword', newPassword, account.username);
    if (newPassword === currentPassword) throw accountError(AccountErrorCode.PasswordReused);
    const passwordHash = await hashPassword(newPassword);
    await this.txHost.withTransaction(async () => {
      await this.repo.update(account.id, account.version, { passwordHash, mustChangePassword: false });
      await this.repo.revokeAllSessions(account.id, actor.sessionId);
      await this.audit.record(actor, {
        action: 'auth.password.change',
        targetType: 'account',
        targetId: account.id,
        unitPath: account.unitPath,
      });
    });
  }

  private tokens(
    accountId: string,
    role: string,
    sessionId: string,
    refreshToken: string,
    mustChangePassword: boolean,
  ): TokenResponse {
    const accessToken = jwt.sign({ sid: sessionId, role, typ: 'access' }, jwtKey(this.options.jwtSecret), {
      algorithm: 'HS256',
      subject: accountId,
      issuer: this.options.jwtIssuer,
      expiresIn: this.options.accessTokenTtlSeconds,
    });
    return {
      accessToken,
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.options.accessTokenTtlSeconds,
      mustChangePassword,
    };
  }
}
