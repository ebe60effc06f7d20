// Preloaded into a node by bench/lists-cpu.mjs --prof (`node --import`): SIGUSR2 starts the V8 CPU
// profiler, the next SIGUSR2 stops it and writes <CPU_PROFILE_DIR>/<pid>-<n>.cpuprofile, so that a
// profile holds the measured requests only (not the node's start or its statistics load).
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const session = new Session();
session.connect();
let running = false;
let n = 0;
process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () =>
      session.post('Profiler.setSamplingInterval', { interval: 200 }, () => session.post('Profiler.start')),
    );
    return;
  }
  running = false;
  session.post('Profiler.stop', (err, r) => {
    if (!err)
      writeFileSync(
        join(process.env.CPU_PROFILE_DIR ?? '.', `${process.pid}-${++n}.cpuprofile`),
        JSON.stringify(r.profile),
      );
  });
});
