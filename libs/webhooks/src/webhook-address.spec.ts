import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressPolicy, checkTargetUrl, guardedLookup, refusedAddress } from './webhook-address.js';

const closed = addressPolicy(false, undefined);

describe('webhook target addresses (SSRF)', () => {
  it('refuses loopback, link-local, private, shared, unspecified, multicast, reserved and metadata addresses', () => {
    for (const a of [
      '127.0.0.1',
      '127.8.9.10',
      '::1',
      '169.254.169.254',
      '169.254.0.1',
      'fe80::1',
      'febf:ffff::1',
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      'fc00::1',
      'fd00:ec2::254',
      '100.100.100.200',
      '0.0.0.0',
      '::',
      '224.0.0.1',
      'ff02::1',
      '255.255.255.255',
      '::ffff:127.0.0.1',
      '::ffff:10.1.2.3',
      '64:ff9b::a9fe:a9fe',
      '168.63.129.16',
    ])
      assert.ok(refusedAddress(closed, a), `${a} is refused`);
  });

  it('lets public addresses through', () => {
    for (const a of [
      '8.8.8.8',
      '172.32.0.1',
      '172.15.255.255',
      '192.169.0.1',
      '1.1.1.1',
      '2001:4860:4860::8888',
      '::ffff:8.8.8.8',
    ])
      assert.equal(refusedAddress(closed, a), null, a);
  });

  it('opens everything or the listed ranges when the node says so', () => {
    assert.equal(refusedAddress(addressPolicy(true, undefined), '127.0.0.1'), null);
    const listed = addressPolicy(false, '10.20.0.0/16, 127.0.0.1');
    assert.equal(refusedAddress(listed, '10.20.3.4'), null);
    assert.equal(refusedAddress(listed, '127.0.0.1'), null);
    assert.ok(refusedAddress(listed, '10.21.0.1'));
    assert.ok(refusedAddress(listed, '127.0.0.2'));
    assert.throws(() => addressPolicy(false, '10.0.0.0/33'), /WEBHOOK_ALLOWED_CIDRS/);
    assert.throws(() => addressPolicy(false, 'intranet'), /WEBHOOK_ALLOWED_CIDRS/);
  });

  it('checks URLs: scheme, credentials, literal addresses and names that resolve to refused ones', async () => {
    assert.deepEqual(await checkTargetUrl(closed, 'ftp://example.org/x'), { code: 'scheme' });
    assert.deepEqual(await checkTargetUrl(closed, 'file:///etc/passwd'), { code: 'scheme' });
    assert.deepEqual(await checkTargetUrl(closed, 'https://user:pw@example.org/x'), { code: 'credentials' });
    assert.deepEqual(await checkTargetUrl(closed, 'not a url'), { code: 'syntax' });
    for (const u of [
      'http://127.0.0.1:8080/hook',
      'http://[::1]/hook',
      'http://[::ffff:7f00:1]/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://0x7f000001/hook',
      'http://2130706433/hook',
      'http://localhost:3000/hook',
      'http://api.localhost/hook',
    ])
      assert.equal((await checkTargetUrl(closed, u))?.code, 'address', u);
    assert.equal(await checkTargetUrl(closed, 'https://8.8.8.8/hook'), null);
    assert.equal(await checkTargetUrl(addressPolicy(true, undefined), 'http://127.0.0.1/hook'), null);
  });

  it('refuses at connect time a name that resolves to a refused address (DNS rebinding)', async () => {
    const lookup = guardedLookup(closed);
    const err = await new Promise<Error | null>((resolve) => lookup('localhost', {}, (e) => resolve(e)));
    assert.match(String(err?.message), /refused: localhost resolves to (127\.0\.0\.1|::1) \(loopback\)/);
    const open = guardedLookup(addressPolicy(true, undefined));
    const ok = await new Promise<string>((resolve, reject) =>
      open('localhost', {}, (e, address) => (e ? reject(e) : resolve(String(address)))),
    );
    assert.ok(['127.0.0.1', '::1'].includes(ok));
  });
});
