import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Matches, Max, Min } from 'class-validator';
import { Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import { AuditService } from './audit.service.js';
import { AuditControllerResponses } from './audit.responses.js';

export class AuditQueryDto {
  @IsOptional() @IsString() @Matches(/^[a-z0-9_.]{1,64}$/) action?: string;
  @IsOptional() @IsUUID() actorAccountId?: string;
  /** Calls made by one API client (its reads included). */
  @IsOptional() @IsUUID() actorClientId?: string;
  @IsOptional() @Matches(/^[0-9]{1,18}$/) cursor?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

@ApiTags('audit')
@Controller('audit')
@AuditControllerResponses
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Authenticated({ roles: [Role.SysAdmin] })
  @ApiOperation({
    summary: "Audit trail of your unit and the units below it (newest first), API clients' calls included",
  })
  list(@CurrentActor() actor: Actor, @Query() q: AuditQueryDto) {
    return this.audit.list(actor, q);
  }
}
