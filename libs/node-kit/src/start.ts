import 'reflect-metadata';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import type { JsonLogger } from '@tmis/common';
import { startNode, type NodeConfig, type NodeRole, type NodeRuntime, type StartedNode } from '@tmis/server';
import type { DemoLogin } from './demo.js';

/** What an app says its node is: its role (config class), root module, root unit, reference tree and demo data. */
export interface NodeDefinition<C extends NodeConfig = NodeConfig> {
  role: NodeRole<C>;
  title: string;
  module: (runtime: NodeRuntime<C>) => DynamicModule;
  /** The code of the node's root unit (the ministry, or the province). */
  rootUnitCode: (config: C) => string;
  /** Ensures the GB/T 2260 reference tree of this node exists (idempotent, set-based). */
  seedReferenceTree: (app: INestApplication, config: C) => Promise<number>;
  seedDemo: (app: INestApplication, config: C) => Promise<DemoLogin[]>;
}

export interface TmisNode<C extends NodeConfig = NodeConfig> extends StartedNode<C> {
  demoLogins: DemoLogin[];
}

/** Starts a node: config, database (embedded when DATABASE_URL is unset), migrations, reference tree, demo data on request. */
export async function startTmisNode<C extends NodeConfig>(
  def: NodeDefinition<C>,
  env: Record<string, string | undefined>,
  logger?: JsonLogger,
): Promise<TmisNode<C>> {
  let demoLogins: DemoLogin[] = [];
  const node = await startNode({
    role: def.role,
    title: def.title,
    module: def.module,
    env,
    logger,
    afterInit: async (app, runtime) => {
      await def.seedReferenceTree(app, runtime.config);
      if (['1', 'true', 'yes'].includes((env.DEMO_DATA ?? '').toLowerCase()))
        demoLogins = await def.seedDemo(app, runtime.config);
    },
  });
  return { ...node, demoLogins };
}
