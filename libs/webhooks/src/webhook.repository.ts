import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';

export interface EndpointRow {
  id: string;
  ownerUnitId: string;
  ownerUnitPath: string;
  createdBy: string | null;
  url: string;
  description: string | null;
  eventTypes: string[];
  view: 'full' | 'masked';
  secret: string;
  status: 'active' | 'disabled';
  consecutiveFailures: number;
  disabledAt: Date | null;
  createdAt: Date;
}

export interface DeliveryRow {
  id: string;
  endpointId: string;
  changeSeq: string;
  eventType: string;
  state: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  nextAttemptAt: Date;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

/** A delivery claimed for sending, with what signing and masking need. */
export interface ClaimedDelivery extends DeliveryRow {
  url: string;
  secret: string;
  view: 'full' | 'masked';
}

export interface AttemptRow {
  attempt: number;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseExcerpt: string | null;
}

const ENDPOINT = `e.id, e.owner_unit_id AS "ownerUnitId", e.owner_unit_path AS "ownerUnitPath", e.created_by AS "createdBy", e.url,
  e.description, e.event_types AS "eventTypes", e.view, e.secret, e.status, e.consecutive_failures AS "consecutiveFailures",
  e.disabled_at AS "disabledAt", e.created_at AS "createdAt"`;
const DELIVERY = `d.id, d.endpoint_id AS "endpointId", d.change_seq::text AS "changeSeq", d.event_type AS "eventType", d.state,
  d.attempts, d.next_attempt_at AS "nextAttemptAt", d.last_status AS "lastStatus", d.last_error AS "lastError",
  d.created_at AS "createdAt", d.delivered_at AS "deliveredAt"`;

/**
 * The webhook tables: `webhook_endpoint`, `webhook_delivery` (the outbox: one row per endpoint and
 * change), `webhook_attempt` and `webhook_dispatch_cursor`. The only writer of the four; the fan-out
 * reads `change_log`.
 */
@Injectable()
export class WebhookRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get tx() {
    return this.txHost.tx;
  }

  async insertEndpoint(e: {
    ownerUnitId: string;
    ownerUnitPath: string;
    createdBy: string;
    url: string;
    description: string | null;
    eventTypes: string[];
    view: 'full' | 'masked';
    secret: string;
  }): Promise<EndpointRow> {
    const [row] = await this.tx.query(
      `INSERT INTO webhook_endpoint (owner_unit_id, owner_unit_path, created_by, url, description, event_types, view, secret, from_seq)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, (SELECT last FROM change_feed_counter))
       RETURNING id`,
      [e.ownerUnitId, e.ownerUnitPath, e.createdBy, e.url, e.description, e.eventTypes, e.view, e.secret],
    );
    return (await this.endpoint(row.id))!;
  }

  async endpoint(id: string): Promise<EndpointRow | null> {
    const [row] = await this.tx.query(`SELECT ${ENDPOINT} FROM webhook_endpoint e WHERE e.id = $1`, [id]);
    return row ?? null;
  }

  async endpointsIn(pathPrefix: string): Promise<EndpointRow[]> {
    return this.tx.query(
      `SELECT ${ENDPOINT} FROM webhook_endpoint e WHERE e.owner_unit_path LIKE $1 || '%' ORDER BY e.created_at, e.id`,
      [pathPrefix],
    );
  }

  async deleteEndpoint(id: string): Promise<void> {
    await this.tx.query(`DELETE FROM webhook_endpoint WHERE id = $1`, [id]);
  }

  async enableEndpoint(id: string): Promise<void> {
    await this.tx.query(
      `UPDATE webhook_endpoint SET status = 'active', consecutive_failures = 0, disabled_at = NULL, updated_at = now() WHERE id = $1`,
      [id],
    );
  }

  /** Disabled endpoints owned by this unit (the owner's to-do item). */
  async countDisabledOwnedBy(unitId: string): Promise<number> {
    const [{ n }] = await this.tx.query(
      `SELECT count(*)::int AS n FROM webhook_endpoint WHERE owner_unit_id = $1 AND status = 'disabled'`,
      [unitId],
    );
    return n;
  }

