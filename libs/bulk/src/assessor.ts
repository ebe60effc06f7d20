import type { CustomFieldDefinition, WriterKind } from '@tmis/core-indicators';
import { assessBatch, type BatchOutcome, type ExistingRecord, type StagedRow, type UnitInfo } from './assess.js';

/** What the validation worker is started with: the job's fixed context. */
export interface AssessorSetup {
  writer: WriterKind;
  scopePath: string;
  defaultUnitCode?: string;
  customDefs: CustomFieldDefinition[];
  /** Column letters of each sheet's keys (for the error report). */
  letters: [string, [string, string][]][];
}

/** One batch for the worker: the persons' rows (file order), their existing records, units it has not seen. */
export interface AssessRequest {
  id: number;
  rows: StagedRow[];
  existing: [string, ExistingRecord][];
  units: [string, UnitInfo | null][];
}

type Reply = { id: number; outcome: BatchOutcome; persons: number } | { id: number; error: string };

/** Validates an import's persons a batch at a time. */
export interface Assessor {
  assess(
    rows: StagedRow[],
    existing: Map<string, ExistingRecord>,
    units: Map<string, UnitInfo | null>,
  ): Promise<BatchOutcome>;
  close(): Promise<void>;
}

/**
 * The assessor of a job with `persons` persons: a worker thread, unless the whole file is one
 * batch (then starting a worker would cost more than validating it here).
 */
export function startAssessor(setup: AssessorSetup, persons: number, batchSize: number): Promise<Assessor> {
  return persons > batchSize ? WorkerAssessor.start(setup) : Promise.resolve(new InlineAssessor(setup));
}

class InlineAssessor implements Assessor {
  private readonly letters: Map<string, Map<string, string>>;
  constructor(private readonly setup: AssessorSetup) {
    this.letters = new Map(setup.letters.map(([sheet, keys]) => [sheet, new Map(keys)]));
  }

  async assess(rows: StagedRow[], existing: Map<string, ExistingRecord>, units: Map<string, UnitInfo | null>) {
    const byPerson = new Map<string, StagedRow[]>();
    for (const r of rows) {
      const k = `${r.idType}\u0000${r.idNumber}`;
      (byPerson.get(k) ?? byPerson.set(k, []).get(k)!).push(r);
    }
    return assessBatch(byPerson, existing, {
      ...this.setup,
      units,
      colOf: (sheet, key) => this.letters.get(sheet)?.get(key) ?? null,
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The validation worker of one job: `assess` a batch at a time; `close` when done (or aborted). */
class WorkerAssessor implements Assessor {
  private readonly pending = new Map<number, { ok(r: BatchOutcome): void; fail(e: Error): void }>();
  private next = 0;
  private failed: Error | null = null;
  private readonly sent = new Set<string>();

  private constructor(private readonly worker: import('node:worker_threads').Worker) {
    worker.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if ('error' in m) p?.fail(new Error(`validation worker: ${m.error}`));
      else p?.ok(m.outcome);
    });
    const fail = (e: Error) => {
      this.failed = e;
      for (const p of this.pending.values()) p.fail(e);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the validation worker stopped (${code})`)));
  }

  static async start(setup: AssessorSetup): Promise<Assessor> {
    const { Worker } = await import('node:worker_threads');
    return new WorkerAssessor(
      new Worker(new URL('./assess.worker.js', import.meta.url), {
        workerData: setup,
        // Bounded: a batch is 1,000 persons; a runaway fails the job, not the node.
        resourceLimits: { maxOldGenerationSizeMb: 256 },
      }),
    );
  }

  /** Validates a batch in the worker; `units` is every unit the batch may name (only new ones are sent). */
  assess(rows: StagedRow[], existing: Map<string, ExistingRecord>, units: Map<string, UnitInfo | null>) {
    if (this.failed) return Promise.reject(this.failed);
    const fresh: [string, UnitInfo | null][] = [];
    for (const [code, u] of units)
      if (!this.sent.has(code)) {
        this.sent.add(code);
        fresh.push([code, u]);
      }
    const id = ++this.next;
    return new Promise<BatchOutcome>((ok, fail) => {
      this.pending.set(id, { ok, fail });
      this.worker.postMessage({ id, rows, existing: [...existing], units: fresh } satisfies AssessRequest);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
