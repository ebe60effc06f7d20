import kafkajs from 'kafkajs';
import type { AclBinding } from '@tmis/federation';

const { Kafka, logLevel, AclResourceTypes, ResourcePatternTypes, AclOperationTypes, AclPermissionTypes } = kafkajs;

/** Creates topics and ACL bindings on the dev broker through its PLAINTEXT listener (a super user there: dev only). */
export async function applyAcls(
  brokers: string,
  topics: { topic: string; partitions: number }[],
  bindings: AclBinding[],
): Promise<void> {
  const admin = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    await admin.createTopics({
      topics: topics
        .filter((t) => !existing.has(t.topic))
        .map((t) => ({ topic: t.topic, numPartitions: t.partitions })),
      waitForLeaders: true,
    });
    const acl = bindings.map((b) => ({
      resourceType: AclResourceTypes[b.resourceType.toUpperCase() as 'TOPIC'],
      resourceName: b.resourceType === 'cluster' ? 'kafka-cluster' : b.resourceName,
      resourcePatternType: ResourcePatternTypes[b.patternType.toUpperCase() as 'LITERAL'],
      principal: b.principal,
      host: '*',
      operation: AclOperationTypes[b.operation.toUpperCase() as 'READ'],
      permissionType: AclPermissionTypes.ALLOW,
    }));
    await admin.createAcls({ acl });
    // The controller has committed the bindings; the broker's authorizer takes them when it replays the
    // metadata log, a moment later (seconds on a loaded machine: a client allowed by them was refused in
    // between). Wait until the broker describes every one of them.
    const key = (a: { resourceName: string; principal: string; operation: number }) =>
      `${a.resourceName}|${a.principal}|${a.operation}`;
    const wanted = new Set(acl.map(key));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const described = await admin.describeAcls({
        resourceType: AclResourceTypes.ANY,
        resourcePatternType: ResourcePatternTypes.ANY,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      });
      const have = new Set(
        described.resources.flatMap((r) =>
          r.acls.map((a) => key({ resourceName: r.resourceName, principal: a.principal, operation: a.operation })),
        ),
      );
      if ([...wanted].every((k) => have.has(k))) break;
      if (Date.now() > deadline) throw new Error('the broker did not take the ACL bindings within 30 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.disconnect();
  }
}

/** The dev broker's SCRAM users (deploy/kafka/start-kafka.sh DEV_USERS). */
export const DEV_SCRAM = {
  national: { username: 'tmis-national', password: 'dev-national-password' },
  '11': { username: 'tmis-province-11', password: 'dev-province-11-password' },
  '44': { username: 'tmis-province-44', password: 'dev-province-44-password' },
} as const;
