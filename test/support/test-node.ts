import 'reflect-metadata';
import { randomInt } from 'node:crypto';
import { DataSource } from 'typeorm';
import pg from 'pg';
import { runMigrations } from '@tmis/database';
import { Role } from '@tmis/access';
import { AccountsRepository, hashPassword } from '@tmis/accounts';
import { JsonLogger } from '@tmis/common';
import { makeIdNumber } from '@tmis/core-indicators';
import type { LogLevel } from '@nestjs/common';
import { startNationalNode } from '@tmis/national';
import { OrgRepository, UnitKind, type OrgUnitEntity } from '@tmis/org';
import { startProvincialNode } from '@tmis/provincial';
import type { StartedNode } from '@tmis/server';

export const TEST_PASSWORD = 'Test#Pass2026';
export const TEST_JWT_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';
/** METRICS_TOKEN of every test node: unlocks /metrics and the /health details. */
export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789abcdef';
export const METRICS_AUTH = { authorization: `Bearer ${TEST_METRICS_TOKEN}` };

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestAccount {
  id: string;
  username: string;
  password: string;
  unitId: string;
  role: Role;
}

/** The per-kind test database prepared (created and migrated once) by test/run.mjs. */
export function testDatabaseUrl(kind: 'national' | 'provincial'): string {
  const url = process.env[kind === 'national' ? 'TMIS_TEST_DB_NATIONAL' : 'TMIS_TEST_DB_PROVINCIAL'];
  if (!url) throw new Error('Run the tests with `npm test` (test/run.mjs prepares the test databases)');
  return url;
}

/**
 * A fresh, migrated database of its own on the test server, for tests that compare whole databases
 * (federation, reconciliation) and so cannot share the per-kind test databases with other files.
 */
export async function isolatedDatabase(tag: string): Promise<{ url: string; drop(): Promise<void> }> {
  const base = new URL(testDatabaseUrl('national'));
  const name = `${base.pathname.slice(1)}_${tag}_${process.pid}`.slice(0, 60);
  const adminUrl = new URL(base);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  await runMigrations(url.toString());
  return {
    url: url.toString(),
    drop: async () => {
      const a = new pg.Client({ connectionString: adminUrl.toString() });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
      await a.end();
    },
  };
}

let seq = 0;
/** A process-unique number, so that parallel test files never pick the same codes or names. */
export function unique(): string {
  seq += 1;
  return `${process.pid.toString(36)}${Date.now().toString(36)}${seq}`;
}

/**
 * A real node (national or provincial) on a real PostgreSQL, listening on a random port, with
 * factories that create their own units and accounts so tests never share mutable state.
 */
export class TestNode {
  private constructor(
    readonly node: StartedNode,
    readonly kind: 'national' | 'provincial',
    readonly province: string,
  ) {}

  static async start(
    kind: 'national' | 'provincial',
    env: Record<string, string> = {},
    logSink?: (line: string) => void,
  ): Promise<TestNode> {
    const province = env.PROVINCE_CODE ?? '11';
    const base = {
      DATABASE_URL: testDatabaseUrl(kind),
      JWT_SECRET: TEST_JWT_SECRET,
      PORT: '0',
      HOST: '127.0.0.1',
      DB_MIGRATE_ON_START: 'false',
      LOG_LEVEL: process.env.TMIS_TEST_LOG_LEVEL ?? 'error',
      DB_POOL_SIZE: '5',
      METRICS_TOKEN: TEST_METRICS_TOKEN,
      // Failed logins are counted per database (shared by every node on it, ADR 0012) and the test
      // files share one database per kind, all from 127.0.0.1: the throttle's own test sets its limits.
      LOGIN_FAILURES_PER_ADDRESS: '100000',
      LOGIN_FAILURES_GLOBAL: '100000',
      ...(kind === 'provincial' ? { PROVINCE_CODE: province } : {}),
      ...env,
    };
    const logger = logSink ? new JsonLogger(kind, (base.LOG_LEVEL as LogLevel) ?? 'error', logSink) : undefined;
    const node =
      kind === 'national' ? await startNationalNode(base, { logger }) : await startProvincialNode(base, { logger });
    return new TestNode(node, kind, province);
  }

  get url(): string {
    return this.node.url;
  }

  get db(): DataSource {
    return this.node.app.get(DataSource);
  }

  async close(): Promise<void> {
    await this.node.close();
  }

