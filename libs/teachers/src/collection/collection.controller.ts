import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
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
import { ChangeRequestService } from '../review/change-request.service.js';
import { toTeacherResponse } from '../dto/teacher.dto.js';
import { TeacherService } from '../teacher.service.js';
import { CycleService } from './cycle.service.js';
import { SpotCheckService } from './spot-check.service.js';
import { TodoService } from './todo.service.js';

export class EntryChangeDto {
  @ApiProperty() @IsString() @Length(1, 40) subSet: string;
  @ApiProperty() @IsUUID() entryId: string;
  @ApiPropertyOptional({
    description: 'Fields to change; null removes the entry',
    type: 'object',
    additionalProperties: true,
    nullable: true,
  })
  @IsOptional()
  @IsObject()
  entry: Record<string, unknown> | null;
}
export class ChangeSetDto {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) @IsOptional() @IsObject() basic?: Record<
    string,
    unknown
  >;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) @IsOptional() @IsObject() contacts?: Record<
    string,
    unknown
  >;
  @ApiPropertyOptional({ type: [EntryChangeDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => EntryChangeDto)
  entries?: EntryChangeDto[];
}
export class CreateChangeRequestDto {
  @ApiProperty({ description: 'The record version the diff is based on' }) @IsInt() @Min(1) baseVersion: number;
  @ApiProperty({ type: ChangeSetDto }) @ValidateNested() @Type(() => ChangeSetDto) changes: ChangeSetDto;
  @ApiProperty() @IsString() @Length(1, 1000) reason: string;
}
export class DecisionDto {
  @ApiProperty() @IsString() @Length(1, 1000) reason: string;
}
export class ChangeRequestQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'approved', 'rejected', 'stale'] })
  @IsOptional()
  @IsIn(['pending', 'approved', 'rejected', 'stale'])
  state?: string;
}
export class StatusChangeDto {
  @ApiProperty() @IsInt() @Min(1) version: number;
  @ApiProperty({ description: 'Person status code (e.g. 03 long absence, 04 resigned, 05 retired, 07 deceased)' })
  @Matches(/^\d{2}$/)
  personStatus: string;
  @ApiProperty({ example: '2026-08-31' })
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  effectiveDate: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 500) reason?: string;
}
export class CreateSpotCheckDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() unitId?: string;
  @ApiProperty({ enum: ['schools', 'teachers'] }) @IsIn(['schools', 'teachers']) kind: 'schools' | 'teachers';
  @ApiProperty() @IsInt() @Min(1) @Max(10000) size: number;
  @ApiPropertyOptional({ description: 'Reproduce an earlier draw' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9]{4,64}$/)
  seed?: string;
}
export class SpotCheckResultDto {
  @ApiProperty({ enum: ['verified', 'discrepancy'] }) @IsIn(['verified', 'discrepancy']) result:
    'verified' | 'discrepancy';
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 1000) note?: string;
}
export class CreateCycleDto {
  @ApiProperty() @IsString() @Length(1, 100) name: string;
  @ApiProperty({ example: '2026-H2' }) @Matches(/^[0-9A-Za-z-]{4,32}$/) period: string;
  @ApiProperty() @IsISO8601({ strict: true }) @Matches(/^\d{4}-\d{2}-\d{2}$/) deadline: string;
}
export class DefaultCyclesDto {
  @ApiProperty() @Type(() => Number) @IsInt() @Min(2000) @Max(2100) year: number;
}
export class ConfirmDto {
  @ApiPropertyOptional({ description: 'A school below you (default: your school)' })
  @IsOptional()
  @IsUUID()
  schoolId?: string;
}
export class ProgressQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() unitId?: string;
}
class ItemParams {
  @IsUUID() id: string;
  @IsUUID() itemId: string;
}

const uuid = new ParseUUIDPipe();

@ApiTags('collection')
@Controller()
export class CollectionController {
  constructor(
    private readonly changes: ChangeRequestService,
    private readonly teachers: TeacherService,
    private readonly checks: SpotCheckService,
    private readonly cycles: CycleService,
    private readonly todo: TodoService,
  ) {}

