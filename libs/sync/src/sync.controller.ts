import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { AccessPolicy, Authenticated, Role, CurrentActor, type Actor } from '@tmis/access';
import { commonError, CommonErrorCode, maskIdNumber } from '@tmis/common';
import { DataSource } from 'typeorm';
import { OutboxRelay } from './outbox.relay.js';
import { SYNC_OPTIONS, type SyncOptions } from './sync.options.js';

export class ProvinceQueryDto {
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{2}$/) province?: string;
}

@ApiTags('sync')
@Controller('sync')
export class SyncController {
  constructor(private readonly db: DataSource, private readonly relay: OutboxRelay, @Inject(SYNC_OPTIONS) private readonly options: SyncOptions) {}

  @Get('status') @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query] }) @ApiOperation({ summary: 'Provincial node: the outbox. National node: per-province progress and dead letters' })
  async status(@CurrentActor() a: Actor) {
    this.requireTop(a);
    if (this.options.kind === 'provincial') return { node: 'provincial', outbox: await this.relay.status() };
    const provinces = await this.db.query(`SELECT province_code AS "province", max_sequence::bigint AS "maxSequence", applied, duplicates, last_event_at AS "lastEventAt",
      (max_sequence - applied)::bigint AS "missingOrPending" FROM sync_progress ORDER BY province_code`);
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM sync_dead_letter`);
    return { node: 'national', provinces, deadLetters: n };
  }

  @Get('dead-letters') @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin] }) @ApiOperation({ summary: 'Messages refused by the national ingest, with the reason (national node)' })
  async deadLetters(@CurrentActor() a: Actor) {
    this.requireTop(a);
    return this.db.query(`SELECT id::text, received_at AS "receivedAt", province_code AS "province", event_id AS "eventId", reason FROM sync_dead_letter ORDER BY id DESC LIMIT 500`);
  }

  @Get('teachers') @Authenticated({ roles: [Role.InfoAdmin, Role.Query] }) @ApiOperation({ summary: 'The national roll-up of a province\'s reported records (national node; ID numbers masked)' })
  async teachers(@CurrentActor() a: Actor, @Query() q: ProvinceQueryDto) {
    this.requireTop(a);
    return (await this.db.query(`SELECT teacher_id AS "teacherId", province_code AS "province", unit_code AS "unitCode", name, id_number AS "idNumber", person_status AS "personStatus", reported_version AS "reportedVersion", custom, catalogue_version AS "catalogueVersion" FROM national_teacher WHERE ($1::text IS NULL OR province_code = $1) ORDER BY province_code, unit_code, teacher_id LIMIT 1000`, [q.province ?? null]))
      .map((r: { idNumber: string }) => ({ ...r, idNumber: maskIdNumber(r.idNumber) }));
  }

  @Get('custom-fields') @Authenticated({ roles: [Role.InfoAdmin, Role.Query] }) @ApiOperation({ summary: 'Each province\'s custom indicator definitions as received (national node)' })
  async customFields(@CurrentActor() a: Actor, @Query() q: ProvinceQueryDto) {
    this.requireTop(a);
    return this.db.query(`SELECT province_code AS "province", definitions, updated_at AS "updatedAt" FROM national_custom_fields WHERE ($1::text IS NULL OR province_code = $1) ORDER BY province_code`, [q.province ?? null]);
  }

  /** Federation data is for the node's top level (the ministry, or the province on its own node). */
  private requireTop(a: Actor): void {
    if (a.unitLevel > 2) throw commonError(CommonErrorCode.Forbidden, 'Sync status is for the ministry or the province');
    AccessPolicy.requireInScope(a, a.unitPath);
  }
}
