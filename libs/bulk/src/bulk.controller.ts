import { ApiFileResponse, MEDIA } from '@tmis/common';
import {
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import { ListTeachersQueryDto } from '@tmis/teachers';
import { BulkService, type UploadedFileInfo } from './bulk.service.js';
import { BulkExportService, type HttpOut } from './export.service.js';
import { BulkControllerResponses, TeacherExportControllerResponses } from './bulk.responses.js';

export class TemplateQueryDto {
  @ApiPropertyOptional({
    description:
      'Indicator set key (kindergarten, primary-secondary, …) or "all"; default: your school\'s set, or all for a department',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  indicatorSet?: string;
}

export class ImportQueryDto {
  @ApiPropertyOptional({ description: 'Validate only (default true); false validates and commits', default: 'true' })
  @IsOptional()
  @IsIn(['true', 'false'])
  dryRun?: string;
  @ApiPropertyOptional({
    description:
      'all-or-nothing (default): any error writes nothing; valid-only: the persons without errors are written',
    enum: ['all-or-nothing', 'valid-only'],
  })
  @IsOptional()
  @IsIn(['all-or-nothing', 'valid-only'])
  mode?: 'all-or-nothing' | 'valid-only';
}

export class CommitQueryDto {
  @ApiPropertyOptional({ enum: ['all-or-nothing', 'valid-only'] })
  @IsOptional()
  @IsIn(['all-or-nothing', 'valid-only'])
  mode?: 'all-or-nothing' | 'valid-only';
}

export class JobErrorsQueryDto {
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{1,18}$/) cursor?: string;
  @ApiPropertyOptional({ default: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
}

export class ExportQueryDto extends ListTeachersQueryDto {
  @ApiPropertyOptional({ enum: ['xlsx', 'csv'], default: 'xlsx' }) @IsOptional() @IsIn(['xlsx', 'csv']) format?:
    'xlsx' | 'csv';
  @ApiPropertyOptional({ description: 'CSV only: the sub-set (one per file), default basic' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  subSet?: string;
}

type Res = HttpOut & { headersSent: boolean; destroy(e?: Error): void };
const uuid = new ParseUUIDPipe();

/** Streams a file response; an error after the first byte can only cut the connection. */
async function streamed(res: Res, fn: () => Promise<void>): Promise<void> {
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

@ApiTags('bulk')
@Controller('bulk')
@BulkControllerResponses
export class BulkController {
  constructor(
    private readonly jobs: BulkService,
    private readonly files: BulkExportService,
  ) {}

  @Get('templates')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({
    summary:
      'Download an xlsx import template (one sheet per sub-set, drop-downs, instructions; says its catalogue version)',
  })
  @ApiFileResponse(MEDIA.xlsx)
  template(@CurrentActor() a: Actor, @Query() q: TemplateQueryDto, @Res() res: Res) {
    return streamed(res, () => this.files.template(a, q.indicatorSet, res));
  }

  @Post('imports')
  @HttpCode(202)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @UseInterceptors(FileInterceptor('file'))
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiOperation({
    summary:
      'Upload an xlsx or CSV (UTF-8 or GB18030) in the template layout: starts an import job (a dry run unless dryRun=false)',
  })
  upload(@CurrentActor() a: Actor, @UploadedFile() file: UploadedFileInfo | undefined, @Query() q: ImportQueryDto) {
    return this.jobs.startImport(a, file, { dryRun: q.dryRun !== 'false', mode: q.mode ?? 'all-or-nothing' });
  }

  @Get('jobs')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Recent import jobs of your unit and below' })
  list(@CurrentActor() a: Actor) {
    return this.jobs.list(a);
  }

  @Get('jobs/:id')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'A job: state, counts, progress while it runs' })
  get(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.jobs.get(a, id);
  }

  @Get('jobs/:id/errors')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'The errors of a job: sheet, row, column, value, code, messages (en + zh)' })
  errors(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Query() q: JobErrorsQueryDto) {
    return this.jobs.errors(a, id, q.cursor, q.limit ?? 200);
  }

  @Get('jobs/:id/error-report')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'The uploaded sheets with the bad cells marked, plus the list of errors (xlsx)' })
  @ApiFileResponse(MEDIA.xlsx)
  report(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Res() res: Res) {
    return streamed(res, () => this.files.errorReport(a, id, res));
  }

  @Post('jobs/:id/commit')
  @HttpCode(202)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Commit a finished dry run: a new job validates the same file again and writes it' })
  commit(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Query() q: CommitQueryDto) {
    return this.jobs.commit(a, id, q.mode);
  }
}

@ApiTags('teachers')
@Controller('teachers')
@TeacherExportControllerResponses
export class TeacherExportController {
  constructor(private readonly files: BulkExportService) {}

  @Get('export')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query] })
  @ApiOperation({
    summary:
      'Export the filtered list (same filters and scope as GET /teachers) as xlsx or CSV in the import layout; masked for query users (a masked file does not re-import)',
  })
  @ApiFileResponse(MEDIA.xlsx, MEDIA.csv)
  export(@CurrentActor() a: Actor, @Query() q: ExportQueryDto, @Res() res: Res) {
    const { format, subSet, ...filters } = q;
    return streamed(res, () => this.files.exportTeachers(a, filters, format ?? 'xlsx', subSet ?? 'basic', res));
  }
}
