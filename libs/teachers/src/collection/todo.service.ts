import { Injectable } from '@nestjs/common';
import { Role, type Actor } from '@tmis/access';
import { ChangeRequestRepository } from '../review/change-request.repository.js';
import { TeacherRepository } from '../teacher.repository.js';
import { CycleRepository } from './cycle.repository.js';
import { SpotCheckRepository } from './spot-check.repository.js';
import { TodoSources, type TodoItem } from './todo-sources.js';

/** What awaits the caller's action, with counts per kind (each counted by the repository of its table). */
@Injectable()
export class TodoService {
  constructor(
    private readonly teachers: TeacherRepository,
    private readonly cycles: CycleRepository,
    private readonly changeRequests: ChangeRequestRepository,
    private readonly spotChecks: SpotCheckRepository,
    private readonly sources: TodoSources,
  ) {}

  async list(actor: Actor): Promise<{ total: number; items: TodoItem[] }> {
    const p = actor.unitPath;
    const items: TodoItem[] = [];
    const add = (kind: string, n: number, zh: string, en: string) => {
      if (n > 0) items.push({ kind, count: n, zh, en });
    };
    if (actor.role === Role.Teacher) {
      const person = await this.teachers.accountPerson(actor.accountId);
      if (person) {
        add(
          'record-to-submit',
          await this.teachers.countOwnToSubmit(person.idType, person.idNumber, p),
          '待提交的档案（含被退回）',
          'Your record to submit (or returned)',
        );
      }
    } else if (actor.role === Role.InfoAdmin && actor.unitLevel >= 5) {
      add(
        'school-review',
        await this.teachers.countInReviewState(p, 'submitted'),
        '待学校审核的档案',
        'Records awaiting school review',
      );
      add(
        'returned-records',
        await this.teachers.countInReviewState(p, 'returned'),
        '被退回待修改的档案',
        'Returned records to correct',
      );
      add(
        'cycle-confirmation',
        await this.cycles.countToConfirm(actor.unitPath, actor.unitId),
        '待确认的报送周期',
        'Reporting cycles to confirm',
      );
    } else if (actor.role === Role.InfoAdmin) {
      add(
        'department-review',
        await this.teachers.countInReviewState(p, 'school_approved'),
        '待主管部门审核的档案',
        'Records awaiting department review',
      );
      add(
        'change-requests',
        await this.changeRequests.countPending(p),
        '待审批的变更申请',
        'Change requests to decide',
      );
      add(
        'spot-check-items',
        await this.spotChecks.countPendingItems(p),
        '待核查的抽查项',
        'Spot-check items to verify',
      );
    } else if (actor.role === Role.SysAdmin) {
      add('locked-accounts', await this.teachers.countLockedAccounts(p), '被锁定的账号', 'Locked accounts');
    }
    items.push(...(await this.sources.collect(actor)));
    return { total: items.reduce((a, i) => a + i.count, 0), items };
  }
}
