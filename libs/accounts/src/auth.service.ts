import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import type { Actor, SessionStore } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { AccountStatus } from './account.entity.js';
import { accountError, AccountErrorCode } from './accounts.errors.js';
import { ACCOUNTS_OPTIONS, type AccountsOptions } from './accounts.options.js';
import { AccountsRepository } from './accounts.repository.js';
import type { TokenResponse } from './dto/account.dto.js';
import { dummyHash, hashPassword, passwordStrong, verifyPassword } from './password.js';

export interface ClientInfo {
  ip: string | null;
  /** Normalised SHA-256 fingerprint of the client certificate presented, if any. */
  certFingerprint: string | null;
}

export function normaliseFingerprint(f: string): string {
  return f.replace(/:/g, '').toUpperCase();
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

@Injectable()
export class AuthService implements SessionStore {
  constructor(
    private readonly repo: AccountsRepository,
    private readonly audit: AuditService,
    @Inject(ACCOUNTS_OPTIONS) private readonly options: AccountsOptions,
  ) {}

  resolveActor(sessionId: string, accountId: string): Promise<Actor | null> {
    return this.repo.resolveActor(sessionId, accountId);
  }

  async login(username: string, password: string, client: ClientInfo): Promise<TokenResponse> {
    const account = await this.repo.findByUsername(username);
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
    if (!account) {
      await verifyPassword(await dummyHash(), password);
      await refuse('unknown-user');
      throw accountError(AccountErrorCode.InvalidCredentials);
    }
    if (account.lockedUntil && account.lockedUntil > new Date()) {
      await refuse('locked', account.id, account.unitPath);
      throw accountError(AccountErrorCode.Locked, undefined, { lockedUntil: account.lockedUntil.toISOString() });
    }
    if (!(await verifyPassword(account.passwordHash, password))) {
      const lockedUntil = await this.repo.recordFailedLogin(
        account.id,
        this.options.lockoutThreshold,
        this.options.lockoutMinutes,
      );
      await refuse(lockedUntil ? 'bad-password-locked' : 'bad-password', account.id, account.unitPath);
      if (lockedUntil)
        throw accountError(AccountErrorCode.Locked, undefined, { lockedUntil: lockedUntil.toISOString() });
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
    const sessionId = await this.repo.transaction(async (tx) => {
      await this.repo.recordSuccessfulLogin(account.id, tx);
      const sid = await this.repo.createSession(
        account.id,
        sha256(refreshToken),
        this.options.refreshTokenTtlSeconds,
        client.ip,
        tx,
      );
      await this.audit.record(
        { accountId: account.id, unitId: account.unitId } as Actor,
        {
          action: 'auth.login',
          targetType: 'account',
          targetId: account.id,
          unitPath: account.unitPath,
          details: { sessionId: sid },
        },
        tx,
      );
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
    if (!rotated) throw accountError(AccountErrorCode.InvalidRefreshToken);
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

  async changePassword(actor: Actor, currentPassword: string, newPassword: string): Promise<void> {
    const account = await this.repo.findById(actor.accountId);
    if (!account) throw accountError(AccountErrorCode.AccountNotFound);
    if (!(await verifyPassword(account.passwordHash, currentPassword)))
      throw accountError(AccountErrorCode.InvalidCredentials, 'currentPassword is wrong');
    if (!passwordStrong(newPassword))
      throw accountError(AccountErrorCode.WeakPassword, undefined, undefined, [
        {
          path: 'newPassword',
          code: 'isStrongPassword',
          message: 'password is too weak',
          messageZh: 'newPassword：密码强度不足',
        },
      ]);
    if (newPassword === currentPassword) throw accountError(AccountErrorCode.PasswordReused);
    const passwordHash = await hashPassword(newPassword);
    await this.repo.transaction(async (tx) => {
      await this.repo.update(account.id, account.version, { passwordHash, mustChangePassword: false }, tx);
      await this.repo.revokeAllSessions(account.id, tx, actor.sessionId);
      await this.audit.record(
        actor,
        { action: 'auth.password.change', targetType: 'account', targetId: account.id, unitPath: account.unitPath },
        tx,
      );
    });
  }

  private tokens(
    accountId: string,
    role: string,
    sessionId: string,
    refreshToken: string,
    mustChangePassword: boolean,
  ): TokenResponse {
    const accessToken = jwt.sign({ sid: sessionId, role, typ: 'access' }, this.options.jwtSecret, {
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
