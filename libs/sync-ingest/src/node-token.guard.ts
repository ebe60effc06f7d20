import { timingSafeEqual } from 'node:crypto';
import { createParamDecorator, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { commonError, CommonErrorCode } from '@tmis/common';
import { SYNC_INGEST_OPTIONS, type SyncIngestOptions } from './sync-ingest.options.js';

interface NodeRequest {
  headers: Record<string, string | string[] | undefined>;
  nodeProvince?: string;
}

/** Admits a provincial node by its node token (`Authorization: Bearer <token>`) and records its province. */
@Injectable()
export class NodeTokenGuard implements CanActivate {
  constructor(@Inject(SYNC_INGEST_OPTIONS) private readonly options: SyncIngestOptions) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<NodeRequest>();
    const auth = req.headers.authorization;
    const token = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const given = Buffer.from(token);
    const province = Object.entries(this.options.nodeTokens).find(([, t]) => {
      const want = Buffer.from(t);
      return want.length === given.length && timingSafeEqual(want, given);
    })?.[0];
    if (!province) throw commonError(CommonErrorCode.Unauthenticated, 'Unknown node token');
    req.nodeProvince = province;
    return true;
  }
}

/** The province whose node token `NodeTokenGuard` admitted. */
export const NodeProvince = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string => ctx.switchToHttp().getRequest<NodeRequest>().nodeProvince!,
);
