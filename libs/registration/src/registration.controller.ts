import { ApiFileResponse, MEDIA } from '@tmis/common';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import { EthicsVetoService } from './ethics-veto.service.js';
import { RegistrationListsService, tableToXlsx, type Table } from './registration-lists.service.js';
import { RegistrationService } from './registration.service.js';
import type { ApplicationState } from './registration.workflow.js';
import { RegistrationControllerResponses, RegistrationStatsControllerResponses } from './registration.responses.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class ApplyDto {
  @ApiProperty() @IsUUID() teacherId: string;
  @ApiPropertyOptional({ description: 'The qualification entry (sub-set 8) to register; default the first' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  qualificationEntryId?: string;
}
export class BatchApplyDto {
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  teacherIds: string[];
}
export class StepDto {
  @ApiProperty() @IsInt() @Min(1) version: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 1000) reason?: string;
}
export class DecideDto {
  @ApiProperty() @IsInt() @Min(1) version: number;
  @ApiPropertyOptional({
    enum: ['register', 'defer', 'refuse'],
    description: 'Optional: refused when it contradicts the computed eligibility',
  })
  @IsOptional()
  @IsIn(['register', 'defer', 'refuse'])
  decision?: 'register' | 'defer' | 'refuse';
}
export class ApplicationQueryDto {
  @ApiPropertyOptional({ enum: ['applied', 'school_confirmed', 'returned', 'registered', 'deferred', 'not_passed'] })
  @IsOptional()
  @IsIn(['applied', 'school_confirmed', 'returned', 'registered', 'deferred', 'not_passed'])
  state?: ApplicationState;
}
export class RulesBodyDto {
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(10) cycleYears?: number;
  @ApiPropertyOptional() @IsOptional() @IsNumber() @Min(0) @Max(10000) requiredHours?: number;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsNumber() @Min(0) @Max(10000) requiredCredits?:
    number | null;
  @ApiPropertyOptional({ type: [String], nullable: true })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  countedKinds?: string[] | null;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() missingAssessmentDefers?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(50) vetoYears?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(30) titleYearsInGrade?: number;
  @ApiPropertyOptional({ description: 'The registration authority: 4 county, 3 city, 2 province' })
  @IsOptional()
  @IsInt()
  @IsIn([2, 3, 4])
  authorityLevel?: number;
}
export class RulesVersionDto {
  @ApiProperty() @IsString() @Length(1, 40) version: string;
  @ApiProperty() @Matches(DATE) effectiveFrom: string;
  @ApiProperty({ type: RulesBodyDto }) @IsObject() @ValidateNested() @Type(() => RulesBodyDto) rules: RulesBodyDto;
}
export class ViolationDto {
  @ApiProperty() @IsUUID() teacherId: string;
  @ApiProperty() @Matches(DATE) date: string;
  @ApiProperty() @IsString() @Length(1, 2000) description: string;
}
export class ReasonDto {
  @ApiProperty() @IsString() @Length(1, 1000) reason: string;
}
export class ViolationQueryDto {
  @ApiPropertyOptional({ enum: ['reported', 'confirmed', 'rejected'] })
  @IsOptional()
  @IsIn(['reported', 'confirmed', 'rejected'])
  state?: string;
}
export class ListQueryDto {
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(2000) @Max(2100) year?: number;
  @ApiPropertyOptional({ enum: ['json', 'xlsx'] }) @IsOptional() @IsIn(['json', 'xlsx']) format?: 'json' | 'xlsx';
}
export class DueQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  cursor?: string;
  @ApiPropertyOptional({ description: 'Page size (default 500; an xlsx export takes up to 5,000)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  limit?: number;
}

const uuid = new ParseUUIDPipe();
const READERS = [Role.InfoAdmin, Role.Query];

async function render<T extends Table>(t: T, format?: 'json' | 'xlsx'): Promise<T | StreamableFile> {
  if (format !== 'xlsx') return t;
  return new StreamableFile(await tableToXlsx(t), {
    type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    disposition: `attachment; filename="${t.name}-${t.asOf.slice(0, 10)}.xlsx"`,
  });
}

@ApiTags('registration')
@Controller('registration')
@RegistrationControllerResponses
export class RegistrationController {
  constructor(
    private readonly registration: RegistrationService,
    private readonly veto: EthicsVetoService,
    private readonly lists: RegistrationListsService,
  ) {}

  @Get('rules')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query, Role.SysAdmin] })
  @ApiOperation({ summary: "The province's registration rules: in force, defaults and every version" })
  rules(@CurrentActor() a: Actor) {
    return this.registration.rules(a);
  }

  @Post('rules')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'A new rules version from a date (province-level information administrator)' })
  addRules(@CurrentActor() a: Actor, @Body() dto: RulesVersionDto) {
    return this.registration.addRules(a, { version: dto.version, effectiveFrom: dto.effectiveFrom, rules: dto.rules });
  }

  @Get('teachers/:id')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query, Role.Teacher] })
  @ApiOperation({
    summary: "A teacher's registration: status, cycle, each condition with its evidence, what is missing",
  })
  teacher(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.registration.teacherRegistration(a, id);
  }

  @Get('teachers/:id/title-eligibility')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query, Role.Teacher] })
  @ApiOperation({ summary: 'Title evaluation check: years in grade, assessments, credits and the ethics veto' })
  titleEligibility(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.registration.titleEligibility(a, id);
  }

  @Post('applications')
  @Authenticated({ roles: [Role.Teacher, Role.InfoAdmin] })
  @ApiOperation({ summary: 'Apply for registration (the teacher, or their school)' })
  apply(@CurrentActor() a: Actor, @Body() dto: ApplyDto) {
    return this.registration.apply(a, dto.teacherId, dto.qualificationEntryId);
  }

  @Post('applications/batch')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'The school applies for several teachers; each applied or refused with its reason' })
  applyBatch(@CurrentActor() a: Actor, @Body() dto: BatchApplyDto) {
    return this.registration.applyBatch(a, dto.teacherIds);
  }

  @Get('applications')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Applications in your subtree in a state (default: applied)' })
  list(@CurrentActor() a: Actor, @Query() q: ApplicationQueryDto) {
    return this.registration.list(a, q.state ?? 'applied');
  }

  @Get('applications/:id')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query, Role.Teacher] })
  get(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.registration.get(a, id);
  }

  @Post('applications/:id/school-confirm')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'The school confirms the facts of the record' })
  confirm(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: StepDto) {
    return this.registration.schoolStep(a, id, 'school-confirm', dto.version);
  }

  @Post('applications/:id/school-return')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  schoolReturn(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: StepDto) {
    return this.registration.schoolStep(a, id, 'school-return', dto.version, dto.reason);
  }

  @Post('applications/:id/decide')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'The registration authority decides, following the computed eligibility' })
  decide(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: DecideDto) {
    return this.registration.decide(a, id, dto.version, dto.decision);
  }

  @Post('ethics-violations')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'The school reports a serious violation of professional ethics' })
  report(@CurrentActor() a: Actor, @Body() dto: ViolationDto) {
    return this.veto.report(a, dto.teacherId, dto.date, dto.description);
  }

  @Get('ethics-violations')
  @Authenticated({ roles: [Role.InfoAdmin] })
  violations(@CurrentActor() a: Actor, @Query() q: ViolationQueryDto) {
    return this.veto.list(a, q.state ?? 'reported');
  }

  @Post('ethics-violations/:id/confirm')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'The supervising department confirms: the one-vote veto applies until its end' })
  confirmViolation(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.veto.confirm(a, id);
  }

  @Post('ethics-violations/:id/reject')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  rejectViolation(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: ReasonDto) {
    return this.veto.reject(a, id, dto.reason);
  }

  @Get('lists/due')
  @Authenticated({ roles: READERS })
  @ApiOperation({ summary: 'Teachers whose registration falls due in the year, by school (format=xlsx to export)' })
  @ApiFileResponse(MEDIA.xlsx)
  async due(@CurrentActor() a: Actor, @Query() q: DueQueryDto) {
    return render(await this.lists.due(a, q.year, q.cursor, q.limit ?? (q.format === 'xlsx' ? 5000 : 500)), q.format);
  }

  @Get('lists/below-threshold')
  @Authenticated({ roles: READERS })
  @ApiOperation({ summary: "Teachers due in the year whose cycle's training is below the threshold" })
  @ApiFileResponse(MEDIA.xlsx)
  async below(@CurrentActor() a: Actor, @Query() q: ListQueryDto) {
    return render(await this.lists.belowThreshold(a, q.year), q.format);
  }

  @Get('lists/deferred')
  @Authenticated({ roles: READERS })
  @ApiOperation({ summary: 'Deferred and not-passed teachers, by school' })
  @ApiFileResponse(MEDIA.xlsx)
  async deferred(@CurrentActor() a: Actor, @Query() q: ListQueryDto) {
    return render(await this.lists.negative(a), q.format);
  }
}

@ApiTags('statistics')
@Controller('stats')
@RegistrationStatsControllerResponses
export class RegistrationStatsController {
  constructor(private readonly lists: RegistrationListsService) {}

  @Get('registration')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query, Role.SysAdmin] })
  @ApiOperation({ summary: 'Registration outcomes by region, school type and year (national: per province)' })
  @ApiFileResponse(MEDIA.xlsx)
  async registration(@CurrentActor() a: Actor, @Query() q: ListQueryDto) {
    return render(await this.lists.outcomes(a), q.format);
  }
}
