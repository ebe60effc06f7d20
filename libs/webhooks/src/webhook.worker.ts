import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ChangeFeedRepository, ChangeSequencer } from '@tmis/change-feed';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { HealthRegistry } from '@tmis/server';
import { retryDelayMs, webhookBody } from './webhook-message.js';
import { webhookHeaders } from './webhook-signature.js';
import { WebhookRepository, type AttemptOutcome, type ClaimedDelivery } from './webhook.repository.js';
import { WEBHOOKS_OPTIONS, type WebhooksOptions } from './webhooks.options.js';

const FAN_OUT_BATCH = 2000;
const SEND_BATCH = 100;

/**
 * Turns change-feed entries into deliveries (the webhook outbox) and sends them: claim (a lease,
 * committed), POST with the Standard Webhooks signature, record the attempt and the outcome. A
 * failure is retried with exponential backoff; a run of failures disables the endpoint. Everything
 * it needs is in the database, so a restarted node carries on where it stopped.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Webhooks');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly repo: WebhookRepository,
    private readonly changes: ChangeFeedRepository,
    private readonly sequencer: ChangeSequencer,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(WEBHOOKS_OPTIONS) private readonly options: WebhooksOptions,
    private readonly health: HealthRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.health.register('webhooks', async () => {
      const b = await this.repo.backlog();
      return { details: b, metrics: { pending: b.pending, oldest_pending_seconds: b.oldestSeconds } };
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
    this.running = this.runOnce()
      .then(() => undefined)
      .catch((e) => this.log.warn(`webhooks paused: ${e instanceof Error ? e.message : String(e)}`));
    try {
      await this.running;
    } finally {
      this.running = null;
    }
  }

  /** One round: number new changes, fan them out, send what is due; returns how many were sent. */
  async runOnce(): Promise<number> {
    await this.sequencer.catchUp();
    while ((await this.txHost.withTransaction(() => this.repo.fanOut(FAN_OUT_BATCH))) === FAN_OUT_BATCH) {
      if (this.stopped) return 0;
    }
    let sent = 0;
    for (;;) {
      if (this.stopped) return sent;
      const claimed = await this.txHost.withTransaction(() =>
        this.repo.claimDue(SEND_BATCH, this.options.timeoutMs + 5000),
      );
      if (!claimed.length) return sent;
      const rows = new Map((await this.changes.bySequences(claimed.map((c) => c.changeSeq))).map((r) => [r.seq, r]));
      const outcomes = await Promise.all(claimed.map((d) => this.send(d, rows.get(d.changeSeq) ?? null)));
      const disabled = await this.txHost.withTransaction(() =>
        this.repo.recordOutcomes(outcomes, this.options.disableAfter),
      );
      for (const id of disabled) this.log.warn(`webhook endpoint ${id} disabled after repeated failures`);
      sent += claimed.length;
    }
  }

  private async send(d: ClaimedDelivery, row: Parameters<typeof webhookBody>[0] | null): Promise<AttemptOutcome> {
    const startedAt = new Date();
    let status: number | null = null;
    let error: string | null = null;
    let excerpt: string | null = null;
    if (!row) error = 'the change is no longer retained';
    else {
      const body = webhookBody(row, d.view);
      const ts = Math.floor(Date.now() / 1000);
      try {
        const res = await fetch(d.url, {
          method: 'POST',
          headers: webhookHeaders(d.secret, `msg_${d.id}`, ts, body),
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        status = res.status;
        excerpt = (await res.text().catch(() => '')).slice(0, 1000) || null;
        if (status < 200 || status >= 300) error = `HTTP ${status}`;
      } catch (e) {
        error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      }
    }
    return {
      deliveryId: d.id,
      endpointId: d.endpointId,
      attempt: d.attempts,
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
      statusCode: status,
      error,
      responseExcerpt: excerpt,
      retryInMs: d.attempts >= this.options.maxAttempts ? null : retryDelayMs(this.options.retryBaseMs, d.attempts),
      finishedAt: performance.now(),
    };
  }
}
