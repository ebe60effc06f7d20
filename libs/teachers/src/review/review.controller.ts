import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import { ReviewService } from './review.service.js';
import { ReviewControllerResponses } from './review.responses.js';

export class ReviewActionDto {
  @ApiProperty({ description: 'The record version you reviewed' }) @IsInt() @Min(1) version: number;
  @ApiPropertyOptional({ description: 'Required to return' })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  reason?: string;
  @ApiPropertyOptional({ description: 'Reasons per field path, e.g. {"basic.photoRef": "照片不清晰"}' })
  @IsOptional()
  @IsObject()
  fieldReasons?: Record<string, string>;
  @ApiPropertyOptional({ description: 'School review: who took part in the collective review' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  participants?: string[];
  @ApiPropertyOptional({ description: 'School review: the accountable principal' })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  principal?: string;
}

export class ReviewStepParams {
  @IsUUID() id: string;
  @IsIn(['submit', 'school-approve', 'school-return', 'department-approve', 'department-return']) action: string;
}

export class BatchItemDto {
  @ApiProperty() @IsUUID() teacherId: string;
  @ApiProperty() @IsInt() @Min(1) version: number;
}

export class BatchApproveDto {
  @ApiProperty({ type: [BatchItemDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => BatchItemDto)
  items: BatchItemDto[];
}

export class PendingQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) cursor?: string;
}

const uuid = new ParseUUIDPipe();

@ApiTags('review')
@Controller()
@ReviewControllerResponses
export class ReviewController {
  constructor(private readonly review: ReviewService) {}

  @Get('teachers/:id/review')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query, Role.Teacher] })
  @ApiOperation({ summary: 'Review state, the full trail and what you may do next (maySubmit, mayApprove, mayReturn)' })
  view(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.review.view(a, id);
  }

  @Post('teachers/:id/review/:action')
  @ApiParam({ name: 'id', type: String, format: 'uuid' })
  @ApiParam({
    name: 'action',
    enum: ['submit', 'school-approve', 'school-return', 'department-approve', 'department-return'],
  })
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin, Role.Teacher] })
  @ApiOperation({
    summary:
      'Take a review step: submit, school-approve (participants + principal), school-return (reason), department-approve, department-return (reason)',
  })
  act(@CurrentActor() a: Actor, @Param() p: ReviewStepParams, @Body() dto: ReviewActionDto) {
    return this.review.act(a, p.id, p.action, dto);
  }

  @Post('reviews/department-approve')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Department approval of many records at once; a result per record' })
  batch(@CurrentActor() a: Actor, @Body() dto: BatchApproveDto) {
    return this.review.approveBatch(a, dto.items);
  }

  @Get('reviews/pending')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Records waiting for your review (school: submitted; department: school-approved)' })
  pending(@CurrentActor() a: Actor, @Query() q: PendingQueryDto) {
    return this.review.pending(a, q.cursor);
  }
}
