import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { HealthRegistry } from './health.registry.js';
import { NODE_INFO, type NodeInfo } from './node-info.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly db: DataSource,
    @Inject(NODE_INFO) private readonly node: NodeInfo,
    private readonly registry: HealthRegistry,
  ) {}

  @Get()
  @HttpCode(200)
  @ApiOkResponse({ description: 'Node is up and its database answers' })
  async health(@Res({ passthrough: true }) res: { status(n: number): void }): Promise<Record<string, unknown>> {
    const started = Date.now();
    let database: Record<string, unknown>;
    try {
      const [row] = await this.db.query(`SELECT (SELECT count(*) FROM schema_migrations)::int AS migrations`);
      database = {
        status: 'up',
        latencyMs: Date.now() - started,
        migrations: row.migrations,
        embedded: this.node.embeddedDatabase,
      };
    } catch {
      database = { status: 'down' };
    }
    const ok = database.status === 'up';
    if (!ok) res.status(503);
    const extra = ok
      ? Object.fromEntries(Object.entries(await this.registry.collect()).map(([k, v]) => [k, v.details]))
      : {};
    return {
      status: ok ? 'up' : 'down',
      node: this.node.kind,
      province: this.node.provinceCode ?? null,
      version: this.node.version,
      details: { database, ...extra },
    };
  }
}

@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(NODE_INFO) private readonly node: NodeInfo,
    private readonly registry: HealthRegistry,
  ) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4')
  @ApiOkResponse({ description: 'Prometheus text format' })
  async metrics(): Promise<string> {
    const lines = [`tmis_up{node="${this.node.kind}"} 1`];
    for (const [name, c] of Object.entries(await this.registry.collect())) {
      for (const [k, v] of Object.entries(c.metrics)) lines.push(`tmis_${name}_${k} ${v}`);
    }
    return lines.join('\n') + '\n';
  }
}
