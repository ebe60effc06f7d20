import { Injectable } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { commonError, CommonErrorCode } from '@tmis/common';
import { isUniqueViolation } from '@tmis/database';
import { OrgService, UnitKind } from '@tmis/org';
import { DataSource } from 'typeorm';

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

/**
 * Art. 18 reporting cycles: a province sets cycles with deadlines (by default 31 March for the
 * previous year's full update, 30 September for the first half); each school confirms its teachers;
 * progress rolls up the tree.
 */
@Injectable()
export class CycleService {
  constructor(
    private readonly db: DataSource,
    private readonly org: OrgService,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, dto: { name: string; period: string; deadline: string }): Promise<CycleRow> {
    this.requireProvince(actor);
    try {
      const [row] = await this.db.query(
        `INSERT INTO reporting_cycle (unit_id, unit_path, name, period, deadline, created_by) VALUES ($1,$2,$3,$4,$5,$6) RETURNING ${COLS}`,
        [actor.unitId, actor.unitPath, dto.name, dto.period, dto.deadline, actor.accountId],
      );
      await this.audit.record(actor, {
        action: 'cycle.create',
        targetType: 'cycle',
        targetId: row.id,
        unitPath: actor.unitPath,
        details: { period: dto.period },
      });
      return row;
    } catch (e) {
      if (isUniqueViolation(e)) throw commonError(CommonErrorCode.Conflict, `A cycle for period ${dto.period} exists`);
      throw e;
    }
  }

  /** The two statutory cycles of a year: the previous year's full update (31 March) and the first half (30 September). */
  async createDefaults(actor: Actor, year: number): Promise<CycleRow[]> {
    this.requireProvince(actor);
    const wanted = [
      { name: `${year - 1}年度全量更新`, period: `${year - 1}-annual`, deadline: `${year}-03-31` },
      { name: `${year}年上半年更新`, period: `${year}-H1`, deadline: `${year}-09-30` },
    ];
    const out: CycleRow[] = [];
    for (const w of wanted) {
      const [existing] = await this.db.query(`SELECT ${COLS} FROM reporting_cycle WHERE unit_id = $1 AND period = $2`, [
        actor.unitId,
        w.period,
      ]);
      out.push(existing ?? (await this.create(actor, w)));
    }
    return out;
  }

  async list(actor: Actor): Promise<CycleRow[]> {
    return this.db.query(
      `SELECT ${COLS} FROM reporting_cycle WHERE $1::text LIKE unit_path || '%' OR unit_path LIKE $1::text || '%' ORDER BY deadline DESC`,
      [actor.unitPath],
    );
  }

  private async cycle(actor: Actor, id: string): Promise<CycleRow> {
    const [c] = await this.db.query(`SELECT ${COLS} FROM reporting_cycle WHERE id = $1`, [id]);
    if (!c || !(actor.unitPath.startsWith(c.unitPath) || c.unitPath.startsWith(actor.unitPath)))
      throw commonError(CommonErrorCode.NotFound, 'No such cycle');
    return c;
  }

