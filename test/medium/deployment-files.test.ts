import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

/**
 * The deployment files, checked mechanically: the compose file and the systemd units parse, every
 * variable they (and the example environment files) name is documented in deploy/ENVIRONMENT.md,
 * every variable the node validates is documented, and they start the commands the READMEs give.
 */
const root = resolve(import.meta.dirname, '..', '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const environmentDoc = read('deploy/ENVIRONMENT.md');
/** Variables documented in ENVIRONMENT.md: the backticked names in the first column of its table. */
const documented = new Set(
  environmentDoc
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .flatMap((l) => [...l.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1])),
);

interface Unit {
  sections: Map<string, [string, string][]>;
}
/** systemd unit syntax: `[Section]` headers, `Key=Value` lines, `#`/`;` comments, nothing else. */
function parseUnit(text: string, name: string): Unit {
  const sections = new Map<string, [string, string][]>();
  let current: [string, string][] | undefined;
  text.split('\n').forEach((line, i) => {
    const l = line.trim();
    if (!l || l.startsWith('#') || l.startsWith(';')) return;
    const header = /^\[([A-Za-z]+)\]$/.exec(l);
    if (header) {
      current = [];
      sections.set(header[1], current);
      return;
    }
    const kv = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(l);
    assert.ok(kv && current, `${name}:${i + 1}: not a Key=Value line inside a section: ${line}`);
    current.push([kv[1], kv[2]]);
  });
  return { sections };
}
const values = (u: Unit, section: string, key: string) =>
  (u.sections.get(section) ?? []).filter(([k]) => k === key).map(([, v]) => v);

/** Variable names of an env file, the commented-out examples included. */
const envFileNames = (text: string) =>
  [...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]).filter((n) => n !== 'KEY');

describe('deployment files', () => {
  it('every variable the node validates is documented in deploy/ENVIRONMENT.md', () => {
    const declared = [...read('libs/server/src/node-config.ts').matchAll(/^ {2}([A-Z][A-Z0-9_]*)[?]?:/gm)].map(
      (m) => m[1],
    );
    assert.ok(declared.length > 20);
    assert.deepEqual(
      declared.filter((v) => !documented.has(v)),
      [],
    );
  });

  for (const kind of ['national', 'provincial'] as const) {
    it(`systemd unit of the ${kind} node parses, names documented variables and starts the README's commands`, () => {
      const file = `deploy/systemd/tmis-${kind}.service`;
      const unit = parseUnit(read(file), file);
      assert.deepEqual([...unit.sections.keys()], ['Unit', 'Service', 'Install']);
      const [start] = values(unit, 'Service', 'ExecStart');
      assert.equal(start, `/usr/bin/node apps/${kind}/dist/main.js`);
      assert.ok(existsSync(join(root, `apps/${kind}/src/main.ts`)), 'the entry point exists');
      const pre = values(unit, 'Service', 'ExecStartPre');
      assert.deepEqual(pre, ['/usr/bin/node tools/migrate.mjs --check']);
      assert.ok(existsSync(join(root, 'tools/migrate.mjs')));
      const readme = read('deploy/README.md');
      assert.ok(
        readme.includes(`node apps/${kind}/dist/main.js`) || readme.includes('node apps/provincial/dist/main.js'),
      );
      assert.ok(readme.includes('tools/migrate.mjs --check'));
      assert.ok(readme.includes(`systemd/tmis-${kind}.service`), 'the README points to the unit');
      assert.equal(values(unit, 'Service', 'WorkingDirectory')[0], '/opt/tmis', 'where the README installs');
      assert.ok(readme.includes('cd /opt/tmis'));
      const envFile = values(unit, 'Service', 'EnvironmentFile')[0];
      assert.equal(envFile, `/etc/tmis/${kind}.env`);
      assert.ok(readme.includes(`deploy/env/provincial.env.example`));
      const named = [
        ...values(unit, 'Service', 'Environment').map((v) => v.split('=')[0]),
        ...envFileNames(read(`deploy/env/${kind}.env.example`)),
      ];
      assert.ok(named.length > 5);
      assert.deepEqual(
        named.filter((v) => !documented.has(v)),
        [],
        'named but not documented in deploy/ENVIRONMENT.md',
      );
      if (kind === 'national') assert.ok(!named.includes('PROVINCE_CODE'));
      else assert.ok(named.includes('PROVINCE_CODE'));
    });
  }

  it('compose.yaml parses, names documented variables and runs the images the READMEs describe', () => {
    const compose = parse(read('docker/compose.yaml')) as {
      services: Record<
        string,
        {
          build?: { context: string; dockerfile: string };
          environment?: Record<string, unknown>;
          healthcheck?: unknown;
        }
      >;
    };
    const dotEnv = new Set(envFileNames(read('docker/.env.example')));
    const text = read('docker/compose.yaml');
    const interpolated = [...text.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]);
    assert.deepEqual(
      interpolated.filter((v) => !dotEnv.has(v)),
      [],
      'every ${VAR} of compose.yaml is in docker/.env.example',
    );
    assert.ok(!/not (read|used) yet|upcoming sync/i.test(text), 'nothing described as future');
    for (const kind of ['national', 'provincial'] as const) {
      const s = compose.services[kind];
      assert.ok(s, kind);
      assert.equal(s.build?.dockerfile, `docker/Dockerfile.${kind}`);
      const env = Object.keys(s.environment ?? {});
      assert.deepEqual(
        env.filter((v) => !documented.has(v)),
        [],
        `${kind}: environment names documented in deploy/ENVIRONMENT.md`,
      );
      assert.ok(env.includes('KAFKA_BROKERS'), 'the nodes federate over the compose Kafka');
      const dockerfile = read(`docker/Dockerfile.${kind}`);
      assert.match(dockerfile, new RegExp(`^CMD \\["node", "apps/${kind}/dist/main\\.js"\\]$`, 'm'));
    }
    assert.ok(compose.services.kafka && compose.services.postgres);
    const dockerReadme = read('docker/README.md');
    assert.ok(!/not (read|used) yet|do not read until/i.test(dockerReadme), 'docker/README.md describes today');
    assert.ok(
      !/not (read|used) yet|not used\s+yet/i.test(read('deploy/README.md')),
      'deploy/README.md describes today',
    );
    for (const kind of ['national', 'provincial'])
      assert.ok(!/not read yet/i.test(read(`deploy/env/${kind}.env.example`)), `${kind}.env.example describes today`);
  });
});
