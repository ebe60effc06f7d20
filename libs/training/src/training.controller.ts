import { ApiFileResponse, MEDIA, ApiProblems } from '@tmis/common';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  StreamableFile,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import { toUnitResponse } from '@tmis/org';
import { BankService } from './bank.service.js';
import { ClaimService } from './claim.service.js';
import {
  AddRuleDto,
  ApplyCreditsDto,
  BankQueryDto,
  ClaimDecisionDto,
  ClaimDto,
  ClaimQueryDto,
  CreateProjectDto,
  DecideProjectDto,
  EnrolDto,
  ProjectQueryDto,
  RegisterInstitutionDto,
  ResultsDto,
  SubtreeBankQueryDto,
  TrainingStatsQueryDto,
} from './dto/training.dto.js';
import type { CreditRules } from './credit-rules.js';
import { ProjectService } from './project.service.js';
import { ResultsImportService } from './results-import.service.js';
import { TrainingStatsService, type NamedTable } from './training-stats.service.js';
import {
  TrainingControllerResponses,
  NationalProjectControllerResponses,
  CreditBankControllerResponses,
  CreditClaimControllerResponses,
  TrainingStatsControllerResponses,
} from './training.responses.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const xlsx = (buf: Buffer, name: string) =>
  new StreamableFile(buf, { type: XLSX, disposition: `attachment; filename="${name}"` });
const UPLOAD = FileInterceptor('file', { limits: { fileSize: 10 * 1024 * 1024, files: 1 } });
const FILE_BODY = { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } } as const;

const uuid = new ParseUUIDPipe();
const ADMINS = [Role.InfoAdmin, Role.SysAdmin];
const READERS = [Role.InfoAdmin, Role.SysAdmin, Role.Query, Role.Teacher];

@ApiTags('training')
@Controller('training')
@TrainingControllerResponses
export class TrainingController {
  constructor(
    private readonly projects: ProjectService,
    private readonly imports: ResultsImportService,
  ) {}

  @Post('institutions')
  @Authenticated({ roles: ADMINS })
  @ApiOperation({
    summary: 'Register a training institution below your department (its administrators are then created in /accounts)',
  })
  async registerInstitution(@CurrentActor() a: Actor, @Body() dto: RegisterInstitutionDto) {
    return toUnitResponse(await this.projects.registerInstitution(a, dto));
  }

  @Get('institutions')
  @Authenticated({ roles: [Role.InfoAdmin, Role.SysAdmin, Role.Query] })
  async institutions(@CurrentActor() a: Actor) {
    return (await this.projects.institutions(a)).map(toUnitResponse);
  }

  @Post('projects')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: "Enter a training project of your unit's level (a school's plan waits for its department)" })
  createProject(@CurrentActor() a: Actor, @Body() dto: CreateProjectDto) {
    return this.projects.createProject(a, dto);
  }

  @Get('projects')
  @Authenticated({ roles: READERS })
  listProjects(@CurrentActor() a: Actor, @Query() q: ProjectQueryDto) {
    return this.projects.listProjects(a, q);
  }

  @Get('projects/:id')
  @Authenticated({ roles: READERS })
  getProject(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.projects.getProject(a, id);
  }

  @Post('projects/:id/approve')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  approve(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: DecideProjectDto) {
    return this.projects.decideProject(a, id, true, dto.version);
  }

  @Post('projects/:id/refuse')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  refuse(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: DecideProjectDto) {
    return this.projects.decideProject(a, id, false, dto.version, dto.reason);
  }

  @Post('projects/:id/enrolments')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin, Role.Teacher] })
  @ApiOperation({ summary: 'Enrol teachers in your scope, or yourself where the project allows' })
  enrol(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: EnrolDto) {
    return this.projects.enrol(a, id, dto.teacherIds);
  }

  @Get('projects/:id/enrolments')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query] })
  enrolments(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.projects.enrolments(a, id);
  }

  @Post('projects/:id/results')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({
    summary: 'Results per trainee (the institution running the project); confirmed results never change',
  })
  results(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: ResultsDto) {
    return this.projects.submitResults(a, id, dto.results);
  }

  @Get('projects/:id/results/template')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'The results workbook of a project, listing its trainees (the running institution)' })
  @ApiFileResponse(MEDIA.xlsx)
  async resultsTemplate(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return xlsx(await this.imports.template(a, id), `training-results-${id}.xlsx`);
  }

  @Post('projects/:id/results/import')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @UseInterceptors(UPLOAD)
  @ApiConsumes('multipart/form-data')
  @ApiBody(FILE_BODY)
  @ApiOperation({ summary: 'Import results from the workbook: all or nothing, every bad cell reported (row, column)' })
  importResults(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @UploadedFile() file?: { buffer: Buffer }) {
    return this.imports.import(a, id, file?.buffer);
  }

  @Post('projects/:id/results/import/error-report')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @UseInterceptors(UPLOAD)
  @ApiConsumes('multipart/form-data')
  @ApiBody(FILE_BODY)
  @ApiOperation({
    summary: 'The same workbook with every bad cell marked and its messages as notes, plus an _errors sheet',
  })
  @ApiFileResponse(MEDIA.xlsx)
  async resultsErrorReport(
    @CurrentActor() a: Actor,
    @Param('id', uuid) id: string,
    @UploadedFile() file?: { buffer: Buffer },
  ) {
    return xlsx(await this.imports.errorReport(a, id, file?.buffer), `training-results-errors-${id}.xlsx`);
  }

  @Post('projects/:id/confirm')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({
    summary: "Confirm results and credit them (owning department; a national project: the teacher's province)",
  })
  confirm(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.projects.confirm(a, id);
  }
}

