import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import { Role } from '@tmis/access';
import { TEST_PASSWORD, TestNode } from '../support/test-node.js';

const NEW_PASSWORD = 'Changed#2026x';

describe('accounts and permissions (provincial node)', () => {
  let t: TestNode;
  before(async () => {
    t = await TestNode.start('provincial', { PROVINCE_CODE: '11', LOCKOUT_THRESHOLD: '5', LOCKOUT_MINUTES: '10' });
  });
  after(() => t.close());

  const newAccount = (unitId: string, role: Role, extra: Record<string, unknown> = {}) => ({
    unitId,
    role,
    username: `u${Date.now()}${Math.floor(Math.random() * 1e6)}`,
    realName: '王老师',
    idNumber: t.idNumber(),
    initialPassword: TEST_PASSWORD,
    ...extra,
  });

  it('each role at each level may create exactly the accounts Art. 13–15 allow', async () => {
    const city = await t.newCity();
    const county = await t.newCounty(city);
    const otherCounty = await t.newCounty(city);
    const school = await t.newSchool(county);
    const freshSchool = await t.newSchool(county);
    const otherSchool = await t.newSchool(otherCounty);
    const province = await t.province_();
    // The province's own system administrator is shared by tests, so read-only use here.
    const cityAdmin = await t.tokenFor(await t.account(city, Role.SysAdmin));
    const countyAdmin = await t.tokenFor(await t.account(county, Role.SysAdmin));
    const schoolAdmin = await t.tokenFor(await t.account(school, Role.SysAdmin));
    const countyInfo = await t.tokenFor(await t.account(county, Role.InfoAdmin));
    const countyQuery = await t.tokenFor(await t.account(county, Role.Query));
    const teacher = await t.tokenFor(await t.account(school, Role.Teacher));

    const cases: [string, string, Record<string, unknown>, number, string?][] = [
      ['city sysadmin → own info admin', cityAdmin, newAccount(city.id, Role.InfoAdmin), 201],
      ['city sysadmin → own query user', cityAdmin, newAccount(city.id, Role.Query), 201],
      [
        'city sysadmin → a second sysadmin at its own unit',
        cityAdmin,
        newAccount(city.id, Role.SysAdmin),
        403,
        'ACCOUNT_NOT_MANAGEABLE',
      ],
      [
        'city sysadmin → school sysadmin (two levels down)',
        cityAdmin,
        newAccount(school.id, Role.SysAdmin),
        403,
        'ACCOUNT_NOT_MANAGEABLE',
      ],
      [
        'city sysadmin → county info admin (not its level)',
        cityAdmin,
        newAccount(county.id, Role.InfoAdmin),
        403,
        'ACCOUNT_NOT_MANAGEABLE',
      ],
      [
        'city sysadmin → province query user (above)',
        cityAdmin,
        newAccount(province.id, Role.Query),
        403,
        'OUT_OF_SCOPE',
      ],
      ['county sysadmin → school sysadmin below', countyAdmin, newAccount(freshSchool.id, Role.SysAdmin), 201],
      [
        "county sysadmin → another county's school sysadmin",
        countyAdmin,
        newAccount(otherSchool.id, Role.SysAdmin),
        403,
        'OUT_OF_SCOPE',
      ],
      [
        'county sysadmin → teacher (not a school)',
        countyAdmin,
        newAccount(county.id, Role.Teacher, { username: undefined }),
        403,
        'ACCOUNT_NOT_MANAGEABLE',
      ],
      ['school sysadmin → teacher', schoolAdmin, newAccount(school.id, Role.Teacher, { username: undefined }), 201],
      ['school sysadmin → info admin', schoolAdmin, newAccount(school.id, Role.InfoAdmin), 201],
      ['county info admin → anything', countyInfo, newAccount(county.id, Role.Query), 403, 'FORBIDDEN'],
      ['county query user → anything', countyQuery, newAccount(county.id, Role.Query), 403, 'FORBIDDEN'],
      ['teacher → anything', teacher, newAccount(school.id, Role.Teacher, { username: undefined }), 403, 'FORBIDDEN'],
    ];
    for (const [name, token, body, status, code] of cases) {
      const r = await t.api('POST', '/accounts', { token, body });
      assert.equal(r.status, status, `${name}: ${JSON.stringify(r.body)}`);
      if (code) {
        assert.equal(r.body.code, code, name);
        assert.equal(
          await t.count('SELECT count(*) FROM account WHERE id_number = $1', [body.idNumber]),
          0,
          `${name}: nothing written`,
        );
      } else {
        assert.equal(r.body.role, body.role);
        assert.equal(r.body.mustChangePassword, true);
        assert.match(r.body.idNumber, /^\d{3}\*+\d{3}[\dX]$/, 'ID numbers are masked');
      }
    }
    const teacherRow = await t.db.query(
      `SELECT username, id_number FROM account WHERE unit_id = $1 AND role = 'teacher' AND created_by IS NOT NULL`,
      [school.id],
    );
    assert.equal(teacherRow[0].username, teacherRow[0].id_number.toLowerCase(), 'a teacher logs in with the ID number');
  });

  it('at most one system administrator per unit, enforced by the database', async () => {
    const county = await t.newCounty();
    const school = await t.newSchool(county);
    const countyAdmin = await t.tokenFor(await t.account(county, Role.SysAdmin));
    const first = await t.api('POST', '/accounts', { token: countyAdmin, body: newAccount(school.id, Role.SysAdmin) });
    assert.equal(first.status, 201);
    const second = await t.api('POST', '/accounts', { token: countyAdmin, body: newAccount(school.id, Role.SysAdmin) });
    assert.equal(second.status, 409);
    assert.equal(second.body.code, 'ACCOUNT_SYSADMIN_EXISTS');
    await assert.rejects(
      t.db.query(
        `INSERT INTO account (unit_id, role, username, real_name, id_number, password_hash) VALUES ($1, 'sysadmin', $2, 'x', 'x', 'x')`,
        [school.id, `direct${Date.now()}`],
      ),
      /account_one_sysadmin_per_unit/,
    );
    // Disabling the holder frees the post; re-enabling it while another holds it is refused.
    const disabled = await t.api('PATCH', `/accounts/${first.body.id}`, {
      token: countyAdmin,
      body: { version: first.body.version, status: 'disabled' },
    });
    assert.equal(disabled.status, 200);
    const replacement = await t.api('POST', '/accounts', {
      token: countyAdmin,
      body: newAccount(school.id, Role.SysAdmin),
    });
    assert.equal(replacement.status, 201);
    const reenable = await t.api('PATCH', `/accounts/${first.body.id}`, {
      token: countyAdmin,
      body: { version: disabled.body.version, status: 'active' },
    });
    assert.equal(reenable.status, 409);
    assert.equal(reenable.body.code, 'ACCOUNT_SYSADMIN_EXISTS');
  });

  it('bad input is refused with field paths in both languages and nothing is written', async () => {
    const county = await t.newCounty();
    const token = await t.tokenFor(await t.account(county, Role.SysAdmin));
    const before = await t.count('SELECT count(*) FROM account WHERE unit_id = $1', [county.id]);
    const badId = await t.api('POST', '/accounts', {
      token,
      body: newAccount(county.id, Role.InfoAdmin, { idNumber: '11010119900307123X' }),
    });
    assert.equal(badId.status, 400);
    assert.equal(badId.body.code, 'ACCOUNT_INVALID_ID_NUMBER');
    assert.equal(badId.body.errors[0].path, 'idNumber');
    assert.match(badId.body.errors[0].messageZh, /校验码/);
    const badDate = await t.api('POST', '/accounts', {
      token,
      body: newAccount(county.id, Role.InfoAdmin, { idNumber: '110101199002301234' }),
    });
    assert.equal(badDate.status, 400);
    const weak = await t.api('POST', '/accounts', {
      token,
      body: newAccount(county.id, Role.InfoAdmin, { initialPassword: 'abcdefgh1' }),
    });
    assert.equal(weak.status, 400);
    assert.equal(weak.body.code, 'AUTH_WEAK_PASSWORD');
    const unknown = await t.api('POST', '/accounts', {
      token,
      body: { ...newAccount(county.id, Role.InfoAdmin), isSuperuser: true },
    });
    assert.equal(unknown.status, 400);
    assert.deepEqual(
      unknown.body.errors.map((e: { path: string }) => e.path),
      ['isSuperuser'],
    );
    const types = await t.api('POST', '/accounts', {
      token,
      body: { unitId: 'not-a-uuid', role: 'emperor', realName: 7, idNumber: [], initialPassword: null },
    });
    assert.equal(types.status, 400);
    assert.deepEqual([...new Set(types.body.errors.map((e: { path: string }) => e.path))].sort(), [
      'idNumber',
      'initialPassword',
      'realName',
      'role',
      'unitId',
    ]);
    const malformed = await t.api('POST', '/accounts', { token, raw: '{"unitId": ' });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.code, 'VALIDATION_FAILED');
    assert.equal(await t.count('SELECT count(*) FROM account WHERE unit_id = $1', [county.id]), before);
  });

  it('first login forces a password change; the new password must be strong', async () => {
    const county = await t.newCounty();
    const acct = await t.account(county, Role.InfoAdmin, { mustChangePassword: true });
    const login = await t.api('POST', '/auth/login', { body: { username: acct.username, password: acct.password } });
    assert.equal(login.status, 200);
    assert.equal(login.body.mustChangePassword, true);
    const token = login.body.accessToken;
    const blocked = await t.api('GET', `/units/${county.id}`, { token });
    assert.equal(blocked.status, 403);
    assert.equal(blocked.body.code, 'PASSWORD_CHANGE_REQUIRED');
    assert.equal((await t.api('GET', '/auth/me', { token })).status, 200);
    const weak = await t.api('POST', '/auth/password', {
      token,
      body: { currentPassword: acct.password, newPassword: 'alllowercase' },
    });
    assert.equal(weak.status, 400);
    const wrong = await t.api('POST', '/auth/password', {
      token,
      body: { currentPassword: 'Wrong#Pass1', newPassword: NEW_PASSWORD },
    });
    assert.equal(wrong.status, 401);
    const ok = await t.api('POST', '/auth/password', {
      token,
      body: { currentPassword: acct.password, newPassword: NEW_PASSWORD },
    });
    assert.equal(ok.status, 204);
    assert.equal((await t.api('GET', `/units/${county.id}`, { token })).status, 200);
    assert.equal(
      (await t.api('POST', '/auth/login', { body: { username: acct.username, password: acct.password } })).status,
      401,
    );
    const relogin = await t.api('POST', '/auth/login', { body: { username: acct.username, password: NEW_PASSWORD } });
    assert.equal(relogin.body.mustChangePassword, false);
    const hash = await t.db.query('SELECT password_hash FROM account WHERE id = $1', [acct.id]);
    assert.match(hash[0].password_hash, /^\$argon2id\$/);
  });

  it('locks an account for the configured time after repeated failures; the administrator can unlock it', async () => {
    const county = await t.newCounty();
    const acct = await t.account(county, Role.Query);
    const admin = await t.tokenFor(await t.account(county, Role.SysAdmin));
    for (let i = 1; i <= 4; i++)
      assert.equal(
        (await t.api('POST', '/auth/login', { body: { username: acct.username, password: `Wrong#${i}xx` } })).status,
        401,
      );
    const fifth = await t.api('POST', '/auth/login', { body: { username: acct.username, password: 'Wrong#5xx' } });
    assert.equal(fifth.status, 423);
    assert.equal(fifth.body.code, 'AUTH_ACCOUNT_LOCKED');
    const minutes = (Date.parse(fifth.body.lockedUntil) - Date.now()) / 60000;
    assert.ok(minutes > 9 && minutes <= 10, `locked for ~10 minutes, got ${minutes}`);
    const right = await t.api('POST', '/auth/login', { body: { username: acct.username, password: acct.password } });
    assert.equal(right.status, 423, 'even the right password is refused while locked');
    const listed = await t.api('GET', `/accounts/${acct.id}`, { token: admin });
    assert.ok(listed.body.lockedUntil);
    const unlock = await t.api('POST', `/accounts/${acct.id}/unlock`, {
      token: admin,
      body: { version: listed.body.version },
    });
    assert.equal(unlock.status, 201);
    assert.equal(
      (await t.api('POST', '/auth/login', { body: { username: acct.username, password: acct.password } })).status,
      200,
    );
  });

  it('logout revokes the session: the access token and refresh token stop working; refresh rotates', async () => {
    const county = await t.newCounty();
    const acct = await t.account(county, Role.Query);
    const login = await t.api('POST', '/auth/login', { body: { username: acct.username, password: acct.password } });
    const { accessToken, refreshToken } = login.body;
    const refreshed = await t.api('POST', '/auth/refresh', { body: { refreshToken } });
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body.refreshToken, refreshToken);
    assert.equal((await t.api('GET', '/auth/me', { token: refreshed.body.accessToken })).status, 200);
    assert.equal((await t.api('POST', '/auth/logout', { token: accessToken })).status, 204);
    const after = await t.api('GET', '/auth/me', { token: refreshed.body.accessToken });
    assert.equal(after.status, 401, 'both tokens of the session are revoked');
    assert.equal(
      (await t.api('POST', '/auth/refresh', { body: { refreshToken: refreshed.body.refreshToken } })).status,
      401,
    );
    const forged = jwt.sign(
      { sid: '00000000-0000-0000-0000-000000000000', role: 'sysadmin', typ: 'access' },
      'not-the-secret-not-the-secret-not-the-secret',
      { subject: acct.id, issuer: 'tmis-provincial-11' },
    );
    assert.equal((await t.api('GET', '/auth/me', { token: forged })).status, 401);
  });

  it('reusing a rotated refresh token ends the whole session (its token family)', async () => {
    const county = await t.newCounty();
    const acct = await t.account(county, Role.Query);
    const login = await t.api('POST', '/auth/login', { body: { username: acct.username, password: acct.password } });
    const first = login.body.refreshToken;
    const second = await t.api('POST', '/auth/refresh', { body: { refreshToken: first } });
    const third = await t.api('POST', '/auth/refresh', { body: { refreshToken: second.body.refreshToken } });
    assert.equal(third.status, 200);
    assert.equal((await t.api('GET', '/auth/me', { token: third.body.accessToken })).status, 200);
    // The first token, rotated away from twice, comes back: someone copied it.
    const replay = await t.api('POST', '/auth/refresh', { body: { refreshToken: first } });
    assert.equal(replay.status, 401);
    assert.equal(replay.body.code, 'AUTH_INVALID_REFRESH_TOKEN');
    assert.equal((await t.api('GET', '/auth/me', { token: third.body.accessToken })).status, 401, 'session ended');
    assert.equal((await t.api('GET', '/auth/me', { token: login.body.accessToken })).status, 401);
    assert.equal(
      (await t.api('POST', '/auth/refresh', { body: { refreshToken: third.body.refreshToken } })).status,
      401,
      'the newest refresh token of the family is dead too',
    );
    assert.equal(
      await t.count(`SELECT count(*) FROM audit_log WHERE action = 'auth.refresh.reuse' AND target_id = $1`, [acct.id]),
      1,
    );
    // Another session of the same account is untouched.
    assert.equal((await t.api('GET', '/auth/me', { token: await t.tokenFor(acct) })).status, 200);
  });

  it('disabling an account ends its sessions at once; its login is refused', async () => {
    const county = await t.newCounty();
    const acct = await t.account(county, Role.InfoAdmin);
    const token = await t.tokenFor(acct);
    const admin = await t.tokenFor(await t.account(county, Role.SysAdmin));
    const cur = await t.api('GET', `/accounts/${acct.id}`, { token: admin });
    const r = await t.api('PATCH', `/accounts/${acct.id}`, {
      token: admin,
      body: { version: cur.body.version, status: 'disabled' },
    });
    assert.equal(r.status, 200);
    assert.equal((await t.api('GET', '/auth/me', { token })).status, 401);
    const login = await t.api('POST', '/auth/login', { body: { username: acct.username, password: acct.password } });
    assert.equal(login.status, 401);
    assert.equal(login.body.code, 'AUTH_ACCOUNT_DISABLED');
  });

  it('reads accounts only within scope, with ID numbers masked', async () => {
    const city = await t.newCity();
    const county = await t.newCounty(city);
    const other = await t.newCounty(city);
    const school = await t.newSchool(county);
    const teacher = await t.account(school, Role.Teacher);
    const stranger = await t.account(other, Role.Query);
    const countyAdmin = await t.tokenFor(await t.account(county, Role.SysAdmin));
    const list = await t.api('GET', '/accounts', { token: countyAdmin });
    assert.equal(list.status, 200);
    const ids = list.body.items.map((a: { id: string }) => a.id);
    assert.ok(ids.includes(teacher.id));
    assert.ok(!ids.includes(stranger.id));
    const shown = list.body.items.find((a: { id: string }) => a.id === teacher.id);
    assert.ok(
      !JSON.stringify(shown).includes(teacher.username),
      "the teacher's ID number (= username) never appears whole",
    );
    assert.equal((await t.api('GET', `/accounts/${stranger.id}`, { token: countyAdmin })).status, 403);
    const me = await t.api('GET', '/auth/me', { token: await t.tokenFor(teacher) });
    assert.equal(me.body.idNumber.toLowerCase(), teacher.username, 'the holder sees their own number');
    const teacherList = await t.api('GET', '/accounts', { token: await t.tokenFor(teacher) });
    assert.equal(teacherList.status, 403);
  });

  it('audits every account operation with who, what, when and where, scoped to the reader', async () => {
    const city = await t.newCity();
    const county = await t.newCounty(city);
    const other = await t.newCounty(city);
    const adminAcct = await t.account(county, Role.SysAdmin);
    const admin = await t.tokenFor(adminAcct);
    const created = await t.api('POST', '/accounts', { token: admin, body: newAccount(county.id, Role.Query) });
    assert.equal(created.status, 201);
    await t.api('POST', '/auth/login', { body: { username: created.body.username, password: 'Wrong#Pass9' } });
    const otherAdmin = await t.tokenFor(await t.account(other, Role.SysAdmin));
    const audit = await t.api('GET', '/audit', { token: admin });
    assert.equal(audit.status, 200);
    const create = audit.body.items.find(
      (e: { action: string; targetId: string }) => e.action === 'account.create' && e.targetId === created.body.id,
    );
    assert.ok(create, 'account.create audited');
    assert.equal(create.actorAccountId, adminAcct.id);
    assert.ok(create.ip);
    assert.ok(create.correlationId);
    assert.ok(
      audit.body.items.some(
        (e: { action: string; outcome: string; targetId: string }) =>
          e.action === 'auth.login' && e.outcome === 'refused' && e.targetId === created.body.id,
      ),
    );
    assert.ok(!JSON.stringify(audit.body).includes(TEST_PASSWORD));
    const foreign = await t.api('GET', '/audit', { token: otherAdmin });
    assert.ok(
      !foreign.body.items.some((e: { targetId: string }) => e.targetId === created.body.id),
      'another county does not see it',
    );
  });
});

