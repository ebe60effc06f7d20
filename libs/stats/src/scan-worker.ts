import { parentPort } from 'node:worker_threads';
import { scanLoop } from './scan-loop.js';
import type { ScanJob, ScanReply } from './scan-pool.js';

/**
 * A scan worker: runs the engine's folded loop over a part of the positions and answers its counts. The
 * columns arrive as views of the engine's shared memory (nothing is copied); the counts are its own,
 * handed back (transferred) to be added to the others'.
 */
const port = parentPort!;
port.on('message', (m: ScanJob) => {
  try {
    const dense = new Uint32Array(m.denseLength);
    const passed = scanLoop(m.shape)({ ...m.parts, dense })(m.from, m.to);
    port.postMessage({ id: m.id, dense, passed } satisfies ScanReply, [dense.buffer]);
  } catch (e) {
    port.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) } satisfies ScanReply);
  }
});
