import { timingSafeEqual } from 'node:crypto';
import {
  Body,
  Controller,
  createParamDecorator,
  Get,
  HttpCode,
  Inject,
  Injectable,
  Post,
  Query,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import { commonError, CommonErrorCode, ApiProblems } from '@tmis/common';
import { FederationService } from './federation.service.js';
import { FederationNationalControllerResponses, FederationControllerResponses } from './federation.responses.js';

/** The national node's accepted node tokens, province → token (SYNC_NODE_TOKENS); bound by `FederationModule.forNational`. */
export const FEDERATION_NODE_TOKENS = Symbol('FEDERATION_NODE_TOKENS');

interface NodeRequest {
  headers: Record<string, string | string[] | undefined>;
  nodeProvince?: string;
}

/** Admits a provincial node by its node token (SYNC_NODE_TOKENS) and records its province: its identity over HTTP. */
@Injectable()
export class FederationNodeGuard implements CanActivate {
  constructor(@Inject(FEDERATION_NODE_TOKENS) private readonly nodeTokens: Record<string, string>) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<NodeRequest>();
    const auth = req.headers.authorization;
    const given = Buffer.from(typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : '');
    const province = Object.entries(this.nodeTokens).find(([, t]) => {
      const want = Buffer.from(t);
      return want.length === given.length && timingSafeEqual(want, given);
    })?.[0];
    if (!province) throw commonError(CommonErrorCode.Unauthenticated, 'Unknown node token');
    req.nodeProvince = province;
    return true;
  }
}

const NodeProvince = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string => ctx.switchToHttp().getRequest<NodeRequest>().nodeProvince!,
);

export class FederationUpDto {
  @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) messages: string[];
}

export class FederationDownQueryDto {
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(0) after?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

/** The national node's HTTP side of the messenger, for provinces without a broker (node token). */
@ApiTags('federation')
@Controller('federation')
@FederationNationalControllerResponses
export class FederationNationalController {
  constructor(private readonly federation: FederationService) {}

  @Post('up')
  @ApiBearerAuth()
  @ApiProblems(401, 403)
  @HttpCode(200)
  @UseGuards(FederationNodeGuard)
  @ApiOperation({
    summary: 'Messages a provincial node sends to national over HTTP (Authorization: Bearer <node token>)',
  })
  up(@NodeProvince() province: string, @Body() dto: FederationUpDto) {
    return this.federation.receiveUp(province, dto.messages);
  }

  @Get('down')
  @ApiBearerAuth()
  @ApiProblems(401, 403)
  @UseGuards(FederationNodeGuard)
  @ApiOperation({ summary: "The calling province's downward messages after ?after= (its node token)" })
  down(@NodeProvince() province: string, @Query() q: FederationDownQueryDto) {
    return this.federation.downFor(province, q.after ?? 0, q.limit ?? 100);
  }
}

/** Both roles: what the messenger refused. */
@ApiTags('federation')
@Controller('federation')
@FederationControllerResponses
export class FederationController {
  constructor(private readonly federation: FederationService) {}

  @Get('dead-letters')
  @Authenticated({ roles: [Role.SysAdmin, Role.InfoAdmin] })
  @ApiOperation({ summary: 'Federation messages this node refused, with the reason (the node top level only)' })
  deadLetters(@CurrentActor() a: Actor) {
    return this.federation.deadLetters(a);
  }
}