describe('CA certificate binding', () => {
  let plain: TestNode;
  let proxied: TestNode;
  const FP = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
  before(async () => {
    plain = await TestNode.start('provincial');
    proxied = await TestNode.start('provincial', {
      CLIENT_CERT_HEADER: 'x-client-cert-sha256',
      TRUSTED_PROXIES: '127.0.0.1',
    });
  });
  after(async () => {
    await plain.close();
    await proxied.close();
  });

  it('a bound administrator logs in only with that certificate, from a configured trusted proxy', async () => {
    const county = await plain.newCounty();
    const admin = await plain.tokenFor(await plain.account(county, Role.SysAdmin));
    const info = await plain.account(county, Role.InfoAdmin);
    const cur = await plain.api('GET', `/accounts/${info.id}`, { token: admin });
    const bind = await plain.api('PUT', `/accounts/${info.id}/certificate`, {
      token: admin,
      body: { version: cur.body.version, fingerprint: FP },
    });
    assert.equal(bind.status, 200);
    assert.equal(bind.body.certificateBound, true);
    const body = { username: info.username, password: info.password };
    const none = await plain.api('POST', '/auth/login', { body });
    assert.equal(none.status, 401);
    assert.equal(none.body.code, 'AUTH_CERTIFICATE_REQUIRED');
    const untrusted = await plain.api('POST', '/auth/login', { body, headers: { 'x-client-cert-sha256': FP } });
    assert.equal(untrusted.status, 401, 'a header is never trusted unless configured');
    const wrong = await proxied.api('POST', '/auth/login', {
      body,
      headers: { 'x-client-cert-sha256': FP.replace('AB', 'AC') },
    });
    assert.equal(wrong.status, 401);
    const ok = await proxied.api('POST', '/auth/login', {
      body,
      headers: { 'x-client-cert-sha256': FP.replace(/:/g, '').toLowerCase() },
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  it('query users and teachers cannot be bound (certificates are for administrators)', async () => {
    const school = await plain.newSchool();
    const admin = await plain.tokenFor(await plain.account(school, Role.SysAdmin));
    const teacher = await plain.account(school, Role.Teacher);
    const r = await plain.api('PUT', `/accounts/${teacher.id}/certificate`, {
      token: admin,
      body: { version: 1, fingerprint: FP },
    });
    assert.equal(r.status, 400);
  });
});
