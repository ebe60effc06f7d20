import { Controller, Get, Header, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { ApiScope, Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import { ChangeFeedService } from './change-feed.service.js';
import { ChangeFeedControllerResponses } from './change-feed.responses.js';

export class ChangesQueryDto {
  @ApiPropertyOptional({
    description: 'Opaque cursor from a previous page (`nextCursor` or an entry’s `cursor`); none = from the start',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  cursor?: string;

  @ApiPropertyOptional({ description: 'Entries per page (1–5000, default 100)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  limit?: number;

  @ApiPropertyOptional({ description: 'Only this unit’s subtree (default: your unit’s)' })
  @IsOptional()
  @IsUUID()
  unitId?: string;
}

class ChangeEntryDoc {
  @ApiProperty({ description: 'Resume after this entry' }) cursor!: string;
  @ApiProperty({ description: 'Gap-free sequence (commit order)' }) sequence!: number;
  @ApiProperty({ example: 'teacher.updated' }) type!: string;
  @ApiProperty({
    enum: ['teacher', 'unit', 'reported-teacher'],
    description: 'reported-teacher: a province’s reported record (national node)',
  })
  entityType!: string;
  @ApiProperty({ format: 'uuid' }) entityId!: string;
  @ApiProperty({ description: "The entity's unit path after the change" }) unitPath!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The path before, when it moved' }) previousUnitPath!:
    string | null;
  @ApiProperty({ format: 'date-time' }) changedAt!: string;
  @ApiProperty({ format: 'date-time' }) committedAt!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The entity after the change (masked per reader)',
  })
  entity!: Record<string, unknown>;
}

class ChangePageDoc {
  @ApiProperty({ type: [ChangeEntryDoc] }) items!: ChangeEntryDoc[];
  @ApiProperty({ description: 'Pass back as cursor' }) nextCursor!: string;
  @ApiProperty({ description: 'More entries follow: read again at once' }) hasMore!: boolean;
  @ApiProperty({ description: 'Cursor of the newest entry' }) headCursor!: string;
}

@ApiTags('changes')
@Controller('changes')
@ChangeFeedControllerResponses
export class ChangeFeedController {
  constructor(private readonly feed: ChangeFeedService) {}

  @Get()
  @ApiOkResponse({ type: ChangePageDoc })
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query], scope: ApiScope.ChangesRead })
  @ApiOperation({
    summary:
      'Every change to teacher records and units in your subtree (an API client: its owner unit’s; scope changes:read), in commit order, resumable from an opaque cursor (no gaps, no duplicates); personal data unmasked only for information administrators and clients with teachers:read:sensitive',
  })
  @Header('Content-Type', 'application/json; charset=utf-8')
  async list(@CurrentActor() a: Actor, @Query() q: ChangesQueryDto, @Req() req: { auditRecordIds?: string[] }) {
    // The page is sent as the JSON text it was spliced into; the call audit takes its record ids from here.
    const page = await this.feed.readText(a, q);
    req.auditRecordIds = page.entityIds;
    return page.json;
  }
}
