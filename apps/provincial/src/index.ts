import 'reflect-metadata';
import { seedDemo, seedReferenceTree, type DemoLogin } from '@tmis/node-kit';
import type { JsonLogger } from '@tmis/common';
import { startNode, type StartedNode } from '@tmis/server';
import { ProvincialAppModule } from './app.module.js';

export { ProvincialAppModule };

export interface ProvincialNode extends StartedNode {
  demoLogins: DemoLogin[];
}

/** Starts a provincial node: config, database (embedded when DATABASE_URL is unset), migrations, reference tree. */
export async function startProvincialNode(env: Record<string, string | undefined> = process.env, options: { logger?: JsonLogger } = {}): Promise<ProvincialNode> {
  let demoLogins: DemoLogin[] = [];
  const node = await startNode({
    kind: 'provincial',
    title: 'TMIS provincial node',
    env,
    logger: options.logger,
    module: (runtime) => ProvincialAppModule.register(runtime),
    afterInit: async (app, runtime) => {
      await seedReferenceTree(app, runtime);
      if (['1', 'true', 'yes'].includes((env.DEMO_DATA ?? '').toLowerCase())) demoLogins = await seedDemo(app, runtime);
    },
  });
  return { ...node, demoLogins };
}
