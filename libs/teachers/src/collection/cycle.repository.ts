import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import type { EntityManager } from 'typeorm';

export interface CycleRow {
  id: string;
  unitId: string;
  unitPath: string;
  name: string;
  period: string;
  deadline: string;
  createdAt: Date;
}

const COLS = `id, unit_id AS "unitId", unit_path AS "unitPath", name, period, to_char(deadline, 'YYYY-MM-DD') AS deadline, created_at AS "createdAt"`;

/** Every query on `reporting_cycle` and `cycle_confirmation`. */
@Injectable()
export class CycleRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get db(): EntityManager {
    return this.txHost.tx;
  }

  async insert(c: {
    unitId: string;
    unitPath: string;
    name: string;
    period: string;
    deadline: string;
    createdBy: string;
  }): Promise<CycleRow> {
    const [row] = await this.db.query(
      `INSERT INTO reporting_cycle (unit_id, unit_path, name, period, deadline, created_by) VALUES ($1,$2,$3,$4,$5,$6) RETURNING ${COLS}`,
      [c.unitId, c.unitPath, c.name, c.period, c.deadline, c.createdBy],
    );
    return row;
  }

  async findByPeriod(unitId: string, period: string): Promise<CycleRow | null> {
    const [row] = await this.db.query(`SELECT ${COLS} FROM reporting_cycle WHERE unit_id = $1 AND period = $2`, [
      unitId,
      period,
    ]);
    return row ?? null;
  }

  async findById(id: string): Promise<CycleRow | null> {
    const [row] = await this.db.query(`SELECT ${COLS} FROM reporting_cycle WHERE id = $1`, [id]);
    return row ?? null;
  }

  /** Cycles set above or below `unitPath`, latest deadline first. */
  async related(unitPath: string): Promise<CycleRow[]> {
    return this.db.query(
      `SELECT ${COLS} FROM reporting_cycle WHERE $1::text LIKE unit_path || '%' OR unit_path LIKE $1::text || '%' ORDER BY deadline DESC`,
      [unitPath],
    );
  }

  /** A school's confirmation (again: the count and time are refreshed) with its active teacher count. */
  async confirm(
    cycleId: string,
    school: { id: string; path: string },
    confirmedBy: string,
  ): Promise<{ schoolId: string; teachers: number; confirmedAt: Date }> {
    const [row] = await this.db.query(
      `INSERT INTO cycle_confirmation (cycle_id, school_id, school_path, teachers, confirmed_by)
       VALUES ($1, $2, $3::text, (SELECT count(*) FROM teacher WHERE unit_path LIKE $3::text || '%' AND active), $4)
       ON CONFLICT (cycle_id, school_id) DO UPDATE SET teachers = EXCLUDED.teachers, confirmed_by = EXCLUDED.confirmed_by, confirmed_at = now()
       RETURNING school_id AS "schoolId", teachers, confirmed_at AS "confirmedAt"`,
      [cycleId, school.id, school.path, confirmedBy],
    );
    return row;
  }

  /** One pass over the subtree's active schools, grouped by the child unit of `unitPath` each lies under. */
  async progressByChild(
    unitPath: string,
    cycleId: string,
  ): Promise<{ childPath: string; schools: number; confirmed: number; teachers: number }[]> {
    return this.db.query(
      `SELECT substr(s.path, 1, length($1::text) + strpos(substr(s.path, length($1::text) + 1), '/')) AS "childPath",
              count(*)::int AS schools, count(c.school_id)::int AS confirmed, COALESCE(sum(c.teachers), 0)::int AS teachers
         FROM org_unit s LEFT JOIN cycle_confirmation c ON c.cycle_id = $2 AND c.school_id = s.id
        WHERE s.kind = 'school' AND s.status = 'active' AND s.path LIKE $1::text || '%' AND s.path <> $1::text
        GROUP BY 1 ORDER BY 1`,
      [unitPath, cycleId],
    );
  }

  /** Active schools of the subtree that have not confirmed the cycle. */
  async unconfirmedSchools(unitPath: string, cycleId: string): Promise<{ id: string; code: string; name: string }[]> {
    return this.db.query(
      `SELECT s.id, s.code, s.name FROM org_unit s WHERE s.kind = 'school' AND s.status = 'active' AND s.path LIKE $1::text || '%' AND NOT EXISTS (SELECT 1 FROM cycle_confirmation c WHERE c.cycle_id = $2 AND c.school_id = s.id) ORDER BY s.path LIMIT 500`,
      [unitPath, cycleId],
    );
  }

  /** Open cycles above a school that it has not confirmed yet. */
  async countToConfirm(schoolPath: string, schoolId: string): Promise<number> {
    const [row] = await this.db.query(
      `SELECT count(*)::int AS n FROM reporting_cycle c WHERE $1::text LIKE c.unit_path || '%' AND c.deadline >= current_date
        AND NOT EXISTS (SELECT 1 FROM cycle_confirmation x WHERE x.cycle_id = c.id AND x.school_id = $2)`,
      [schoolPath, schoolId],
    );
    return row.n;
  }
}
