import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Min } from 'class-validator';
import { Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import { toTeacherResponse } from '../dto/teacher.dto.js';
import { TeacherService } from '../teacher.service.js';
import { TeacherStatusControllerResponses } from './status.responses.js';

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

const uuid = new ParseUUIDPipe();

@ApiTags('collection')
@Controller()
@TeacherStatusControllerResponses
export class TeacherStatusController {
  constructor(private readonly teachers: TeacherService) {}

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
}
