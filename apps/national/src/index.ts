import 'reflect-metadata';
import { seedDemo, seedReferenceTree, type DemoLogin } from '@tmis/node-kit';
import type { JsonLogger } from '@tmis/common';
import { startNode, type StartedNode } from '@tmis/server';
import { NationalAppModule } from './app.module.js';

export { NationalAppModule };

export interface NationalNode extends StartedNode {
  demoLogins: DemoLogin[];
}

/** Starts a national node: config, database (embedded when DATABASE_URL is unset), migrations, reference tree. */
export async function startNationalNode(env: Record<string, string | undefined> = process.env, options: { logger?: JsonLogger } = {}): Promise<NationalNode> {
  let demoLogins: DemoLogin[] = [];
  const node = await startNode({
    kind: 'national',
    title: 'TMIS national node',
    env,
    logger: options.logger,
    module: (runtime) => NationalAppModule.register(runtime),
    afterInit: async (app, runtime) => {
      await seedReferenceTree(app, runtime);
      if (['1', 'true', 'yes'].includes((env.DEMO_DATA ?? '').toLowerCase())) demoLogins = await seedDemo(app, runtime);
    },
  });
  return { ...node, demoLogins };
}
