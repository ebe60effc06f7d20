import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { federationAcls } from './broker-acls.js';
import { isFederationWire, parseWire, toWire } from './federation-message.js';
import { topicProvince } from './federation.options.js';

describe('federation wire form and topics', () => {
  const head = {
    id: '3f2b8c1e-7a4d-4e8b-9c2a-1b2c3d4e5f60',
    type: 'transfer.requested',
    from: '44',
    to: 'national',
    key: 'k',
    sentAt: 's',
  };

  it('round-trips a message, the payload kept as given', () => {
    const w = toWire(head, '{"a":[1,2]}');
    assert.ok(isFederationWire(w) && isFederationWire(Buffer.from(w)));
    assert.deepEqual(parseWire(w), { ok: true, message: { ...head, payload: { a: [1, 2] } } });
  });

  it('tells record envelopes and malformed messages apart', () => {
    assert.equal(isFederationWire('{"schemaVersion":2,"eventId":"x"}'), false);
    assert.deepEqual(parseWire('{"schemaVersion":2}'), { ok: false, reason: 'not a federation message' });
    const bad = parseWire(toWire({ ...head, from: '4' }, '{}'));
    assert.equal(bad.ok, false);
    assert.equal(parseWire(toWire(head, '[]')).ok, false, 'a payload is an object');
  });

  it("reads a topic's province and direction only under the node's prefix", () => {
    assert.deepEqual(topicProvince('tmis', 'tmis.up.44'), { direction: 'up', province: '44' });
    assert.deepEqual(topicProvince('tmis', 'tmis.down.11'), { direction: 'down', province: '11' });
    assert.equal(topicProvince('tmis', 'other.up.44'), null);
    assert.equal(topicProvince('tmis', 'tmis.up.444'), null);
  });

  it("gives a province write on its own upward topic and read on its own downward topic, nothing of others'", () => {
    const acls = federationAcls('tmis', { province: '44', user: 'tmis-province-44' });
    const names = acls.map((a) => `${a.operation}:${a.resourceType}:${a.resourceName}:${a.patternType}`).sort();
    assert.deepEqual(names, [
      'describe:topic:tmis.down.44:literal',
      'describe:topic:tmis.up.44:literal',
      'read:group:tmis.province.44:literal',
      'read:topic:tmis.down.44:literal',
      'write:topic:tmis.up.44:literal',
    ]);
  });
});
