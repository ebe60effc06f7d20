import type { JsonLogger } from '@tmis/common';
import { startTmisNode, type TmisNode } from '@tmis/node-kit';
import { NationalAppModule } from './app.module.js';

export { NationalAppModule };
export type NationalNode = TmisNode;

/** Starts a national node (see `startTmisNode`). */
export function startNationalNode(
  env: Record<string, string | undefined> = process.env,
  options: { logger?: JsonLogger } = {},
): Promise<NationalNode> {
  return startTmisNode({
    kind: 'national',
    title: 'TMIS national node',
    env,
    logger: options.logger,
    module: (runtime) => NationalAppModule.register(runtime),
  });
}
