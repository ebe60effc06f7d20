import { Injectable } from '@nestjs/common';
import { Role, type Actor } from '@tmis/access';
import { DataSource } from 'typeorm';
import { TeacherRepository } from '../teacher.repository.js';

export interface TodoItem {
  kind: string;
  count: number;
  zh: string;
  en: string;
}

/** What awaits the caller's action, with counts per kind. */
@Injectable()
export class TodoService {
  constructor(
    private readonly db: DataSource,
    private readonly teachers: TeacherRepository,
  ) {}

  async list(actor: Actor): Promise<{ total: number; items: TodoItem[] }> {
    const p = actor.unitPath + '%';
    const count = async (sql: string, params: unknown[]) => Number((await this.db.query(sql, params))[0].n);
    const items: TodoItem[] = [];
    const add = (kind: string, n: number, zh: string, en: string) => {
      if (n > 0) items.push({ kind, count: n, zh, en });
    };
    if (actor.role === Role.Teacher) {
      const person = await this.teachers.accountPerson(actor.accountId);
      if (person) {
        add(
          'record-to-submit',
          await count(
            `SELECT count(*) AS n FROM teacher WHERE id_type = $1 AND id_number = upper($2) AND review_state IN ('draft','returned') AND unit_path LIKE $3`,
            [person.idType, person.idNumber, p],
          ),
          '待提交的档案（含被退回）',
          'Your record to submit (or returned)',
        );
      }
    } else if (actor.role === Role.InfoAdmin && actor.unitLevel >= 5) {
      add(
        'school-review',
        await count(`SELECT count(*) AS n FROM teacher WHERE review_state = 'submitted' AND unit_path LIKE $1`, [p]),
        '待学校审核的档案',
        'Records awaiting school review',
      );
      add(
        'returned-records',
        await count(`SELECT count(*) AS n FROM teacher WHERE review_state = 'returned' AND unit_path LIKE $1`, [p]),
        '被退回待修改的档案',
        'Returned records to correct',
      );
      add(
        'cycle-confirmation',
        await count(
          `SELECT count(*) AS n FROM reporting_cycle c WHERE $1::text LIKE c.unit_path || '%' AND c.deadline >= current_date
            AND NOT EXISTS (SELECT 1 FROM cycle_confirmation x WHERE x.cycle_id = c.id AND x.school_id = $2)`,
          [actor.unitPath, actor.unitId],
        ),
        '待确认的报送周期',
        'Reporting cycles to confirm',
      );
    } else if (actor.role === Role.InfoAdmin) {
      add(
        'department-review',
        await count(`SELECT count(*) AS n FROM teacher WHERE review_state = 'school_approved' AND unit_path LIKE $1`, [
          p,
        ]),
        '待主管部门审核的档案',
        'Records awaiting department review',
      );
      add(
        'change-requests',
        await count(`SELECT count(*) AS n FROM change_request WHERE state = 'pending' AND unit_path LIKE $1`, [p]),
        '待审批的变更申请',
        'Change requests to decide',
      );
      add(
        'spot-check-items',
        await count(
          `SELECT count(*) AS n FROM spot_check_item i JOIN spot_check s ON s.id = i.spot_check_id WHERE s.status = 'open' AND s.unit_path LIKE $1 AND i.result = 'pending'`,
          [p],
        ),
        '待核查的抽查项',
        'Spot-check items to verify',
      );
    } else if (actor.role === Role.SysAdmin) {
      add(
        'locked-accounts',
        await count(
          `SELECT count(*) AS n FROM account a JOIN org_unit u ON u.id = a.unit_id WHERE a.locked_until > now() AND u.path LIKE $1`,
          [p],
        ),
        '被锁定的账号',
        'Locked accounts',
      );
    }
    return { total: items.reduce((a, i) => a + i.count, 0), items };
  }
}
