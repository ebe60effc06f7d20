import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { ApiScope, Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import { ChangeFeedService } from './change-feed.service.js';

export class ChangesQueryDto {
  @ApiPropertyOptional({
    description: 'Opaque cursor from a previous page (`nextCursor` or an entry’s `cursor`); none = from the start',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  cursor?: string;

  @ApiPropertyOptional({ description: 'Entries per page (1–1000, default 100)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ description: 'Only this unit’s subtree (default: your unit’s)' })
  @IsOptional()
  @IsUUID()
  unitId?: string;
}

@ApiTags('changes')
@Controller('changes')
export class ChangeFeedController {
  constructor(private readonly feed: ChangeFeedService) {}

  @Get()
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin, Role.Query], scope: ApiScope.ChangesRead })
  @ApiOperation({
    summary:
      'Every change to teacher records and units in your subtree (an API client: its owner unit’s; scope changes:read), in commit order, resumable from an opaque cursor (no gaps, no duplicates); personal data unmasked only for information administrators and clients with teachers:read:sensitive',
  })
  list(@CurrentActor() a: Actor, @Query() q: ChangesQueryDto) {
    return this.feed.read(a, q);
  }
}
