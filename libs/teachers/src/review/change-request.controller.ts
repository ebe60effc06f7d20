import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Min,
  ValidateNested,
} from 'class-validator';
import { Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import { ChangeRequestService } from './change-request.service.js';
import { ChangeRequestControllerResponses } from './change-request.responses.js';

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

const uuid = new ParseUUIDPipe();

@ApiTags('collection')
@Controller()
@ChangeRequestControllerResponses
export class ChangeRequestController {
  constructor(private readonly changes: ChangeRequestService) {}

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
}