  /**
   * Fans out the next `limit` change-log entries after the dispatch cursor into deliveries for every
   * endpoint that subscribed to their type and whose owner's subtree holds them, and moves the
   * cursor, in one transaction under the cursor's row lock; returns how many entries it passed.
   */
  async fanOut(limit: number): Promise<number> {
    const [{ last }] = await this.tx.query(`SELECT last_seq::text AS last FROM webhook_dispatch_cursor FOR UPDATE`);
    const [{ upto }] = await this.tx.query(
      `SELECT LEAST(last, $1::bigint + $2::bigint)::text AS upto FROM change_feed_counter`,
      [last, limit],
    );
    if (Number(upto) <= Number(last)) return 0;
    await this.tx.query(
      `INSERT INTO webhook_delivery (endpoint_id, change_seq, event_type)
       SELECT e.id, l.seq, l.type FROM change_log l
         JOIN webhook_endpoint e ON l.seq > e.from_seq
          AND (l.type = ANY(e.event_types) OR '*' = ANY(e.event_types))
          AND (l.unit_path LIKE e.owner_unit_path || '%' OR l.old_unit_path LIKE e.owner_unit_path || '%')
        WHERE l.seq > $1 AND l.seq <= $2
       ON CONFLICT (endpoint_id, change_seq) DO NOTHING`,
      [last, upto],
    );
    await this.tx.query(`UPDATE webhook_dispatch_cursor SET last_seq = $1`, [upto]);
    return Number(upto) - Number(last);
  }

