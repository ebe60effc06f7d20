import { timingSafeEqual } from 'node:crypto';
import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, Matches, Min, ValidateNested } from 'class-validator';
import { AccessPolicy, Authenticated, Role, CurrentActor, type Actor } from '@tmis/access';
import { commonError, CommonErrorCode, maskIdNumber } from '@tmis/common';
import { DataSource } from 'typeorm';
import { SyncIngestService } from './ingest.service.js';
import { OutboxRelay } from './outbox.relay.js';
import { ReconcileService } from './reconcile.service.js';
import { ResyncService } from './resync.service.js';
import { SYNC_OPTIONS, type SyncOptions } from './sync.options.js';

export class ProvinceQueryDto {
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{2}$/) province?: string;
}

export class IngestBatchDto {
  @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) messages: string[];
}

export class SchoolFingerprintDto {
  @IsString() @Matches(/^[0-9]{10}(-[0-9]{3})?$/) unitCode: string;
  @IsInt() @Min(0) count: number;
  @IsString() @Matches(/^[0-9a-f]{32}$/) hash: string;
}
export class FingerprintDto {
  @Matches(/^\d{2}$/) province: string;
  @IsInt() @Min(0) total: number;
  @IsString() hash: string;
  @IsArray()
  @ArrayMaxSize(200000)
  @ValidateNested({ each: true })
  @Type(() => SchoolFingerprintDto)
  schools: SchoolFingerprintDto[];
}

@ApiTags('sync')
@Controller('sync')
export class SyncController {
  constructor(
    private readonly db: DataSource,
    private readonly relay: OutboxRelay,
    private readonly reconcile: ReconcileService,
    private readonly ingestService: SyncIngestService,
    private readonly resyncs: ResyncService,
    @Inject(SYNC_OPTIONS) private readonly options: SyncOptions,
  ) {}

