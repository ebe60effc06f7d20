import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor, Role } from '@tmis/access';
import {
  listenToChannel,
  returned,
  TransactionHost,
  type ChannelHandlers,
  type ChannelListener,
  type TransactionalAdapterTypeOrm,
} from '@tmis/database';
import type { AccountRow, AccountStatus } from './account.entity.js';
import { SessionCache } from './session-cache.js';

const COLS = `a.id, a.unit_id AS "unitId", a.role, a.username, a.real_name AS "realName", a.id_type AS "idType", a.id_number AS "idNumber",
  a.password_hash AS "passwordHash", a.must_change_password AS "mustChangePassword", a.failed_attempts AS "failedAttempts",
  a.locked_until AS "lockedUntil", a.status, a.cert_fingerprint AS "certFingerprint", a.created_by AS "createdBy", a.version,
  a.created_at AS "createdAt", a.updated_at AS "updatedAt", u.path AS "unitPath", u.parent_id AS "unitParentId", u.kind AS "unitKind", u.status AS "unitStatus"`;

export interface NewAccount {
  unitId: string;
  role: Role;
  username: string;
  realName: string;
  idType: string;
  idNumber: string;
  passwordHash: string;
  createdBy: string | null;
  mustChangePassword: boolean;
}

/**
 * The `account`, `auth_session`, `auth_refresh_rotated` and `auth_unknown_login` tables. Every query
 * runs on `txHost.tx`: the caller's open transaction (`@Transactional()` / `withTransaction`), or the pool.
 */
