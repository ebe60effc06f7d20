import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import type { EntityManager } from 'typeorm';

export interface AuditEntry {
  actorAccountId?: string | null;
  /** The API client behind the call, when the caller is a client rather than a person. */
  actorClientId?: string | null;
  actorUnitId?: string | null;
  action: string;
  outcome?: 'ok' | 'refused' | 'failed';
  targetType?: string;
  targetId?: string;
  /** Path of the unit the target belongs to, so that audit reads can be scoped. */
  unitPath?: string | null;
  ip?: string | null;
  correlationId?: string | null;
  /** Never passwords, tokens or ID numbers. */
  details?: Record<string, unknown>;
}

export interface AuditRow {
  id: string;
  at: Date;
  actorAccountId: string | null;
  actorClientId: string | null;
  actorUnitId: string | null;
  action: string;
  outcome: string;
  targetType: string | null;
  targetId: string | null;
  unitPath: string | null;
  ip: string | null;
  correlationId: string | null;
  details: Record<string, unknown> | null;
}

@Injectable()
export class AuditRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  /** The open transaction's manager, or the pool. */
  private get db(): EntityManager {
    return this.txHost.tx;
  }

  /** Writes one audit row, in the open transaction if there is one. */
  async write(entry: AuditEntry): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_log (actor_account_id, actor_unit_id, action, outcome, target_type, target_id, unit_path, ip, correlation_id, details, actor_client_id)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
      [
        entry.actorAccountId ?? null,
        entry.actorUnitId ?? null,
        entry.action,
        entry.outcome ?? 'ok',
        entry.targetType ?? null,
        entry.targetId ?? null,
        entry.unitPath ?? null,
        entry.ip ?? null,
        entry.correlationId ?? null,
        entry.details ? JSON.stringify(entry.details) : null,
        entry.actorClientId ?? null,
      ],
    );
  }

  async list(filter: {
    pathPrefix: string;
    action?: string;
    actorAccountId?: string;
    actorClientId?: string;
    beforeId?: string;
    limit: number;
  }): Promise<AuditRow[]> {
    const params: unknown[] = [filter.pathPrefix + '%'];
    let where = `unit_path LIKE $1`;
    if (filter.action) {
      params.push(filter.action);
      where += ` AND action = $${params.length}`;
    }
    if (filter.actorAccountId) {
      params.push(filter.actorAccountId);
      where += ` AND actor_account_id = $${params.length}`;
    }
    if (filter.actorClientId) {
      params.push(filter.actorClientId);
      where += ` AND actor_client_id = $${params.length}`;
    }
    if (filter.beforeId) {
      params.push(filter.beforeId);
      where += ` AND id < $${params.length}`;
    }
    params.push(filter.limit);
    const rows = await this.db.query(
      `SELECT id::text, at, actor_account_id AS "actorAccountId", actor_client_id AS "actorClientId", actor_unit_id AS "actorUnitId", action, outcome, target_type AS "targetType",
              target_id AS "targetId", unit_path AS "unitPath", ip, correlation_id AS "correlationId", details
         FROM audit_log WHERE ${where} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return rows as AuditRow[];
  }

  /**
   * The audit rows of a bulk import job's records, set-based from its staged persons
   * (`bulk_job_person`): `teacher.create` / `teacher.update` and `review.submit`, naming the job.
   */
  async writeFromImport(
    jobId: string,
    actor: { accountId: string; unitId: string },
    ctx: { ip: string | null; correlationId: string | null },
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_log (actor_account_id, actor_unit_id, action, outcome, target_type, target_id, unit_path, ip, correlation_id, details)
       SELECT $2, $3, a.action, 'ok', 'teacher', p.teacher_id::text, (p.columns->>'unitPath'), $4, $5, jsonb_build_object('bulkJobId', $1::text) || a.details
         FROM bulk_job_person p
         CROSS JOIN LATERAL (VALUES ('teacher.' || p.action, CASE WHEN p.action = 'update' THEN jsonb_build_object('fields', jsonb_array_length(p.changes)) ELSE '{}'::jsonb END),
                                    ('review.submit', jsonb_build_object('from', CASE WHEN p.action = 'create' THEN 'draft' ELSE p.from_state END, 'to', 'submitted'))) AS a(action, details)
        WHERE p.job_id = $1::uuid AND (a.action <> 'review.submit' OR p.action = 'create' OR p.from_state <> 'submitted')`,
      [jobId, actor.accountId, actor.unitId, ctx.ip, ctx.correlationId],
    );
  }
}