  @Post('teachers/:id/change-requests')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Request a change to reported information (school information administrator, Art. 19)' })
  request(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: CreateChangeRequestDto) {
    return this.changes.create(a, id, dto.baseVersion, dto.changes, dto.reason);
  }

  @Get('change-requests')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Change requests in your subtree (default: pending)' })
  listRequests(@CurrentActor() a: Actor, @Query() q: ChangeRequestQueryDto) {
    return this.changes.list(a, q.state ?? 'pending');
  }

  @Get('change-requests/:id')
  @Authenticated({ roles: [Role.InfoAdmin] })
  getRequest(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.changes.get(a, id);
  }

  @Post('change-requests/:id/approve')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({
    summary: 'Approve and apply atomically (supervising department); refused if the record changed meanwhile',
  })
  approve(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.changes.approve(a, id);
  }

  @Post('change-requests/:id/reject')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  reject(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: DecisionDto) {
    return this.changes.reject(a, id, dto.reason);
  }

  @Post('teachers/:id/status')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Record a status change with its effective date (Art. 22)' })
  async status(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: StatusChangeDto) {
    return toTeacherResponse(
      await this.teachers.changeStatus(a, id, dto.version, dto.personStatus, dto.effectiveDate, dto.reason),
      this.teachers.view(a),
    );
  }

  @Get('teachers-to-verify')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Records failing ID-number validation or looking like duplicates (Art. 17)' })
  toVerify(@CurrentActor() a: Actor) {
    return this.teachers.toVerify(a);
  }

  @Post('spot-checks')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Draw a reproducible random sample of schools or teachers in your subtree' })
  createCheck(@CurrentActor() a: Actor, @Body() dto: CreateSpotCheckDto) {
    return this.checks.create(a, dto);
  }

  @Get('spot-checks')
  @Authenticated()
  @ApiOperation({ summary: 'Your spot checks and the published ones of the departments above you' })
  listChecks(@CurrentActor() a: Actor) {
    return this.checks.list(a);
  }

  @Get('spot-checks/:id')
  @Authenticated()
  getCheck(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.checks.get(a, id);
  }

  @Put('spot-checks/:id/items/:itemId')
  @HttpCode(204)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Record the verification result of one sampled item' })
  async recordItem(@CurrentActor() a: Actor, @Param() p: ItemParams, @Body() dto: SpotCheckResultDto) {
    await this.checks.record(a, p.id, p.itemId, dto.result, dto.note);
  }

  @Post('spot-checks/:id/publish')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Publish the summary to the units concerned' })
  publish(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.checks.publish(a, id);
  }

  @Post('reporting-cycles')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Define a reporting cycle with its deadline (province)' })
  createCycle(@CurrentActor() a: Actor, @Body() dto: CreateCycleDto) {
    return this.cycles.create(a, dto);
  }

  @Post('reporting-cycles/defaults')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({
    summary: 'Create the statutory cycles of a year: 31 March (previous year) and 30 September (first half)',
  })
  defaults(@CurrentActor() a: Actor, @Body() dto: DefaultCyclesDto) {
    return this.cycles.createDefaults(a, dto.year);
  }

  @Get('reporting-cycles')
  @Authenticated()
  listCycles(@CurrentActor() a: Actor) {
    return this.cycles.list(a);
  }

  @Post('reporting-cycles/:id/confirm')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: "Confirm a school's teachers for the cycle" })
  confirm(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: ConfirmDto) {
    return this.cycles.confirm(a, id, dto.schoolId);
  }

  @Get('reporting-cycles/:id/progress')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query] })
  @ApiOperation({ summary: 'Progress per child unit: schools, confirmed, overdue' })
  progress(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Query() q: ProgressQueryDto) {
    return this.cycles.progress(a, id, q.unitId);
  }

  @Get('todo')
  @Authenticated()
  @ApiOperation({ summary: 'What awaits your action, with counts per kind' })
  todoList(@CurrentActor() a: Actor) {
    return this.todo.list(a);
  }
}
