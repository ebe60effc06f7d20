#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '@tmis/common';
import { startNationalNode } from './index.js';

try {
  const node = await startNationalNode(process.env);
  node.runtime.logger.log({ msg: 'national node listening', url: node.url, docs: `${node.url}/docs`, embeddedDatabase: node.runtime.embedded }, 'Main');
  if (node.demoLogins.length) writeFileSync(join(resolve(node.runtime.config.DATA_DIR), 'demo-logins.json'), JSON.stringify({ url: node.url, logins: node.demoLogins }, null, 2));
  const stop = async () => { await node.close(); process.exit(0); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (e) {
  if (e instanceof ConfigError || (e instanceof Error && e.message.startsWith('Invalid configuration'))) {
    process.stderr.write(`${e.message}\n`);
    process.exit(78);
  }
  throw e;
}
