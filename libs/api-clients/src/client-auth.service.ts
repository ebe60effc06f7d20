import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import {
  ALL_SCOPES,
  AUTH_OPTIONS,
  clientReadRole,
  jwtKey,
  type Actor,
  type ApiScope,
  type AuthOptions,
  type ClientStore,
  type ClientTokenClaims,
  type ResolvedClient,
} from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { callerAddress } from './addresses.js';
import { API_CLIENTS_OPTIONS, type ApiClientsOptions } from './api-clients.options.js';
import { ApiClientsRepository, type ClientCredentialRow } from './api-clients.repository.js';
import { OAuthError } from './oauth.errors.js';
import { RateLimiter, type RateLimit } from './rate-limiter.js';

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The token endpoint's answer (RFC 6749 §5.1). */
export interface ClientTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export interface TokenRequest {
  authorization?: string;
  body: unknown;
  ip: string | null;
}

/** Why a client credential does not authenticate now, or null when it does. */
export function credentialRefusal(row: ClientCredentialRow): string | null {
  if (row.revokedAt) return 'client-revoked';
  if (row.expiresAt && row.expiresAt <= row.now) return 'client-expired';
  if (row.ownerUnitStatus !== 'active') return 'owner-unit-closed';
  if (row.secretRevokedAt) return 'secret-revoked';
  if (row.secretExpiresAt && row.secretExpiresAt <= row.now) return 'secret-expired';
  if (!row.addressAllowed) return 'address-not-allowed';
  return null;
}

const REFUSAL_TEXT: Record<string, string> = {
  'client-revoked': 'The client is revoked',
  'client-expired': 'The client has expired',
  'owner-unit-closed': "The client's owner unit is closed",
  'secret-revoked': 'This client secret is revoked',
  'secret-expired': 'This client secret was rotated and its overlap period is over',
  'address-not-allowed': 'Requests from this source address are not allowed for this client',
};

/** RFC 6749 §2.3.1: HTTP Basic with the form-urlencoded client id and secret. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | null {
  if (!header || !/^basic /i.test(header)) return null;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) throw new OAuthError('invalid_client', 'Malformed HTTP Basic credentials');
  const unform = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      throw new OAuthError('invalid_client', 'Malformed HTTP Basic credentials');
    }
  };
  return { id: unform(decoded.slice(0, i)), secret: unform(decoded.slice(i + 1)) };
}

/**
 * API clients' authentication: the OAuth 2.0 client-credentials grant (`POST /oauth/token`), and the
 * `ClientStore` the auth guard asks about every client token (live client and secret, source address,
 * rate limits). Every issued token, refusal and call is audited under the client.
 */
@Injectable()
export class ClientAuthService implements ClientStore {
  constructor(
    private readonly repo: ApiClientsRepository,
    private readonly limiter: RateLimiter,
    private readonly audit: AuditService,
    @Inject(AUTH_OPTIONS) private readonly auth: AuthOptions,
    @Inject(API_CLIENTS_OPTIONS) private readonly options: ApiClientsOptions,
  ) {}

  private limits(ip: string | null, row: ClientCredentialRow | null): RateLimit[] {
    const limits: RateLimit[] = [
      { key: `addr:${ip ?? 'unknown'}`, limit: this.options.addressRateLimitPerMinute, what: 'source address' },
    ];
    if (row)
      limits.push({
        key: `client:${row.id}`,
        limit: row.rateLimitPerMinute ?? this.options.clientRateLimitPerMinute,
        what: 'client',
      });
    return limits;
  }

  private actorOf(row: ClientCredentialRow, scopes: ApiScope[], tokenId: string): Actor {
    return {
      accountId: row.id,
      sessionId: tokenId,
      role: clientReadRole(scopes),
      unitId: row.ownerUnitId,
      unitPath: row.ownerUnitPath,
      unitLevel: row.ownerUnitLevel,
      mustChangePassword: false,
      client: { clientId: row.id, name: row.name, scopes },
    };
  }

  private async refuse(row: ClientCredentialRow | null, clientId: string, action: string, reason: string) {
    const actor = row ? this.actorOf(row, [], '') : null;
    await this.audit.record(actor, {
      action,
      outcome: 'refused',
      targetType: 'api_client',
      targetId: UUID.test(clientId) ? clientId : undefined,
      unitPath: row?.ownerUnitPath ?? null,
      details: { reason },
    });
  }

