import { parentPort, workerData } from 'node:worker_threads';
import { readRows, type ReadInput } from './read-rows.js';

/**
 * The worker thread that reads an uploaded file (unzip, XML, cell conversion: the CPU-heavy part of an
 * import), so the node's main thread keeps serving requests. One batch in flight: the next is read
 * only when the main thread has staged the previous one ('next'), so memory stays bounded.
 */
const port = parentPort!;
const { input, batchSize } = workerData as { input: ReadInput; batchSize: number };
let wake: (() => void) | null = null;
port.on('message', () => {
  wake?.();
  wake = null;
});
try {
  for await (const batch of readRows(input, batchSize)) {
    const next = new Promise<void>((r) => (wake = r));
    port.postMessage({ batch });
    await next;
  }
  port.postMessage({ done: true });
} catch (e) {
  port.postMessage({ error: e instanceof Error ? e.message : String(e) });
}
