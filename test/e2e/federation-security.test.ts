import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { federationAcls, federationGroupName } from '@tmis/federation';
import { applyAcls, DEV_SCRAM } from '../support/kafka-acls.js';

const { Kafka, logLevel } = kafkajs;
const brokers = process.env.TMIS_TEST_KAFKA_BROKERS;
const saslBrokers = process.env.TMIS_TEST_KAFKA_SASL_BROKERS;
const skip =
  brokers && saslBrokers
    ? false
    : `KAFKA TESTS SKIPPED: ${process.env.TMIS_TEST_KAFKA_SKIP_REASON || 'no broker with a SASL listener (KAFKA_SASL_BROKERS)'}`;
if (skip) console.log(`# ${skip}`);

/**
 * A client of `who`. Refusals are checked without retries (an authorization error is final anyway); what
 * must succeed retries as the nodes' clients do, so that a broker slow to answer on a loaded machine (a
 * coordinator still loading) is not taken for a refusal.
 */
const as = (who: keyof typeof DEV_SCRAM, password?: string, retries = 0) =>
  new Kafka({
    brokers: saslBrokers!.split(','),
    clientId: `sec-test-${who}`,
    logLevel: logLevel.NOTHING,
    retry: { retries },
    sasl: {
      mechanism: 'scram-sha-512',
      username: DEV_SCRAM[who].username,
      password: password ?? DEV_SCRAM[who].password,
    },
  });

/** The error a call fails with (or null when it succeeds). */
async function failure(p: Promise<unknown>): Promise<{ type?: string; name?: string; message: string } | null> {
  try {
    await p;
    return null;
  } catch (e) {
    return e as { type?: string; name?: string; message: string };
  }
}

describe('broker security: one SASL/SCRAM user per province, under ACLs', { skip }, () => {
  const prefix = `tmis.sectest.${Date.now().toString(36)}`;
  before(async () => {
    await applyAcls(
      brokers!,
      ['11', '44'].flatMap((p) => [
        { topic: `${prefix}.up.${p}`, partitions: 2 },
        { topic: `${prefix}.down.${p}`, partitions: 1 },
      ]),
      [
        ...federationAcls(prefix, { national: true, user: DEV_SCRAM.national.username }),
        ...federationAcls(prefix, { province: '11', user: DEV_SCRAM['11'].username }),
        ...federationAcls(prefix, { province: '44', user: DEV_SCRAM['44'].username }),
      ],
    );
  });

  it("province 44 writes its own upward topic and is refused (authorization error) on 11's", async () => {
    const producer = as('44', undefined, 5).producer();
    await producer.connect();
    try {
      assert.equal(
        await failure(producer.send({ topic: `${prefix}.up.44`, messages: [{ key: 'k', value: '{}' }] })),
        null,
      );
      const refused = await failure(producer.send({ topic: `${prefix}.up.11`, messages: [{ key: 'k', value: '{}' }] }));
      assert.ok(refused, "writing 11's upward topic must fail");
      assert.match(`${refused.type} ${refused.message}`, /TOPIC_AUTHORIZATION_FAILED|not authorized/i);
      const downward = await failure(
        producer.send({ topic: `${prefix}.down.44`, messages: [{ key: 'k', value: '{}' }] }),
      );
      assert.ok(downward, 'a province cannot write its own downward topic either (only national does)');
    } finally {
      await producer.disconnect();
    }
  });

  it("province 44 reads its own downward topic and is refused reading 11's", async () => {
    const nationalProducer = as('national', undefined, 5).producer();
    await nationalProducer.connect();
    await nationalProducer.send({ topic: `${prefix}.down.44`, messages: [{ key: 'k', value: 'for-44' }] });
    await nationalProducer.disconnect();

    const own = as('44', undefined, 5).consumer({ groupId: federationGroupName(prefix, '44') });
    await own.connect();
    const got = new Promise<string>((resolve) => {
      void own
        .subscribe({ topic: `${prefix}.down.44`, fromBeginning: true })
        .then(() => own.run({ eachMessage: async ({ message }) => resolve(String(message.value)) }));
    });
    assert.equal(await Promise.race([got, new Promise((r) => setTimeout(() => r('timeout'), 30000))]), 'for-44');
    await own.disconnect();

    // 11's downward topic, even with 44's own group: the topic READ is denied.
    const other = as('44').consumer({ groupId: federationGroupName(prefix, '44') });
    await other.connect();
    const refused = await failure(
      (async () => {
        await other.subscribe({ topic: `${prefix}.down.11`, fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          other.on(other.events.CRASH, (e) => reject(e.payload.error));
          void other.run({ eachMessage: async () => resolve() }).catch(reject);
          setTimeout(() => reject(new Error('no refusal and no message within 30 s')), 30000);
        });
      })(),
    );
    await other.disconnect().catch(() => undefined);
    assert.ok(refused);
    assert.match(`${refused.type} ${refused.message}`, /TOPIC_AUTHORIZATION_FAILED|not authorized/i);
    // …and 11's consumer group is not 44's to join.
    const group = as('44').consumer({ groupId: federationGroupName(prefix, '11') });
    await group.connect();
    const groupRefused = await failure(
      (async () => {
        await group.subscribe({ topic: `${prefix}.down.44`, fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          group.on(group.events.CRASH, (e) => reject(e.payload.error));
          void group.run({ eachMessage: async () => resolve() }).catch(reject);
          setTimeout(() => reject(new Error('no refusal within 30 s')), 30000);
        });
      })(),
    );
    await group.disconnect().catch(() => undefined);
    // kafkajs reports the broker's GROUP_AUTHORIZATION_FAILED on FindCoordinator as "Failed to find group
    // coordinator" (the same client found its own group's coordinator a moment ago).
    assert.match(
      `${groupRefused?.type} ${groupRefused?.message}`,
      /GROUP_AUTHORIZATION_FAILED|not authorized|Failed to find group coordinator/i,
    );
  });

  it('a wrong password is refused at authentication', async () => {
    const producer = as('44', 'not-the-password').producer();
    const refused = await failure(producer.connect());
    assert.ok(refused);
    assert.match(`${refused.name} ${refused.message}`, /SASL|authentication/i);
  });
});