/**
 * The ministry's national projects (ADR 0015, issue 14): published to every province. Mounted by the
 * national node only (`NationalTrainingModule`): a provincial node receives the copies and publishes none.
 */
@ApiTags('training')
@Controller('training/projects')
@NationalProjectControllerResponses
export class NationalProjectController {
  constructor(private readonly projects: ProjectService) {}

  @Post(':id/publish')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'The ministry publishes its national project to every province again (copies update)' })
  publish(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.projects.republish(a, id);
  }
}

@ApiTags('training')
@Controller('training')
@CreditBankControllerResponses
export class CreditBankController {
  constructor(private readonly bank: BankService) {}

  @Post('credit-rules')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: "A new version of your province's hour→credit rules (confirmed credits never change)" })
  addRule(@CurrentActor() a: Actor, @Body() dto: AddRuleDto) {
    return this.bank.addRule(a, dto.effectiveFrom, dto.rules as CreditRules);
  }

  @Get('credit-rules')
  @Authenticated({ roles: READERS })
  rules(@CurrentActor() a: Actor) {
    return this.bank.rules(a);
  }

  @Get('bank/me')
  @Authenticated({ roles: [Role.Teacher] })
  @ApiOperation({ summary: 'Your credit bank: every confirmed credit, totals in the current cycle' })
  @ApiProblems(404)
  mine(@CurrentActor() a: Actor, @Query() q: BankQueryDto) {
    return this.bank.mine(a, q);
  }

  @Get('bank')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query] })
  @ApiOperation({ summary: 'Credit totals per teacher in your subtree (ID numbers masked for query users)' })
  subtree(@CurrentActor() a: Actor, @Query() q: SubtreeBankQueryDto) {
    return this.bank.subtree(a, q);
  }

  @Get('bank/teachers/:id')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query] })
  ofTeacher(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Query() q: BankQueryDto) {
    return this.bank.ofTeacher(a, id, q);
  }

  @Post('bank/teachers/:id/apply')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Apply credits to a purpose (registration, title evaluation); refused the second time' })
  apply(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: ApplyCreditsDto) {
    return this.bank.apply(a, id, dto.creditIds, dto.purpose, dto.referenceId);
  }
}

@ApiTags('training')
@Controller('training/claims')
@CreditClaimControllerResponses
export class CreditClaimController {
  constructor(private readonly claims: ClaimService) {}

  @Post()
  @Authenticated({ roles: [Role.Teacher] })
  @ApiOperation({ summary: 'Claim self-study credits with evidence (reviewed by your school, then its department)' })
  @ApiProblems(404)
  claim(@CurrentActor() a: Actor, @Body() dto: ClaimDto) {
    return this.claims.claim(a, dto);
  }

  @Get('mine')
  @Authenticated({ roles: [Role.Teacher] })
  @ApiProblems(404)
  mine(@CurrentActor() a: Actor) {
    return this.claims.mine(a);
  }

  @Get()
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query] })
  list(@CurrentActor() a: Actor, @Query() q: ClaimQueryDto) {
    return this.claims.list(a, q.state);
  }

  @Get(':id')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query, Role.Teacher] })
  get(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.claims.get(a, id);
  }

  @Post(':id/:action')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({
    summary: 'school-approve | school-refuse | department-approve | department-refuse (refusals need a reason)',
  })
  step(
    @CurrentActor() a: Actor,
    @Param('id', uuid) id: string,
    @Param('action') action: string,
    @Body() dto: ClaimDecisionDto,
  ) {
    return this.claims.step(a, id, action, dto.version, dto.reason);
  }
}

@ApiTags('statistics')
@Controller('stats/training')
@TrainingStatsControllerResponses
export class TrainingStatsController {
  constructor(private readonly stats: TrainingStatsService) {}

  private out(t: NamedTable, format?: string) {
    if (format !== 'csv') return t;
    return new StreamableFile(Buffer.from(this.stats.toCsv(t)), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="${t.table}.csv"`,
    });
  }

  @Get('coverage')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query] })
  @ApiOperation({ summary: 'Training coverage, hours and credits per teacher in the current cycle, by a dimension' })
  @ApiFileResponse(MEDIA.csv)
  async coverage(@CurrentActor() a: Actor, @Query() q: TrainingStatsQueryDto) {
    return this.out(await this.stats.coverage(a, q.by ?? 'region'), q.format);
  }

  @Get('below-threshold')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query] })
  @ApiOperation({ summary: 'Teachers below the registration threshold as the cycle end approaches' })
  @ApiFileResponse(MEDIA.csv)
  async belowThreshold(@CurrentActor() a: Actor, @Query() q: TrainingStatsQueryDto) {
    return this.out(await this.stats.belowThreshold(a, q.withinMonths), q.format);
  }
}
