import { ApiFileResponse, MEDIA, ApiProblems } from '@tmis/common';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import { ApiScope, Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import { FingerprintTreeQueryDto, ProvinceQueryDto, TREE_PAGE_MAX } from '@tmis/sync-transport';
import { SyncIngestService } from './ingest.service.js';
import { NationalReconcileService } from './national-reconcile.service.js';
import { NationalRollupService } from './national-rollup.service.js';
import { NodeProvince, NodeTokenGuard } from './node-token.guard.js';
import { NationalExportQueryDto, NationalSearchQueryDto } from './national-search.dto.js';
import { NationalSearchService, type HttpOut } from './national-search.service.js';
import { SyncIngestControllerResponses, NationalTeachersControllerResponses } from './sync-ingest.responses.js';

export class IngestBatchDto {
  @ApiProperty({ type: [String], maxItems: 100, description: 'Sync envelopes, each as its JSON text' })
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  messages: string[];
}

const SCHOOL_CODE = '^[0-9]{10}(-[0-9]{3})?$';
const HASH = '^[0-9a-f]{32}$';

/** One school's line of a province's fingerprint (its GET /sync/fingerprint). */
export class SchoolFingerprintDto {
  @ApiProperty({ pattern: SCHOOL_CODE, description: 'School identification code (a secondary department: -nnn)' })
  @IsString()
  @Matches(new RegExp(SCHOOL_CODE))
  unitCode: string;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 2_000_000_000, description: 'Records the province holds' })
  @IsInt()
  @Min(0)
  @Max(2_000_000_000)
  count: number;
  @ApiProperty({ pattern: HASH, description: 'Hash of the (id, reported version) pairs of the school' })
  @IsString()
  @Matches(new RegExp(HASH))
  hash: string;
}

/** A province's whole fingerprint, as its GET /sync/fingerprint answers it, to compare with national. */
export class FingerprintDto {
  @ApiProperty({ pattern: '^\\d{2}$', example: '11', description: 'The province' })
  @Matches(/^\d{2}$/)
  province: string;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 2_000_000_000, description: 'Records the province holds' })
  @IsInt()
  @Min(0)
  @Max(2_000_000_000)
  total: number;
  @ApiProperty({ pattern: '^[0-9a-f]{1,32}$', description: 'Hash over every school' })
  @IsString()
  @Matches(/^[0-9a-f]{1,32}$/)
  hash: string;
  @ApiProperty({ type: [SchoolFingerprintDto], maxItems: 200000 })
  @IsArray()
  @ArrayMaxSize(200000)
  @ValidateNested({ each: true })
  @Type(() => SchoolFingerprintDto)
  schools: SchoolFingerprintDto[];
}

const TREE_CODE_PATTERN = '^([0-9a-f]{2}|[0-9]{10}(-[0-9]{3})?)$';
const TREE_CODE = new RegExp(TREE_CODE_PATTERN);

/** A node of the reconciliation tree: a bucket (two hex digits) or a school, with its count and hash. */
export class TreeNodeDto {
  @ApiProperty({ pattern: TREE_CODE_PATTERN, description: 'A bucket (two hex digits) or a school code' })
  @IsString()
  @Matches(TREE_CODE)
  code: string;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 2_000_000_000 })
  @IsInt()
  @Min(0)
  @Max(2_000_000_000)
  count: number;
  @ApiProperty({ pattern: HASH })
  @IsString()
  @Matches(new RegExp(HASH))
  hash: string;
}

/** One page of a province's reconciliation tree (from its GET /sync/fingerprint/tree), under the body limit. */
export class TreePageDto {
  @ApiProperty({ pattern: '^\\d{2}$', example: '11', description: 'The province' })
  @Matches(/^\d{2}$/)
  province: string;
  /** Absent: the nodes are the buckets; else the schools of this bucket. */
  @ApiPropertyOptional({
    pattern: '^[0-9a-f]{2}$',
    description: "Absent: the nodes are the buckets; else this bucket's schools",
  })
  @IsOptional()
  @Matches(/^[0-9a-f]{2}$/)
  bucket?: string;
  /** The page covers codes after this one (absent: from the start)… */
  @ApiPropertyOptional({
    pattern: TREE_CODE_PATTERN,
    description: 'The page covers codes after this one (absent: from the start)',
  })
  @IsOptional()
  @Matches(TREE_CODE)
  after?: string;
  /** …up to and including this one (absent: to the end; the page's own last code when it has a next page). */
  @ApiPropertyOptional({
    pattern: TREE_CODE_PATTERN,
    description: "…up to and including this one (absent: to the end; the page's last code when it has a next page)",
  })
  @IsOptional()
  @Matches(TREE_CODE)
  through?: string;
  @ApiProperty({ type: [TreeNodeDto], maxItems: TREE_PAGE_MAX })
  @IsArray()
  @ArrayMaxSize(TREE_PAGE_MAX)
  @ValidateNested({ each: true })
  @Type(() => TreeNodeDto)
  nodes: TreeNodeDto[];
}

/**
 * The national node's sync routes. Every read is scoped like the provincial node's routes: the
 * ministry reads every province, a province-level account its own province only.
 */
@ApiTags('sync')
@Controller('sync')
@SyncIngestControllerResponses
export class SyncIngestController {
  constructor(
    private readonly ingestService: SyncIngestService,
    private readonly reconcile: NationalReconcileService,
    private readonly rollup: NationalRollupService,
  ) {}

