import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { csvChunks, jsonChunks, toCsv, toXlsx, xlsxStream, type StatsTable } from './stats.table.js';

function table(rows: number): StatsTable {
  return {
    title: { zh: '教师人数统计', en: 'Teacher counts' },
    asOf: '2026-11-30T00:00:00.000Z',
    source: 'facts',
    scope: { id: 'u', kind: 'ministry', code: '000000', zh: '教育部', en: '教育部' },
    level: 'county',
    by: [{ key: 'sex', zh: '性别', en: 'Sex' }],
    filters: [],
    includeInactive: false,
    rows: Array.from({ length: rows }, (_, i) => ({
      unit: { code: String(100000 + i), zh: `县"${i}`, en: `县,${i}` },
      values: { sex: { code: String(1 + (i % 2)), zh: '男', en: 'Male' } },
      count: i,
      suppressed: false,
    })),
    total: rows,
    counting: { zh: '人', en: 'people' },
    suppression: { applied: false, threshold: 5, suppressedCells: 0, rule: { zh: '', en: '' } },
    notes: [],
  };
}

describe('statistics tables streamed in chunks (issue 17)', () => {
  it('the JSON chunks make the same document as JSON.stringify, and the CSV chunks the same file as toCsv', () => {
    for (const n of [0, 1, 499, 500, 501, 5000]) {
      const t = table(n);
      const chunks = [...jsonChunks(t)];
      assert.deepEqual(JSON.parse(Buffer.concat(chunks).toString('utf8')), JSON.parse(JSON.stringify(t)));
      assert.ok(n < 1000 || chunks.length > 3, 'a large table is several chunks');
      assert.equal([...csvChunks(t)].join(''), toCsv(t));
    }
  });

  it('the JSON chunks keep rows without a unit, several dimensions, hidden counts and labels longer than a chunk', () => {
    const long = '长'.repeat(100_000);
    const t: StatsTable = {
      ...table(0),
      level: null,
      by: [
        { key: 'sex', zh: '性别', en: 'Sex' },
        { key: 'custom_x', zh: '自定义', en: 'Custom' },
      ],
      rows: Array.from({ length: 3000 }, (_, i) => ({
        values: {
          sex: { code: String(1 + (i % 2)), zh: '男', en: 'Male' },
          // A label of its own per row, a few far longer than a chunk, one with a quote, a NUL and a lone surrogate.
          custom_x: { code: `c${i}`, zh: i % 1000 === 7 ? long : `值"\u0000\ud800${i}`, en: `v${i}` },
        },
        count: i % 3 ? i * 1_000_003 : null,
        suppressed: !(i % 3),
      })),
    };
    const chunks = [...jsonChunks(t)];
    assert.ok(chunks.length > 3);
    assert.deepEqual(JSON.parse(Buffer.concat(chunks).toString('utf8')), JSON.parse(JSON.stringify(t)));
  });

  it('the streamed xlsx holds the same cells as the one built in memory', async () => {
    const sheets = async (buf: Buffer) => {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(buf as never);
      return ['data', 'about'].map((name) => {
        const rows: unknown[][] = [];
        // An empty string is an empty cell in the streamed file: compare the values that are there.
        wb.getWorksheet(name)!.eachRow((r) =>
          rows.push((r.values as unknown[]).slice(1).filter((v) => v !== '' && v !== undefined)),
        );
        return rows;
      });
    };
    for (const n of [0, 2001, 5000]) {
      const t = table(n);
      const parts: Buffer[] = [];
      for await (const c of xlsxStream(t)) parts.push(c as Buffer);
      const [data, about] = await sheets(Buffer.concat(parts));
      assert.equal(data.length, n + 1);
      assert.deepEqual([data, about], await sheets(await toXlsx(t)));
    }
  });
});
