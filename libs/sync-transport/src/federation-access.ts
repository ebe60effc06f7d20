import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { AccessPolicy, type Actor } from '@tmis/access';
import { commonError, CommonErrorCode } from '@tmis/common';

export class ProvinceQueryDto {
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{2}$/) province?: string;
}

/** A page of the reconciliation tree: `bucket` (two hex digits) picks a bucket's schools; `after` pages on. */
export class FingerprintTreeQueryDto {
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{2}$/) province?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(/^[0-9a-f]{2}$/) bucket?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(/^([0-9a-f]{2}|[0-9]{10}(-[0-9]{3})?)$/) after?: string;
}

/** Federation data is for the node's top level (the ministry, or the province on its own node or at national). */
export function requireFederationReader(a: Actor): void {
  if (a.unitLevel > 2) throw commonError(CommonErrorCode.Forbidden, 'Sync status is for the ministry or the province');
  AccessPolicy.requireInScope(a, a.unitPath);
}
