import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '@tmis/common';
import type { StartedNode } from '@tmis/server';
import type { DemoLogin } from './demo.js';

/**
 * The body of each app's `main.ts`: start the node, log where it listens, write the demo logins
 * for `npm start`, stop cleanly on SIGINT/SIGTERM, and exit 78 (EX_CONFIG) on bad configuration.
 */
export async function runNodeMain(
  kind: string,
  start: () => Promise<StartedNode & { demoLogins: DemoLogin[] }>,
): Promise<void> {
  try {
    const node = await start();
    node.runtime.logger.log(
      {
        msg: `${kind} node listening`,
        url: node.url,
        docs: `${node.url}/docs`,
        embeddedDatabase: node.runtime.embedded,
      },
      'Main',
    );
    if (node.demoLogins.length)
      writeFileSync(
        join(resolve(node.runtime.config.DATA_DIR), 'demo-logins.json'),
        JSON.stringify({ url: node.url, logins: node.demoLogins }, null, 2),
      );
    const stop = async () => {
      await node.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (e) {
    if (e instanceof ConfigError || (e instanceof Error && e.message.startsWith('Invalid configuration'))) {
      process.stderr.write(`${e.message}\n`);
      process.exit(78);
    }
    throw e;
  }
}
