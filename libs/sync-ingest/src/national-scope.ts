import type { Actor } from '@tmis/access';
import { commonError, CommonErrorCode } from '@tmis/common';
import { provinceOfPath } from '@tmis/org';
import { requireFederationReader } from '@tmis/sync-transport';

/**
 * Who reads which province's federation data at the national node, scoped like the provincial
 * node's routes: the ministry reads every province; a province-level account reads its own
 * province only (asking for another is refused, asking for none means its own). Units below a
 * province (and central universities) read none.
 */
export const NationalScope = {
  /** The province the actor is limited to, or null for the ministry (every province). */
  of(a: Actor): string | null {
    requireFederationReader(a);
    if (a.unitLevel <= 1) return null;
    const p = provinceOfPath(a.unitPath);
    if (!p) throw commonError(CommonErrorCode.OutOfScope);
    return p;
  },

  /** The province to read: the one asked for if the actor may read it (none asked: the actor's own, or all). */
  resolve(a: Actor, asked: string | undefined): string | null {
    const own = NationalScope.of(a);
    if (own === null) return asked ?? null;
    if (asked !== undefined && asked !== own) throw commonError(CommonErrorCode.OutOfScope);
    return own;
  },

  /** As `resolve`, but one province is required (the ministry must name it). */
  one(a: Actor, asked: string | undefined): string {
    const p = NationalScope.resolve(a, asked);
    if (p) return p;
    throw commonError(CommonErrorCode.ValidationFailed, 'province is required', undefined, [
      {
        path: 'province',
        code: 'isDefined',
        message: 'province is required on the national node',
        messageZh: 'province：国家节点须指定省份',
      },
    ]);
  },
};
