import { NotifiedCache } from '@tmis/common';

/**
 * Units' paths by id, for the scope of list requests that name a unit (`GET /teachers?unitId=…`): one
 * round trip fewer per request (issue 21). A path changes only when a unit or one of its ancestors
 * moves, and every such change (and a unit closed, merged or deleted) notifies `tmis_auth_changed` on
 * commit, which drops the cache — the same notification, listener and bound as the session cache
 * (libs/accounts drives both). This process's own changes to the tree drop it before they commit.
 */
export class UnitPathCache extends NotifiedCache<string> {}
