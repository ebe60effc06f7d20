import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import { SpotCheckService } from './spot-check.service.js';
import { SpotCheckControllerResponses } from './spot-check.responses.js';

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
class ItemParams {
  @IsUUID() id: string;
  @IsUUID() itemId: string;
}

const uuid = new ParseUUIDPipe();

@ApiTags('collection')
@Controller()
@SpotCheckControllerResponses
export class SpotCheckController {
  constructor(private readonly checks: SpotCheckService) {}

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
  @ApiParam({ name: 'id', type: String, format: 'uuid' })
  @ApiParam({ name: 'itemId', type: String, format: 'uuid' })
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
}
