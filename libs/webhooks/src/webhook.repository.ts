import { Injectable } from '@nestjs/common';
import { ENTRY_TEXT_SQL, isoTimeSql } from '@tmis/change-feed';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import type { DeliveryChange } from './webhook-message.js';

export interface EndpointRow {
  id: string;
  ownerUnitId: string;
  ownerUnitPath: string;
  createdBy: string | null;
  clientId: string | null;
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

/** A delivery claimed for sending, with what signing and masking need and its change (null once pruned). */
export interface ClaimedDelivery extends DeliveryRow {
  url: string;
  secret: string;
  view: 'full' | 'masked';
  change: DeliveryChange | null;
}

/** One attempt's result, as the sender recorded it. */
export interface AttemptOutcome extends AttemptRow {
  deliveryId: string;
  endpointId: string;
  /** When to try again (ms), or null: that was the last attempt. Ignored on success. */
  retryInMs: number | null;
  /** performance.now() at the end of the attempt (orders a batch's outcomes per endpoint). */
  finishedAt: number;
}

export interface AttemptRow {
  attempt: number;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseExcerpt: string | null;
}

const ENDPOINT = `e.id, e.owner_unit_id AS "ownerUnitId", e.owner_unit_path AS "ownerUnitPath", e.created_by AS "createdBy", e.client_id AS "clientId", e.url,
  e.description, e.event_types AS "eventTypes", e.view, e.secret, e.status, e.consecutive_failures AS "consecutiveFailures",
  e.disabled_at AS "disabledAt", e.created_at AS "createdAt"`;
/** The delivery's change, flat (`DeliveryChange` once assembled; all null when it is no longer retained). */
const CHANGE_COLUMNS = `l.type AS "cType", l.entity_type AS "cEntityType", ${isoTimeSql('l.committed_at')} AS "cCommittedAt",
  ${ENTRY_TEXT_SQL} AS "cEntry"`;
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
    createdBy: string | null;
    clientId: string | null;
    url: string;
    description: string | null;
    eventTypes: string[];
    view: 'full' | 'masked';
    secret: string;
  }): Promise<EndpointRow> {
    const [row] = await this.tx.query(
      `INSERT INTO webhook_endpoint (owner_unit_id, owner_unit_path, created_by, client_id, url, description, event_types, view, secret, from_seq)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, (SELECT last FROM change_feed_counter))
       RETURNING id`,
      [e.ownerUnitId, e.ownerUnitPath, e.createdBy, e.clientId, e.url, e.description, e.eventTypes, e.view, e.secret],
    );
    return (await this.endpoint(row.id))!;
  }

  async endpoint(id: string): Promise<EndpointRow | null> {
    const [row] = await this.tx.query(`SELECT ${ENDPOINT} FROM webhook_endpoint e WHERE e.id = $1`, [id]);
    return row ?? null;
  }

  async endpointsIn(pathPrefix: string, clientId?: string): Promise<EndpointRow[]> {
    return this.tx.query(
      `SELECT ${ENDPOINT} FROM webhook_endpoint e WHERE e.owner_unit_path LIKE $1 || '%' AND ($2::uuid IS NULL OR e.client_id = $2)
        ORDER BY e.created_at, e.id`,
      [pathPrefix, clientId ?? null],
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
   * Active endpoints with a delivery due now (their owner client, if any, neither revoked nor
   * expired), up to `limit`: the dispatcher starts one sending lane for each.
   */
  async endpointsDue(limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.tx.query(
      `SELECT e.id FROM webhook_endpoint e LEFT JOIN api_client c ON c.id = e.client_id
        WHERE e.status = 'active' AND (e.client_id IS NULL OR (c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > now())))
          AND EXISTS (SELECT 1 FROM webhook_delivery d
                       WHERE d.endpoint_id = e.id AND d.state = 'pending' AND d.next_attempt_at <= now()
                         AND (d.leased_until IS NULL OR d.leased_until < now()))
        LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Claims up to `limit` due deliveries of one active endpoint for `leaseMs`, with the change each
   * carries, in one statement (its own transaction: the lease is committed before sending, so no
   * connection is held during the HTTP calls; a node that dies mid-send leaves the lease to expire
   * and another node, or itself after a restart, sends again). Oldest due first.
   */
  async claimDue(endpointId: string, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const rows: (ClaimedDelivery & {
      cType: string;
      cEntityType: string;
      cCommittedAt: string;
      cEntry: string | null;
    })[] = await this.tx.query(
      `WITH due AS (
         SELECT d.id FROM webhook_delivery d
          WHERE d.endpoint_id = $1 AND d.state = 'pending' AND d.next_attempt_at <= now()
            AND (d.leased_until IS NULL OR d.leased_until < now())
            AND EXISTS (SELECT 1 FROM webhook_endpoint e LEFT JOIN api_client c ON c.id = e.client_id
                         WHERE e.id = $1 AND e.status = 'active'
                           AND (e.client_id IS NULL OR (c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > now()))))
          ORDER BY d.next_attempt_at, d.change_seq LIMIT $2 FOR UPDATE OF d SKIP LOCKED),
       claimed AS (
         UPDATE webhook_delivery d SET leased_until = now() + make_interval(secs => $3::float / 1000), attempts = d.attempts + 1
           FROM due WHERE d.id = due.id
         RETURNING ${DELIVERY})
       SELECT claimed.*, e.url, e.secret, e.view, ${CHANGE_COLUMNS}
         FROM claimed JOIN webhook_endpoint e ON e.id = claimed."endpointId"
         LEFT JOIN change_log l ON l.seq = claimed."changeSeq"::bigint
        ORDER BY claimed."changeSeq"::bigint`,
      [endpointId, limit, leaseMs],
    );
    return rows.map(({ cType, cEntityType, cCommittedAt, cEntry, ...d }) => ({
      ...d,
      change:
        cEntry === null ? null : { type: cType, entityType: cEntityType, committedAt: cCommittedAt, entry: cEntry },
    }));
  }

  /**
   * Records the outcomes of one batch of attempts in one statement (one transaction): every attempt,
   * the deliveries' new state (succeeded; pending again at `retryInMs`; failed after the last attempt)
   * and, per endpoint, its run of consecutive failures (reset by a success, then the failures after
   * it). An endpoint whose run reaches `disableAfter` is disabled; returns the ids disabled by this batch.
   */
  async recordOutcomes(outcomes: AttemptOutcome[], disableAfter: number): Promise<string[]> {
    if (!outcomes.length) return [];
    const runs = new Map<string, { reset: boolean; run: number }>();
    for (const o of [...outcomes].sort((a, b) => a.finishedAt - b.finishedAt)) {
      const r = runs.get(o.endpointId) ?? { reset: false, run: 0 };
      if (o.error) r.run += 1;
      else Object.assign(r, { reset: true, run: 0 });
      runs.set(o.endpointId, r);
    }
    const rows: { id: string }[] = await this.tx.query(
      `WITH a AS (
         INSERT INTO webhook_attempt (delivery_id, attempt, started_at, duration_ms, status_code, error, response_excerpt)
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::int[], $5::int[], $6::varchar[], $7::varchar[])),
       d AS (
         UPDATE webhook_delivery d SET
                state = CASE WHEN o.error IS NULL THEN 'succeeded' WHEN o.retry_ms IS NULL THEN 'failed' ELSE 'pending' END,
                delivered_at = CASE WHEN o.error IS NULL THEN now() ELSE d.delivered_at END,
                next_attempt_at = CASE WHEN o.error IS NOT NULL AND o.retry_ms IS NOT NULL
                                       THEN now() + make_interval(secs => o.retry_ms / 1000) ELSE d.next_attempt_at END,
                leased_until = NULL, last_status = o.status, last_error = o.error
           FROM unnest($1::uuid[], $5::int[], $6::varchar[], $8::float[]) AS o(id, status, error, retry_ms)
          WHERE d.id = o.id),
       u AS (
         UPDATE webhook_endpoint e SET
                consecutive_failures = CASE WHEN r.reset THEN r.run ELSE e.consecutive_failures + r.run END,
                status = CASE WHEN (CASE WHEN r.reset THEN r.run ELSE e.consecutive_failures + r.run END) >= $12 THEN 'disabled' ELSE e.status END,
                disabled_at = CASE WHEN e.status = 'active' AND (CASE WHEN r.reset THEN r.run ELSE e.consecutive_failures + r.run END) >= $12
                                   THEN now() ELSE e.disabled_at END
           FROM unnest($9::uuid[], $10::boolean[], $11::int[]) AS r(id, reset, run)
          WHERE e.id = r.id
         RETURNING e.id, e.status, e.disabled_at)
       SELECT id FROM u WHERE status = 'disabled' AND disabled_at = now()`,
      [
        outcomes.map((o) => o.deliveryId),
        outcomes.map((o) => o.attempt),
        outcomes.map((o) => o.startedAt),
        outcomes.map((o) => o.durationMs),
        outcomes.map((o) => o.statusCode),
        outcomes.map((o) => o.error?.slice(0, 500) ?? null),
        outcomes.map((o) => o.responseExcerpt),
        outcomes.map((o) => o.retryInMs),
        [...runs.keys()],
        [...runs.values()].map((r) => r.reset),
        [...runs.values()].map((r) => r.run),
        disableAfter,
      ],
    );
    return rows.map((r) => r.id);
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
