import { Injectable } from '@nestjs/common';
import type { TeacherCreditsPayload } from '@tmis/contracts';
import { returned, TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';

export interface CompletionRow {
  region: string;
  regionName: string | null;
  teachers: number;
  withCredits: number;
  credits: number;
  hours: number;
  registrationCredits: number;
}

/** `national_teacher_credit`: each teacher's confirmed training credits as their province last sent them. */
@Injectable()
export class NationalTrainingRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get tx() {
    return this.txHost.tx;
  }

  /** Replaces a teacher's credits unless a newer message was applied already; true when applied. */
  async replace(province: string, p: TeacherCreditsPayload, sequence: number): Promise<boolean> {
    const sum = (f: (c: TeacherCreditsPayload['credits'][number]) => number) =>
      Math.round(p.credits.reduce((s, c) => s + f(c), 0) * 100) / 100;
    const rows = returned(
      await this.tx.query(
        `INSERT INTO national_teacher_credit AS n (teacher_id, province_code, unit_code, credits, total_credits, total_hours,
           registration_credits, last_sequence)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
         ON CONFLICT (teacher_id) DO UPDATE SET province_code = EXCLUDED.province_code, unit_code = EXCLUDED.unit_code,
           credits = EXCLUDED.credits, total_credits = EXCLUDED.total_credits, total_hours = EXCLUDED.total_hours,
           registration_credits = EXCLUDED.registration_credits, last_sequence = EXCLUDED.last_sequence, updated_at = now()
         WHERE n.province_code <> EXCLUDED.province_code OR n.last_sequence < EXCLUDED.last_sequence
         RETURNING teacher_id`,
        [
          p.teacherId,
          province,
          p.unitCode,
          JSON.stringify(p.credits),
          sum((c) => c.credits),
          sum((c) => c.hours),
          sum((c) => (c.countsForRegistration ? c.credits : 0)),
          sequence,
        ],
      ),
    );
    return rows.length === 1;
  }

  /**
   * The sub-set 13 entries of these teachers' confirmed project training as their provinces sent them
   * with the credits (`SyncedCredit.training`), per teacher, in the order the record shows them.
   */
  async trainingEntries(teacherIds: string[]): Promise<Map<string, Record<string, unknown>[]>> {
    const out = new Map<string, Record<string, unknown>[]>();
    if (!teacherIds.length) return out;
    const rows: { id: string; entry: Record<string, unknown> }[] = await this.tx.query(
      `SELECT n.teacher_id::text AS id, e->'training' AS entry FROM national_teacher_credit n, jsonb_array_elements(n.credits) e
        WHERE n.teacher_id = ANY($1::uuid[]) AND jsonb_typeof(e->'training') = 'object'
        ORDER BY n.teacher_id, e->'training'->>'startDate', e->'training'->>'id'`,
      [teacherIds],
    );
    for (const r of rows) (out.get(r.id) ?? out.set(r.id, []).get(r.id)!).push(r.entry);
    return out;
  }

  /**
   * Training completion by region over a window of confirmation dates: per province (none given) or
   * per city of one province; teachers are those the province reported (`national_teacher`, active).
   */
  async completion(province: string | null, from: string, to: string): Promise<CompletionRow[]> {
    const region = province ? `split_part(u.path, '/', 4)` : `nt.province_code || '0000'`;
    const params: unknown[] = [from, to];
    let where = 'nt.active AND NOT nt.removed';
    if (province) {
      params.push(province);
      where += ` AND nt.province_code = $3`;
    }
    return this.tx.query(
      `WITH c AS (
         SELECT n.teacher_id, sum((e->>'credits')::numeric) AS credits, sum((e->>'hours')::numeric) AS hours,
                sum((e->>'credits')::numeric) FILTER (WHERE (e->>'countsForRegistration')::boolean) AS reg
           FROM national_teacher_credit n, jsonb_array_elements(n.credits) e
          WHERE (e->>'confirmedOn')::date BETWEEN $1 AND $2
          GROUP BY n.teacher_id)
       SELECT ${region} AS region, r.name AS "regionName", count(*)::int AS teachers,
              count(c.teacher_id)::int AS "withCredits", COALESCE(sum(c.credits), 0)::float8 AS credits,
              COALESCE(sum(c.hours), 0)::float8 AS hours, COALESCE(sum(c.reg), 0)::float8 AS "registrationCredits"
         FROM national_teacher nt
         LEFT JOIN org_unit u ON u.code = nt.unit_code
         LEFT JOIN c ON c.teacher_id = nt.teacher_id
         LEFT JOIN org_unit r ON r.code = ${region}
        WHERE ${where}
        GROUP BY 1, 2 ORDER BY 1`,
      params,
    );
  }
}
