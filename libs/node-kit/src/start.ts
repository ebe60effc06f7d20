import 'reflect-metadata';
import type { DynamicModule } from '@nestjs/common';
import type { JsonLogger } from '@tmis/common';
import { startNode, type NodeRuntime, type StartedNode } from '@tmis/server';
import { seedDemo, type DemoLogin } from './demo.js';
import { seedReferenceTree } from './seed.js';

export interface TmisNode extends StartedNode {
  demoLogins: DemoLogin[];
}

/** Starts a node: config, database (embedded when DATABASE_URL is unset), migrations, reference tree, demo data on request. */
export async function startTmisNode(opts: {
  kind: 'national' | 'provincial';
  title: string;
  module: (runtime: NodeRuntime) => DynamicModule;
  env: Record<string, string | undefined>;
  logger?: JsonLogger;
}): Promise<TmisNode> {
  let demoLogins: DemoLogin[] = [];
  const node = await startNode({
    ...opts,
    afterInit: async (app, runtime) => {
      await seedReferenceTree(app, runtime);
      if (['1', 'true', 'yes'].includes((opts.env.DEMO_DATA ?? '').toLowerCase()))
        demoLogins = await seedDemo(app, runtime);
    },
  });
  return { ...node, demoLogins };
}
