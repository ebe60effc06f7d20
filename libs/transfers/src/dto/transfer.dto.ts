import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDateString, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { ALL_KINDS, TRANSFER_KINDS, type TransferKind } from '../transfer.workflow.js';

export class ApplyTransferDto {
  @ApiPropertyOptional({
    enum: TRANSFER_KINDS,
    default: 'transfer',
    description:
      'transfer (调动, applied for by the receiving school); rotation (交流轮岗 without a change of personnel relation) and rotation-transfer (with one), applied for by the sending school',
  })
  @IsOptional()
  @IsIn(TRANSFER_KINDS)
  kind?: TransferKind;

  @ApiPropertyOptional({ description: 'The teacher’s record id (or give idType + idNumber)' })
  @IsOptional()
  @IsUUID()
  teacherId?: string;

  @ApiPropertyOptional({ description: 'ID document type of the teacher (default 1, citizen ID)' })
  @IsOptional()
  @IsString()
  @Length(1, 2)
  idType?: string;

  @ApiPropertyOptional({ description: 'The teacher’s ID number (or give teacherId)' })
  @IsOptional()
  @IsString()
  @Length(4, 40)
  idNumber?: string;

  @ApiPropertyOptional({
    description:
      'Cross-province transfer: the province the teacher comes from (two digits); the teacher is then given by idType + idNumber and teacherName',
    example: '44',
  })
  @IsOptional()
  @Matches(/^\d{2}$/)
  fromProvince?: string;

  @ApiPropertyOptional({ description: 'Cross-province: the teacher’s name as the receiving school knows it' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  teacherName?: string;

  @ApiProperty({ description: 'The receiving school (transfer) or the host school (rotation)' })
  @IsUUID()
  toUnitId: string;

  @ApiPropertyOptional({ description: 'The new post at the receiving school' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  newPost?: string;

  @ApiProperty({ description: 'Effective date (transfer) or start date (rotation), YYYY-MM-DD', example: '2026-12-01' })
  @IsDateString({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  effectiveDate: string;

  @ApiPropertyOptional({ description: 'End date of a rotation, YYYY-MM-DD' })
  @IsOptional()
  @IsDateString({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  endDate?: string;

  @ApiPropertyOptional({ description: 'Kind of rotation (code table rotation-kind; default 2, inter-school)' })
  @IsOptional()
  @IsIn(['1', '2', '3', '9'])
  rotationKind?: string;

  @ApiProperty() @IsString() @Length(1, 1000) reason: string;
}

export class TransferStepDto {
  @ApiPropertyOptional({ description: 'Required when refusing' })
  @IsOptional()
  @IsString()
  @Length(0, 1000)
  reason?: string;
}

export class ListTransfersQueryDto {
  @ApiPropertyOptional({ enum: ['in', 'out', 'all'], default: 'all' })
  @IsOptional()
  @IsIn(['in', 'out', 'all'])
  direction?: 'in' | 'out' | 'all';

  @ApiPropertyOptional({ enum: ALL_KINDS }) @IsOptional() @IsIn(ALL_KINDS) kind?: TransferKind;

  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 40) state?: string;

  @ApiPropertyOptional({ description: 'true: only the cases waiting for your step' })
  @IsOptional()
  @IsIn(['true', 'false'])
  waiting?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) cursor?: string;

  @ApiPropertyOptional({ default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class TransferSettingsDto {
  @ApiProperty({ description: 'Days a case may wait at a step before it is flagged on the to-do lists' })
  @IsInt()
  @Min(1)
  @Max(365)
  deadlineDays: number;
}

export class HostedQueryDto {
  @ApiPropertyOptional({ description: 'The host unit (default: yours)' }) @IsOptional() @IsUUID() unitId?: string;
}
