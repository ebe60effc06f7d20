import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsDateString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { ALL_SCOPES, ApiScope } from '@tmis/access';
import type { ApiClientRow, ApiClientSecretRow } from '../api-clients.repository.js';

export class RegisterApiClientDto {
  @ApiProperty({ example: 'Provincial training platform' }) @IsString() @Length(1, 200) name: string;

  @ApiPropertyOptional({
    description: "Owner unit (your unit or one below it; default yours). The client's scope is its subtree.",
  })
  @IsOptional()
  @IsUUID()
  ownerUnitId?: string;

  @ApiProperty({ enum: ApiScope, isArray: true, example: [ApiScope.TeachersRead, ApiScope.StatsRead] })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(ALL_SCOPES, { each: true })
  scopes: ApiScope[];

  @ApiPropertyOptional({
    type: [String],
    description: 'Source addresses allowed to call (IPv4/IPv6 addresses or CIDR ranges); empty or omitted = any',
    example: ['203.0.113.0/24'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  allowedAddresses?: string[];

  @ApiPropertyOptional({ description: 'When the client stops working (ISO 8601); omitted = never' })
  @IsOptional()
  @IsDateString()
  expiresAt?: string;

  @ApiPropertyOptional({
    description: "Requests per minute for this client (default: the node's API_CLIENT_RATE_LIMIT)",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100000)
  rateLimitPerMinute?: number;
}

export class RotateSecretDto {
  @ApiPropertyOptional({
    description:
      'How long the previous secrets keep working, in seconds (0 = stop now; default 86400, at most 30 days)',
    default: 86400,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2592000)
  overlapSeconds?: number;
}

export class ListApiClientsQueryDto {
  @IsOptional() @IsString() @Length(1, 200) cursor?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}

export class ClientAuditQueryDto {
  @IsOptional() @Matches(/^[0-9]{1,18}$/) cursor?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

export class TokenRequestDoc {
  @ApiProperty({ enum: ['client_credentials'] }) grant_type: string;
  @ApiPropertyOptional({ description: 'Or HTTP Basic (RFC 6749 §2.3.1)' }) client_id?: string;
  @ApiPropertyOptional() client_secret?: string;
  @ApiPropertyOptional({ description: 'Space-separated subset of the granted scopes; default all' }) scope?: string;
}

export class ClientTokenResponseDoc {
  @ApiProperty() access_token: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type: string;
  @ApiProperty() expires_in: number;
  @ApiProperty() scope: string;
}

export type SecretStatus = 'active' | 'expiring' | 'expired' | 'revoked';

export class ApiClientSecretResponse {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'The last characters of the secret, to tell them apart' }) hint: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'End of the overlap period after a rotation',
  })
  expiresAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: string | null;
  @ApiProperty({ enum: ['active', 'expiring', 'expired', 'revoked'] }) status: SecretStatus;
}

export class ApiClientResponse {
  @ApiProperty({ description: 'The client_id of token requests' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() ownerUnitId: string;
  @ApiProperty() ownerUnitPath: string;
  @ApiProperty({ enum: ApiScope, isArray: true }) scopes: string[];
  @ApiProperty({ type: [String] }) allowedAddresses: string[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt: string | null;
  @ApiProperty({ type: Number, nullable: true }) rateLimitPerMinute: number | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: string | null;
  @ApiProperty({ enum: ['active', 'expired', 'revoked'] }) status: 'active' | 'expired' | 'revoked';
  @ApiProperty({ type: [ApiClientSecretResponse] }) secrets: ApiClientSecretResponse[];
}

export class ApiClientPage {
  @ApiProperty({ type: [ApiClientResponse] }) items: ApiClientResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class ApiClientWithSecretResponse extends ApiClientResponse {
  @ApiProperty({ description: 'Shown once: keep it now, only its hash is stored' }) clientSecret: string;
  @ApiProperty() secretId: string;
}

export class NewSecretResponse {
  @ApiProperty() clientId: string;
  @ApiProperty() secretId: string;
  @ApiProperty({ description: 'Shown once: keep it now, only its hash is stored' }) clientSecret: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Until when the previous secrets keep working',
  })
  previousSecretsExpireAt: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toSecretResponse(s: ApiClientSecretRow, now: Date): ApiClientSecretResponse {
  const status: SecretStatus = s.revokedAt
    ? 'revoked'
    : s.expiresAt && s.expiresAt <= now
      ? 'expired'
      : s.expiresAt
        ? 'expiring'
        : 'active';
  return {
    id: s.id,
    hint: s.hint,
    createdAt: s.createdAt.toISOString(),
    expiresAt: iso(s.expiresAt),
    revokedAt: iso(s.revokedAt),
    status,
  };
}

export function toApiClientResponse(
  c: ApiClientRow,
  secrets: ApiClientSecretRow[],
  now = new Date(),
): ApiClientResponse {
  return {
    id: c.id,
    name: c.name,
    ownerUnitId: c.ownerUnitId,
    ownerUnitPath: c.ownerUnitPath,
    scopes: c.scopes,
    allowedAddresses: c.allowedAddresses,
    expiresAt: iso(c.expiresAt),
    rateLimitPerMinute: c.rateLimitPerMinute,
    createdAt: c.createdAt.toISOString(),
    revokedAt: iso(c.revokedAt),
    status: c.revokedAt ? 'revoked' : c.expiresAt && c.expiresAt <= now ? 'expired' : 'active',
    secrets: secrets.map((s) => toSecretResponse(s, now)),
  };
}
