import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';

const DIM = '[A-Za-z][A-Za-z0-9_]{0,47}';
const VALUE = '[A-Za-z0-9-]{1,16}';

/** Query parameters every statistics table accepts. */
export class StatsQueryDto {
  @ApiPropertyOptional({ description: 'Subtree to count (default: your unit); must be your unit or below it' })
  @IsOptional()
  @IsUUID()
  unit?: string;
  @ApiPropertyOptional({
    description: 'Break down by unit: province, city, county or school (not above your unit)',
    enum: ['province', 'city', 'county', 'school'],
  })
  @IsOptional()
  @IsIn(['province', 'city', 'county', 'school'])
  level?: 'province' | 'city' | 'county' | 'school';
  @ApiPropertyOptional({
    description: 'Filters, `dimension:value[|value…][,dimension:value…]`, e.g. `title:012|013,sex:2`',
  })
  @IsOptional()
  @Matches(new RegExp(`^${DIM}:${VALUE}(\\|${VALUE})*(,${DIM}:${VALUE}(\\|${VALUE})*){0,5}$`), {
    message: 'filter must be dimension:value[|value…][,dimension:value…]',
  })
  filter?: string;
  @ApiPropertyOptional({
    description: 'Count people who left as well (resigned, retired, …); implied by a personStatus filter',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  includeInactive?: string;
  @ApiPropertyOptional({ description: 'json (default), csv or xlsx', enum: ['json', 'csv', 'xlsx'] })
  @IsOptional()
  @IsIn(['json', 'csv', 'xlsx'])
  format?: 'json' | 'csv' | 'xlsx';
}

export class BreakdownQueryDto extends StatsQueryDto {
  @ApiPropertyOptional({
    description: 'Dimensions to break down by, comma-separated (0 to 4), e.g. `sex,title`; see GET /stats/dimensions',
  })
  @IsOptional()
  @Matches(new RegExp(`^${DIM}(,${DIM}){0,3}$`), { message: 'by must be up to 4 comma-separated dimension names' })
  by?: string;
}

export class RetirementsQueryDto extends StatsQueryDto {
  @ApiPropertyOptional({
    description: 'Horizon in years (1-10, default 5): this year and the next years-1',
    default: 5,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10)
  years?: number;
}

export class RefreshQueryDto {
  @ApiPropertyOptional({
    description: "true: rebuild every teacher's facts (default: only the teachers written since the last refresh)",
    enum: ['true', 'false'],
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  full?: string;
}

/** GET /stats/reports/teachers: the yearly education statistics' teacher tables for a unit (issue 17). */
export class ReportQueryDto {
  @ApiPropertyOptional({ description: 'The unit reported on (default: your unit); your unit or below it' })
  @IsOptional()
  @IsUUID()
  unit?: string;
}
