import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { CREDIT_KINDS } from '../credit-rules.js';

export const PROJECT_LEVELS = ['national', 'province', 'city', 'county', 'school'] as const;
export const PROJECT_CATEGORIES = ['national_project', 'provincial', 'city', 'county', 'school_based'] as const;

export class RegisterInstitutionDto {
  @ApiProperty({ description: 'Unified social credit code (统一社会信用代码), 18 characters' })
  @Matches(/^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/)
  code: string;
  @ApiProperty() @IsString() @Length(1, 200) name: string;
}

export class ProjectTargetDto {
  @ApiPropertyOptional({ type: [String], description: 'School type codes (21 primary, …)' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  schoolTypes?: string[];
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @IsString({ each: true }) subjects?: string[];
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @IsString({ each: true }) titles?: string[];
}

export class CreateProjectDto {
  @ApiProperty({
    enum: PROJECT_LEVELS,
    description: 'Must match your unit (a province may also enter a national project)',
  })
  @IsIn(PROJECT_LEVELS)
  level: (typeof PROJECT_LEVELS)[number];
  @ApiPropertyOptional({ description: "The ministry's project code, for a national project entered by a province" })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  nationalCode?: string;
  @ApiProperty() @IsString() @Length(1, 200) name: string;
  @ApiProperty({ enum: PROJECT_CATEGORIES }) @IsIn(PROJECT_CATEGORIES) category: string;
  @ApiPropertyOptional({
    enum: ['training', 'online'],
    description: 'Kind of credit (school-based plans: school_based)',
  })
  @IsOptional()
  @IsIn(['training', 'online'])
  creditKind?: 'training' | 'online';
  @ApiProperty() @IsString() @Length(1, 200) organiser: string;
  @ApiProperty() @IsNumber() @Min(0.5) @Max(2000) hours: number;
  @ApiProperty({ example: '2026-03-01' }) @IsISO8601({ strict: true }) startsOn: string;
  @ApiProperty({ example: '2026-03-10' }) @IsISO8601({ strict: true }) endsOn: string;
  @ApiProperty() @IsInt() @Min(1) @Max(10_000_000) capacity: number;
  @ApiPropertyOptional({ type: ProjectTargetDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ProjectTargetDto)
  target?: ProjectTargetDto;
  @ApiPropertyOptional({ description: 'Teachers may enrol themselves' }) @IsOptional() @IsBoolean() selfEnrol?: boolean;
  @ApiProperty({ type: [String], description: 'Training institutions (org units of kind institution) that run it' })
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  institutionIds: string[];
}

export class ProjectQueryDto {
  @ApiPropertyOptional({ enum: PROJECT_LEVELS }) @IsOptional() @IsIn(PROJECT_LEVELS) level?: string;
  @ApiPropertyOptional({ enum: ['pending', 'approved', 'refused'] })
  @IsOptional()
  @IsIn(['pending', 'approved', 'refused'])
  state?: string;
}

export class DecideProjectDto {
  @ApiProperty() @IsInt() @Min(1) version: number;
  @ApiPropertyOptional({ description: 'Required to refuse' })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  reason?: string;
}

export class EnrolDto {
  @ApiPropertyOptional({ type: [String], description: 'Teacher record ids (omit when a teacher enrols themselves)' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(2000)
  @IsUUID('all', { each: true })
  teacherIds?: string[];
}

export class ResultDto {
  @ApiProperty() @IsUUID() teacherId: string;
  @ApiProperty() @IsNumber() @Min(0) @Max(2000) completedHours: number;
  @ApiProperty() @IsBoolean() passed: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) certificateNo?: string;
}

export class ResultsDto {
  @ApiProperty({ type: [ResultDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => ResultDto)
  results: ResultDto[];
}

export class CreditRulesDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { training: 10, school_based: 20, online: 20 },
  })
  @IsObject()
  hoursPerCredit: Record<string, number>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'number' } })
  @IsOptional()
  @IsObject()
  capPerKindPerYear?: Record<string, number>;
  @ApiPropertyOptional() @IsOptional() @IsNumber() @Min(0) capPerYear?: number;
  @ApiProperty({ enum: CREDIT_KINDS, isArray: true })
  @IsArray()
  @IsIn(CREDIT_KINDS, { each: true })
  registrationKinds: string[];
  @ApiProperty({ example: 36 }) @IsNumber() @Min(0) registrationCredits: number;
  @ApiProperty({ example: 2021 }) @IsInt() @Min(1990) @Max(2100) cycleStartYear: number;
}

export class AddRuleDto {
  @ApiProperty({ example: '2026-01-01' }) @IsISO8601({ strict: true }) effectiveFrom: string;
  @ApiProperty({ type: CreditRulesDto }) @ValidateNested() @Type(() => CreditRulesDto) rules: CreditRulesDto;
}

export class ApplyCreditsDto {
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  creditIds: string[];
  @ApiProperty({ enum: ['registration', 'title'] }) @IsIn(['registration', 'title']) purpose: 'registration' | 'title';
  @ApiProperty() @IsString() @Length(1, 100) referenceId: string;
}

export class BankQueryDto {
  @ApiPropertyOptional({ description: 'Window start (default: the current cycle)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }) to?: string;
}

export class SubtreeBankQueryDto extends BankQueryDto {
  @ApiPropertyOptional({ description: 'Unit (default: yours)' }) @IsOptional() @IsUUID() unitId?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() cursor?: string;
}

export class ClaimDto {
  @ApiProperty({ enum: ['course', 'degree', 'research', 'publication'] })
  @IsIn(['course', 'degree', 'research', 'publication'])
  kind: string;
  @ApiProperty() @IsString() @Length(1, 200) title: string;
  @ApiProperty() @IsNumber() @Min(0.5) @Max(2000) hours: number;
  @ApiProperty() @IsISO8601({ strict: true }) occurredOn: string;
  @ApiProperty({ description: 'What proves it (certificate, transcript, publication reference)' })
  @IsString()
  @Length(1, 2000)
  evidence: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) documentRef?: string;
}

export class ClaimDecisionDto {
  @ApiProperty() @IsInt() @Min(1) version: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 1000) reason?: string;
}

export class ClaimQueryDto {
  @ApiPropertyOptional({ enum: ['submitted', 'school_approved', 'approved', 'refused'] })
  @IsOptional()
  @IsIn(['submitted', 'school_approved', 'approved', 'refused'])
  state?: string;
}

export class TrainingStatsQueryDto {
  @ApiPropertyOptional({ enum: ['region', 'schoolType', 'subject', 'title', 'urbanRural'] })
  @IsOptional()
  @IsIn(['region', 'schoolType', 'subject', 'title', 'urbanRural'])
  by?: 'region' | 'schoolType' | 'subject' | 'title' | 'urbanRural';
  @ApiPropertyOptional({ enum: ['json', 'csv'] }) @IsOptional() @IsIn(['json', 'csv']) format?: 'json' | 'csv';
  @ApiPropertyOptional({ description: 'List only when the cycle ends within this many months (default 12)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(120)
  withinMonths?: number;
}
