#!/usr/bin/env node
// Says whether the national node holds exactly the reported records of a province, and where not,
// which schools and records differ. Walks the reconciliation tree (256 buckets of schools by
// md5(unit code), then the schools of the buckets that differ, a page of at most 1,000 at a time), so
// it works at any province's size (30,000+ schools) under the national node's 100 kB body limit.
//   PROVINCE_URL=http://prov:3000 PROVINCE_USER=… PROVINCE_PASSWORD=… \
//   NATIONAL_URL=http://nat:3000 NATIONAL_USER=… NATIONAL_PASSWORD=… node tools/reconcile.mjs
// Exit 0 when equal, 1 when they differ, 2 on a usage or connection error.
const need = [
  'PROVINCE_URL',
  'PROVINCE_USER',
  'PROVINCE_PASSWORD',
  'NATIONAL_URL',
  'NATIONAL_USER',
  'NATIONAL_PASSWORD',
];
const missing = need.filter((k) => !process.env[k]);
if (missing.length) {
  console.error(`missing ${missing.join(', ')} / 缺少环境变量`);
  process.exit(2);
}
const env = process.env;

async function call(base, method, path, token, body) {
  const res = await fetch(base.replace(/\/$/, '') + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}
const login = async (base, username, password) =>
  (await call(base, 'POST', '/auth/login', null, { username, password })).accessToken;

try {
  const pt = await login(env.PROVINCE_URL, env.PROVINCE_USER, env.PROVINCE_PASSWORD);
  const nt = await login(env.NATIONAL_URL, env.NATIONAL_USER, env.NATIONAL_PASSWORD);
  // The tree (GET /sync/fingerprint/tree, POST /sync/reconcile/tree): the 256 bucket hashes first,
  // then, page by page, only the schools of the buckets that differ; every body stays small.
  const root = await call(env.PROVINCE_URL, 'GET', '/sync/fingerprint/tree', pt);
  const province = root.province;
  const national = await call(env.NATIONAL_URL, 'GET', `/sync/fingerprint/tree?province=${province}`, nt);
  const buckets = (await call(env.NATIONAL_URL, 'POST', '/sync/reconcile/tree', nt, { province, nodes: root.nodes }))
    .differing;
  const differingSchools = [];
  for (const b of buckets) {
    for (let after = null; ;) {
      const q = `/sync/fingerprint/tree?bucket=${b.code}${after ? `&after=${after}` : ''}`;
      const page = await call(env.PROVINCE_URL, 'GET', q, pt);
      const body = { province, bucket: b.code, nodes: page.nodes };
      if (after) body.after = after;
      if (page.next) body.through = page.next;
      const r = await call(env.NATIONAL_URL, 'POST', '/sync/reconcile/tree', nt, body);
      differingSchools.push(
        ...r.differing.map((d) => ({ unitCode: d.code, province: d.province, national: d.national })),
      );
      if (!page.next) break;
      after = page.next;
    }
  }
  const result = {
    province,
    provinceTotal: root.total,
    nationalTotal: national.total,
    equal: !buckets.length,
    differingSchools,
  };
  console.log(
    `province ${result.province}: ${result.provinceTotal} reported records; national holds ${result.nationalTotal}`,
  );
  if (result.equal) {
    console.log('EQUAL / 一致');
    process.exit(0);
  }
  console.log(`DIFFERENT / 不一致 in ${result.differingSchools.length} school(s):`);
  for (const d of result.differingSchools.slice(0, 50)) {
    const theirs = await call(env.PROVINCE_URL, 'GET', `/sync/fingerprint/${d.unitCode}/records`, pt);
    const ours = await call(
      env.NATIONAL_URL,
      'GET',
      `/sync/fingerprint/${d.unitCode}/records?province=${result.province}`,
      nt,
    );
    const at = new Map(ours.map((r) => [r.teacherId, r.reportedVersion]));
    const onlyProvince = theirs.filter((r) => !at.has(r.teacherId)).map((r) => r.teacherId);
    const stale = theirs
      .filter((r) => at.has(r.teacherId) && at.get(r.teacherId) !== r.reportedVersion)
      .map((r) => `${r.teacherId} (province v${r.reportedVersion}, national v${at.get(r.teacherId)})`);
    const onlyNational = ours.filter((r) => !theirs.some((t) => t.teacherId === r.teacherId)).map((r) => r.teacherId);
    console.log(`  ${d.unitCode}: province ${d.province?.count ?? 0}, national ${d.national?.count ?? 0}`);
    for (const x of onlyProvince) console.log(`    missing at national: ${x}`);
    for (const x of stale) console.log(`    older version at national: ${x}`);
    for (const x of onlyNational) console.log(`    not reported by the province: ${x}`);
  }
  console.log("A resync (POST /sync/resync on the provincial node) re-publishes the province's reported state.");
  process.exit(1);
} catch (e) {
  console.error(`reconcile failed / 对账失败: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
}
