import assert from 'node:assert/strict';
import { Role } from '@tmis/access';
import type { OrgUnitEntity } from '@tmis/org';
import type { TestNode } from './test-node.js';
import { validRecord } from './records.js';

export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 45000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A county with one school, its administrators, and `n` records taken through review to "reported" over HTTP. */
export async function reportRecords(
  p: TestNode,
  n: number,
  county?: OrgUnitEntity,
): Promise<{ school: OrgUnitEntity; county: OrgUnitEntity; ids: string[]; schoolAdmin: string; countyAdmin: string }> {
  const c = county ?? (await p.newCounty());
  const school = await p.newSchool(c);
  const schoolAdmin = await p.tokenFor(await p.account(school, Role.InfoAdmin));
  const countyAdmin = await p.tokenFor(await p.account(c, Role.InfoAdmin));
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await p.api('POST', '/teachers', {
      token: schoolAdmin,
      body: { unitId: school.id, record: validRecord() },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    ids.push(r.body.id);
    await p.api('POST', `/teachers/${r.body.id}/review/submit`, { token: schoolAdmin, body: { version: 1 } });
    await p.api('POST', `/teachers/${r.body.id}/review/school-approve`, {
      token: schoolAdmin,
      body: { version: 1, participants: ['甲'], principal: '甲' },
    });
  }
  const batch = await p.api('POST', '/reviews/department-approve', {
    token: countyAdmin,
    body: { items: ids.map((teacherId) => ({ teacherId, version: 1 })) },
  });
  assert.ok(
    batch.body.every((b: { status: number }) => b.status === 200),
    JSON.stringify(batch.body),
  );
  return { school, county: c, ids, schoolAdmin, countyAdmin };
}

/** Province fingerprint → national reconciliation, as tools/reconcile.mjs does. */
export async function reconcile(p: TestNode, n: TestNode, provinceToken: string, ministryToken: string) {
  const fp = await p.api('GET', '/sync/fingerprint', { token: provinceToken });
  assert.equal(fp.status, 200, JSON.stringify(fp.body));
  const r = await n.api('POST', '/sync/reconcile', { token: ministryToken, body: fp.body });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body as {
    equal: boolean;
    provinceTotal: number;
    nationalTotal: number;
    differingSchools: { unitCode: string }[];
  };
}