  /** RFC 6749 §4.4: the client authenticates (HTTP Basic, or form/JSON body) and gets a short-lived token. */
  async token(req: TokenRequest): Promise<ClientTokenResponse> {
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    const param = (k: string): string | undefined => {
      const v = body[k];
      if (v === undefined) return undefined;
      if (typeof v !== 'string') throw new OAuthError('invalid_request', `${k} must be given once, as a string`);
      return v;
    };
    const grantType = param('grant_type');
    if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required');
    if (grantType !== 'client_credentials')
      throw new OAuthError('unsupported_grant_type', 'Only grant_type=client_credentials is supported');
    const basic = basicCredentials(req.authorization);
    const bodyId = param('client_id');
    const bodySecret = param('client_secret');
    if (basic && (bodyId !== undefined || bodySecret !== undefined))
      throw new OAuthError('invalid_request', 'Use one client authentication method, not both');
    const clientId = basic?.id ?? bodyId;
    const secret = basic?.secret ?? bodySecret;
    if (!clientId || !secret) throw new OAuthError('invalid_client', 'Client authentication is required');
    const address = callerAddress(req.ip);
    const row = UUID.test(clientId) ? await this.repo.credential(clientId, { hash: sha256(secret) }, address) : null;
    await this.limiter.consume(this.limits(address, row));
    if (!row) {
      await this.refuse(null, clientId, 'api_client.token', 'bad-credentials');
      throw new OAuthError('invalid_client', 'Client authentication failed');
    }
    const refusal = credentialRefusal(row);
    if (refusal) {
      await this.refuse(row, clientId, 'api_client.token', refusal);
      throw new OAuthError('invalid_client', REFUSAL_TEXT[refusal]);
    }
    const requested = param('scope');
    let scopes = row.scopes as ApiScope[];
    if (requested !== undefined) {
      const asked = [...new Set(requested.split(' ').filter(Boolean))];
      const unknown = asked.filter((s) => !(ALL_SCOPES as string[]).includes(s) || !row.scopes.includes(s));
      if (unknown.length) {
        await this.refuse(row, clientId, 'api_client.token', 'invalid-scope');
        throw new OAuthError('invalid_scope', `Not granted to this client: ${unknown.join(' ')}`);
      }
      if (asked.length) scopes = asked as ApiScope[];
    }
    const nowS = Math.floor(row.now.getTime() / 1000);
    const until = [row.expiresAt, row.secretExpiresAt]
      .filter((d): d is Date => !!d)
      .map((d) => Math.floor(d.getTime() / 1000));
    const expiresIn = Math.max(1, Math.min(this.options.tokenTtlSeconds, ...until.map((u) => u - nowS)));
    const jti = randomUUID();
    const claims: Omit<ClientTokenClaims, 'sub'> = { typ: 'client', sec: row.secretId, scope: scopes.join(' '), jti };
    const accessToken = jwt.sign(claims, jwtKey(this.auth.jwtSecret), {
      algorithm: 'HS256',
      issuer: this.auth.jwtIssuer,
      subject: row.id,
      expiresIn,
    });
    await this.audit.record(this.actorOf(row, scopes, jti), {
      action: 'api_client.token',
      targetType: 'api_client',
      targetId: row.id,
      unitPath: row.ownerUnitPath,
      details: { secretId: row.secretId, scope: claims.scope, expiresIn },
    });
    return { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn, scope: claims.scope };
  }

  /** The guard's question for every client token: is the client and its secret live, from here, within limits? */
  async resolveClient(claims: ClientTokenClaims, ip: string | null): Promise<ResolvedClient | null> {
    if (!UUID.test(claims.sub) || !UUID.test(claims.sec)) return null;
    const address = callerAddress(ip);
    const row = await this.repo.credential(claims.sub, { id: claims.sec }, address);
    if (!row) return null;
    const refusal = credentialRefusal(row);
    if (refusal) {
      await this.refuse(row, row.id, 'api_client.call', refusal);
      return null;
    }
    const headers = await this.limiter.consume(this.limits(address, row));
    const scopes = String(claims.scope ?? '')
      .split(' ')
      .filter((s) => row.scopes.includes(s)) as ApiScope[];
    return { actor: this.actorOf(row, scopes, claims.jti), headers };
  }

  /** A client called a route its scopes do not open: audited like its other calls. */
  async refused(actor: Actor, call: { method: string; path: string }, reason: string): Promise<void> {
    await this.audit.record(actor, {
      action: 'api_client.call',
      outcome: 'refused',
      targetType: 'route',
      unitPath: actor.unitPath,
      details: { method: call.method, route: call.path, reason },
    });
  }
}
