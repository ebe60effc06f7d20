import { Inject, Injectable } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { CHANGE_TYPES } from '@tmis/change-feed';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { webhookError, WebhookErrorCode } from './webhook.errors.js';
import { addressPolicy, checkTargetUrl, type AddressPolicy } from './webhook-address.js';
import { newWebhookSecret } from './webhook-signature.js';
import { WEBHOOKS_OPTIONS, type WebhooksOptions } from './webhooks.options.js';
import { WebhookRepository, type AttemptRow, type DeliveryRow, type EndpointRow } from './webhook.repository.js';

const EVENT_TYPES = new Set<string>([...CHANGE_TYPES, '*']);

/** Webhook subscriptions of a unit (the caller's), their deliveries, attempts and replays. */
@Injectable()
export class WebhookService {
  private readonly policy: AddressPolicy;

  constructor(
    private readonly repo: WebhookRepository,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(WEBHOOKS_OPTIONS) options: WebhooksOptions,
  ) {
    this.policy = addressPolicy(options.allowPrivateNetworks, options.allowedCidrs);
  }

  /** Subscribes the caller's unit; the signing secret is in this answer only. */
  async create(
    actor: Actor,
    dto: { url: string; eventTypes: string[]; description?: string },
  ): Promise<{ endpoint: EndpointRow; secret: string }> {
    const unknown = dto.eventTypes.findIndex((t) => !EVENT_TYPES.has(t));
    if (unknown >= 0)
      throw webhookError(WebhookErrorCode.UnknownEventType, dto.eventTypes[unknown], undefined, [
        {
          path: `eventTypes[${unknown}]`,
          code: 'unknownEventType',
          message: `unknown event type "${dto.eventTypes[unknown]}"`,
          messageZh: `未知的事件类型“${dto.eventTypes[unknown]}”`,
        },
      ]);
    await this.checkUrl(dto.url);
    const secret = newWebhookSecret();
    const endpoint = await this.txHost.withTransaction(() =>
      this.repo.insertEndpoint({
        ownerUnitId: actor.unitId,
        ownerUnitPath: actor.unitPath,
        createdBy: actor.client ? null : actor.accountId,
        clientId: actor.client?.clientId ?? null,
        url: dto.url,
        description: dto.description ?? null,
        eventTypes: [...new Set(dto.eventTypes)],
        // Personal data only for those who may read it (information administrators, clients with
        // teachers:read:sensitive — their role is then information administrator); masked otherwise.
        view: actor.role === Role.InfoAdmin ? 'full' : 'masked',
        secret,
      }),
    );
    return { endpoint, secret };
  }

  /** A client sees its own endpoints; a unit's administrators every endpoint in their subtree. */
  list(actor: Actor): Promise<EndpointRow[]> {
    return this.repo.endpointsIn(actor.unitPath, actor.client?.clientId);
  }

  /** An endpoint of the caller's subtree (404 when there is none, 403 when it is another unit's). */
  async get(actor: Actor, id: string): Promise<EndpointRow> {
    const e = await this.repo.endpoint(id);
    if (!e) throw webhookError(WebhookErrorCode.EndpointNotFound);
    AccessPolicy.requireInScope(actor, e.ownerUnitPath);
    // A client manages only its own subscriptions (another client's, even of its unit, is not there for it).
    if (actor.client && e.clientId !== actor.client.clientId) throw webhookError(WebhookErrorCode.EndpointNotFound);
    return e;
  }

  async remove(actor: Actor, id: string): Promise<void> {
    await this.get(actor, id);
    await this.txHost.withTransaction(() => this.repo.deleteEndpoint(id));
  }

  /** Re-enables a disabled endpoint; what queued meanwhile is sent. */
  async enable(actor: Actor, id: string): Promise<EndpointRow> {
    await this.get(actor, id);
    await this.txHost.withTransaction(() => this.repo.enableEndpoint(id));
    return (await this.repo.endpoint(id))!;
  }

  async deliveries(
    actor: Actor,
    id: string,
    q: { state?: string; after?: string; limit?: number },
  ): Promise<DeliveryRow[]> {
    await this.get(actor, id);
    return this.repo.deliveries(id, { ...q, limit: q.limit ?? 100 });
  }

  async attempts(
    actor: Actor,
    id: string,
    deliveryId: string,
  ): Promise<{ delivery: DeliveryRow; attempts: AttemptRow[] }> {
    await this.get(actor, id);
    const delivery = await this.repo.delivery(id, deliveryId);
    if (!delivery) throw webhookError(WebhookErrorCode.DeliveryNotFound);
    return { delivery, attempts: await this.repo.attempts(deliveryId) };
  }

  async replayOne(actor: Actor, id: string, deliveryId: string): Promise<number> {
    await this.get(actor, id);
    const n = await this.txHost.withTransaction(() => this.repo.requeue(id, { deliveryId }));
    if (!n) throw webhookError(WebhookErrorCode.DeliveryNotFound);
    return n;
  }

  async replayRange(actor: Actor, id: string, r: { since?: string; until?: string }): Promise<number> {
    await this.get(actor, id);
    return this.txHost.withTransaction(() =>
      this.repo.requeue(id, {
        since: r.since ? new Date(r.since) : undefined,
        until: r.until ? new Date(r.until) : undefined,
      }),
    );
  }

  /**
   * The target URL: absolute http(s), no credentials, and not resolving to a loopback, link-local,
   * private, unspecified, multicast or metadata address (unless the node allows it). 400 with the field.
   */
  private async checkUrl(raw: string): Promise<void> {
    const p = await checkTargetUrl(this.policy, raw);
    if (!p) return;
    if (p.code === 'address')
      throw webhookError(WebhookErrorCode.TargetNotAllowed, p.reason, undefined, [
        {
          path: 'url',
          code: 'addressNotAllowed',
          message: `the URL's host is not a public address (${p.reason})`,
          messageZh: `目标地址不是公网地址，不允许投递（${p.reason}）`,
        },
      ]);
    const [en, zh] = URL_PROBLEMS[p.code];
    throw webhookError(WebhookErrorCode.InvalidUrl, en, undefined, [
      { path: 'url', code: p.code === 'syntax' ? 'isUrl' : p.code, message: en, messageZh: zh },
    ]);
  }

  /** The owner unit's administrators see disabled endpoints on their to-do list. */
  async disabledOwnedBy(actor: Actor): Promise<number> {
    if (actor.client || (actor.role !== Role.SysAdmin && actor.role !== Role.InfoAdmin)) return 0;
    return this.repo.countDisabledOwnedBy(actor.unitId);
  }
}

const URL_PROBLEMS = {
  syntax: ['the URL is not an absolute URL', '不是完整的绝对地址'],
  scheme: ['only http and https URLs are allowed', '只允许 http 或 https 地址'],
  credentials: ['the URL may not contain a user name or password', '地址中不得包含用户名或密码'],
} as const;
