import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  UseFilters,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiUnauthorizedResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import { PROBLEM_REF } from '@tmis/common';
import { ApiClientsService } from './api-clients.service.js';
import { ClientAuthService } from './client-auth.service.js';
import {
  ApiClientPage,
  ApiClientResponse,
  ApiClientWithSecretResponse,
  ClientAuditQueryDto,
  ClientTokenResponseDoc,
  ListApiClientsQueryDto,
  NewSecretResponse,
  RegisterApiClientDto,
  RotateSecretDto,
  TokenRequestDoc,
} from './dto/api-client.dto.js';
import { OAUTH_ERROR_SCHEMA, OAuthErrorFilter } from './oauth.errors.js';
import { ApiClientsControllerResponses, OAuthControllerResponses } from './api-clients.responses.js';

const uuid = new ParseUUIDPipe();

@ApiTags('api-clients')
@Controller('api-clients')
@ApiClientsControllerResponses
export class ApiClientsController {
  constructor(private readonly clients: ApiClientsService) {}

  @Post()
  @Authenticated({ roles: [Role.SysAdmin] })
  @ApiOperation({ summary: 'Register a platform as an API client of your unit or one below it (secret shown once)' })
  @ApiCreatedResponse({ type: ApiClientWithSecretResponse })
  register(@CurrentActor() a: Actor, @Body() dto: RegisterApiClientDto) {
    return this.clients.register(a, dto);
  }

  @Get()
  @Authenticated({ roles: [Role.SysAdmin] })
  @ApiOperation({ summary: 'API clients owned by your unit and the units below it' })
  @ApiOkResponse({ type: ApiClientPage })
  list(@CurrentActor() a: Actor, @Query() q: ListApiClientsQueryDto) {
    return this.clients.list(a, q);
  }

  @Get(':id')
  @Authenticated({ roles: [Role.SysAdmin] })
  @ApiOperation({ summary: 'One API client and its secrets (hints and states, never the secrets)' })
  @ApiOkResponse({ type: ApiClientResponse })
  get(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.clients.get(a, id);
  }

  @Post(':id/secrets')
  @Authenticated({ roles: [Role.SysAdmin] })
  @ApiOperation({ summary: 'Rotate: a new secret (shown once); the previous ones work until the overlap ends' })
  @ApiCreatedResponse({ type: NewSecretResponse })
  rotate(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: RotateSecretDto) {
    return this.clients.rotateSecret(a, id, dto.overlapSeconds);
  }

  @Post(':id/secrets/:secretId/revoke')
  @HttpCode(200)
  @Authenticated({ roles: [Role.SysAdmin] })
  @ApiOperation({ summary: 'Revoke one secret at once (its tokens stop working on their next call)' })
  @ApiOkResponse({ type: ApiClientResponse })
  revokeSecret(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Param('secretId', uuid) secretId: string) {
    return this.clients.revokeSecret(a, id, secretId);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @Authenticated({ roles: [Role.SysAdmin] })
  @ApiOperation({ summary: 'Revoke the client at once: every secret and token stops working' })
  @ApiOkResponse({ type: ApiClientResponse })
  revoke(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.clients.revoke(a, id);
  }

  @Get(':id/audit')
  @Authenticated({ roles: [Role.SysAdmin] })
  @ApiOperation({ summary: "The client's audit trail: tokens, calls, which records it read, refusals (newest first)" })
  audit(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Query() q: ClientAuditQueryDto) {
    return this.clients.calls(a, id, q);
  }
}

interface TokenHttpRequest {
  headers: Record<string, string | undefined>;
  body: unknown;
  ip?: string;
}

@ApiTags('api-clients')
@Controller('oauth')
@UseFilters(OAuthErrorFilter)
@OAuthControllerResponses
export class OAuthController {
  constructor(private readonly auth: ClientAuthService) {}

  @Post('token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: TokenRequestDoc })
  @ApiOkResponse({ type: ClientTokenResponseDoc })
  @ApiBadRequestResponse({
    description: 'RFC 6749 §5.2 error; a body that is not JSON or form data is refused before, as problem+json',
    content: {
      'application/json': { schema: OAUTH_ERROR_SCHEMA },
      'application/problem+json': { schema: { $ref: PROBLEM_REF } },
    },
  })
  @ApiUnauthorizedResponse({ description: 'RFC 6749 §5.2 `invalid_client`', schema: OAUTH_ERROR_SCHEMA })
  @ApiOperation({
    summary:
      'OAuth 2.0 client-credentials grant (RFC 6749 §4.4): client_id/client_secret by HTTP Basic or in the body; errors per §5.2',
  })
  token(@Req() req: TokenHttpRequest) {
    return this.auth.token({ authorization: req.headers.authorization, body: req.body, ip: req.ip ?? null });
  }
}
