import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiScope, Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import {
  AttemptListDoc,
  CreateWebhookDto,
  DeliveryListDoc,
  QueuedDoc,
  WebhookDoc,
  WebhookListDoc,
  WebhookWithSecretDoc,
  DeliveriesQueryDto,
  ReplayRangeDto,
  toAttemptResponse,
  toDeliveryResponse,
  toWebhookResponse,
} from './dto/webhook.dto.js';
import { WebhookService } from './webhook.service.js';
import { WebhookControllerResponses } from './webhook.responses.js';

const uuid = new ParseUUIDPipe();
const ADMINS = [Role.SysAdmin, Role.InfoAdmin];

@ApiTags('webhooks')
@Controller('webhooks')
@WebhookControllerResponses
export class WebhookController {
  constructor(private readonly webhooks: WebhookService) {}

  @Post()
  @Authenticated({ roles: ADMINS, scope: ApiScope.ChangesRead })
  @ApiOperation({
    summary:
      'Subscribe your unit (an API client: itself, scope changes:read) to change events (Standard Webhooks); the secret is shown once',
  })
  @ApiCreatedResponse({ type: WebhookWithSecretDoc })
  async create(@CurrentActor() a: Actor, @Body() dto: CreateWebhookDto) {
    const { endpoint, secret } = await this.webhooks.create(a, dto);
    return { ...toWebhookResponse(endpoint), secret };
  }

  @Get()
  @Authenticated({ roles: ADMINS, scope: ApiScope.ChangesRead })
  @ApiOperation({ summary: 'Webhook endpoints of your unit and the units below it' })
  @ApiOkResponse({ type: WebhookListDoc })
  async list(@CurrentActor() a: Actor) {
    return { items: (await this.webhooks.list(a)).map(toWebhookResponse) };
  }

  @Get(':id')
  @Authenticated({ roles: ADMINS, scope: ApiScope.ChangesRead })
  @ApiOperation({ summary: 'One webhook endpoint' })
  @ApiOkResponse({ type: WebhookDoc })
  async get(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return toWebhookResponse(await this.webhooks.get(a, id));
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated({ roles: ADMINS, scope: ApiScope.ChangesRead })
  @ApiOperation({ summary: 'Delete a webhook endpoint and its deliveries' })
  @ApiNoContentResponse({ description: 'Deleted' })
  async remove(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    await this.webhooks.remove(a, id);
  }

  @Post(':id/enable')
  @HttpCode(200)
  @Authenticated({ roles: ADMINS, scope: ApiScope.ChangesRead })
  @ApiOperation({ summary: 'Re-enable an endpoint disabled after failures (what queued meanwhile is sent)' })
  @ApiOkResponse({ type: WebhookDoc })
  async enable(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return toWebhookResponse(await this.webhooks.enable(a, id));
  }

  @Get(':id/deliveries')
  @Authenticated({ roles: ADMINS, scope: ApiScope.ChangesRead })
  @ApiOperation({ summary: "An endpoint's deliveries in change order (state, attempts, last status)" })
  @ApiOkResponse({ type: DeliveryListDoc })
  async deliveries(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Query() q: DeliveriesQueryDto) {
    return { items: (await this.webhooks.deliveries(a, id, q)).map(toDeliveryResponse) };
  }

  @Get(':id/deliveries/:deliveryId/attempts')
  @Authenticated({ roles: ADMINS, scope: ApiScope.ChangesRead })
  @ApiOperation({ summary: "A delivery's attempts (time, duration, status code, error, start of the response)" })
  @ApiOkResponse({ type: AttemptListDoc })
  async attempts(
    @CurrentActor() a: Actor,
    @Param('id', uuid) id: string,
    @Param('deliveryId', uuid) deliveryId: string,
  ) {
    const r = await this.webhooks.attempts(a, id, deliveryId);
    return { delivery: toDeliveryResponse(r.delivery), items: r.attempts.map(toAttemptResponse) };
  }

  @Post(':id/deliveries/:deliveryId/replay')
  @HttpCode(202)
  @Authenticated({ roles: ADMINS, scope: ApiScope.ChangesRead })
  @ApiOperation({ summary: 'Send one delivery again (same webhook-id)' })
  @ApiAcceptedResponse({ type: QueuedDoc })
  async replayOne(
    @CurrentActor() a: Actor,
    @Param('id', uuid) id: string,
    @Param('deliveryId', uuid) deliveryId: string,
  ) {
    return { queued: await this.webhooks.replayOne(a, id, deliveryId) };
  }

  @Post(':id/replay')
  @HttpCode(202)
  @Authenticated({ roles: ADMINS, scope: ApiScope.ChangesRead })
  @ApiOperation({ summary: 'Send again every delivery of the endpoint created in [since, until)' })
  @ApiAcceptedResponse({ type: QueuedDoc })
  async replayRange(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: ReplayRangeDto) {
    return { queued: await this.webhooks.replayRange(a, id, dto) };
  }
}
