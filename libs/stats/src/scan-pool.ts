import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { ScanParts, ScanShape } from './scan-loop.js';

export interface ScanJob {
  id: number;
  shape: ScanShape;
  parts: Omit<ScanParts, 'dense'>;
  denseLength: number;
  from: number;
  to: number;
}

export type ScanReply = { id: number; dense: Uint32Array; passed: number } | { id: number; error: string };

/** A typed array over shared memory: a scan worker reads it where it is. */
export function sharedArray<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array>(
  make: new (buffer: SharedArrayBuffer) => T,
  bytesPerElement: number,
  length: number,
): T {
  return new make(new SharedArrayBuffer(length * bytesPerElement));
}

/**
 * The threads that scan beside the main one (issue 17: a question the cubes cannot answer reads every
 * position; on N cores it is split N ways). One pool per process, started on the first large scan; a
 * thread holds the process open only while it has a job. A thread that fails is replaced on the next
 * job, and the engine scans the part it had itself: a failure costs time, never an answer.
 */
export class ScanPool {
  private static pool: ScanPool | null = null;

  /** The process's pool: one thread fewer than the cores (none on one core), at most three. */
  static shared(): ScanPool {
    if (!ScanPool.pool) ScanPool.pool = new ScanPool(Math.max(0, Math.min(3, availableParallelism() - 1)));
    return ScanPool.pool;
  }

  private readonly workers: (Worker | null)[];
  private readonly pending = new Map<
    number,
    { ok(r: { dense: Uint32Array; passed: number }): void; fail(e: Error): void; worker: number }
  >();
  private next = 0;
  /** Parts answered by the threads so far. */
  jobs = 0;

  constructor(readonly threads: number) {
    this.workers = new Array<Worker | null>(threads).fill(null);
  }

  private async worker(k: number): Promise<Worker> {
    const known = this.workers[k];
    if (known) return known;
    const { Worker } = await import('node:worker_threads');
    const w = new Worker(new URL('./scan-worker.js', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: 128 },
    });
    w.unref();
    const fail = (e: Error) => {
      if (this.workers[k] === w) this.workers[k] = null;
      for (const [id, p] of this.pending)
        if (p.worker === k) {
          this.pending.delete(id);
          p.fail(e);
        }
    };
    w.on('message', (m: ScanReply) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (![...this.pending.values()].some((q) => q.worker === k)) w.unref();
      if (!p) return;
      if ('error' in m) p.fail(new Error(`scan worker: ${m.error}`));
      else {
        this.jobs++;
        p.ok(m);
      }
    });
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the scan worker stopped (${code})`)));
    this.workers[k] = w;
    return w;
  }

  /** Starts the threads ahead of the first long scan (after a whole load), so it does not wait for them. */
  warm(): void {
    for (let k = 0; k < this.threads; k++) this.worker(k).catch(() => undefined);
  }

  /** Thread k's counts of positions [from, to). */
  async run(
    k: number,
    shape: ScanShape,
    parts: Omit<ScanParts, 'dense'>,
    denseLength: number,
    from: number,
    to: number,
  ): Promise<{ dense: Uint32Array; passed: number }> {
    const w = await this.worker(k);
    const id = ++this.next;
    return new Promise((ok, fail) => {
      this.pending.set(id, { ok, fail, worker: k });
      w.ref();
      w.postMessage({ id, shape, parts, denseLength, from, to } satisfies ScanJob);
    });
  }
}
