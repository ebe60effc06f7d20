import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import { TransfersHubService } from './hub.service.js';
import { TransfersHubControllerResponses } from './hub.responses.js';

export class HubQueryDto {
  @ApiPropertyOptional({
    enum: ['in_flight', 'completed', 'refused', 'expired', 'withdrawn', 'all'],
    default: 'in_flight',
  })
  @IsOptional()
  @IsIn(['in_flight', 'completed', 'refused', 'expired', 'withdrawn', 'all'])
  state?: string;
}

@ApiTags('transfers')
@Controller()
@TransfersHubControllerResponses
export class TransfersHubController {
  constructor(private readonly hub: TransfersHubService) {}

  @Get('cross-province-transfers')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query] })
  @ApiOperation({ summary: 'Cross-province transfers and their step (ministry staff; default: in flight)' })
  list(@CurrentActor() a: Actor, @Query() q: HubQueryDto) {
    return this.hub.list(a, q.state);
  }
}
