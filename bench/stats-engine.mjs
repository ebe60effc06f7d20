// `N=3000000 node bench/stats-engine.mjs` (after npm run build; issue 17): the statistics engine alone, no HTTP or database.
// In-process: the engine alone (no HTTP, no PostgreSQL), N synthetic rows, scan vs cubes per question.
import { FactEngine } from '@tmis/stats';
const N = Number(process.env.N ?? 3_000_000);
const e = new FactEngine(true);
e.setReferenceDate(new Date(2026, 10, 30));
const units = [
  { code: '000000', kind: 'ministry', path: '/000000/', name: 'm', schoolType: null, urbanRural: null, sponsor: null },
];
const schools = [];
for (let p = 11; p < 43; p++) {
  units.push({
    code: `${p}0000`,
    kind: 'province',
    path: `/000000/${p}0000/`,
    name: 'p',
    schoolType: null,
    urbanRural: null,
    sponsor: null,
  });
  for (let c = 1; c <= 11; c++) {
    const city = `${p}${String(c).padStart(2, '0')}00`;
    units.push({
      code: city,
      kind: 'city',
      path: `/000000/${p}0000/${city}/`,
      name: 'c',
      schoolType: null,
      urbanRural: null,
      sponsor: null,
    });
    for (let k = 1; k <= 8; k++) {
      const county = `${city.slice(0, 4)}${String(k).padStart(2, '0')}`;
      units.push({
        code: county,
        kind: 'county',
        path: `/000000/${p}0000/${city}/${county}/`,
        name: 'k',
        schoolType: null,
        urbanRural: null,
        sponsor: null,
      });
      for (let s = 0; s < 4; s++) {
        const t = ['11', '21', '31', '34'][s];
        const code = `${t}${p}${county.slice(2)}${s}`;
        units.push({
          code,
          kind: 'school',
          path: `/000000/${p}0000/${city}/${county}/${code}/`,
          name: 's',
          schoolType: t,
          urbanRural: ['111', '121', '210', '220'][(k + s) % 4],
          sponsor: '1',
        });
        schools.push([code, `${p}0000`]);
      }
    }
  }
}
e.setUnits(units);
e.reserve(N);
// Values drawn by a hash of the position, not in a repeating pattern: a real national table has no period
// a branch predictor could learn (session 14: the periodic values of earlier sessions scanned ~1.5× faster).
const mix = (x) => {
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  return (x ^ (x >>> 16)) >>> 0;
};
const pick = (a, i) => a[mix(i) % a.length];
let t = performance.now();
for (let i = 0; i < N; i++) {
  const [code, prov] = schools[(i * 7) % schools.length];
  e.put([
    String(i),
    code,
    prov,
    '\\N',
    mix(i * 3 + 1) % 20 === 7 ? '0' : '1',
    mix(i * 3 + 2) % 100 < 65 ? '2' : '1',
    String(19640101 + ((i * 7919) % 40) * 10000),
    String(2024 + (i % 30)),
    mix(i * 5 + 3) % 100 < 91 ? '01' : pick(['02', '03', '04', '05'], i * 11 + 1),
    pick(['01', '13', '13', '03'], i * 13 + 2),
    pick(['14', '21', '21', '31', '41'], i * 19),
    pick(['013', '014', '012', '015', '011', '999'], i * 23),
    mix(i * 5 + 4) % 20 < 17 ? '11' : '13',
    mix(i * 7 + 5) % 10 ? '1' : '0',
    mix(i * 7 + 6) % 20 === 7 ? '05' : '01',
    pick(['1', '2', '3', '4'], i * 17 + 3),
    pick(['01', '02', '03,04', '05'], i * 29),
    pick(['1', '2', '3'], i * 31 + 4),
    '\\N',
  ]);
}
console.log(`put ${N} rows: ${((performance.now() - t) / 1000).toFixed(1)} s`);
t = performance.now();
const ok = await e.buildCubes();
console.log(`cubes complete: ${e.cubesComplete}`);
console.log(
  `cubes ${ok}: ${((performance.now() - t) / 1000).toFixed(1)} s, ${JSON.stringify({ ...e.cubeInfo, bytes: Math.round(e.cubeInfo.bytes / 2 ** 20) + ' MiB' })}`,
);
const Q = (o) => ({ by: [], level: null, scopePath: null, filters: [], includeInactive: false, ...o });
const questions = [
  ['sex', Q({ by: ['sex'] })],
  ['age pyramid', Q({ by: ['ageBand', 'sex'] })],
  ['education by province', Q({ by: ['highestEducation'], level: 'province' })],
  ['title level by city', Q({ by: ['titleLevel'], level: 'city' })],
  [
    'retirements 5y by subject',
    Q({
      by: ['retireYear', 'subject'],
      filters: [{ dim: 'retireYear', values: ['2026', '2027', '2028', '2029', '2030'] }],
    }),
  ],
  ['ethnicity, province 41', Q({ by: ['ethnicity'], scopePath: '/000000/410000/' })],
  ['subject × sex by city, province 32', Q({ by: ['subject', 'sex'], level: 'city', scopePath: '/000000/320000/' })],
  ['subject × sex by city', Q({ by: ['subject', 'sex'], level: 'city' })],
  [
    'urban/rural × sex, filter title 012',
    Q({ by: ['urbanRural', 'sex'], filters: [{ dim: 'title', values: ['012'] }] }),
  ],
  ['3 dimensions', Q({ by: ['sex', 'schoolType', 'onEstablishment'] })],
  ['4 dimensions', Q({ by: ['sex', 'title', 'subject', 'urbanRural'] })],
  [
    'urban/rural × sex, filter title 012, province 32',
    Q({ by: ['urbanRural', 'sex'], filters: [{ dim: 'title', values: ['012'] }], scopePath: '/000000/320000/' }),
  ],
];
const time = async (f, n) => {
  const ts = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await f();
    ts.push(performance.now() - s);
  }
  ts.sort((a, b) => a - b);
  return [ts[Math.floor(n / 2)], ts[Math.min(n - 1, Math.ceil(n * 0.95) - 1)]];
};
for (const [label, q] of questions) {
  const [c50, c95] = await time(() => e.queryAsync(q), 20);
  const via = e.lastAnswer;
  console.log(`${label}: ${via} p50 ${c50.toFixed(2)} / p95 ${c95.toFixed(2)} ms`);
}
// The same questions scanned: drop the cubes (a unit reload does) and ask again.
e.setUnits([]);
// Each scanned three ways: as the node does (`queryAsync`: the folded loop where the question allows,
// shared with the scan workers), the folded loop in this thread alone (`query`), then the general loop
// (forced by counting into the hash table: the same answer, slower).
for (const [label, q] of questions) {
  const [a50, a95] = await time(() => e.queryAsync(q), 7);
  const via = e.lastScan;
  const [s50, s95] = await time(() => e.query(q), 5);
  const [g50, g95] = await time(() => e.query(q, 0), 3);
  console.log(
    `${label}: ${e.lastAnswer}, ${via} loop with the workers p50 ${a50.toFixed(0)} / p95 ${a95.toFixed(0)} ms; one thread p50 ${s50.toFixed(0)} / p95 ${s95.toFixed(0)} ms; general loop p50 ${g50.toFixed(0)} / p95 ${g95.toFixed(0)} ms`,
  );
}
