import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, HttpCode, Inject, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  AUTH_OPTIONS,
  authenticateBearer,
  Role,
  SESSION_STORE,
  type Actor,
  type AuthOptions,
  type SessionStore,
} from '@tmis/access';
import { DatabaseProbeRepository } from './database-probe.repository.js';
import { commonError, CommonErrorCode } from '@tmis/common';
import { HealthRegistry } from './health.registry.js';
import { NODE_INFO, type NodeInfo } from './node-info.js';
import { HealthControllerResponses, MetricsControllerResponses } from './health.responses.js';

type HeaderReq = { headers: Record<string, string | undefined> };

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Who may read the operational details (per-province sequences, dead letters, lag): the holder of
 * METRICS_TOKEN, or a system administrator of the node's top unit — the ministry on the national
 * node (a province's administrator there would see every province), the province on a provincial one.
 */
abstract class OperatorAccess {
  constructor(
    protected readonly node: NodeInfo,
    private readonly auth: AuthOptions,
    private readonly sessions: SessionStore,
  ) {}

  /** Null when allowed; otherwise the problem to answer with (401 without credentials, 403 for others). */
  protected async refusal(req: HeaderReq): Promise<Error | null> {
    const header = req.headers['authorization'];
    if (!header?.startsWith('Bearer ')) return commonError(CommonErrorCode.Unauthenticated, 'Missing bearer token');
    const presented = header.slice(7);
    if (this.node.metricsToken && timingSafeEqual(digest(presented), digest(this.node.metricsToken))) return null;
    let actor: Actor;
    try {
      actor = await authenticateBearer(header, this.auth, this.sessions);
    } catch (e) {
      return e as Error;
    }
    if (actor.role === Role.SysAdmin && actor.unitLevel <= this.node.topUnitLevel && !actor.mustChangePassword)
      return null;
    return commonError(
      CommonErrorCode.Forbidden,
      'Operational details are for the metrics token or the top unit’s system administrator',
    );
  }
}

/** What GET /health answers (the details only to the operator). */
const HEALTH_SCHEMA = {
  type: 'object',
  required: ['status', 'embedded'],
  properties: {
    status: { type: 'string', enum: ['up', 'down'] },
    embedded: { type: 'boolean', description: 'Running on the embedded PostgreSQL' },
    node: { type: 'string', enum: ['national', 'provincial'] },
    province: { type: 'string', nullable: true },
    version: { type: 'string' },
    details: { type: 'object', additionalProperties: { type: 'object' }, description: 'database, sync, statistics…' },
  },
};

@ApiTags('health')
@Controller('health')
@HealthControllerResponses
export class HealthController extends OperatorAccess {
  constructor(
    private readonly probe: DatabaseProbeRepository,
    @Inject(NODE_INFO) node: NodeInfo,
    private readonly registry: HealthRegistry,
    @Inject(AUTH_OPTIONS) auth: AuthOptions,
    @Inject(SESSION_STORE) sessions: SessionStore,
  ) {
    super(node, auth, sessions);
  }

  @Get()
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOkResponse({
    description:
      'Liveness, public: `{status, embedded}`. With METRICS_TOKEN or as the ' +
      "top unit's system administrator: also node, version and `details` (database, sync, statistics).",
    schema: HEALTH_SCHEMA,
  })
  @ApiServiceUnavailableResponse({
    description: 'The database does not answer (`status: down`)',
    schema: HEALTH_SCHEMA,
  })
  async health(
    @Req() req: HeaderReq,
    @Res({ passthrough: true }) res: { status(n: number): void },
  ): Promise<Record<string, unknown>> {
    const started = Date.now();
    let database: Record<string, unknown>;
    try {
      const migrations = await this.probe.migrationsApplied();
      database = {
        status: 'up',
        latencyMs: Date.now() - started,
        migrations,
        embedded: this.node.embeddedDatabase,
      };
    } catch {
      database = { status: 'down' };
    }
    const ok = database.status === 'up';
    if (!ok) res.status(503);
    const status = ok ? 'up' : 'down';
    if (!req.headers['authorization'] || (await this.refusal(req)))
      return { status, embedded: this.node.embeddedDatabase };
    const extra = ok
      ? Object.fromEntries(Object.entries(await this.registry.collect()).map(([k, v]) => [k, v.details]))
      : {};
    return {
      status,
      embedded: this.node.embeddedDatabase,
      node: this.node.kind,
      province: this.node.provinceCode ?? null,
      version: this.node.version,
      details: { database, ...extra },
    };
  }
}

@ApiTags('health')
@Controller('metrics')
@MetricsControllerResponses
export class MetricsController extends OperatorAccess {
  constructor(
    @Inject(NODE_INFO) node: NodeInfo,
    private readonly registry: HealthRegistry,
    @Inject(AUTH_OPTIONS) auth: AuthOptions,
    @Inject(SESSION_STORE) sessions: SessionStore,
  ) {
    super(node, auth, sessions);
  }

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4')
  @ApiBearerAuth()
  @ApiOkResponse({
    description: "Prometheus text format; METRICS_TOKEN or the top unit's system administrator",
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  async metrics(@Req() req: HeaderReq): Promise<string> {
    const refused = await this.refusal(req);
    if (refused) throw refused;
    const lines = [`tmis_up{node="${this.node.kind}"} 1`];
    for (const [name, c] of Object.entries(await this.registry.collect())) {
      for (const [k, v] of Object.entries(c.metrics)) lines.push(`tmis_${name}_${k} ${v}`);
    }
    return lines.join('\n') + '\n';
  }
}
