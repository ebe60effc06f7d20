import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import { ApiProblem, createNationalClient, createProvincialClient, unwrap } from '@tmis/api-client';
import { TestNode, TEST_PASSWORD } from '../support/test-node.js';

// The generator itself (tools/api-client.mjs), so the check and `npm run api-client` cannot drift apart.
const tool = (await import(pathToFileURL(resolve(process.cwd(), 'tools/api-client.mjs')).href)) as {
  docText(doc: unknown): string;
  generateTypes(doc: unknown, node: string): Promise<string>;
  docFile(node: string): string;
  typesFile(node: string): string;
};

// The generator of the routes' success schemas (tools/openapi-responses.mjs), checked the same way.
const responses = (await import(pathToFileURL(resolve(process.cwd(), 'tools/openapi-responses.mjs')).href)) as {
  generate(): Promise<{ out: Map<string, { text: string }>; problems: string[] }>;
};

describe('the typed API client (libs/api-client) is generated from what the nodes serve', () => {
  it('every controller has its generated *.responses.ts, current with the handlers (else: npm run api-client)', async () => {
    const { out, problems } = await responses.generate();
    assert.deepEqual(problems, []);
    assert.ok(out.size >= 20, `${out.size} controller files`);
    for (const [file, g] of out)
      assert.equal(readFileSync(file, 'utf8'), g.text, `${file} is stale: run npm run api-client`);
  });

  const nodes: Record<string, TestNode> = {};
  before(async () => {
    nodes.provincial = await TestNode.start('provincial');
    nodes.national = await TestNode.start('national');
  });
  after(async () => {
    await nodes.provincial?.close();
    await nodes.national?.close();
  });

  for (const node of ['provincial', 'national']) {
    it(`the checked-in ${node} document and types are current (else: npm run api-client)`, async () => {
      const doc = (await nodes[node].api('GET', '/docs-json')).body;
      assert.ok(doc.paths['/auth/login'], 'the node serves its OpenAPI document');
      assert.equal(
        readFileSync(tool.docFile(node), 'utf8'),
        tool.docText(doc),
        `libs/api-client/openapi/${node}.json is stale: run npm run api-client`,
      );
      assert.equal(
        readFileSync(tool.typesFile(node), 'utf8'),
        await tool.generateTypes(doc, node),
        `libs/api-client/src/${node}.ts is stale: run npm run api-client`,
      );
    });
  }

  it('a platform signs in and reads through the client; errors arrive as ApiProblem with both languages', async () => {
    const p = nodes.provincial;
    const school = await p.newSchool();
    const acct = await p.account(school, Role.InfoAdmin);
    const anon = createProvincialClient({ baseUrl: p.url });
    const tokens = await unwrap<{ accessToken: string }>(
      anon.POST('/auth/login', { body: { username: acct.username, password: TEST_PASSWORD } }),
    );
    const client = createProvincialClient({ baseUrl: p.url, token: () => tokens.accessToken });
    const me = await unwrap<{ unitId: string; role: string }>(client.GET('/auth/me'));
    assert.deepEqual([me.unitId, me.role], [school.id, 'info_admin']);
    const page = await unwrap<{ items: unknown[] }>(client.GET('/teachers', { params: { query: { limit: 5 } } }));
    assert.deepEqual(page.items, []);
    // another school's unit is out of scope: a 403 problem with the house code and Chinese title
    const other = await p.newSchool();
    const refused = await unwrap(client.GET('/units/{id}', { params: { path: { id: other.id } } })).catch((e) => e);
    assert.ok(refused instanceof ApiProblem, String(refused));
    assert.equal(refused.status, 403);
    assert.equal(refused.problem.code, 'OUT_OF_SCOPE');
    assert.ok(refused.problem.titleZh.length > 0);
    // the national client knows the national-only routes
    const national = createNationalClient({ baseUrl: nodes.national.url });
    const { response } = await national.GET('/sync/dead-letters');
    assert.equal(response.status, 401);
  });

  it("the README's platform integration works as written: register a client, take a token, read teachers and the change feed", async () => {
    const p = nodes.provincial;
    const county = await p.newCounty();
    const admin = await p.account(county, Role.SysAdmin);
    const adminToken = await p.tokenFor(admin);
    const node = `${p.url}/v1`;
    // 1. the administrator registers the platform; the secret is in this answer only
    const asAdmin = createProvincialClient({ baseUrl: node, token: () => adminToken });
    const client = await unwrap(
      asAdmin.POST('/api-clients', { body: { name: 'District HR', scopes: ['teachers:read', 'changes:read'] } }),
    );
    assert.match(client.clientSecret, /^tmis_/);
    // 2. client credentials by HTTP Basic and a form body, as `curl -u id:secret -d grant_type=client_credentials`
    const res = await fetch(`${node}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.id}:${client.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    assert.equal(res.status, 200);
    const { access_token: token } = (await res.json()) as { access_token: string };
    // 3. and 4. the platform reads teachers and follows the change feed from the start
    const platform = createProvincialClient({ baseUrl: node, token: () => token });
    const teachers = await unwrap(platform.GET('/teachers', { params: { query: { limit: 100 } } }));
    assert.deepEqual(teachers.items, []);
    const page = await unwrap(platform.GET('/changes', { params: { query: { limit: 1000, cursor: '' } } }));
    assert.ok(Array.isArray(page.items));
    assert.equal(typeof page.hasMore, 'boolean');
    assert.equal(typeof page.nextCursor, 'string');
  });
});
