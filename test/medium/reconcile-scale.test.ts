import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import { fingerprintTreePage, type Fingerprint } from '@tmis/sync-transport';
import { isolatedDatabase, TestNode } from '../support/test-node.js';

const SCHOOLS = 30_000;
/** The largest province: 1.5 M records (TMIS_TEST_RECONCILE_RECORDS lowers it on a slow machine). */
const RECORDS = Number(process.env.TMIS_TEST_RECONCILE_RECORDS ?? 1_500_000);
const BODY_LIMIT = 100 * 1024;

describe("reconciliation at the largest province's size (30,000 schools)", () => {
  let national: TestNode;
  let db: { url: string; drop(): Promise<void> };
  let ministry: string;
  before(async () => {
    db = await isolatedDatabase('rs');
    national = await TestNode.start('national', { DATABASE_URL: db.url });
    ministry = await national.tokenFor(await national.account(await national.unitByCode('000000'), Role.InfoAdmin));
    // What national received from province 44, generated set-based (the partial person index is not
    // used by reconciliation and is rebuilt after the load).
    await national.db.query(`DROP INDEX national_teacher_person_idx`);
    await national.db.query(
      `INSERT INTO national_teacher (teacher_id, province_code, unit_code, id_type, id_number, name, person_status, active, record,
                                     catalogue_version, reported_version, last_sequence)
       SELECT gen_random_uuid(), '44', '2144' || lpad((g % $1 + 1)::text, 6, '0'), '1', 'x' || g, '教师', '10', true, '{}'::jsonb,
              'v', 1 + g % 3, g FROM generate_series(1, $2::int) g`,
      [SCHOOLS, RECORDS],
    );
    await national.db.query(
      `CREATE INDEX national_teacher_person_idx ON national_teacher (id_type, id_number) WHERE active AND NOT removed`,
    );
    await national.db.query(`ANALYZE national_teacher`);
  });
  after(async () => {
    await national?.close();
    await db?.drop();
  });

  it('finds a missing record and a stale version among 30,000 schools, exchanging only small pages', async () => {
    // The province's side: the same per-school fingerprints (the province computes them with the same
    // SQL over what it reported), served page by page by the same function as its GET /sync/fingerprint/tree.
    const whole = await national.api('GET', '/sync/fingerprint?province=44', { token: ministry });
    assert.equal(whole.status, 200);
    const province = whole.body as Fingerprint;
    assert.equal(province.schools.length, SCHOOLS);
    assert.equal(province.total, RECORDS);
    // The old single-body form cannot carry it (the reason for the tree).
    const old = await national.api('POST', '/sync/reconcile', { token: ministry, body: province });
    assert.equal(old.status, 413);

    // National loses one record of one school and holds an older version of a record of another.
    const lost = { unit_code: '2144012345' };
    await national.db.query(
      `DELETE FROM national_teacher WHERE teacher_id = (SELECT teacher_id FROM national_teacher WHERE unit_code = $1 LIMIT 1)`,
      [lost.unit_code],
    );
    await national.db.query(
      `UPDATE national_teacher SET reported_version = reported_version - 1
        WHERE teacher_id = (SELECT teacher_id FROM national_teacher WHERE unit_code = '2144029999' AND reported_version > 1 LIMIT 1)`,
    );

    let biggest = 0;
    let requests = 0;
    const post = async (body: object) => {
      biggest = Math.max(biggest, Buffer.byteLength(JSON.stringify(body)));
      requests++;
      const r = await national.api('POST', '/sync/reconcile/tree', { token: ministry, body });
      assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 500));
      return r.body as {
        differing: { code: string; province: { count: number } | null; national: { count: number } }[];
      };
    };
    const root = fingerprintTreePage(province, null, null);
    assert.equal(root.nodes.length, 256);
    const buckets = (await post({ province: '44', nodes: root.nodes })).differing;
    assert.equal(buckets.length, 2);
    const schools: { code: string; province: { count: number } | null; national: { count: number } }[] = [];
    for (const b of buckets)
      for (let afterCode: string | null = null; ;) {
        const page = fingerprintTreePage(province, b.code, afterCode);
        schools.push(
          ...(
            await post({
              province: '44',
              bucket: b.code,
              nodes: page.nodes,
              ...(afterCode ? { after: afterCode } : {}),
              ...(page.next ? { through: page.next } : {}),
            })
          ).differing,
        );
        if (!page.next) break;
        afterCode = page.next;
      }
    assert.deepEqual(schools.map((s) => s.code).sort(), [lost.unit_code, '2144029999'].sort());
    const missing = schools.find((s) => s.code === lost.unit_code)!;
    assert.equal(missing.province!.count - missing.national.count, 1);
    assert.ok(biggest < BODY_LIMIT, `largest body ${biggest} bytes`);
    assert.ok(requests <= 4, `${requests} requests`);

    // Paging a bucket's schools: a small page size splits it, and the pieces still compare exactly.
    const b = buckets[0].code;
    const first = fingerprintTreePage(province, b, null, 50);
    assert.ok(first.next);
    const rest = fingerprintTreePage(province, b, first.next, 10_000);
    const d1 = await post({ province: '44', bucket: b, nodes: first.nodes, through: first.next });
    const d2 = await post({ province: '44', bucket: b, after: first.next, nodes: rest.nodes });
    assert.equal(d1.differing.length + d2.differing.length, 1);
  });
});
