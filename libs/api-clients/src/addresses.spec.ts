import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callerAddress, normaliseAddressRange } from './addresses.js';

describe('allowed source addresses', () => {
  it('takes addresses and CIDR ranges of both families', () => {
    assert.equal(normaliseAddressRange('10.1.0.0/16'), '10.1.0.0/16');
    assert.equal(normaliseAddressRange(' 192.0.2.7 '), '192.0.2.7');
    assert.equal(normaliseAddressRange('2001:db8::/32'), '2001:db8::/32');
    assert.equal(normaliseAddressRange('10.0.0.0/08'), '10.0.0.0/8');
  });
  it('refuses anything else', () => {
    for (const bad of ['10.0.0.0/33', '::/129', 'example.org', '10.0.0/8', '10.0.0.0/8/1', '1.2.3.4/x', ''])
      assert.equal(normaliseAddressRange(bad), null, bad);
  });
  it('reads IPv4-mapped IPv6 callers as IPv4', () => {
    assert.equal(callerAddress('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(callerAddress('::1'), '::1');
    assert.equal(callerAddress(undefined), null);
  });
});
