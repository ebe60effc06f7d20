import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Propagation, TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { ChangeSequencer } from '@tmis/change-feed';
import { NationalTeacherRepository, recordFacets } from '@tmis/sync-ingest';
import { TestNode } from '../support/test-node.js';
import { validRecord } from '../support/records.js';

type Rec = Record<string, unknown>;
const pick = <T>(xs: readonly T[]): T => xs[randomInt(0, xs.length)];
const maybe = (p: number) => Math.random() < p;

/** Values the facet walk reads, with the odd ones a record may hold: empty, null, numbers, non-ASCII, astral. */
const CODE = () => pick(['11', '12', '011', '012', '013', '', '21', '14', '05', '学', '𝔸', 'ﬀ']);
const ODD = () => pick<unknown>([null, 7, true, { a: 1 }, ['x'], '2012-09']);
const value = () => (maybe(0.9) ? CODE() : ODD());
const month = () => (maybe(0.85) ? pick(['2005-09', '2012-09', '2012-08', '2019-01', '']) : ODD());
const year = () => (maybe(0.9) ? pick(['2023-2024', '2024-2025', '2025-2026']) : ODD());
const list = <T>(n: number, f: () => T) => Array.from({ length: randomInt(0, n + 1) }, f);
const entry = (f: () => Rec): unknown => (maybe(0.97) ? f() : pick<unknown>(['x', 3, null, ['subject']]));
const member = (o: Rec, key: string, v: () => unknown, p = 0.85) => {
  if (maybe(p)) o[key] = v();
  return o;
};

/** A record with the facet-relevant parts varied: missing or non-array lists, open and ended titles, ties, `isHighest`, school years. */
function variedRecord(): Rec {
  const r = validRecord();
  const basic = r.basic as Rec;
  if (maybe(0.9)) basic.staffCategory = value();
  else delete basic.staffCategory;
  const shape = <T>(xs: T[]): unknown => (maybe(0.9) ? xs : pick<unknown>([undefined, null, {}, 'x']));
  r.professionalTitle = shape(
    list(3, () =>
      entry(() => member(member(member({}, 'title', value, 0.95), 'startMonth', month, 0.9), 'endMonth', month, 0.5)),
    ),
  );
  r.education = shape(
    list(3, () =>
      entry(() =>
        member(
          member({}, 'educationLevel', value, 0.9),
          'isHighest',
          () => pick<unknown>([true, false, 'true', 1]),
          0.6,
        ),
      ),
    ),
  );
  r.teaching = shape(list(4, () => entry(() => member(member({}, 'subject', value, 0.85), 'schoolYear', year, 0.9))));
  r.qualification = shape(list(3, () => entry(() => member({}, 'qualificationType', value, 0.8))));
  for (const k of ['professionalTitle', 'education', 'teaching', 'qualification']) if (r[k] === undefined) delete r[k];
  return r;
}

const sorted = (xs: string[]) => [...xs].sort();

