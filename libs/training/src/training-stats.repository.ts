import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import type { EntityManager } from 'typeorm';

export const TRAINING_STAT_DIMENSIONS = ['region', 'schoolType', 'subject', 'title', 'urbanRural'] as const;
export type TrainingStatDimension = (typeof TRAINING_STAT_DIMENSIONS)[number];

export interface CoverageRow {
  key: string | null;
  label: string | null;
  teachers: number;
  trained: number;
  credits: number;
  hours: number;
  registrationCredits: number;
}

export interface BelowRow {
  teacherId: string;
  name: string;
  idNumber: string;
  unitCode: string;
  registrationCredits: number;
}

/** The SQL of the training statistics (own tables: `training_credit`, read with `teacher` and `org_unit`). */
@Injectable()
export class TrainingStatsRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get db(): EntityManager {
    return this.txHost.tx;
  }

  /**
   * Active teachers in a subtree with their credits confirmed in a window, grouped by one dimension:
   * the child region of the subtree's root (`regionDepth` = the root's number of path segments), school
   * type, subject (a teacher counts once per subject), title, or the school's urban/rural class.
   */
  async coverage(
    pathPrefix: string,
    regionDepth: number,
    by: TrainingStatDimension,
    from: string,
    to: string,
  ): Promise<CoverageRow[]> {
    const key: Record<TrainingStatDimension, string> = {
      region: `NULLIF(split_part(t.unit_path, '/', ${regionDepth + 2}), '')`,
      schoolType: 't.school_type',
      subject: 's.subject',
      title: 't.title',
      urbanRural: 'u.urban_rural',
    };
    return this.db.query(
      `WITH c AS (
         SELECT teacher_id, sum(credits) AS credits, sum(hours) AS hours,
                sum(credits) FILTER (WHERE counts_for_registration) AS reg
           FROM training_credit WHERE confirmed_on BETWEEN $2 AND $3 GROUP BY teacher_id)
       SELECT ${key[by]} AS key, ${by === 'region' ? 'r.name' : 'NULL'} AS label, count(*)::int AS teachers,
              count(c.teacher_id)::int AS trained, COALESCE(sum(c.credits), 0)::float8 AS credits,
              COALESCE(sum(c.hours), 0)::float8 AS hours, COALESCE(sum(c.reg), 0)::float8 AS "registrationCredits"
         FROM teacher t
         JOIN org_unit u ON u.id = t.unit_id
         ${by === 'subject' ? `LEFT JOIN LATERAL unnest(CASE WHEN cardinality(t.subjects) = 0 THEN ARRAY[NULL::text] ELSE t.subjects END) AS s(subject) ON true` : ''}
         ${by === 'region' ? `LEFT JOIN org_unit r ON r.code = NULLIF(split_part(t.unit_path, '/', ${regionDepth + 2}), '')` : ''}
         LEFT JOIN c ON c.teacher_id = t.id
        WHERE t.unit_path LIKE $1 AND t.active
        GROUP BY 1, 2 ORDER BY 1 NULLS LAST`,
      [pathPrefix + '%', from, to],
    );
  }

  /** Active teachers on the establishment in a subtree whose registration credits in the window are below `need`. */
  async belowThreshold(pathPrefix: string, from: string, to: string, need: number, limit: number): Promise<BelowRow[]> {
    return this.db.query(
      `SELECT t.id AS "teacherId", t.name, t.id_number AS "idNumber",
              split_part(rtrim(t.unit_path, '/'), '/', -1) AS "unitCode",
              COALESCE((SELECT sum(c.credits) FROM training_credit c
                         WHERE c.teacher_id = t.id AND c.counts_for_registration AND c.confirmed_on BETWEEN $2 AND $3), 0)::float8
                AS "registrationCredits"
         FROM teacher t
        WHERE t.unit_path LIKE $1 AND t.active AND t.on_establishment IS NOT FALSE
          AND COALESCE((SELECT sum(c.credits) FROM training_credit c
                         WHERE c.teacher_id = t.id AND c.counts_for_registration AND c.confirmed_on BETWEEN $2 AND $3), 0) < $4
        ORDER BY 5, t.unit_path, t.name, t.id LIMIT $5`,
      [pathPrefix + '%', from, to, need, limit],
    );
  }
}
