import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import type { EntityManager } from 'typeorm';

export interface MobilityCounts {
  transfersIn: number;
  transfersOut: number;
  rotationsIn: number;
  rotationsOut: number;
}

export interface MobilityQuery {
  pathPrefix: string;
  /** Segments of the caller's unit path: regions are the units one level below. */
  depth: number;
  from: string;
  to: string;
}

const SUMS = `sum((k = 'transfer' AND i)::int)::int AS "transfersIn", sum((k = 'transfer' AND o)::int)::int AS "transfersOut",
  sum((k = 'rotation' AND i)::int)::int AS "rotationsIn", sum((k = 'rotation' AND o)::int)::int AS "rotationsOut"`;

/**
 * The movements of a subtree over a period, read from `transfer` alone: transfers that took effect
 * (the record moved) and rotations that started, each seen from the sending side (out) and the
 * receiving or host side (in) when that side is in the subtree.
 */
const MOVEMENTS = `WITH m AS (
  SELECT CASE WHEN kind = 'rotation' THEN 'rotation' ELSE 'transfer' END AS k,
         from_unit_path LIKE $1 AS o, to_unit_path LIKE $1 AS i,
         COALESCE((regexp_match(from_unit_path, $4))[1] || '/', from_unit_path) AS from_region,
         COALESCE((regexp_match(to_unit_path, $4))[1] || '/', to_unit_path) AS to_region,
         from_school_type, to_school_type, from_urban_rural, to_urban_rural, title, subjects
    FROM transfer
   WHERE ((kind <> 'rotation' AND state = 'completed') OR (kind = 'rotation' AND state IN ('serving','completed')))
     AND (from_unit_path LIKE $1 OR to_unit_path LIKE $1)
     AND effective_date BETWEEN $2::date AND $3::date
)`;

/** The mobility statistics' own SQL over `transfer` (SPEC §6). */
@Injectable()
export class MobilityRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get db(): EntityManager {
    return this.txHost.tx;
  }

  private params(q: MobilityQuery): unknown[] {
    return [q.pathPrefix + '%', q.from, q.to, `^((?:/[^/]+){${q.depth + 1}})/`];
  }

  async totals(q: MobilityQuery): Promise<MobilityCounts & { transfersWithin: number }> {
    const [row] = await this.db.query(
      `${MOVEMENTS} SELECT ${SUMS}, sum((k = 'transfer' AND i AND o)::int)::int AS "transfersWithin" FROM m`,
      this.params(q),
    );
    return {
      transfersIn: row.transfersIn ?? 0,
      transfersOut: row.transfersOut ?? 0,
      rotationsIn: row.rotationsIn ?? 0,
      rotationsOut: row.rotationsOut ?? 0,
      transfersWithin: row.transfersWithin ?? 0,
    };
  }

  /**
   * Counts by one dimension: the out side keyed by `fromKey`, the in side by `toKey` (SQL over the
   * movement columns; `unnest(subjects)` for subjects). Keys are codes or region paths.
   */
  async by(
    q: MobilityQuery,
    dim: 'region' | 'schoolType' | 'urbanRural' | 'title' | 'subject',
  ): Promise<(MobilityCounts & { key: string | null })[]> {
    const [fromKey, toKey] = {
      region: ['from_region', 'to_region'],
      schoolType: ['from_school_type', 'to_school_type'],
      urbanRural: ['from_urban_rural', 'to_urban_rural'],
      title: ['title', 'title'],
      subject: ['unnest(subjects)', 'unnest(subjects)'],
    }[dim];
    return this.db.query(
      `${MOVEMENTS}
       SELECT key, ${SUMS} FROM (
         SELECT k, true AS i, false AS o, ${toKey} AS key FROM m WHERE i
         UNION ALL
         SELECT k, false AS i, true AS o, ${fromKey} AS key FROM m WHERE o
       ) x GROUP BY key ORDER BY key NULLS LAST`,
      this.params(q),
    );
  }

  /** Flows from → to between the regions (units one level below the caller; outside ones at the same depth). */
  async flows(
    q: MobilityQuery,
  ): Promise<{ fromRegion: string; toRegion: string; transfers: number; rotations: number }[]> {
    return this.db.query(
      `${MOVEMENTS}
       SELECT from_region AS "fromRegion", to_region AS "toRegion", sum((k = 'transfer')::int)::int AS transfers,
              sum((k = 'rotation')::int)::int AS rotations
         FROM m GROUP BY 1, 2 ORDER BY 1, 2`,
      this.params(q),
    );
  }
}
