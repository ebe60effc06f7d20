import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isolatedDatabase, TestNode } from '../support/test-node.js';

/** A port nothing listens on: bound, read, released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * A broker that cannot be reached when a node boots must not stop the node: it serves its API at once
 * (its outboxes and relays work without the broker and catch up), and keeps trying to start its message
 * consumers. Before, the Kafka server's start failed after its retries and the process died.
 */
describe('a node boots while its Kafka broker is down', () => {
  let db: { url: string; drop(): Promise<void> };
  let node: TestNode;
  before(async () => {
    db = await isolatedDatabase('kdown');
    node = await TestNode.start('provincial', {
      PROVINCE_CODE: '11',
      DATABASE_URL: db.url,
      KAFKA_BROKERS: `127.0.0.1:${await closedPort()}`,
    });
  });
  after(async () => {
    await node?.close();
    await db?.drop();
  });

  it('answers its API, and is still up after the Kafka client has given up its first attempt (~30 s)', async () => {
    const school = await node.newSchool();
    assert.ok(school.id);
    assert.equal((await node.api('GET', '/health')).status, 200);
    await new Promise((r) => setTimeout(r, 35_000));
    const health = await node.api('GET', '/health');
    assert.equal(health.status, 200, JSON.stringify(health.body));
  });
});
