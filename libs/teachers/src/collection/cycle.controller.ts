import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import { CycleService } from './cycle.service.js';
import { CycleControllerResponses } from './cycle.responses.js';

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

const uuid = new ParseUUIDPipe();

@ApiTags('collection')
@Controller()
@CycleControllerResponses
export class CycleController {
  constructor(private readonly cycles: CycleService) {}

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
}