  @Get('status')
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query] })
  @ApiOperation({ summary: 'Provincial node: the outbox. National node: per-province progress and dead letters' })
  async status(@CurrentActor() a: Actor) {
    this.requireTop(a);
    if (this.options.kind === 'provincial') return { node: 'provincial', outbox: await this.relay.status() };
    const provinces = await this.db
      .query(`SELECT p.province_code AS "province", p.max_sequence::bigint AS "maxSequence", p.applied, p.duplicates, p.last_event_at AS "lastEventAt",
      (p.max_sequence - (SELECT count(*) FROM sync_received r WHERE r.province_code = p.province_code))::bigint AS "gap",
      EXTRACT(EPOCH FROM now() - p.last_event_at)::int AS "secondsSinceLastEvent" FROM sync_progress p ORDER BY p.province_code`);
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM sync_dead_letter`);
    return { node: 'national', provinces, deadLetters: n };
  }

  @Get('dead-letters')
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin] })
  @ApiOperation({ summary: 'Messages refused by the national ingest, with the reason (national node)' })
  async deadLetters(@CurrentActor() a: Actor) {
    this.requireTop(a);
    return this.db.query(
      `SELECT id::text, received_at AS "receivedAt", province_code AS "province", event_id AS "eventId", reason FROM sync_dead_letter ORDER BY sync_dead_letter.id DESC LIMIT 500`,
    );
  }

  @Get('teachers')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query] })
  @ApiOperation({ summary: "The national roll-up of a province's reported records (national node; ID numbers masked)" })
  async teachers(@CurrentActor() a: Actor, @Query() q: ProvinceQueryDto) {
    this.requireTop(a);
    return (
      await this.db.query(
        `SELECT teacher_id AS "teacherId", province_code AS "province", unit_code AS "unitCode", name, id_number AS "idNumber", person_status AS "personStatus", reported_version AS "reportedVersion", custom, catalogue_version AS "catalogueVersion" FROM national_teacher WHERE ($1::text IS NULL OR province_code = $1) ORDER BY province_code, unit_code, teacher_id LIMIT 1000`,
        [q.province ?? null],
      )
    ).map((r: { idNumber: string }) => ({ ...r, idNumber: maskIdNumber(r.idNumber) }));
  }

  @Get('custom-fields')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query] })
  @ApiOperation({ summary: "Each province's custom indicator definitions as received (national node)" })
  async customFields(@CurrentActor() a: Actor, @Query() q: ProvinceQueryDto) {
    this.requireTop(a);
    return this.db.query(
      `SELECT province_code AS "province", definitions, updated_at AS "updatedAt" FROM national_custom_fields WHERE ($1::text IS NULL OR province_code = $1) ORDER BY province_code`,
      [q.province ?? null],
    );
  }

  @Get('fingerprint')
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query] })
  @ApiOperation({
    summary:
      'Per school: count of reported records and a hash of (id, reported version) — on a provincial node its own; nationally ?province=',
  })
  fingerprint(@CurrentActor() a: Actor, @Query() q: ProvinceQueryDto) {
    this.requireTop(a);
    return this.reconcile.fingerprint(this.options.kind === 'national' ? this.requireProvince(q.province) : undefined);
  }

  @Get('fingerprint/:unitCode/records')
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query] })
  @ApiOperation({ summary: 'The (id, reported version) pairs of one school, to find which records differ' })
  records(@CurrentActor() a: Actor, @Param('unitCode') unitCode: string, @Query() q: ProvinceQueryDto) {
    this.requireTop(a);
    return this.reconcile.records(
      unitCode,
      this.options.kind === 'national' ? this.requireProvince(q.province) : undefined,
    );
  }

  @Post('reconcile')
  @HttpCode(200)
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query] })
  @ApiOperation({
    summary:
      "National node: compare a province's fingerprint (from its GET /sync/fingerprint) with what national holds",
  })
  compare(@CurrentActor() a: Actor, @Body() dto: FingerprintDto) {
    this.requireTop(a);
    if (this.options.kind !== 'national')
      throw commonError(CommonErrorCode.Forbidden, 'Reconciliation runs on the national node');
    return this.reconcile.compare(dto);
  }

  @Get('duplicates')
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query] })
  @ApiOperation({
    summary:
      'National node: the same ID number active in two or more provinces (?province= lists those touching one province)',
  })
  duplicates(@CurrentActor() a: Actor, @Query() q: ProvinceQueryDto) {
    this.requireTop(a);
    return this.reconcile.crossProvinceDuplicates(q.province);
  }

  @Post('resync')
  @HttpCode(202)
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin] })
  @ApiOperation({
    summary:
      'Provincial node: start re-publishing the full reported state (custom fields, units, records as reported; snapshot markers around it) in the background, alongside normal traffic; 409 while one runs',
  })
  resync(@CurrentActor() a: Actor) {
    this.requireTop(a);
    if (this.options.kind !== 'provincial')
      throw commonError(CommonErrorCode.Forbidden, 'Resync is started by a provincial node');
    return this.resyncs.start(a.accountId);
  }

  @Get('resync')
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query] })
  @ApiOperation({ summary: 'Provincial node: the latest resync and its progress (units and records queued)' })
  async resyncStatus(@CurrentActor() a: Actor) {
    this.requireTop(a);
    if (this.options.kind !== 'provincial')
      throw commonError(CommonErrorCode.Forbidden, 'Resync is started by a provincial node');
    const s = await this.resyncs.status();
    if (!s) throw commonError(CommonErrorCode.NotFound, 'No resync has run on this node');
    return s;
  }

  /** National node, direct transport (no broker): a provincial node pushes its outbox with its node token. */
  @Post('ingest')
  @HttpCode(200)
  @ApiOperation({
    summary: 'National node: sync messages pushed by a provincial node over HTTP (Authorization: Bearer <node token>)',
  })
  async ingest(@Headers('authorization') auth: string | undefined, @Body() dto: IngestBatchDto) {
    if (this.options.kind !== 'national') throw commonError(CommonErrorCode.RouteNotFound);
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : '';
    const province = Object.entries(this.options.nodeTokens ?? {}).find(
      ([, t]) => t.length === token.length && timingSafeEqual(Buffer.from(t), Buffer.from(token)),
    )?.[0];
    if (!province) throw commonError(CommonErrorCode.Unauthenticated, 'Unknown node token');
    // Messages claiming another province are refused one by one; the rest are applied as one batch (one transaction), as from Kafka.
    const outcomes: string[] = new Array(dto.messages.length);
    const mine: { i: number; raw: string }[] = [];
    for (let i = 0; i < dto.messages.length; i++) {
      const raw = dto.messages[i];
      let claimed: unknown;
      try {
        claimed = (JSON.parse(raw) as { provinceCode?: unknown }).provinceCode;
      } catch {
        claimed = undefined;
      }
      if (claimed !== undefined && claimed !== province)
        outcomes[i] = await this.ingestService.refuse(
          raw,
          `node of province ${province} sent a message for province ${String(claimed)}`,
        );
      else mine.push({ i, raw });
    }
    const applied = mine.length ? await this.ingestService.applyBatch(mine.map((m) => m.raw)) : [];
    mine.forEach((m, k) => {
      outcomes[m.i] = applied[k];
    });
    return { outcomes };
  }

  private requireProvince(p?: string): string {
    if (!p)
      throw commonError(CommonErrorCode.ValidationFailed, 'province is required', undefined, [
        {
          path: 'province',
          code: 'isDefined',
          message: 'province is required on the national node',
          messageZh: 'province：国家节点须指定省份',
        },
      ]);
    return p;
  }

  /** Federation data is for the node's top level (the ministry, or the province on its own node). */
  private requireTop(a: Actor): void {
    if (a.unitLevel > 2)
      throw commonError(CommonErrorCode.Forbidden, 'Sync status is for the ministry or the province');
    AccessPolicy.requireInScope(a, a.unitPath);
  }
}
