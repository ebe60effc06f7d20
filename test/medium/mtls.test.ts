import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import { TestNode } from '../support/test-node.js';

/** A throwaway CA, a server certificate for 127.0.0.1 and two client certificates, made with openssl. */
function makePki(dir: string) {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=TMIS Test CA',
  );
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const name of ['server', 'admin', 'other']) {
    run(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${name}`,
    );
    run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      ...(name === 'server' ? ['-extfile', 'san.ext'] : []),
    );
  }
  const f = (n: string) => readFileSync(join(dir, n));
  return {
    dir,
    ca: f('ca.crt'),
    admin: { key: f('admin.key'), cert: f('admin.crt') },
    other: { key: f('other.key'), cert: f('other.crt') },
  };
}

function post(
  url: string,
  path: string,
  body: unknown,
  tls: { ca: Buffer; key?: Buffer; cert?: Buffer },
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, url);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        ca: tls.ca,
        key: tls.key,
        cert: tls.cert,
      },
      (res) => {
        let data = '';
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data ? JSON.parse(data) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('CA certificate login over mutual TLS terminated by the node', () => {
  let t: TestNode;
  let pki: ReturnType<typeof makePki>;
  before(async () => {
    pki = makePki(mkdtempSync(join(tmpdir(), 'tmis-pki-')));
    t = await TestNode.start('provincial', {
      TLS_CERT_FILE: join(pki.dir, 'server.crt'),
      TLS_KEY_FILE: join(pki.dir, 'server.key'),
      TLS_CA_FILE: join(pki.dir, 'ca.crt'),
    });
  });
  after(() => t.close());

  it('a bound administrator needs that client certificate; others log in without one', async () => {
    assert.match(t.url, /^https:/);
    const county = await t.newCounty();
    const admin = await t.account(county, Role.InfoAdmin);
    const fingerprint = new X509Certificate(pki.admin.cert).fingerprint256;
    await t.db.query(`UPDATE account SET cert_fingerprint = $2 WHERE id = $1`, [
      admin.id,
      fingerprint.replace(/:/g, ''),
    ]);
    const creds = { username: admin.username, password: admin.password };
    const none = await post(t.url, '/auth/login', creds, { ca: pki.ca });
    assert.equal(none.status, 401);
    assert.equal(none.body.code, 'AUTH_CERTIFICATE_REQUIRED');
    const wrong = await post(t.url, '/auth/login', creds, { ca: pki.ca, ...pki.other });
    assert.equal(wrong.status, 401);
    const right = await post(t.url, '/auth/login', creds, { ca: pki.ca, ...pki.admin });
    assert.equal(right.status, 200, JSON.stringify(right.body));
    const plain = await t.account(county, Role.Query);
    assert.equal(
      (await post(t.url, '/auth/login', { username: plain.username, password: plain.password }, { ca: pki.ca })).status,
      200,
    );
  });
});
