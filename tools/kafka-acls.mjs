#!/usr/bin/env node
// The federation's broker ACLs (ADR 0013): each province's SASL user may write only <prefix>.up.<code>
// and read only <prefix>.down.<code>; the national user reads every upward and writes every downward topic.
//   node tools/kafka-acls.mjs --print [--prefix tmis] [--provinces 11,44]   print kafka-configs/kafka-acls commands
//   KAFKA_BROKERS=… KAFKA_SASL_MECHANISM=scram-sha-512 KAFKA_SASL_USERNAME=admin KAFKA_SASL_PASSWORD=… \
//     node tools/kafka-acls.mjs --apply [--prefix tmis] [--provinces 11,44]  create the topics and ACLs (admin user)
// Users are named tmis-national and tmis-province-<code>; their SCRAM secrets are created with kafka-configs (printed).
import kafkajs from 'kafkajs';
import { aclCommands, ALL_PROVINCES, federationAcls } from '@tmis/federation';

const { Kafka, logLevel, AclResourceTypes, ResourcePatternTypes, AclOperationTypes, AclPermissionTypes } = kafkajs;
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const prefix = opt('prefix', process.env.SYNC_TOPIC ?? 'tmis');
const provinces = opt('provinces', ALL_PROVINCES.join(',')).split(',');
const bindings = [
  ...federationAcls(prefix, { national: true, user: 'tmis-national' }),
  ...provinces.flatMap((p) => federationAcls(prefix, { province: p, user: `tmis-province-${p}` })),
];

if (args.includes('--print')) {
  console.log('# SCRAM users (one secret per node; run once per user):');
  for (const u of ['tmis-national', ...provinces.map((p) => `tmis-province-${p}`)])
    console.log(
      `kafka-configs.sh --bootstrap-server <broker:9093> --command-config admin.properties --alter --add-config 'SCRAM-SHA-512=[password=<secret>]' --entity-type users --entity-name ${u}`,
    );
  console.log('# Topics (6 partitions up, 3 down; replication as the cluster requires):');
  for (const p of provinces)
    for (const [dir, n] of [
      ['up', 6],
      ['down', 3],
    ])
      console.log(
        `kafka-topics.sh --bootstrap-server <broker:9093> --command-config admin.properties --create --if-not-exists --topic ${prefix}.${dir}.${p} --partitions ${n} --replication-factor 3`,
      );
  console.log('# ACLs:');
  for (const c of aclCommands(bindings)) console.log(c);
} else if (args.includes('--apply')) {
  const e = process.env;
  if (!e.KAFKA_BROKERS) {
    console.error('KAFKA_BROKERS is required with --apply');
    process.exit(2);
  }
  const kafka = new Kafka({
    brokers: e.KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
    ...(e.KAFKA_SSL === 'true' ? { ssl: true } : {}),
    ...(e.KAFKA_SASL_MECHANISM
      ? {
          sasl: { mechanism: e.KAFKA_SASL_MECHANISM, username: e.KAFKA_SASL_USERNAME, password: e.KAFKA_SASL_PASSWORD },
        }
      : {}),
  });
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const topics = provinces.flatMap((p) => [
    { topic: `${prefix}.up.${p}`, numPartitions: 6 },
    { topic: `${prefix}.down.${p}`, numPartitions: 3 },
  ]);
  await admin.createTopics({ topics: topics.filter((t) => !existing.has(t.topic)), waitForLeaders: true });
  await admin.createAcls({ acl: bindings.map(toKafkaJs) });
  await admin.disconnect();
  console.log(`${topics.length} topics and ${bindings.length} ACLs in place for prefix ${prefix}`);
} else {
  console.log('Usage: node tools/kafka-acls.mjs --print | --apply [--prefix tmis] [--provinces 11,44]');
  process.exit(args.length ? 2 : 0);
}

function toKafkaJs(b) {
  return {
    resourceType: AclResourceTypes[b.resourceType.toUpperCase()],
    resourceName: b.resourceType === 'cluster' ? 'kafka-cluster' : b.resourceName,
    resourcePatternType: ResourcePatternTypes[b.patternType.toUpperCase()],
    principal: b.principal,
    host: '*',
    operation: AclOperationTypes[b.operation.toUpperCase()],
    permissionType: AclPermissionTypes.ALLOW,
  };
}
