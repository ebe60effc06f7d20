import { Injectable } from '@nestjs/common';
import type { Actor } from '@tmis/access';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import {
  OrgService,
  type CloseUnitDto,
  type MergeUnitDto,
  type MoveUnitDto,
  type OrgUnitEntity,
  type UnitRecords,
} from '@tmis/org';
import { RecordReporting } from '../sync/record-reporting.js';
import { TeacherRepository } from '../teacher.repository.js';

/**
 * Unit changes that move teacher records: org declares the `UnitRecords` port it needs and this lib
 * (above org) implements it, so `teacher`/`teacher_change` keep one writer (`TeacherRepository`) and
 * there is no import cycle. A merge re-reports the moved records that were reported (their unit changed),
 * through `RecordReporting` like every other path to "reported".
 */
@Injectable()
export class UnitChangesService {
  private readonly records: UnitRecords;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly org: OrgService,
    teachers: TeacherRepository,
    reporting: RecordReporting,
  ) {
    this.records = {
      countActive: (unitId) => teachers.countActiveInUnit(unitId),
      subtreeMoved: (oldPath, newPath) => teachers.rewriteUnitPaths(oldPath, newPath),
      unitMerged: async (fromUnitId, into, actorAccountId) => {
        const { moved, reported } = await teachers.moveToUnit(fromUnitId, into, actorAccountId);
        await reporting.reportMany(reported);
        return moved.length;
      },
    };
  }

  move(actor: Actor, id: string, dto: MoveUnitDto): Promise<OrgUnitEntity> {
    return this.txHost.withTransaction(() => this.org.move(actor, id, dto, this.records));
  }

  merge(actor: Actor, id: string, dto: MergeUnitDto): Promise<OrgUnitEntity> {
    return this.txHost.withTransaction(() => this.org.merge(actor, id, dto, this.records));
  }

  close(actor: Actor, id: string, dto: CloseUnitDto): Promise<OrgUnitEntity> {
    return this.txHost.withTransaction(() => this.org.close(actor, id, dto, this.records));
  }
}
