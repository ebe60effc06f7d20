import type { JsonLogger } from '@tmis/common';
import { OrgSeeder } from '@tmis/org';
import { seedProvincialDemo, startTmisNode, type NodeDefinition, type TmisNode } from '@tmis/node-kit';
import { PROVINCIAL_ROLE, type ProvincialNodeConfig } from '@tmis/server';
import { ProvincialAppModule } from './app.module.js';

export { ProvincialAppModule };
export type ProvincialNode = TmisNode<ProvincialNodeConfig>;

/** What a provincial node is: its configuration, modules, root unit (the province), reference tree and demo data. */
export const PROVINCIAL_NODE: NodeDefinition<ProvincialNodeConfig> = {
  role: PROVINCIAL_ROLE,
  title: 'TMIS provincial node',
  module: (runtime) => ProvincialAppModule.register(runtime),
  rootUnitCode: (c) => `${c.PROVINCE_CODE}0000`,
  seedReferenceTree: (app, c) =>
    app.get(OrgSeeder).ensureReferenceTree({ kind: 'provincial', province: c.PROVINCE_CODE }),
  seedDemo: (app, c) => seedProvincialDemo(app, c.PROVINCE_CODE),
};

/** Starts a provincial node (see `startTmisNode`). */
export function startProvincialNode(
  env: Record<string, string | undefined> = process.env,
  options: { logger?: JsonLogger } = {},
): Promise<ProvincialNode> {
  return startTmisNode(PROVINCIAL_NODE, env, options.logger);
}