  /** A school's information administrator confirms the school's teachers for the cycle. */
  async confirm(
    actor: Actor,
    cycleId: string,
    schoolId?: string,
  ): Promise<{ schoolId: string; teachers: number; confirmedAt: Date }> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    const cycle = await this.cycle(actor, cycleId);
    const school = await this.org.findById(schoolId ?? actor.unitId);
    if (!school || school.kind !== UnitKind.School)
      throw commonError(CommonErrorCode.ValidationFailed, 'Confirmation is per school');
    AccessPolicy.requireInScope(actor, school.path);
    if (!school.path.startsWith(cycle.unitPath)) throw commonError(CommonErrorCode.OutOfScope);
    const [row] = await this.db.query(
      `INSERT INTO cycle_confirmation (cycle_id, school_id, school_path, teachers, confirmed_by)
       VALUES ($1, $2, $3::text, (SELECT count(*) FROM teacher WHERE unit_path LIKE $3::text || '%' AND active), $4)
       ON CONFLICT (cycle_id, school_id) DO UPDATE SET teachers = EXCLUDED.teachers, confirmed_by = EXCLUDED.confirmed_by, confirmed_at = now()
       RETURNING school_id AS "schoolId", teachers, confirmed_at AS "confirmedAt"`,
      [cycleId, school.id, school.path, actor.accountId],
    );
    await this.audit.record(actor, {
      action: 'cycle.confirm',
      targetType: 'cycle',
      targetId: cycleId,
      unitPath: school.path,
      details: { teachers: row.teachers },
    });
    return row;
  }

  /** Progress per child unit of `unitId` (default: the caller's unit), with overdue schools when past the deadline. */
  async progress(actor: Actor, cycleId: string, unitId?: string) {
    const cycle = await this.cycle(actor, cycleId);
    const unit = await this.org.findById(unitId ?? actor.unitId);
    if (!unit) throw commonError(CommonErrorCode.NotFound, 'unitId does not exist');
    AccessPolicy.requireInScope(actor, unit.path);
    const overdue = new Date().toISOString().slice(0, 10) > cycle.deadline;
    // One pass over the subtree's schools, grouped by the child unit each lies under.
    const rows: { childPath: string; schools: number; confirmed: number; teachers: number }[] = await this.db.query(
      `SELECT substr(s.path, 1, length($1::text) + strpos(substr(s.path, length($1::text) + 1), '/')) AS "childPath",
              count(*)::int AS schools, count(c.school_id)::int AS confirmed, COALESCE(sum(c.teachers), 0)::int AS teachers
         FROM org_unit s LEFT JOIN cycle_confirmation c ON c.cycle_id = $2 AND c.school_id = s.id
        WHERE s.kind = 'school' AND s.status = 'active' AND s.path LIKE $1::text || '%' AND s.path <> $1::text
        GROUP BY 1 ORDER BY 1`,
      [unit.path, cycleId],
    );
    const children: { path: string; id: string; code: string; name: string }[] = rows.length
      ? await this.db.query(`SELECT path, id, code, name FROM org_unit WHERE path = ANY($1::text[])`, [
          rows.map((r) => r.childPath),
        ])
      : [];
    const byPath = new Map(children.map((c) => [c.path, c]));
    const total = rows.reduce(
      (a, r) => ({
        schools: a.schools + r.schools,
        confirmed: a.confirmed + r.confirmed,
        teachers: a.teachers + r.teachers,
      }),
      { schools: 0, confirmed: 0, teachers: 0 },
    );
    const overdueSchools = overdue
      ? await this.db.query(
          `SELECT s.id, s.code, s.name FROM org_unit s WHERE s.kind = 'school' AND s.status = 'active' AND s.path LIKE $1::text || '%' AND NOT EXISTS (SELECT 1 FROM cycle_confirmation c WHERE c.cycle_id = $2 AND c.school_id = s.id) ORDER BY s.path LIMIT 500`,
          [unit.path, cycleId],
        )
      : [];
    return {
      cycle,
      unitId: unit.id,
      deadline: cycle.deadline,
      pastDeadline: overdue,
      ...total,
      children: rows.map((r) => ({
        unitId: byPath.get(r.childPath)?.id,
        code: byPath.get(r.childPath)?.code,
        name: byPath.get(r.childPath)?.name,
        schools: r.schools,
        confirmed: r.confirmed,
        teachers: r.teachers,
        overdue: overdue ? r.schools - r.confirmed : 0,
      })),
      overdueSchools,
    };
  }

  private requireProvince(actor: Actor): void {
    if (actor.role !== Role.InfoAdmin || actor.unitLevel !== 2)
      throw commonError(
        CommonErrorCode.Forbidden,
        "Reporting cycles are set by the province's information administrator",
      );
  }
}
