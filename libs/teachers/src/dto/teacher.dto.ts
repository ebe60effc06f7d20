import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
  ArrayMaxSize,
  IsArray,
} from 'class-validator';
import { maskIdNumber } from '@tmis/common';
import { SUB_SETS } from '@tmis/core-indicators';
import type { TeacherListRow, TeacherRow } from '../teacher.repository.js';
import { viewRecord, type RecordView } from '../record-view.js';

export const LIST_SUB_SETS = SUB_SETS.filter((s) => s.cardinality === 'many').map((s) => s.key);

export class CreateTeacherDto {
  @ApiProperty({ description: 'The school (or secondary department) the teacher belongs to' }) @IsUUID() unitId: string;
  @ApiProperty({
    description:
      "The record: `{ basic: {...}, contacts: {...}, education: [...], ... }` — fields per the core-indicator catalogue (GET /catalogue) and the province's custom fields",
    type: 'object',
    additionalProperties: true,
  })
  @IsObject()
  record: Record<string, unknown>;
}

export class SingleSubSetChanges {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) @IsOptional() @IsObject() basic?: Record<
    string,
    unknown
  >;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) @IsOptional() @IsObject() contacts?: Record<
    string,
    unknown
  >;
}

export class UpdateTeacherDto {
  @ApiProperty({ description: 'The version you read (optimistic concurrency)' }) @IsInt() @Min(1) version: number;
  @ApiProperty({ description: 'Fields to set in the single sub-sets; null clears a field', type: SingleSubSetChanges })
  @ValidateNested()
  @Type(() => SingleSubSetChanges)
  changes: SingleSubSetChanges;
}

export class EntryDto {
  @ApiProperty() @IsInt() @Min(1) version: number;
  @ApiProperty({ type: 'object', additionalProperties: true }) @IsObject() entry: Record<string, unknown>;
}

export class VersionQueryDto {
  @ApiProperty() @Type(() => Number) @IsInt() @Min(1) version: number;
}

export class SubSetParams {
  @IsUUID() id: string;
  @IsIn(LIST_SUB_SETS, { message: `subSet must be one of the list sub-sets: ${LIST_SUB_SETS.join(', ')}` })
  subSet: string;
  @IsOptional() @IsUUID() entryId?: string;
}

export class ListTeachersQueryDto {
  @ApiPropertyOptional({ description: 'Subtree root (default: your unit)' }) @IsOptional() @IsUUID() unitId?: string;
  @ApiPropertyOptional({ description: 'Name prefix' }) @IsOptional() @IsString() @MaxLength(50) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(32) idNumber?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{2}$/) personStatus?: string;
  @ApiPropertyOptional({ description: 'Include people who left (resigned, retired, …)' })
  @IsOptional()
  @IsIn(['true', 'false'])
  includeInactive?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{2}$/) schoolType?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{2}$/) staffCategory?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{2}$/) subject?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{3}$/) title?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d$/) qualificationType?: string;
  @ApiPropertyOptional({ description: 'Custom field values, `x_key:value[,x_key2:value]`' })
  @IsOptional()
  @Matches(/^x_[A-Za-z0-9]+:[^,]{1,100}(,x_[A-Za-z0-9]+:[^,]{1,100}){0,4}$/)
  custom?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(800) cursor?: string;
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

export class CodeDto {
  @ApiProperty() @IsString() @Matches(/^[A-Za-z0-9]{1,8}$/) code: string;
  @ApiProperty() @IsString() @MaxLength(50) zh: string;
  @ApiProperty() @IsString() @MaxLength(100) en: string;
}

export class CustomFieldDto {
  @ApiProperty({ example: 'x_ruralYears' }) @IsString() @MaxLength(48) key: string;
  @ApiProperty() @IsString() @MaxLength(50) zh: string;
  @ApiProperty() @IsString() @MaxLength(100) en: string;
  @ApiProperty({
    enum: ['string', 'text', 'date', 'yearMonth', 'code', 'boolean', 'integer', 'decimal', 'phone', 'email'],
  })
  @IsIn(['string', 'text', 'date', 'yearMonth', 'code', 'boolean', 'integer', 'decimal', 'phone', 'email'])
  type: 'string' | 'text' | 'date' | 'yearMonth' | 'code' | 'boolean' | 'integer' | 'decimal' | 'phone' | 'email';
  @ApiPropertyOptional({ description: 'A national code table key (GET /catalogue)' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  codeTable?: string;
  @ApiPropertyOptional({ type: [CodeDto], description: "The province's own codes" })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => CodeDto)
  codes?: CodeDto[];
  @ApiProperty({ description: 'Sub-set key, e.g. basic' }) @IsString() @MaxLength(40) subSet: string;
  @ApiProperty({ type: [String] }) @IsArray() @ArrayMaxSize(10) @IsString({ each: true }) requiredIn: string[];
  @ApiProperty({ enum: ['teacher', 'school', 'department'] }) @IsIn(['teacher', 'school', 'department']) owner:
    'teacher' | 'school' | 'department';
  @ApiProperty({ enum: ['normal', 'personal', 'pay'] }) @IsIn(['normal', 'personal', 'pay']) sensitivity:
    'normal' | 'personal' | 'pay';
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(2000) maxLength?: number;
}

export class CustomFieldQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsIn(['true', 'false']) includeRetired?: string;
}

export interface TeacherSummary {
  id: string;
  name: string;
  sex: string | null;
  birthDate: string | null;
  idType: string;
  idNumber: string | null;
  unitId: string;
  personStatus: string;
  active: boolean;
  schoolType: string | null;
  staffCategory: string | null;
  title: string | null;
  subjects: string[];
  version: number;
}

export interface TeacherResponse extends TeacherSummary {
  record: Record<string, unknown>;
  catalogueVersion: string;
  statusSince: string | null;
  reviewState: string;
  reportedVersion: number | null;
  updatedAt: Date;
}

export function toTeacherSummary(t: TeacherListRow, view: RecordView): TeacherSummary {
  return {
    id: t.id,
    name: t.name,
    sex: t.sex,
    birthDate: t.birthDate,
    idType: t.idType,
    idNumber: view === 'masked' ? maskIdNumber(t.idNumber) : t.idNumber,
    unitId: t.unitId,
    personStatus: t.personStatus,
    active: t.active,
    schoolType: t.schoolType,
    staffCategory: t.staffCategory,
    title: t.title,
    subjects: t.subjects,
    version: t.version,
  };
}

export function toTeacherResponse(t: TeacherRow, view: RecordView): TeacherResponse {
  return {
    ...toTeacherSummary(t, view),
    record: viewRecord(t.record, view),
    catalogueVersion: t.catalogueVersion,
    statusSince: t.statusSince,
    reviewState: t.reviewState,
    reportedVersion: t.reportedVersion,
    updatedAt: t.updatedAt,
  };
}
