import type { JsonLogger } from '@tmis/common';
import { OrgSeeder } from '@tmis/org';
import { seedNationalDemo, startTmisNode, type NodeDefinition, type TmisNode } from '@tmis/node-kit';
import { NATIONAL_ROLE, type NationalNodeConfig } from '@tmis/server';
import { NationalAppModule } from './app.module.js';

export { NationalAppModule };
export type NationalNode = TmisNode<NationalNodeConfig>;

/** What the national node is: its configuration, modules, root unit (the ministry), reference tree and demo data. */
export const NATIONAL_NODE: NodeDefinition<NationalNodeConfig> = {
  role: NATIONAL_ROLE,
  title: 'TMIS national node',
  module: (runtime) => NationalAppModule.register(runtime),
  rootUnitCode: () => '000000',
  seedReferenceTree: (app) => app.get(OrgSeeder).ensureReferenceTree({ kind: 'national' }),
  seedDemo: (app) => seedNationalDemo(app),
};

/** Starts a national node (see `startTmisNode`). */
export function startNationalNode(
  env: Record<string, string | undefined> = process.env,
  options: { logger?: JsonLogger } = {},
): Promise<NationalNode> {
  return startTmisNode(NATIONAL_NODE, env, options.logger);
}
