import { ApiFileResponse, MEDIA } from '@tmis/common';
import { Readable, type Writable } from 'node:stream';
import { Controller, Get, HttpCode, Post, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiScope, Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import {
  BreakdownQueryDto,
  RefreshQueryDto,
  ReportQueryDto,
  RetirementsQueryDto,
  StatsQueryDto,
} from './dto/stats-query.dto.js';
import { StatsService, type TableRequest } from './stats.service.js';
import { csvChunks, jsonChunks, toCsv, toXlsx, xlsxStream, type StatsTable } from './stats.table.js';
import { StatsControllerResponses } from './stats.responses.js';

const READERS = [Role.Query, Role.InfoAdmin, Role.SysAdmin];
/** Above this many rows a table (JSON, CSV, xlsx) is streamed in chunks instead of built whole in memory (issue 17). */
const STREAM_ROWS = 2000;

/** JSON, or the same table as CSV / xlsx (`format=`), with the freshness in headers. */
async function render(
  table: StatsTable,
  format: StatsQueryDto['format'],
  name: string,
): Promise<StatsTable | StreamableFile> {
  const large = table.rows.length > STREAM_ROWS;
  if (!format || format === 'json')
    return large
      ? new StreamableFile(Readable.from(jsonChunks(table)), { type: 'application/json; charset=utf-8' })
      : table;
  const file = `${name}-${table.asOf.slice(0, 10)}.${format}`;
  if (format === 'csv' && large)
    return new StreamableFile(Readable.from(csvChunks(table)), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="${file}"`,
    });
  if (format === 'xlsx' && large)
    return new StreamableFile(xlsxStream(table), {
      type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      disposition: `attachment; filename="${file}"`,
    });
  const body = format === 'csv' ? Buffer.from(toCsv(table), 'utf8') : await toXlsx(table);
  const type =
    format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  return new StreamableFile(body, { type, disposition: `attachment; filename="${file}"` });
}

@ApiTags('statistics')
@Controller('stats')
@StatsControllerResponses
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  private async table(a: Actor, name: string, req: TableRequest) {
    return render(await this.stats.table(a, req), req.query.format, name);
  }

  @Get('dimensions')
  @Authenticated({ roles: READERS, scope: ApiScope.StatsRead })
  @ApiOperation({
    summary:
      "The dimensions you may break down and filter by (core, and the province's custom indicators on a provincial node)",
  })
  dimensions(@CurrentActor() a: Actor) {
    return this.stats.dimensions(a);
  }

  @Get('freshness')
  @Authenticated({ roles: READERS, scope: ApiScope.StatsRead })
  @ApiOperation({
    summary: 'How fresh the figures are: asOf (when the source was read), the last refresh and the schedule',
  })
  freshness(@CurrentActor() a: Actor) {
    return this.stats.freshness(a);
  }

  @Post('refresh')
  @HttpCode(200)
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin] })
  @ApiOperation({
    summary:
      "Bring the figures up to date now (system or information administrator of the node's top unit): the teachers written since the last refresh, or everything with full=true; waits for a running refresh first",
  })
  refresh(@CurrentActor() a: Actor, @Query() q: RefreshQueryDto) {
    return this.stats.refresh(a, q.full === 'true');
  }

  @Get('breakdown')
  @Authenticated({ roles: READERS, scope: ApiScope.StatsRead })
  @ApiOperation({
    summary:
      'Teacher counts in your subtree by any dimensions (by=), unit level (level=) and filters (filter=dim:v|v,…); format=csv|xlsx to export',
  })
  @ApiFileResponse(MEDIA.csv, MEDIA.xlsx)
  breakdown(@CurrentActor() a: Actor, @Query() q: BreakdownQueryDto) {
    const by = q.by ? q.by.split(',') : [];
    return this.table(a, 'breakdown', { title: { zh: '教师人数统计', en: 'Teacher counts' }, by, query: q });
  }

  @Get('age-pyramid')
  @Authenticated({ roles: READERS, scope: ApiScope.StatsRead })
  @ApiOperation({ summary: 'Age pyramid: age band × sex' })
  @ApiFileResponse(MEDIA.csv, MEDIA.xlsx)
  agePyramid(@CurrentActor() a: Actor, @Query() q: StatsQueryDto) {
    return this.table(a, 'age-pyramid', {
      title: { zh: '年龄结构', en: 'Age pyramid' },
      by: ['ageBand', 'sex'],
      query: q,
    });
  }

  @Get('education-structure')
  @Authenticated({ roles: READERS, scope: ApiScope.StatsRead })
  @ApiOperation({ summary: 'Highest education structure' })
  @ApiFileResponse(MEDIA.csv, MEDIA.xlsx)
  education(@CurrentActor() a: Actor, @Query() q: StatsQueryDto) {
    return this.table(a, 'education-structure', {
      title: { zh: '学历结构', en: 'Education structure' },
      by: ['highestEducation'],
      query: q,
    });
  }

  @Get('title-structure')
  @Authenticated({ roles: READERS, scope: ApiScope.StatsRead })
  @ApiOperation({ summary: 'Professional title structure by title level' })
  @ApiFileResponse(MEDIA.csv, MEDIA.xlsx)
  titles(@CurrentActor() a: Actor, @Query() q: StatsQueryDto) {
    return this.table(a, 'title-structure', {
      title: { zh: '职称结构', en: 'Title structure' },
      by: ['titleLevel'],
      query: q,
    });
  }

  @Get('subject-supply')
  @Authenticated({ roles: READERS, scope: ApiScope.StatsRead })
  @ApiOperation({ summary: 'Teachers per subject taught, by region (default level: one below the scope)' })
  @ApiFileResponse(MEDIA.csv, MEDIA.xlsx)
  subjects(@CurrentActor() a: Actor, @Query() q: StatsQueryDto) {
    return this.table(a, 'subject-supply', {
      title: { zh: '分学科教师供给', en: 'Subject supply by region' },
      by: ['subject'],
      query: q,
      defaultLevel: 'child',
    });
  }

  @Get('retirements')
  @Authenticated({ roles: READERS, scope: ApiScope.StatsRead })
  @ApiOperation({
    summary:
      'Teachers reaching the statutory retirement age in this year and the next years-1, by year, subject and region',
  })
  @ApiFileResponse(MEDIA.csv, MEDIA.xlsx)
  retirements(@CurrentActor() a: Actor, @Query() q: RetirementsQueryDto) {
    const years = this.stats.retirementYears(q.years ?? 5);
    return this.table(a, 'retirements', {
      title: {
        zh: `未来${years.length}年达到退休年龄的教师`,
        en: `Teachers reaching retirement age in the next ${years.length} years`,
      },
      by: ['retireYear', 'subject'],
      query: q,
      defaultLevel: 'child',
      fixedFilters: [{ dim: 'retireYear', values: years }],
      notes: [
        {
          zh: '退休年龄：男60周岁、女55周岁，按2025年起实施的渐进式延迟法定退休年龄办法调整（详见docs/statistics.md）。',
          en: 'Retirement age: men 60, women 55, raised gradually from 2025 under the statutory reform (see docs/statistics.md).',
        },
      ],
    });
  }

  @Get('pay-bands')
  @Authenticated({ roles: READERS, scope: ApiScope.StatsRead })
  @ApiOperation({
    summary: 'Teachers by band of the latest annual pay (information administrators only: query users never see pay)',
  })
  @ApiFileResponse(MEDIA.csv, MEDIA.xlsx)
  payBands(@CurrentActor() a: Actor, @Query() q: StatsQueryDto) {
    return this.table(a, 'pay-bands', { title: { zh: '年工资收入分布', en: 'Pay bands' }, by: ['payBand'], query: q });
  }

  @Get('reports/teachers')
  @Authenticated({ roles: READERS, scope: ApiScope.StatsRead })
  @ApiOperation({
    summary:
      'The teacher tables of the yearly education statistics (教育事业统计) for a unit, as xlsx: full-time teachers by education, title, age, sex and urban/rural per school type; leavers',
  })
  @ApiFileResponse(MEDIA.xlsx)
  async report(
    @CurrentActor() a: Actor,
    @Query() q: ReportQueryDto,
    @Res() res: Writable & { setHeader(k: string, v: string): void },
  ) {
    await this.stats.standardReport(a, q.unit, res);
  }
}
