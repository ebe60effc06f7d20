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
