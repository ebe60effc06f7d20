import { federationGroupName } from './federation.options.js';

/** One ACL binding (ALLOW) in the broker's terms: what `kafka-acls --add` and an admin client create. */
export interface AclBinding {
  principal: string;
  resourceType: 'topic' | 'group' | 'cluster';
  resourceName: string;
  patternType: 'literal' | 'prefixed';
  operation: 'read' | 'write' | 'describe' | 'create';
}

/** The batch record ingest's consumer group at national (libs/sync-ingest). */
export const RECORD_INGEST_GROUP = 'tmis-national';

/**
 * The ACLs of the federation (ADR 0013), for one topic prefix: a province's broker user may write
 * only its own upward topic and read only its own downward topic (with its own consumer group);
 * the national user reads every upward topic and writes every downward topic. Nothing else is
 * allowed (the authorizer denies what no ACL allows). `deploy/kafka/federation-acls.mjs` applies or
 * prints them; the e2e tests apply them to the dev broker.
 */
export function federationAcls(
  prefix: string,
  who: { province: string; user: string } | { national: true; user: string },
): AclBinding[] {
  const principal = `User:${who.user}`;
  if ('province' in who) {
    const up = `${prefix}.up.${who.province}`;
    const down = `${prefix}.down.${who.province}`;
    return [
      { principal, resourceType: 'topic', resourceName: up, patternType: 'literal', operation: 'write' },
      { principal, resourceType: 'topic', resourceName: up, patternType: 'literal', operation: 'describe' },
      { principal, resourceType: 'topic', resourceName: down, patternType: 'literal', operation: 'read' },
      { principal, resourceType: 'topic', resourceName: down, patternType: 'literal', operation: 'describe' },
      {
        principal,
        resourceType: 'group',
        resourceName: federationGroupName(prefix, who.province),
        patternType: 'literal',
        operation: 'read',
      },
    ];
  }
  return [
    { principal, resourceType: 'topic', resourceName: `${prefix}.up.`, patternType: 'prefixed', operation: 'read' },
    { principal, resourceType: 'topic', resourceName: `${prefix}.up.`, patternType: 'prefixed', operation: 'describe' },
    { principal, resourceType: 'topic', resourceName: `${prefix}.down.`, patternType: 'prefixed', operation: 'write' },
    {
      principal,
      resourceType: 'topic',
      resourceName: `${prefix}.down.`,
      patternType: 'prefixed',
      operation: 'describe',
    },
    {
      principal,
      resourceType: 'group',
      resourceName: federationGroupName(prefix, 'national'),
      patternType: 'literal',
      operation: 'read',
    },
    { principal, resourceType: 'group', resourceName: RECORD_INGEST_GROUP, patternType: 'literal', operation: 'read' },
  ];
}

/** The same bindings as `kafka-acls.sh` commands (production runbook, deploy/kafka/README.md). */
export function aclCommands(
  bindings: AclBinding[],
  bootstrap = '<broker:9093>',
  config = 'admin.properties',
): string[] {
  return bindings.map((b) => {
    const resource = b.resourceType === 'cluster' ? '--cluster' : `--${b.resourceType} '${b.resourceName}'`;
    return `kafka-acls.sh --bootstrap-server ${bootstrap} --command-config ${config} --add --allow-principal '${b.principal}' --operation ${b.operation[0].toUpperCase()}${b.operation.slice(1)} ${resource} --resource-pattern-type ${b.patternType}`;
  });
}