  async api<T = any>(
    method: string,
    path: string,
    opts: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.raw !== undefined) {
      body = opts.raw;
      headers['content-type'] ??= 'application/json';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(this.url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  async login(username: string, password: string = TEST_PASSWORD): Promise<string> {
    const r = await this.api('POST', '/auth/login', { body: { username, password } });
    if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.accessToken;
  }

  // ---- factories (direct, set up state; the behaviour under test goes through HTTP) ----

  async unitByCode(code: string): Promise<OrgUnitEntity> {
    const u = await this.node.app.get(OrgRepository).findByCode(code);
    if (!u) throw new Error(`no unit ${code}`);
    return u;
  }

  /** The node's province unit. */
  province_(): Promise<OrgUnitEntity> {
    return this.unitByCode(`${this.province}0000`);
  }

  private async insertUnit(
    parent: OrgUnitEntity,
    kind: UnitKind,
    makeCode: () => string,
    name: string,
    extra: Partial<OrgUnitEntity> = {},
  ): Promise<OrgUnitEntity> {
    const repo = this.node.app.get(OrgRepository);
    for (let attempt = 0; attempt < 50; attempt++) {
      const code = makeCode();
      if (await repo.findByCode(code)) continue;
      try {
        return await repo.insert({
          kind,
          level: { city: 3, county: 4, school: 5, department: 6 }[kind as 'city'] ?? 5,
          code,
          name,
          parentId: parent.id,
          path: `${parent.path}${code}/`,
          ...extra,
        });
      } catch (e) {
        if ((e as { code?: string }).code !== '23505') throw e;
      }
    }
    throw new Error('could not find a free code');
  }

  /** A fresh city under the node's province (codes `PP5x00`..`PP9x00` are not used by GB/T 2260 seeds). */
  async newCity(): Promise<OrgUnitEntity> {
    const p = await this.province_();
    const name = `测试市${unique()}`;
    try {
      return await this.insertUnit(p, UnitKind.City, () => `${this.province}${randomInt(50, 100)}00`, name);
    } catch (e) {
      // Random picks failed: the shared database is filling up; take the first free code in order.
      const used = new Set(
        (
          (await this.db.query(`SELECT code FROM org_unit WHERE kind = 'city' AND code LIKE $1`, [
            `${this.province}%`,
          ])) as { code: string }[]
        ).map((r) => r.code),
      );
      for (let n = 20; n <= 99; n++) {
        const code = `${this.province}${n}00`;
        if (!used.has(code)) return this.insertUnit(p, UnitKind.City, () => code, name);
      }
      throw e;
    }
  }

  /** A county in `city`, else in a test city (see cityForCounty). */
  async newCounty(city?: OrgUnitEntity): Promise<OrgUnitEntity> {
    const c = city ?? (await this.cityForCounty());
    return this.insertUnit(
      c,
      UnitKind.County,
      () => `${c.code.slice(0, 4)}${String(randomInt(1, 99)).padStart(2, '0')}`,
      `测试区${unique()}`,
    );
  }

  /**
   * A fresh city while the province has room for more test cities (a province has at most 99 city codes,
   * and the per-kind test database is shared by every test file); past 60, one of the test cities already
   * there. Tests that need a city of their own call newCity().
   */
  private async cityForCounty(): Promise<OrgUnitEntity> {
    const [{ n }] = await this.db.query(
      `SELECT count(*)::int AS n FROM org_unit WHERE kind = 'city' AND name LIKE '测试市%' AND code LIKE $1`,
      [`${this.province}%`],
    );
    if (n < 60) return this.newCity();
    const rows: { code: string }[] = await this.db.query(
      `SELECT code FROM org_unit WHERE kind = 'city' AND name LIKE '测试市%' AND code LIKE $1 ORDER BY random() LIMIT 1`,
      [`${this.province}%`],
    );
    return this.unitByCode(rows[0].code);
  }

  async newSchool(
    county?: OrgUnitEntity,
    schoolType = '21',
    attributes: Partial<OrgUnitEntity> = {},
  ): Promise<OrgUnitEntity> {
    const c = county ?? (await this.newCounty());
    return this.insertUnit(
      c,
      UnitKind.School,
      () => `${schoolType}${this.province}${String(randomInt(100000, 999999))}`,
      `测试学校${unique()}`,
      { schoolType, urbanRural: '111', sponsor: '1', ...attributes },
    );
  }

  /** An active account with a known password and no pending password change. */
  async account(
    unit: Pick<OrgUnitEntity, 'id'>,
    role: Role,
    opts: { username?: string; password?: string; mustChangePassword?: boolean } = {},
  ): Promise<TestAccount> {
    const repo = this.node.app.get(AccountsRepository);
    const password = opts.password ?? TEST_PASSWORD;
    const idNumber = makeIdNumber(
      '110101',
      `19${randomInt(60, 99)}0${randomInt(1, 9)}1${randomInt(0, 9)}`,
      randomInt(1, 999),
    );
    const username = opts.username ?? (role === Role.Teacher ? idNumber : `t${unique()}.${role}`);
    const passwordHash = await hashPassword(password);
    const id = await repo.insert({
      unitId: unit.id,
      role,
      username,
      realName: '测试用户',
      idType: '1',
      idNumber,
      passwordHash,
      createdBy: null,
      mustChangePassword: opts.mustChangePassword ?? false,
    });
    return { id, username: username.toLowerCase(), password, unitId: unit.id, role };
  }

  /** Logs an account in and returns its access token. */
  async tokenFor(a: TestAccount): Promise<string> {
    return this.login(a.username, a.password);
  }

  /** A valid, unused citizen ID number. */
  idNumber(): string {
    return makeIdNumber('110101', `19${randomInt(60, 99)}0${randomInt(1, 9)}1${randomInt(0, 9)}`, randomInt(1, 999));
  }

  async count(sql: string, params: unknown[] = []): Promise<number> {
    const [row] = await this.db.query(sql, params);
    return Number(Object.values(row)[0]);
  }
}

/**
 * Registers an API client of the administrator's unit (`POST /api-clients`, a system administrator's
 * token) and returns its id and a client-credentials access token.
 */
export async function apiClient(
  t: TestNode,
  adminToken: string,
  scopes: string[],
): Promise<{ id: string; secret: string; token: string }> {
  const r = await t.api('POST', '/api-clients', { token: adminToken, body: { name: `平台${unique()}`, scopes } });
  if (r.status !== 201) throw new Error(`register client: ${r.status} ${JSON.stringify(r.body)}`);
  const res = await fetch(`${t.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: r.body.id,
      client_secret: r.body.clientSecret,
    }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (res.status !== 200 || !body.access_token) throw new Error(`client token: ${res.status} ${JSON.stringify(body)}`);
  return { id: r.body.id, secret: r.body.clientSecret, token: body.access_token };
}
