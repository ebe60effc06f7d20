import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

// The workspace root (this file runs from test/dist/medium).
const root = join(import.meta.dirname, '..', '..', '..');

/** Lints a file that would sit at `filePath` (never written) with the workspace's own configuration. */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd: root }).lintText(code, { filePath: join(root, filePath) });
  return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

const importing = (pkg: string, name: string) => `import { ${name} } from '${pkg}';\nexport const probe = ${name};\n`;

describe('node roles in the build: lint refuses a cross-scope import', () => {
  it('the national app may not import the provincial sync-publish lib', async () => {
    const errors = await boundaryErrors(
      'apps/national/src/boundary-probe.ts',
      importing('@tmis/sync-publish', 'SyncPublishModule'),
    );
    assert.equal(errors.length, 1);
    assert.match(
      errors[0],
      /tagged with "scope:national" can only depend on libs tagged with "scope:national", "scope:shared"/,
    );
  });

  it('the provincial app may not import the national sync-ingest lib, nor a national lib a provincial one', async () => {
    const app = await boundaryErrors(
      'apps/provincial/src/boundary-probe.ts',
      importing('@tmis/sync-ingest', 'SyncIngestModule'),
    );
    assert.equal(app.length, 1);
    assert.match(app[0], /"scope:provincial" can only depend on/);
    const lib = await boundaryErrors(
      'libs/sync-ingest/src/boundary-probe.ts',
      importing('@tmis/sync-publish', 'SyncPublishModule'),
    );
    assert.equal(lib.length, 1);
  });

  it('a shared lib may import neither node role; each app imports its own', async () => {
    assert.equal(
      (await boundaryErrors('libs/stats/src/boundary-probe.ts', importing('@tmis/sync-ingest', 'SyncIngestModule')))
        .length,
      1,
    );
    assert.deepEqual(
      await boundaryErrors('apps/national/src/boundary-probe.ts', importing('@tmis/sync-ingest', 'SyncIngestModule')),
      [],
    );
    assert.deepEqual(
      await boundaryErrors(
        'apps/provincial/src/boundary-probe.ts',
        importing('@tmis/sync-publish', 'SyncPublishModule'),
      ),
      [],
    );
  });

  it('the web console reaches the nodes only through the API client, and nothing imports the console', async () => {
    assert.deepEqual(
      await boundaryErrors('apps/console/src/boundary-probe.tsx', importing('@tmis/api-client', 'unwrap')),
      [],
    );
    const intoNode = await boundaryErrors(
      'apps/console/src/boundary-probe.tsx',
      importing('@tmis/teachers', 'TeacherService'),
    );
    assert.equal(intoNode.length, 1);
    assert.match(intoNode[0], /"type:web" can only depend on libs tagged with "type:contracts"/);
    const fromNode = await boundaryErrors(
      'libs/server/src/boundary-probe.ts',
      importing('@tmis/console/src/areas', 'AREAS'),
    );
    assert.equal(fromNode.length, 1);
    assert.match(fromNode[0], /Imports of apps are forbidden/);
  });
});
