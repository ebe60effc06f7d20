import { cpus } from 'node:os';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { errorFactory, type ErrorSpec } from '@tmis/common';
import { HealthRegistry } from '@tmis/server';

export enum PasswordHashErrorCode {
  Busy = 'AUTH_BUSY',
}

const errors: Record<PasswordHashErrorCode, ErrorSpec> = {
  [PasswordHashErrorCode.Busy]: {
    status: 503,
    en: 'Too many logins at this moment; try again in a second',
    zh: '当前登录人数过多，请稍后重试',
  },
};
const passwordHashError = errorFactory(errors);

export interface PasswordHashQueueOptions {
  /** Hashes computed at once (argon2id holds a core for ~8 ms each). */
  concurrency: number;
  /** Callers allowed to wait; one more is answered 503 at once. */
  maxQueued: number;
  /** A caller that waited this long is answered 503 (Retry-After) instead of hashing late. */
  maxWaitMs: number;
}

const envInt = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
};

/**
 * A bounded queue in front of argon2id. The hash keeps its parameters (19 MiB, t=2), but at most
 * `concurrency` run at once — by default one core fewer than the machine has — so a burst of logins at
 * the start of a working day leaves a core to every other request; callers beyond `maxQueued`, or who
 * waited `maxWaitMs`, get 503 with Retry-After instead of a login that times out anyway.
 */
export class PasswordHashQueue {
  private running = 0;
  private readonly waiting: { start: () => void; fail: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  private waits = 0;
  private waitedMs = 0;
  private maxWaitedMs = 0;
  private rejected = 0;
  private done = 0;

  constructor(readonly options: PasswordHashQueueOptions) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.options.concurrency) await this.wait();
    else this.running++;
    try {
      return await fn();
    } finally {
      this.done++;
      const next = this.waiting.shift();
      if (next) {
        clearTimeout(next.timer);
        next.start();
      } else this.running--;
    }
  }

  /** Waits for a slot (the finishing caller hands its slot over), or fails when full or too late. */
  private wait(): Promise<void> {
    if (this.waiting.length >= this.options.maxQueued) {
      this.rejected++;
      return Promise.reject(busy());
    }
    const t0 = performance.now();
    return new Promise<void>((resolve, reject) => {
      const entry = {
        start: () => {
          const waited = performance.now() - t0;
          this.waits++;
          this.waitedMs += waited;
          this.maxWaitedMs = Math.max(this.maxWaitedMs, waited);
          resolve();
        },
        fail: reject,
        timer: setTimeout(() => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
          this.rejected++;
          reject(busy());
        }, this.options.maxWaitMs),
      };
      entry.timer.unref();
      this.waiting.push(entry);
    });
  }

  /** Gauges for GET /metrics (`tmis_password_hash_*`). */
  metrics(): Record<string, number> {
    return {
      queue_depth: this.waiting.length,
      running: this.running,
      concurrency: this.options.concurrency,
      queue_capacity: this.options.maxQueued,
      hashed_total: this.done,
      waited_total: this.waits,
      wait_ms_sum: Math.round(this.waitedMs),
      wait_ms_max: Math.round(this.maxWaitedMs),
      rejected_total: this.rejected,
    };
  }
}

function busy() {
  return passwordHashError(PasswordHashErrorCode.Busy, undefined, { retryAfterSeconds: 1 });
}

/** The process's one queue (every password hash and verify goes through it). */
export const passwordHashQueue = new PasswordHashQueue({
  concurrency: envInt('PASSWORD_HASH_CONCURRENCY', Math.max(1, cpus().length - 1)),
  maxQueued: envInt('PASSWORD_HASH_QUEUE', 64),
  maxWaitMs: envInt('PASSWORD_HASH_MAX_WAIT_MS', 3000),
});

/** Puts the queue's gauges on GET /metrics when the node has a health registry. */
@Injectable()
export class PasswordHashMetrics implements OnApplicationBootstrap {
  constructor(private readonly modules: ModuleRef) {}

  onApplicationBootstrap(): void {
    let registry: HealthRegistry | undefined;
    try {
      registry = this.modules.get(HealthRegistry, { strict: false });
    } catch {
      return; // a node without health endpoints (tests composing only some modules)
    }
    registry?.register('password_hash', async () => ({
      details: { queue: passwordHashQueue.options },
      metrics: passwordHashQueue.metrics(),
    }));
  }
}
