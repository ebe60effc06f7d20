import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min, ValidateIf } from 'class-validator';
import { Role } from '@tmis/access';
import { maskIdNumber } from '@tmis/common';
import { ID_DOCUMENT_TYPES } from '@tmis/core-indicators';
import { AccountStatus, type AccountRow } from '../account.entity.js';

const idTypes = ID_DOCUMENT_TYPES.entries.map((e) => e.code);

export class LoginDto {
  @ApiProperty({ example: 'moe.admin' }) @IsString() @Length(1, 64) username: string;
  @ApiProperty() @IsString() @Length(1, 128) password: string;
}

export class RefreshDto {
  @ApiProperty() @IsString() @Length(20, 200) refreshToken: string;
}

export class ChangePasswordDto {
  @ApiProperty() @IsString() @Length(1, 128) currentPassword: string;
  @ApiProperty({ description: 'At least 8 characters from three of: upper case, lower case, digits, symbols' })
  @IsString()
  @Length(1, 128)
  newPassword: string;
}

export class CreateAccountDto {
  @ApiProperty({ description: 'Unit the account belongs to' }) @IsUUID() unitId: string;
  @ApiProperty({ enum: Role }) @IsIn(Object.values(Role)) role: Role;
  @ApiPropertyOptional({
    description: 'Login name (3-64 of a-z 0-9 . _ -). For teachers it is the ID number and may be omitted.',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{3,64}$/, { message: 'username must be 3-64 characters of letters, digits, . _ -' })
  username?: string;
  @ApiProperty({ description: 'Real name (实名)' }) @IsString() @Length(1, 100) realName: string;
  @ApiPropertyOptional({ enum: idTypes, default: '1' }) @IsOptional() @IsIn(idTypes) idType?: string;
  @ApiProperty({ description: 'ID document number; a resident ID card is checked with GB 11643' })
  @IsString()
  @Length(4, 32)
  idNumber: string;
  @ApiProperty({ description: 'Initial password; the holder must change it at first login' })
  @IsString()
  @Length(1, 128)
  initialPassword: string;
}

/** Optional but, when present, not null (`@IsOptional` lets null through to a NOT NULL column). */
const Omittable = () => ValidateIf((_o: object, v: unknown) => v !== undefined);

export class UpdateAccountDto {
  @ApiProperty() @IsInt() @Min(1) version: number;
  @ApiPropertyOptional() @Omittable() @IsString() @Length(1, 100) realName?: string;
  @ApiPropertyOptional({ enum: AccountStatus })
  @Omittable()
  @IsIn(Object.values(AccountStatus))
  status?: AccountStatus;
}

export class ResetPasswordDto {
  @ApiProperty() @IsInt() @Min(1) version: number;
  @ApiProperty({ description: 'Temporary password; must be changed at next login' })
  @IsString()
  @Length(1, 128)
  temporaryPassword: string;
}

export class VersionDto {
  // Also a query (DELETE …/certificate?version=): the text is made a number before it is checked.
  @ApiProperty() @Type(() => Number) @IsInt() @Min(1) version: number;
}

export class BindCertificateDto {
  @ApiProperty() @IsInt() @Min(1) version: number;
  @ApiProperty({ description: 'SHA-256 fingerprint of the CA-issued client certificate (hex, colons optional)' })
  @IsString()
  @Matches(/^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/, {
    message: 'fingerprint must be a SHA-256 fingerprint (64 hex digits, colons optional)',
  })
  fingerprint: string;
}

export class ListAccountsQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() unitId?: string;
  @ApiPropertyOptional({ enum: Role }) @IsOptional() @IsIn(Object.values(Role)) role?: Role;
  @ApiPropertyOptional({ enum: AccountStatus })
  @IsOptional()
  @IsIn(Object.values(AccountStatus))
  status?: AccountStatus;
  @ApiPropertyOptional() @IsOptional() @IsUUID() cursor?: string;
  @ApiPropertyOptional({ default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

export class AccountResponse {
  id: string;
  unitId: string;
  role: Role;
  username: string;
  realName: string;
  idType: string;
  /** Masked unless the reader is the account holder. */
  idNumber: string | null;
  status: AccountStatus;
  mustChangePassword: boolean;
  lockedUntil: Date | null;
  certificateBound: boolean;
  version: number;
  createdAt: Date;
}

export function toAccountResponse(a: AccountRow, opts: { unmasked?: boolean } = {}): AccountResponse {
  const usernameIsId = a.username === a.idNumber.toLowerCase();
  return {
    id: a.id,
    unitId: a.unitId,
    role: a.role,
    username: usernameIsId && !opts.unmasked ? maskIdNumber(a.username)! : a.username,
    realName: a.realName,
    idType: a.idType,
    idNumber: opts.unmasked ? a.idNumber : maskIdNumber(a.idNumber),
    status: a.status,
    mustChangePassword: a.mustChangePassword,
    lockedUntil: a.lockedUntil && a.lockedUntil > new Date() ? a.lockedUntil : null,
    certificateBound: a.certFingerprint != null,
    version: a.version,
    createdAt: a.createdAt,
  };
}

export interface TokenResponse {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  mustChangePassword: boolean;
}
