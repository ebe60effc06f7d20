import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  MaxLength,
} from 'class-validator';
import {
  codeLabel,
  INDICATOR_SET_BY_SCHOOL_TYPE,
  SCHOOL_TYPES,
  SPONSOR,
  URBAN_RURAL,
  type CodeEntry,
} from '@tmis/core-indicators';
import { UnitKind, UnitStatus, type OrgUnitEntity } from '../org-unit.entity.js';

const schoolTypeCodes = SCHOOL_TYPES.entries.map((e) => e.code);
const urbanRuralCodes = URBAN_RURAL.entries.map((e) => e.code);
const sponsorCodes = SPONSOR.entries.map((e) => e.code);

export class CreateUnitDto {
  @ApiProperty({ enum: [UnitKind.City, UnitKind.County, UnitKind.School, UnitKind.Department] })
  @IsIn([UnitKind.City, UnitKind.County, UnitKind.School, UnitKind.Department])
  kind: UnitKind;

  @ApiProperty({ description: 'Parent unit id' })
  @IsUUID()
  parentId: string;

  @ApiPropertyOptional({
    description:
      'GB/T 2260 code (city, county), 10-digit school identification code (school); generated for departments when omitted',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9]{6}$|^[0-9]{10}$|^[0-9]{10}-[0-9]{3}$/, {
    message: 'code must be a 6-digit division code, a 10-digit school code, or <school code>-<3 digits>',
  })
  code?: string;

  @ApiProperty()
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ enum: schoolTypeCodes })
  @IsOptional()
  @IsIn(schoolTypeCodes)
  schoolType?: string;

  @ApiPropertyOptional({ enum: urbanRuralCodes })
  @IsOptional()
  @IsIn(urbanRuralCodes)
  urbanRural?: string;

  @ApiPropertyOptional({ enum: sponsorCodes, description: '1 public, 2 private' })
  @IsOptional()
  @IsIn(sponsorCodes)
  sponsor?: string;

  @ApiPropertyOptional({ description: 'A university under a central ministry (placed under the ministry)' })
  @IsOptional()
  @IsBoolean()
  central?: boolean;
}

export class UpdateUnitDto {
  @ApiProperty({ description: 'The version you read (optimistic concurrency)' })
  @IsInt()
  @Min(1)
  version: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional({ enum: schoolTypeCodes }) @IsOptional() @IsIn(schoolTypeCodes) schoolType?: string;
  @ApiPropertyOptional({ enum: urbanRuralCodes }) @IsOptional() @IsIn(urbanRuralCodes) urbanRural?: string;
  @ApiPropertyOptional({ enum: sponsorCodes }) @IsOptional() @IsIn(sponsorCodes) sponsor?: string;
}

export class MoveUnitDto {
  @ApiProperty() @IsInt() @Min(1) version: number;
  @ApiProperty() @IsUUID() newParentId: string;
}

export class MergeUnitDto {
  @ApiProperty() @IsInt() @Min(1) version: number;
  @ApiProperty({ description: 'The unit that absorbs this one' }) @IsUUID() intoId: string;
}

export class CloseUnitDto {
  @ApiProperty() @IsInt() @Min(1) version: number;
  @ApiProperty({ example: '2026-08-31' }) @IsISO8601({ strict: true }) @Matches(/^\d{4}-\d{2}-\d{2}$/) closedOn: string;
}

export class SubtreeQueryDto {
  @ApiPropertyOptional({ enum: UnitKind }) @IsOptional() @IsIn(Object.values(UnitKind)) kind?: UnitKind;
  @ApiPropertyOptional({ enum: UnitStatus }) @IsOptional() @IsIn(Object.values(UnitStatus)) status?: UnitStatus;
  @ApiPropertyOptional({ enum: schoolTypeCodes }) @IsOptional() @IsIn(schoolTypeCodes) schoolType?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(600) cursor?: string;
  @ApiPropertyOptional({ default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
}

export class ChildrenQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsIn(['true', 'false']) includeInactive?: string;
}

export class UnitLookupDto {
  @ApiProperty() @IsString() @Matches(/^[0-9]{6}$|^[0-9]{10}(-[0-9]{3})?$/) code: string;
}

export interface LabelledCode {
  code: string;
  zh: string;
  en: string;
}

export class UnitResponse {
  id: string;
  kind: UnitKind;
  level: number;
  code: string;
  name: string;
  parentId: string | null;
  path: string;
  status: UnitStatus;
  schoolType: LabelledCode | null;
  indicatorSet: string | null;
  urbanRural: LabelledCode | null;
  sponsor: LabelledCode | null;
  central: boolean;
  mergedIntoId: string | null;
  closedOn: string | null;
  version: number;
  updatedAt: Date;
}

function label(entry: CodeEntry | undefined, code: string | null): LabelledCode | null {
  if (code == null) return null;
  return entry ? { code, zh: entry.zh, en: entry.en } : { code, zh: code, en: code };
}

export function toUnitResponse(u: OrgUnitEntity): UnitResponse {
  return {
    id: u.id,
    kind: u.kind,
    level: u.level,
    code: u.code,
    name: u.name,
    parentId: u.parentId,
    path: u.path,
    status: u.status,
    schoolType: label(u.schoolType ? codeLabel(SCHOOL_TYPES, u.schoolType) : undefined, u.schoolType),
    indicatorSet: u.schoolType ? (INDICATOR_SET_BY_SCHOOL_TYPE[u.schoolType] ?? null) : null,
    urbanRural: label(u.urbanRural ? codeLabel(URBAN_RURAL, u.urbanRural) : undefined, u.urbanRural),
    sponsor: label(u.sponsor ? codeLabel(SPONSOR, u.sponsor) : undefined, u.sponsor),
    central: u.central,
    mergedIntoId: u.mergedIntoId,
    closedOn: u.closedOn,
    version: u.version,
    updatedAt: u.updatedAt,
  };
}
