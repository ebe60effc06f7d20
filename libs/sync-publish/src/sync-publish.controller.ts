import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import { commonError, CommonErrorCode } from '@tmis/common';
import { FingerprintTreeQueryDto, requireFederationReader } from '@tmis/sync-transport';
import { OutboxRelay } from './outbox.relay.js';
import { PublishedFingerprintService } from './published-fingerprint.service.js';
import { ResyncService } from './resync.service.js';
import { SyncPublishControllerResponses } from './sync-publish.responses.js';

/** The provincial node's sync routes: its outbox, the resync, and its reconciliation fingerprint. */
@ApiTags('sync')
@Controller('sync')
@SyncPublishControllerResponses
export class SyncPublishController {
  constructor(
    private readonly relay: OutboxRelay,
    private readonly fingerprints: PublishedFingerprintService,
    private readonly resyncs: ResyncService,
  ) {}

  @Get('status')
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query] })
  @ApiOperation({ summary: 'The outbox: unpublished events, the last sequence, the transport' })
  async status(@CurrentActor() a: Actor) {
    requireFederationReader(a);
    return { node: 'provincial', outbox: await this.relay.status() };
  }

  @Get('fingerprint')
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query] })
  @ApiOperation({ summary: 'Per school: count of reported records and a hash of (id, reported version)' })
  fingerprint(@CurrentActor() a: Actor) {
    requireFederationReader(a);
    return this.fingerprints.fingerprint();
  }

  @Get('fingerprint/tree')
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query] })
  @ApiOperation({
    summary:
      'The reconciliation tree a page at a time: the 256 bucket hashes, or (?bucket=) the schools of one bucket after ?after=',
  })
  tree(@CurrentActor() a: Actor, @Query() q: FingerprintTreeQueryDto) {
    requireFederationReader(a);
    return this.fingerprints.tree(q.bucket ?? null, q.after ?? null);
  }

  @Get('fingerprint/:unitCode/records')
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query] })
  @ApiOperation({ summary: 'The (id, reported version) pairs of one school, to find which records differ' })
  records(@CurrentActor() a: Actor, @Param('unitCode') unitCode: string) {
    requireFederationReader(a);
    return this.fingerprints.records(unitCode);
  }

  @Post('resync')
  @HttpCode(202)
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin] })
  @ApiOperation({
    summary:
      'Start re-publishing the full reported state (custom fields, units, records as reported; snapshot markers around it) in the background, alongside normal traffic; 409 while one runs',
  })
  resync(@CurrentActor() a: Actor) {
    requireFederationReader(a);
    return this.resyncs.start(a.accountId);
  }

  @Get('resync')
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query] })
  @ApiOperation({ summary: 'The latest resync and its progress (units and records queued)' })
  async resyncStatus(@CurrentActor() a: Actor) {
    requireFederationReader(a);
    const s = await this.resyncs.status();
    if (!s) throw commonError(CommonErrorCode.NotFound, 'No resync has run on this node');
    return s;
  }
}
