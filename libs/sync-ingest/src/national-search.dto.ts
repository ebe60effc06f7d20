import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';

/** GET /national/teachers: a province's list filters, over the national population (issue 17). */
export class NationalSearchQueryDto {
  @ApiPropertyOptional({
    description: 'Region: a unit (province, city, county, school) in your scope; default your own',
  })
  @IsOptional()
  @IsUUID()
  unitId?: string;
  @ApiPropertyOptional({ description: 'A province (two digits): its reported records' })
  @IsOptional()
  @Matches(/^\d{2}$/)
  province?: string;
  @ApiPropertyOptional({ description: 'Name prefix' }) @IsOptional() @IsString() @MaxLength(50) name?: string;
  @ApiPropertyOptional({ description: 'Information administrators only' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  idNumber?: string;
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
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{2}$/) highestEducation?: string;
  @ApiPropertyOptional({
    description: "A province's custom values, `x_key:value[,x_key2:value]` (with `province` or a region in it)",
  })
  @IsOptional()
  @Matches(/^x_[A-Za-z0-9]+:[^,]{1,100}(,x_[A-Za-z0-9]+:[^,]{1,100}){0,4}$/)
  custom?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(800) cursor?: string;
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

export class NationalExportQueryDto extends NationalSearchQueryDto {
  @ApiPropertyOptional({ enum: ['xlsx', 'csv'], default: 'xlsx' }) @IsOptional() @IsIn(['xlsx', 'csv']) format?:
    'xlsx' | 'csv';
  @ApiPropertyOptional({ description: 'CSV: the sub-set (sheet) to export', default: 'basic' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  subSet?: string;
}
