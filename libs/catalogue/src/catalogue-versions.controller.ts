import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsArray, IsObject, IsOptional, IsString, Matches } from 'class-validator';
import { Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import type { CatalogueChanges } from './catalogue-changes.js';
import { CatalogueVersionsService } from './catalogue-versions.service.js';
import { NationalCatalogue } from './national-catalogue.service.js';
import {
  CataloguePublishControllerResponses,
  CatalogueVersionsControllerResponses,
} from './catalogue-versions.responses.js';

export class PublishVersionDto {
  @ApiProperty({ example: '2026.2' }) @IsString() @Matches(/^\d{4}\.\d{1,3}$/) version: string;
  @ApiPropertyOptional({ description: 'New codes per national code table: { "title": [{ "code", "zh", "en" }] }' })
  @IsOptional()
  @IsObject()
  addCodes?: CatalogueChanges['addCodes'];
  @ApiPropertyOptional({ description: 'Codes retired per national code table (refused on new writes)' })
  @IsOptional()
  @IsObject()
  retireCodes?: CatalogueChanges['retireCodes'];
  @ApiPropertyOptional({ description: 'New optional fields: [{ subSet, key, zh, en, type, codeTable?, maxLength? }]' })
  @IsOptional()
  @IsArray()
  addFields?: CatalogueChanges['addFields'];
}

@ApiTags('catalogue')
@Controller('catalogue/versions')
@CatalogueVersionsControllerResponses
export class CatalogueVersionsController {
  constructor(private readonly versions: CatalogueVersionsService) {}

  @Get()
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query] })
  @ApiOperation({
    summary: 'The catalogue versions this node holds, the current and previous one (national: each province’s)',
  })
  list(@CurrentActor() a: Actor) {
    return this.versions.list(a);
  }
}

/** The national node only (its composition binds it): the ministry publishes a catalogue version. */
@ApiTags('catalogue')
@Controller('catalogue/versions')
@CataloguePublishControllerResponses
export class CataloguePublishController {
  constructor(private readonly national: NationalCatalogue) {}

  @Post()
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin] })
  @ApiOperation({ summary: 'National, the ministry: publish a new catalogue version to every province' })
  publish(@CurrentActor() a: Actor, @Body() dto: PublishVersionDto) {
    const { version, ...changes } = dto;
    return this.national.publish(a, version, changes);
  }
}
