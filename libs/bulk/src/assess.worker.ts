import { parentPort, workerData } from 'node:worker_threads';
import { assessBatch, type AssessContext, type ExistingRecord, type StagedRow, type UnitInfo } from './assess.js';
import type { AssessorSetup, AssessRequest } from './assessor.js';

/**
 * The worker thread that validates an import's persons (the API's rules for every record: the
 * CPU-heavy part of a dry run), so the node's main thread only reads and writes the database and
 * keeps serving requests. Units are sent with the batches that name them and kept here.
 */
const port = parentPort!;
const setup = workerData as AssessorSetup;
const letters = new Map(setup.letters.map(([sheet, keys]) => [sheet, new Map(keys)]));
const units = new Map<string, UnitInfo | null>();
const ctx: AssessContext = {
  writer: setup.writer,
  scopePath: setup.scopePath,
  defaultUnitCode: setup.defaultUnitCode,
  units,
  customDefs: setup.customDefs,
  colOf: (sheet, key) => letters.get(sheet)?.get(key) ?? null,
};
port.on('message', (m: AssessRequest) => {
  try {
    for (const [code, u] of m.units) units.set(code, u);
    const existing = new Map<string, ExistingRecord>(m.existing);
    const byPerson = new Map<string, StagedRow[]>();
    for (const r of m.rows) {
      const k = `${r.idType}\u0000${r.idNumber}`;
      (byPerson.get(k) ?? byPerson.set(k, []).get(k)!).push(r);
    }
    port.postMessage({ id: m.id, outcome: assessBatch(byPerson, existing, ctx), persons: byPerson.size });
  } catch (e) {
    port.postMessage({ id: m.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
