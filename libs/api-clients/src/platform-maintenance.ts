import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { IdempotencyRepository } from './idempotency.repository.js';
import { RateLimitRepository } from './rate-limit.repository.js';

const EVERY_MS = 10 * 60 * 1000;

/** Drops ended rate-limit windows and expired idempotency keys every ten minutes. */
@Injectable()
export class PlatformMaintenance implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly limits: RateLimitRepository,
    private readonly keys: IdempotencyRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purge().catch(() => undefined), EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async purge(): Promise<void> {
    await this.limits.purge();
    await this.keys.purgeExpired();
  }
}
