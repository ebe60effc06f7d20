import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { HealthRegistry } from '@tmis/server';
import { ChangeFeedRepository } from './change-feed.repository.js';
import { CHANGE_FEED_OPTIONS, type ChangeFeedOptions } from './change-feed.options.js';

const BATCH = 5000;
const PRUNE_EVERY_MS = 10 * 60_000;
/** Changes numbered (rows deleted from `change_pending`) after which its storage is emptied once it is drained. */
export const EMPTY_PENDING_AFTER = 20_000;

/**
 * Numbers committed changes (the single-writer sequencer of ADR 0020) on a timer and whenever a
 * reader asks (`catchUp`), and prunes entries past the retention period. Every node runs one; the
 * counter's row lock makes them take turns.
 */
@Injectable()
export class ChangeSequencer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('ChangeSequencer');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastPrune = 0;
  private stopped = false;
  /** Rows deleted from `change_pending` since this node last emptied its storage. */
  private movedSinceEmpty = 0;
  private emptyAllowed = true;

  constructor(
    private readonly repo: ChangeFeedRepository,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(CHANGE_FEED_OPTIONS) private readonly options: ChangeFeedOptions,
    private readonly health: HealthRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.health.register('change_feed', async () => {
      const [head, p] = await Promise.all([this.repo.head(), this.repo.pending()]);
      return {
        details: { head, pending: p.pending, oldestPendingSeconds: p.oldestSeconds },
        metrics: { head, pending: p.pending, oldest_pending_seconds: p.oldestSeconds },
      };
    });
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = (async () => {
      try {
        await this.catchUp();
        // Drained after many moves (here, on the timer: never in a reader's request): their dead rows go
        // now, not whenever the server's autovacuum comes by (tried again on later ticks while writers
        // keep the table busy).
        if (this.movedSinceEmpty >= EMPTY_PENDING_AFTER && this.emptyAllowed) await this.emptyPending();
        if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
          this.lastPrune = Date.now();
          await this.prune();
        }
      } catch (e) {
        this.log.warn(`change sequencer paused: ${e instanceof Error ? e.message : String(e)}`);
      }
    })();
    try {
      await this.running;
    } finally {
      this.running = null;
    }
  }

  private async emptyPending(): Promise<void> {
    try {
      if (await this.txHost.withTransaction(() => this.repo.truncateIfDrained())) this.movedSinceEmpty = 0;
    } catch (e) {
      // A database role that may delete but not truncate: the server's autovacuum is left to it.
      if ((e as { code?: string }).code !== '42501') throw e;
      this.emptyAllowed = false;
      this.log.warn('change_pending cannot be truncated by this database role: its dead rows wait for autovacuum');
    }
  }

  /** Numbers everything committed so far (in batches, each its own transaction); returns how many. */
  async catchUp(): Promise<number> {
    // Nothing waiting: no transaction (the counter's row lock is a write, and a commit, every tick).
    if (!(await this.repo.anyPending())) return 0;
    let total = 0;
    for (;;) {
      const n = await this.txHost.withTransaction(() => this.repo.sequence(BATCH));
      total += n;
      this.movedSinceEmpty += n;
      if (n < BATCH) return total;
    }
  }

  /** Drops the entries past the retention period; returns how many. */
  async prune(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.options.retentionDays * 86_400_000);
    let total = 0;
    for (;;) {
      const n = await this.txHost.withTransaction(() => this.repo.prune(before, 50_000));
      total += n;
      if (n < 50_000) return total;
    }
  }
}
