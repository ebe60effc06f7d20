import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestNode } from '../support/test-node.js';

/** How a node serves the web console's build under /console (libs/server console-static). */
describe('the console is served by the node under /console', () => {
  let node: TestNode;
  before(async () => {
    node = await TestNode.start('provincial');
  });
  after(async () => node?.close());

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(node.url + path, { headers, redirect: 'manual' });

  it('the application shell for every console route, with its own security headers', async () => {
    assert.equal((await get('/console')).headers.get('location'), '/console/');
    for (const path of ['/console/', '/console/teachers', '/console/teachers/3f0c/edit?x=1']) {
      const r = await get(path);
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await r.text(), /<div id="root"><\/div>/);
      assert.match(r.headers.get('content-security-policy') ?? '', /default-src 'self'.*connect-src 'self'/);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(r.headers.get('cache-control'), 'no-cache');
    }
  });

  it('hashed assets are long-cached and gzipped for browsers that accept it; a missing asset is 404', async () => {
    const html = await (await get('/console/')).text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, 'index.html names its entry script');
    const gz = await get(script!, { 'accept-encoding': 'gzip' });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers.get('content-encoding'), 'gzip');
    assert.match(gz.headers.get('cache-control') ?? '', /immutable/);
    assert.match(gz.headers.get('content-type') ?? '', /javascript/);
    const missing = await get('/console/assets/no-such-chunk-1234.js');
    assert.equal(missing.status, 404);
  });

  it('nothing outside the build is reachable; the API beside it is unchanged', async () => {
    for (const path of [
      '/console/..%2F..%2Fpackage.json',
      '/console/%2e%2e/%2e%2e/%2e%2e/package.json',
      '/console/..%5c..%5cpackage.json',
    ]) {
      const r = await get(path);
      const body = await r.text();
      assert.ok(!body.includes('"workspaces"'), `${path} must not leak files`);
      assert.ok([200, 400, 404].includes(r.status), `${path}: ${r.status}`);
    }
    const api = await get('/teachers');
    assert.equal(api.status, 401);
    assert.match(api.headers.get('content-type') ?? '', /problem\+json/);
    const post = await fetch(node.url + '/console/', { method: 'POST' });
    assert.notEqual(post.status, 200, 'only GET and HEAD serve the console');
  });
});