@Injectable()
export class AccountsRepository {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly sessionCache: SessionCache,
    private readonly dataSource: DataSource,
  ) {}

  /** Listens (on a connection of its own) for `tmis_auth_changed`, sent on commit of any change that can end a session. */
  listenForAuthChanges(handlers: ChannelHandlers): ChannelListener | null {
    const url = (this.dataSource.options as { url?: string }).url;
    return url ? listenToChannel(url, 'tmis_auth_changed', handlers) : null;
  }

  private get db(): EntityManager {
    return this.txHost.tx;
  }

  async findById(id: string, lock = false): Promise<AccountRow | null> {
    const rows = await this.db.query(
      `SELECT ${COLS} FROM account a JOIN org_unit u ON u.id = a.unit_id WHERE a.id = $1 ${lock ? 'FOR UPDATE OF a' : ''}`,
      [id],
    );
    return rows[0] ?? null;
  }

  async findByUsername(username: string, lock = false): Promise<AccountRow | null> {
    const rows = await this.db.query(
      `SELECT ${COLS} FROM account a JOIN org_unit u ON u.id = a.unit_id WHERE a.username = $1 ${lock ? 'FOR UPDATE OF a' : ''}`,
      [username.toLowerCase()],
    );
    return rows[0] ?? null;
  }

  async insert(a: NewAccount): Promise<string> {
    const rows = await this.db.query(
      `INSERT INTO account (unit_id, role, username, real_name, id_type, id_number, password_hash, created_by, must_change_password)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`,
      [
        a.unitId,
        a.role,
        a.username.toLowerCase(),
        a.realName,
        a.idType,
        a.idNumber,
        a.passwordHash,
        a.createdBy,
        a.mustChangePassword,
      ],
    );
    return rows[0].id;
  }

  async list(f: {
    pathPrefix: string;
    unitId?: string;
    role?: Role;
    status?: AccountStatus;
    afterId?: string;
    limit: number;
  }): Promise<AccountRow[]> {
    const params: unknown[] = [f.pathPrefix + '%'];
    let where = 'u.path LIKE $1';
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where += ` AND ${sql.replace('?', `$${params.length}`)}`;
    };
    if (f.unitId) add('a.unit_id = ?', f.unitId);
    if (f.role) add('a.role = ?', f.role);
    if (f.status) add('a.status = ?', f.status);
    if (f.afterId) add('a.id > ?', f.afterId);
    params.push(f.limit);
    return this.db.query(
      `SELECT ${COLS} FROM account a JOIN org_unit u ON u.id = a.unit_id WHERE ${where} ORDER BY a.id LIMIT $${params.length}`,
      params,
    );
  }

  async update(
    id: string,
    version: number,
    patch: {
      realName?: string;
      status?: AccountStatus;
      certFingerprint?: string | null;
      passwordHash?: string;
      mustChangePassword?: boolean;
      unlock?: boolean;
    },
  ): Promise<boolean> {
    const sets: string[] = [];
    const params: unknown[] = [id, version];
    const set = (col: string, v: unknown) => {
      params.push(v);
      sets.push(`${col} = $${params.length}`);
    };
    if (patch.realName !== undefined) set('real_name', patch.realName);
    if (patch.status !== undefined) set('status', patch.status);
    if (patch.certFingerprint !== undefined) set('cert_fingerprint', patch.certFingerprint);
    if (patch.passwordHash !== undefined) {
      set('password_hash', patch.passwordHash);
      sets.push('password_changed_at = now()');
    }
    if (patch.mustChangePassword !== undefined) set('must_change_password', patch.mustChangePassword);
    if (patch.unlock) sets.push('failed_attempts = 0', 'locked_until = NULL');
    if (patch.status !== undefined || patch.mustChangePassword !== undefined) this.sessionCache.invalidate();
    const res = await this.db.query(
      `UPDATE account SET ${[...sets, 'version = version + 1', 'updated_at = now()'].join(', ')} WHERE id = $1 AND version = $2 RETURNING id`,
      params,
    );
    return returned(res).length > 0;
  }

  /** Counts a failed login; locks the account for `minutes` when `threshold` is reached. Returns the lock end, if locked. */
  async recordFailedLogin(id: string, threshold: number, minutes: number): Promise<Date | null> {
    const res = await this.db.query(
      `UPDATE account SET
         locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE locked_until END,
         failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END
       WHERE id = $1 RETURNING locked_until AS "lockedUntil"`,
      [id, threshold, minutes],
    );
    const row = returned<{ lockedUntil: Date | null }>(res)[0];
    return row?.lockedUntil && row.lockedUntil > new Date() ? row.lockedUntil : null;
  }

  async recordSuccessfulLogin(id: string): Promise<void> {
    await this.db.query(`UPDATE account SET failed_attempts = 0, locked_until = NULL WHERE id = $1`, [id]);
  }

  async createSession(accountId: string, refreshHash: string, ttlSeconds: number, ip: string | null): Promise<string> {
    const rows = await this.db.query(
      `INSERT INTO auth_session (account_id, refresh_hash, expires_at, ip) VALUES ($1, $2, now() + make_interval(secs => $3), $4) RETURNING id`,
      [accountId, refreshHash, ttlSeconds, ip],
    );
    return rows[0].id;
  }

  /**
   * Rotates a live session's refresh token and remembers the old one as rotated (in one statement);
   * returns the session and account ids, or null.
   */
  async rotateRefresh(
    oldHash: string,
    newHash: string,
    ttlSeconds: number,
  ): Promise<{ sessionId: string; accountId: string } | null> {
    const rows: { sessionId: string; accountId: string }[] = await this.db.query(
      `WITH r AS (
         UPDATE auth_session s SET refresh_hash = $2, expires_at = now() + make_interval(secs => $3)
           FROM account a JOIN org_unit u ON u.id = a.unit_id
          WHERE s.refresh_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND a.id = s.account_id AND a.status = 'active' AND u.status = 'active'
          RETURNING s.id AS "sessionId", s.account_id AS "accountId"
       ), k AS (
         INSERT INTO auth_refresh_rotated (refresh_hash, session_id) SELECT $1, "sessionId" FROM r
         ON CONFLICT (refresh_hash) DO NOTHING
       )
       SELECT * FROM r`,
      [oldHash, newHash, ttlSeconds],
    );
    return rows[0] ?? null;
  }

  /**
   * A refresh token that was rotated away from is presented again: revokes its whole session (the
   * family of tokens it belongs to). Returns the session and account, or null for a token never issued.
   */
  async revokeSessionOfRotatedToken(hash: string): Promise<{ sessionId: string; accountId: string } | null> {
    this.sessionCache.invalidate();
    const res: unknown = await this.db.query(
      `UPDATE auth_session s SET revoked_at = coalesce(s.revoked_at, now())
         FROM auth_refresh_rotated r
        WHERE r.refresh_hash = $1 AND s.id = r.session_id
        RETURNING s.id AS "sessionId", s.account_id AS "accountId"`,
      [hash],
    );
    return returned<{ sessionId: string; accountId: string }>(res)[0] ?? null;
  }

  /** Lock state of a user name that has no account (see {@link recordUnknownFailure}). */
  async unknownLockedUntil(username: string): Promise<Date | null> {
    const rows: { lockedUntil: Date | null }[] = await this.db.query(
      `SELECT locked_until AS "lockedUntil" FROM auth_unknown_login WHERE username = $1`,
      [username.toLowerCase()],
    );
    const d = rows[0]?.lockedUntil;
    return d && d > new Date() ? d : null;
  }

  /**
   * Counts a failed login under a user name with no account, exactly as {@link recordFailedLogin}
   * counts one for an account, so that the answers (and the lockout) do not tell which names exist.
   * Rows untouched for a day are dropped now and then.
   */
  async recordUnknownFailure(username: string, threshold: number, minutes: number): Promise<Date | null> {
    const res: unknown = await this.db.query(
      `INSERT INTO auth_unknown_login AS l (username, failed_attempts, locked_until)
       VALUES ($1, CASE WHEN 1 >= $2 THEN 0 ELSE 1 END, CASE WHEN 1 >= $2 THEN now() + make_interval(mins => $3) END)
       ON CONFLICT (username) DO UPDATE SET
         locked_until = CASE WHEN l.failed_attempts + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE l.locked_until END,
         failed_attempts = CASE WHEN l.failed_attempts + 1 >= $2 THEN 0 ELSE l.failed_attempts + 1 END,
         updated_at = now()
       RETURNING locked_until AS "lockedUntil"`,
      [username.toLowerCase(), threshold, minutes],
    );
    if (Math.random() < 0.01)
      await this.db.query(`DELETE FROM auth_unknown_login WHERE updated_at < now() - interval '1 day'`);
    const d = returned<{ lockedUntil: Date | null }>(res)[0]?.lockedUntil;
    return d && d > new Date() ? d : null;
  }

  async revokeSession(sessionId: string): Promise<void> {
    this.sessionCache.invalidate();
    await this.db.query(`UPDATE auth_session SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [sessionId]);
  }

  async revokeAllSessions(accountId: string, exceptSessionId?: string): Promise<void> {
    this.sessionCache.invalidate();
    await this.db.query(
      `UPDATE auth_session SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2::uuid)`,
      [accountId, exceptSessionId ?? null],
    );
  }

  async resolveActor(sessionId: string, accountId: string): Promise<Actor | null> {
    const rows = await this.db.query(
      `SELECT a.id AS "accountId", s.id AS "sessionId", a.role, a.unit_id AS "unitId", u.path AS "unitPath", u.level AS "unitLevel", a.must_change_password AS "mustChangePassword"
         FROM auth_session s JOIN account a ON a.id = s.account_id JOIN org_unit u ON u.id = a.unit_id
        WHERE s.id = $1 AND s.account_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now() AND a.status = 'active' AND u.status = 'active'`,
      [sessionId, accountId],
    );
    return rows[0] ?? null;
  }
}
