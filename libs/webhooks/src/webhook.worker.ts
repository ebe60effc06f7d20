import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ChangeSequencer } from '@tmis/change-feed';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { HealthRegistry } from '@tmis/server';
import { addressPolicy } from './webhook-address.js';
import { WebhookHttp } from './webhook-http.js';
import { retryDelayMs, webhookBody } from './webhook-message.js';
import { webhookHeaders } from './webhook-signature.js';
import { WebhookRepository, type AttemptOutcome, type ClaimedDelivery } from './webhook.repository.js';
import { WEBHOOKS_OPTIONS, type WebhooksOptions } from './webhooks.options.js';

const FAN_OUT_BATCH = 5000;
/** Deliveries claimed per batch of one endpoint's lane, in multiples of its concurrency (fewer statements per delivery). */
const CLAIM_ROUNDS = 8;
/** The dispatcher's pause while there is work (the idle pause is WEBHOOK_INTERVAL_MS). */
const BUSY_PAUSE_MS = 100;

/**
 * Turns change-feed entries into deliveries (the webhook outbox) and sends them. A dispatcher
 * numbers new changes, fans them out and starts one lane per endpoint with due deliveries (at most
 * `maxEndpoints` at once); a lane claims a batch of its endpoint's due deliveries with their changes
 * (a lease, committed), POSTs them with the Standard Webhooks signature, at most `concurrency` at
 * a time over keep-alive connections, records the batch's attempts and outcomes in one statement,
 * and claims again until nothing is due. A slow or dead endpoint therefore holds up only its own
 * lane. A failure is retried with exponential backoff; a run of failures disables the endpoint.
 * Everything it needs is in the database, so a restarted node carries on where it stopped.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Webhooks');
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly http: WebhookHttp;
  private loop: Promise<void> | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly repo: WebhookRepository,
    private readonly sequencer: ChangeSequencer,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(WEBHOOKS_OPTIONS) private readonly options: WebhooksOptions,
    private readonly health: HealthRegistry,
  ) {
    this.http = new WebhookHttp(addressPolicy(options.allowPrivateNetworks, options.allowedCidrs), options.concurrency);
  }

  onApplicationBootstrap(): void {
    this.health.register('webhooks', async () => {
      const b = await this.repo.backlog();
      return { details: b, metrics: { pending: b.pending, oldest_pending_seconds: b.oldestSeconds } };
    });
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop?.catch(() => undefined);
    await Promise.allSettled([...this.lanes.values()]);
    this.http.close();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let busy = false;
      try {
        busy = await this.dispatch();
      } catch (e) {
        this.log.warn(`webhooks paused: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (this.stopped) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(
          resolve,
          busy ? Math.min(BUSY_PAUSE_MS, this.options.intervalMs) : this.options.intervalMs,
        );
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** One dispatcher round: number new changes, fan them out, start lanes; true when there was work. */
  async dispatch(): Promise<boolean> {
    await this.sequencer.catchUp();
    let fanned = 0;
    for (;;) {
      const n = await this.txHost.withTransaction(() => this.repo.fanOut(FAN_OUT_BATCH));
      fanned += n;
      if (n < FAN_OUT_BATCH || this.stopped) break;
    }
    const free = this.options.maxEndpoints - this.lanes.size;
    if (free > 0 && !this.stopped) {
      for (const id of await this.repo.endpointsDue(this.options.maxEndpoints)) {
        if (this.lanes.has(id) || this.lanes.size >= this.options.maxEndpoints) continue;
        this.lanes.set(
          id,
          this.lane(id)
            .catch((e) => this.log.warn(`webhook lane ${id} paused: ${e instanceof Error ? e.message : String(e)}`))
            .finally(() => this.lanes.delete(id)),
        );
      }
    }
    return fanned > 0 || this.lanes.size > 0;
  }

  /**
   * Sends one endpoint's due deliveries, batch after batch, until none is due. While the endpoint
   * answers well, the next batch is claimed while this one is sent and a batch's outcomes are recorded
   * while the next is sent; once it fails, each batch's outcomes are recorded before the next claim
   * (a run of failures disables it, and nothing more should go out then).
   */
  private async lane(endpointId: string): Promise<void> {
    const batch = this.options.concurrency * CLAIM_ROUNDS;
    // A batch's last request may start after CLAIM_ROUNDS timeouts, and a prefetched batch waits for one
    // more batch: the lease covers both.
    const leaseMs = this.options.timeoutMs * (2 * CLAIM_ROUNDS + 1) + 5000;
    const claim = () => this.repo.claimDue(endpointId, batch, leaseMs);
    let healthy = false;
    let recording: Promise<void> = Promise.resolve();
    let claimed = await claim();
    try {
      while (claimed.length && !this.stopped) {
        const sending = pool(claimed, this.options.concurrency, (d) => this.send(d));
        const next = healthy && claimed.length === batch ? claim() : null;
        const outcomes = await sending;
        await recording;
        recording = this.record(outcomes);
        healthy = outcomes.every((o) => !o.error);
        if (!healthy) await recording;
        claimed = next ? await next : this.stopped ? [] : await claim();
      }
    } finally {
      await recording;
    }
  }

  private async record(outcomes: AttemptOutcome[]): Promise<void> {
    const disabled = await this.repo.recordOutcomes(outcomes, this.options.disableAfter);
    for (const id of disabled) this.log.warn(`webhook endpoint ${id} disabled after repeated failures`);
  }

  private async send(d: ClaimedDelivery): Promise<AttemptOutcome> {
    const startedAt = new Date();
    let status: number | null = null;
    let error: string | null = null;
    let excerpt: string | null = null;
    if (!d.change) error = 'the change is no longer retained';
    else {
      const body = webhookBody(d.change, d.view);
      const ts = Math.floor(Date.now() / 1000);
      try {
        const res = await this.http.post(
          d.url,
          webhookHeaders(d.secret, `msg_${d.id}`, ts, body),
          body,
          this.options.timeoutMs,
        );
        status = res.status;
        excerpt = res.excerpt;
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

/** Runs `fn` over `items`, at most `limit` at a time; results in the items' order. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