  /**
   * Claims up to `limit` due deliveries of active endpoints for `leaseMs` (committed before sending,
   * so no connection is held during the HTTP call; a node that dies mid-send leaves the lease to
   * expire and another node, or itself after a restart, sends again).
   */
  async claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    return this.tx.query(
      `WITH due AS (
         SELECT d.id FROM webhook_delivery d JOIN webhook_endpoint e ON e.id = d.endpoint_id AND e.status = 'active'
          WHERE d.state = 'pending' AND d.next_attempt_at <= now() AND (d.leased_until IS NULL OR d.leased_until < now())
          ORDER BY d.next_attempt_at, d.change_seq LIMIT $1 FOR UPDATE OF d SKIP LOCKED),
       claimed AS (
         UPDATE webhook_delivery d SET leased_until = now() + make_interval(secs => $2::float / 1000), attempts = d.attempts + 1
           FROM due, webhook_endpoint e WHERE d.id = due.id AND e.id = d.endpoint_id
         RETURNING ${DELIVERY}, e.url, e.secret, e.view)
       SELECT * FROM claimed`,
      [limit, leaseMs],
    );
  }

  async recordAttempt(a: { deliveryId: string } & AttemptRow): Promise<void> {
    await this.tx.query(
      `INSERT INTO webhook_attempt (delivery_id, attempt, started_at, duration_ms, status_code, error, response_excerpt)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [a.deliveryId, a.attempt, a.startedAt, a.durationMs, a.statusCode, a.error, a.responseExcerpt],
    );
  }

  async markSucceeded(deliveryId: string, endpointId: string, status: number): Promise<void> {
    await this.tx.query(
      `UPDATE webhook_delivery SET state = 'succeeded', delivered_at = now(), leased_until = NULL, last_status = $2, last_error = NULL
        WHERE id = $1`,
      [deliveryId, status],
    );
    await this.tx.query(`UPDATE webhook_endpoint SET consecutive_failures = 0 WHERE id = $1`, [endpointId]);
  }

  /**
   * A failed attempt: the delivery waits `retryInMs` (or is marked failed after its last attempt); the
   * endpoint's run of failures grows and past `disableAfter` it is disabled. Returns whether this
   * attempt disabled it.
   */
  async markFailed(
    d: { deliveryId: string; endpointId: string; status: number | null; error: string },
    retryInMs: number | null,
    disableAfter: number,
  ): Promise<boolean> {
    await this.tx.query(
      `UPDATE webhook_delivery SET state = CASE WHEN $2::float IS NULL THEN 'failed' ELSE 'pending' END,
              next_attempt_at = CASE WHEN $2::float IS NULL THEN next_attempt_at ELSE now() + make_interval(secs => $2::float / 1000) END,
              leased_until = NULL, last_status = $3, last_error = $4
        WHERE id = $1`,
      [d.deliveryId, retryInMs, d.status, d.error.slice(0, 500)],
    );
    const [row] = await this.tx.query(
      `WITH u AS (
         UPDATE webhook_endpoint SET consecutive_failures = consecutive_failures + 1,
                status = CASE WHEN consecutive_failures + 1 >= $2 THEN 'disabled' ELSE status END,
                disabled_at = CASE WHEN consecutive_failures + 1 >= $2 AND status = 'active' THEN now() ELSE disabled_at END
          WHERE id = $1 RETURNING (status = 'disabled' AND disabled_at = now()) AS "justDisabled")
       SELECT * FROM u`,
      [d.endpointId, disableAfter],
    );
    return !!row?.justDisabled;
  }

  async deliveries(endpointId: string, q: { state?: string; after?: string; limit: number }): Promise<DeliveryRow[]> {
    return this.tx.query(
      `SELECT ${DELIVERY} FROM webhook_delivery d
        WHERE d.endpoint_id = $1 AND ($2::text IS NULL OR d.state = $2) AND ($3::bigint IS NULL OR d.change_seq > $3)
        ORDER BY d.change_seq LIMIT $4`,
      [endpointId, q.state ?? null, q.after ?? null, q.limit],
    );
  }

  async delivery(endpointId: string, id: string): Promise<DeliveryRow | null> {
    const [row] = await this.tx.query(
      `SELECT ${DELIVERY} FROM webhook_delivery d WHERE d.endpoint_id = $1 AND d.id = $2`,
      [endpointId, id],
    );
    return row ?? null;
  }

  async attempts(deliveryId: string): Promise<AttemptRow[]> {
    return this.tx.query(
      `SELECT attempt, started_at AS "startedAt", duration_ms AS "durationMs", status_code AS "statusCode", error,
              response_excerpt AS "responseExcerpt" FROM webhook_attempt WHERE delivery_id = $1 ORDER BY id`,
      [deliveryId],
    );
  }

  /**
   * Sends deliveries again (same `webhook-id`, a fresh attempt budget): one, or every one of the
   * endpoint created in [since, until). Returns how many were queued.
   */
  async requeue(endpointId: string, sel: { deliveryId?: string; since?: Date; until?: Date }): Promise<number> {
    const [{ n }] = await this.tx.query(
      `WITH r AS (UPDATE webhook_delivery SET state = 'pending', attempts = 0, next_attempt_at = now(), leased_until = NULL
                   WHERE endpoint_id = $1 AND ($2::uuid IS NULL OR id = $2)
                     AND ($3::timestamptz IS NULL OR created_at >= $3) AND ($4::timestamptz IS NULL OR created_at < $4)
                  RETURNING 1)
       SELECT count(*)::int AS n FROM r`,
      [endpointId, sel.deliveryId ?? null, sel.since ?? null, sel.until ?? null],
    );
    return n;
  }

  /** Undelivered deliveries and the oldest due one's age (health). */
  async backlog(): Promise<{ pending: number; oldestSeconds: number }> {
    const [r] = await this.tx.query(
      `SELECT count(*)::int AS n, COALESCE(EXTRACT(EPOCH FROM now() - min(d.created_at)), 0)::float AS age
         FROM webhook_delivery d JOIN webhook_endpoint e ON e.id = d.endpoint_id AND e.status = 'active' WHERE d.state = 'pending'`,
    );
    return { pending: r.n, oldestSeconds: Math.round(r.age) };
  }
}