describe('national facets: the values the staged apply sends are the SQL definition', () => {
  let n: TestNode;
  let repo: NationalTeacherRepository;
  let txHost: TransactionHost<TransactionalAdapterTypeOrm>;
  const province = '31';
  let sequence = 1;

  const row = (id: string, record: Rec) => ({
    teacher_id: id,
    province_code: province,
    unit_code: pick(['31000001', '31000002']),
    id_type: '1',
    id_number: String((record.basic as Rec).idNumber ?? id.slice(0, 18)),
    name: 'x',
    person_status: '01',
    active: true,
    record,
    custom: {},
    catalogue_version: '2026.1',
    reported_version: 1,
    last_sequence: sequence++,
  });

  /** Facet rows of this province's records that differ from the SQL definition over `national_teacher` (missing, extra, twice). */
  const drift = async () => {
    const [r] = (await txHost.withTransaction(() =>
      txHost.tx.query(
        `WITH want AS (SELECT f AS facet, province_code, unit_code, teacher_id, active, person_status
                         FROM national_teacher, unnest(tmis_record_facets(record)) f WHERE NOT removed AND province_code = $1),
              have AS (SELECT facet, province_code, unit_code, teacher_id, active, person_status FROM national_teacher_facet WHERE province_code = $1)
         SELECT (SELECT count(*) FROM (SELECT * FROM want EXCEPT SELECT * FROM have) x)::int AS missing,
                (SELECT count(*) FROM (SELECT * FROM have EXCEPT SELECT * FROM want) x)::int AS extra,
                (SELECT count(*) - count(DISTINCT (facet, teacher_id)) FROM have)::int AS twice,
                (SELECT count(*) FROM have)::int AS rows`,
        [province],
      ),
    )) as { missing: number; extra: number; twice: number; rows: number }[];
    return r;
  };

  before(async () => {
    n = await TestNode.start('national');
    repo = n.node.app.get(NationalTeacherRepository);
    txHost = n.node.app.get<TransactionHost<TransactionalAdapterTypeOrm>>(TransactionHost);
  });
  after(() => n?.close());

  it('recordFacets equals tmis_record_facets on varied records, and is sure of ordinary ones', async () => {
    const records = [...Array.from({ length: 600 }, variedRecord), ...Array.from({ length: 100 }, () => validRecord())];
    const sql = (await txHost.withTransaction(() =>
      txHost.tx.query(
        `SELECT tmis_record_facets(r) AS f FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY x(r, i) ORDER BY i`,
        [JSON.stringify(records)],
      ),
    )) as { f: string[] }[];
    let sure = 0;
    for (let i = 0; i < records.length; i++) {
      const ts = recordFacets(records[i]);
      if (ts === null) continue;
      sure++;
      assert.deepEqual(sorted(ts), sorted(sql[i].f), JSON.stringify(records[i]));
    }
    // Ordinary records (validRecord) are never left to PostgreSQL; of the odd ones (about a third with a
    // value it does not reproduce), many are still sure.
    for (let i = 600; i < records.length; i++) assert.notEqual(recordFacets(records[i]), null);
    assert.ok(sure >= 280, `sure of ${sure} of ${records.length}`);
  });

  it('a staged upsert writes exactly the facet rows the triggers would, for new, changed and unsure records', async () => {
    const ids = Array.from({ length: 200 }, () => randomUUID());
    const first = ids.map((id) => row(id, variedRecord()));
    assert.ok(first.some((r) => recordFacets(r.record) === null) && first.some((r) => recordFacets(r.record) !== null));
    // One transaction: a staged set (≥ 64 rows), then a few rows through the JSON path (which must walk its records).
    const extra = Array.from({ length: 3 }, () => row(randomUUID(), validRecord()));
    const applied = await txHost.withTransaction(async () => {
      const a = await repo.upsertMany(first);
      const b = await repo.upsertMany(extra);
      const [{ flag }] = await txHost.tx.query(`SELECT current_setting('tmis.facets_staged', true) AS flag`);
      assert.equal(flag, 'off');
      return a.size + b.size;
    });
    assert.equal(applied, 203);
    let d = await drift();
    assert.deepEqual({ ...d, rows: d.rows > 600 }, { missing: 0, extra: 0, twice: 0, rows: true });

    // A resync again: half the records changed, half re-sent as they were (staged again); then an insert by plain SQL.
    const again = first.map((r, i) => row(r.teacher_id, i % 2 ? variedRecord() : r.record));
    await txHost.withTransaction(() => repo.upsertMany(again));
    await txHost.withTransaction(() =>
      txHost.tx.query(
        `INSERT INTO national_teacher (teacher_id, province_code, unit_code, id_type, id_number, name, person_status, active, record,
                catalogue_version, reported_version, last_sequence)
         VALUES ($1, $2, '31000003', '1', '1', 'x', '01', true, $3::jsonb, '2026.1', 1, 1)`,
        [randomUUID(), province, JSON.stringify(validRecord())],
      ),
    );
    d = await drift();
    assert.deepEqual({ ...d, rows: d.rows > 600 }, { missing: 0, extra: 0, twice: 0, rows: true });
  });
  it('a staged upsert’s change-feed entries are numbered when it commits: consecutive, after what committed first, none for a rolled-back savepoint or an unchanged record', async () => {
    const q = (sql: string, params: unknown[] = []) =>
      txHost.withTransaction(() => txHost.tx.query(sql, params)) as Promise<Rec[]>;
    const sequencer = n.node.app.get(ChangeSequencer);
    await sequencer.catchUp();
    const head = async () => Number((await q(`SELECT last FROM change_feed_counter`))[0].last);
    const entries = async (ids: string[]) =>
      (await q(
        `SELECT seq::int AS seq, type, entity_id::text AS id, data FROM change_log WHERE entity_id = ANY($1::uuid[]) ORDER BY seq`,
        [ids],
      )) as { seq: number; type: string; id: string; data: Rec }[];
    const h0 = await head();

    const staged = Array.from({ length: 150 }, () => row(randomUUID(), validRecord()));
    const refused = Array.from({ length: 70 }, () => row(randomUUID(), validRecord()));
    const live = Array.from({ length: 2 }, () => row(randomUUID(), validRecord()));
    const ids = (rows: { teacher_id: string }[]) => rows.map((r) => r.teacher_id);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let stagedWritten!: () => void;
    const written = new Promise<void>((r) => (stagedWritten = r));
    const t1 = txHost.withTransaction(async () => {
      assert.equal((await repo.upsertMany(staged)).size, 150);
      // A savepoint's staged set, rolled back: its rows, and its numbering, go with it.
      await assert.rejects(
        txHost.withTransaction(Propagation.Nested, async () => {
          assert.equal((await repo.upsertMany(refused)).size, 70);
          throw new Error('refused');
        }),
        /refused/,
      );
      const [{ flag }] = await txHost.tx.query(`SELECT current_setting('tmis.feed_direct', true) AS flag`);
      assert.equal(flag, 'off');
      // Not through change_pending, and not numbered before the commit.
      const [{ pending, logged }] = await txHost.tx.query(
        `SELECT (SELECT count(*) FROM change_pending WHERE entity_id = ANY($1::uuid[]))::int AS pending,
                (SELECT count(*) FROM change_log WHERE entity_id = ANY($1::uuid[]))::int AS logged`,
        [ids(staged)],
      );
      assert.deepEqual({ pending, logged }, { pending: 0, logged: 0 });
      stagedWritten();
      await held;
    });
    await written;
    // Meanwhile a live change commits and is numbered by the sequencer.
    await txHost.withTransaction(() => repo.upsertMany(live));
    await sequencer.catchUp();
    const liveEntries = await entries(ids(live));
    assert.deepEqual(
      liveEntries.map((e) => e.seq),
      [h0 + 1, h0 + 2],
    );
    release();
    await t1;
    const mine = await entries(ids(staged));
    assert.equal(mine.length, 150);
    assert.deepEqual(
      mine.map((e) => e.seq),
      Array.from({ length: 150 }, (_, i) => h0 + 3 + i),
    );
    assert.equal(await head(), h0 + 152);
    const byId = new Map(staged.map((r) => [r.teacher_id, r]));
    for (const e of mine) {
      assert.equal(e.type, 'reported-teacher.created');
      assert.deepEqual(e.data.record, byId.get(e.id)!.record);
      assert.equal(e.data.province, province);
    }
    assert.deepEqual(await entries(ids(refused)), []);

    // The same chunk again, a third of it changed: entries for the changed records only, numbered on.
    const again = staged.map((r, i) => ({
      ...row(r.teacher_id, i % 3 ? r.record : validRecord()),
      unit_code: r.unit_code,
    }));
    await txHost.withTransaction(() => repo.upsertMany(again));
    const later = (await entries(ids(staged))).filter((e) => e.seq > h0 + 152);
    assert.deepEqual(
      later.map((e) => [e.seq, e.type]),
      Array.from({ length: 50 }, (_, i) => [h0 + 153 + i, 'reported-teacher.updated']),
    );
    assert.equal(await head(), h0 + 202);
  });
});