  @Get('status')
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query] })
  @ApiOperation({
    summary: 'Per-province progress (sequence, gap, lag) and dead letters, for the provinces the actor reads',
  })
  status(@CurrentActor() a: Actor) {
    return this.rollup.status(a);
  }

  @Get('dead-letters')
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin] })
  @ApiOperation({ summary: 'Messages refused by the national ingest, with the reason' })
  deadLetters(@CurrentActor() a: Actor) {
    return this.rollup.deadLetters(a);
  }

  @Get('teachers')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query], scope: ApiScope.TeachersRead })
  @ApiOperation({ summary: "The national roll-up of a province's reported records (ID numbers masked)" })
  teachers(@CurrentActor() a: Actor, @Query() q: ProvinceQueryDto) {
    return this.rollup.teacherList(a, q.province);
  }

  @Get('training/completion')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query] })
  @ApiOperation({
    summary:
      'Training completion by region from the confirmed credits the provinces sent (per province, or per city of one)',
  })
  trainingCompletion(@CurrentActor() a: Actor, @Query() q: ProvinceQueryDto) {
    return this.rollup.trainingCompletion(a, q.province);
  }

  @Get('custom-fields')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query], scope: ApiScope.TeachersRead })
  @ApiOperation({ summary: "Each province's custom indicator definitions as received" })
  customFieldList(@CurrentActor() a: Actor, @Query() q: ProvinceQueryDto) {
    return this.rollup.customFieldList(a, q.province);
  }

  @Get('fingerprint')
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query] })
  @ApiOperation({ summary: 'Per school of ?province=: count of records held and a hash of (id, reported version)' })
  fingerprint(@CurrentActor() a: Actor, @Query() q: ProvinceQueryDto) {
    return this.reconcile.fingerprint(a, q.province);
  }

  @Get('fingerprint/tree')
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query] })
  @ApiOperation({
    summary: "A page of ?province='s reconciliation tree as national holds it (buckets, or ?bucket='s schools)",
  })
  tree(@CurrentActor() a: Actor, @Query() q: FingerprintTreeQueryDto) {
    return this.reconcile.tree(a, q.province, q.bucket ?? null, q.after ?? null);
  }

  @Get('fingerprint/:unitCode/records')
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query] })
  @ApiOperation({ summary: 'The (id, reported version) pairs of one school, to find which records differ' })
  records(@CurrentActor() a: Actor, @Param('unitCode') unitCode: string, @Query() q: ProvinceQueryDto) {
    return this.reconcile.records(a, unitCode, q.province);
  }

  @Post('reconcile')
  @HttpCode(200)
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query] })
  @ApiOperation({
    summary: "Compare a province's fingerprint (from its GET /sync/fingerprint) with what national holds",
  })
  compare(@CurrentActor() a: Actor, @Body() dto: FingerprintDto) {
    return this.reconcile.compare(a, dto);
  }

  @Post('reconcile/tree')
  @HttpCode(200)
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query] })
  @ApiOperation({
    summary:
      "Compare one page of a province's reconciliation tree (buckets, or one bucket's schools) with national; returns the nodes that differ",
  })
  compareTree(@CurrentActor() a: Actor, @Body() dto: TreePageDto) {
    return this.reconcile.compareTree(a, {
      province: dto.province,
      bucket: dto.bucket ?? null,
      after: dto.after ?? null,
      through: dto.through ?? null,
      nodes: dto.nodes,
    });
  }

  @Get('duplicates')
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query] })
  @ApiOperation({
    summary:
      'The same ID number active in two or more provinces (?province= lists those touching one province; a province sees those touching it)',
  })
  duplicates(@CurrentActor() a: Actor, @Query() q: ProvinceQueryDto) {
    return this.reconcile.crossProvinceDuplicates(a, q.province);
  }

  /** Direct transport (no broker): a provincial node pushes its outbox with its node token. */
  @Post('ingest')
  @ApiBearerAuth()
  @ApiProblems(401, 403)
  @HttpCode(200)
  @UseGuards(NodeTokenGuard)
  @ApiOperation({ summary: 'Sync messages pushed by a provincial node over HTTP (Authorization: Bearer <node token>)' })
  async ingest(@NodeProvince() province: string, @Body() dto: IngestBatchDto) {
    return { outcomes: await this.ingestService.ingestFrom(province, dto.messages) };
  }
}

type StreamRes = HttpOut & { headersSent: boolean; destroy(e?: Error): void };

/** Streams a file response; an error after the first byte can only cut the connection. */
async function streamed(res: StreamRes, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (res.headersSent) {
      res.destroy(e as Error);
      return;
    }
    throw e;
  }
}

/**
 * Ministry staff's search over the national population (issue 17): the provinces' reported records and
 * the central universities' records. Scoped like every national read; masked for query users.
 */
@ApiTags('national')
@Controller('national/teachers')
@NationalTeachersControllerResponses
export class NationalTeachersController {
  constructor(private readonly search: NationalSearchService) {}

  @Get()
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query] })
  @ApiOperation({ summary: 'Search the national population (keyset pages; the filters of a province list)' })
  list(@CurrentActor() a: Actor, @Query() q: NationalSearchQueryDto) {
    return this.search.search(a, q);
  }

  @Get('export')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query] })
  @ApiOperation({ summary: "The search's whole result in the bulk layout (xlsx, or one sub-set as CSV), streamed" })
  @ApiFileResponse(MEDIA.xlsx, MEDIA.csv)
  export(@CurrentActor() a: Actor, @Query() q: NationalExportQueryDto, @Res() res: StreamRes) {
    return streamed(res, () => this.search.export(a, q, res));
  }

  @Get(':id')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query] })
  @ApiOperation({ summary: "One record as reported, with its province's custom indicators labelled" })
  get(@CurrentActor() a: Actor, @Param('id', ParseUUIDPipe) id: string) {
    return this.search.get(a, id);
  }
}
