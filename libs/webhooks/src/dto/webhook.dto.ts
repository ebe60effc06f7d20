import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDateString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import type { AttemptRow, DeliveryRow, EndpointRow } from '../webhook.repository.js';

export class CreateWebhookDto {
  @ApiProperty({ description: 'Where deliveries are POSTed (http or https)' })
  @IsString()
  @MaxLength(2000)
  url!: string;

  @ApiProperty({ description: 'Event types (e.g. teacher.updated, unit.moved) or "*" for all', type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(40, { each: true })
  eventTypes!: string[];

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) description?: string;
}

export class DeliveriesQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'succeeded', 'failed'] })
  @IsOptional()
  @IsIn(['pending', 'succeeded', 'failed'])
  state?: 'pending' | 'succeeded' | 'failed';

  @ApiPropertyOptional({ description: 'Change sequence to list after (paging)' })
  @IsOptional()
  @Matches(/^\d{1,15}$/)
  after?: string;

  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

export class ReplayRangeDto {
  @ApiPropertyOptional({ description: 'Deliveries created at or after (ISO 8601)' })
  @IsOptional()
  @IsDateString()
  since?: string;
  @ApiPropertyOptional({ description: 'Deliveries created before (ISO 8601)' })
  @IsOptional()
  @IsDateString()
  until?: string;
}

export interface WebhookResponse {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  ownerUnitId: string;
  view: 'full' | 'masked';
  status: 'active' | 'disabled';
  consecutiveFailures: number;
  disabledAt: Date | null;
  createdAt: Date;
}

export function toWebhookResponse(e: EndpointRow): WebhookResponse {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    eventTypes: e.eventTypes,
    ownerUnitId: e.ownerUnitId,
    view: e.view,
    status: e.status,
    consecutiveFailures: e.consecutiveFailures,
    disabledAt: e.disabledAt,
    createdAt: e.createdAt,
  };
}

export function toDeliveryResponse(d: DeliveryRow) {
  return {
    id: d.id,
    webhookId: `msg_${d.id}`,
    changeSequence: Number(d.changeSeq),
    eventType: d.eventType,
    state: d.state,
    attempts: d.attempts,
    nextAttemptAt: d.state === 'pending' ? d.nextAttemptAt : null,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    createdAt: d.createdAt,
    deliveredAt: d.deliveredAt,
  };
}

export function toAttemptResponse(a: AttemptRow) {
  return { ...a };
}

/** OpenAPI shapes of the answers (the mappers above build them). */
export class WebhookDoc {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ type: [String] }) eventTypes!: string[];
  @ApiProperty({ format: 'uuid' }) ownerUnitId!: string;
  @ApiProperty({ enum: ['full', 'masked'] }) view!: string;
  @ApiProperty({ enum: ['active', 'disabled'] }) status!: string;
  @ApiProperty() consecutiveFailures!: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) disabledAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class WebhookWithSecretDoc extends WebhookDoc {
  @ApiProperty({ description: 'Signing secret (whsec_…), shown only here' }) secret!: string;
}

export class WebhookListDoc {
  @ApiProperty({ type: [WebhookDoc] }) items!: WebhookDoc[];
}

export class DeliveryDoc {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'The webhook-id header (msg_…)' }) webhookId!: string;
  @ApiProperty() changeSequence!: number;
  @ApiProperty() eventType!: string;
  @ApiProperty({ enum: ['pending', 'succeeded', 'failed'] }) state!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) nextAttemptAt!: string | null;
  @ApiProperty({ nullable: true, type: Number }) lastStatus!: number | null;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) deliveredAt!: string | null;
}

export class DeliveryListDoc {
  @ApiProperty({ type: [DeliveryDoc] }) items!: DeliveryDoc[];
}

export class AttemptDoc {
  @ApiProperty() attempt!: number;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty() durationMs!: number;
  @ApiProperty({ nullable: true, type: Number }) statusCode!: number | null;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ nullable: true, type: String }) responseExcerpt!: string | null;
}

export class AttemptListDoc {
  @ApiProperty({ type: DeliveryDoc }) delivery!: DeliveryDoc;
  @ApiProperty({ type: [AttemptDoc] }) items!: AttemptDoc[];
}

export class QueuedDoc {
  @ApiProperty({ description: 'Deliveries queued again' }) queued!: number;
}
