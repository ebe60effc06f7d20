import type { JsonLogger } from '@tmis/common';
import { startTmisNode, type TmisNode } from '@tmis/node-kit';
import { ProvincialAppModule } from './app.module.js';

export { ProvincialAppModule };
export type ProvincialNode = TmisNode;

/** Starts a provincial node (see `startTmisNode`). */
export function startProvincialNode(
  env: Record<string, string | undefined> = process.env,
  options: { logger?: JsonLogger } = {},
): Promise<ProvincialNode> {
  return startTmisNode({
    kind: 'provincial',
    title: 'TMIS provincial node',
    env,
    logger: options.logger,
    module: (runtime) => ProvincialAppModule.register(runtime),
  });
}
