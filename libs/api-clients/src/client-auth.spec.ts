import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientCredentialRow } from './api-clients.repository.js';
import { credentialRefusal } from './client-auth.service.js';
import { recordIds } from './client-call-audit.interceptor.js';

const now = new Date('2026-11-30T12:00:00Z');
const live: ClientCredentialRow = {
  id: 'c',
  name: 'n',
  ownerUnitId: 'u',
  ownerUnitPath: '/000000/110000/',
  ownerUnitLevel: 2,
  ownerUnitStatus: 'active',
  scopes: ['teachers:read'],
  allowedAddresses: [],
  expiresAt: null,
  rateLimitPerMinute: null,
  createdBy: 'a',
  createdAt: now,
  revokedAt: null,
  secretId: 's',
  secretExpiresAt: null,
  secretRevokedAt: null,
  addressAllowed: true,
  now,
};
const earlier = new Date(now.getTime() - 1000);
const later = new Date(now.getTime() + 1000);

describe('a client credential, judged', () => {
  it('authenticates while client and secret are live, from an allowed address', () => {
    assert.equal(credentialRefusal(live), null);
    assert.equal(credentialRefusal({ ...live, expiresAt: later, secretExpiresAt: later }), null);
  });
  it('names why it does not', () => {
    assert.equal(credentialRefusal({ ...live, revokedAt: earlier }), 'client-revoked');
    assert.equal(credentialRefusal({ ...live, expiresAt: now }), 'client-expired');
    assert.equal(credentialRefusal({ ...live, ownerUnitStatus: 'closed' }), 'owner-unit-closed');
    assert.equal(credentialRefusal({ ...live, secretRevokedAt: earlier }), 'secret-revoked');
    assert.equal(credentialRefusal({ ...live, secretExpiresAt: earlier }), 'secret-expired');
    assert.equal(credentialRefusal({ ...live, addressAllowed: false }), 'address-not-allowed');
  });
});

describe('the records an answer carries (audit of client calls)', () => {
  it('reads an object id, a page of items, and nothing else', () => {
    assert.deepEqual(recordIds({ id: 'a', record: {} }), ['a']);
    assert.deepEqual(recordIds({ items: [{ id: 'a' }, { id: 'b' }, { name: 'x' }, null], nextCursor: null }), [
      'a',
      'b',
    ]);
    assert.deepEqual(recordIds([{ id: 'a' }]), []);
    assert.deepEqual(recordIds('text'), []);
    assert.equal(recordIds({ items: Array.from({ length: 1500 }, (_, i) => ({ id: String(i) })) }).length, 1000);
  });
});
