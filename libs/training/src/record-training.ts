import { Injectable } from '@nestjs/common';
import { ConfirmedTraining } from '@tmis/teachers';
import { TrainingRepository } from './training.repository.js';

/** Catalogue codes: `level` (1 national … 5 school) and `training-mode` (1 face to face, 2 online, 4 school-based). */
const LEVEL: Record<string, string> = { national: '1', province: '2', city: '3', county: '4', school: '5' };
const MODE: Record<string, string> = { training: '1', online: '2', school_based: '4' };

/** Sub-set 13 of the record from confirmed training: every passed, confirmed result, as a read-only entry. */
@Injectable()
export class RecordTraining extends ConfirmedTraining {
  constructor(private readonly repo: TrainingRepository) {
    super();
  }

  async entriesFor(teacherId: string): Promise<Record<string, unknown>[]> {
    return (await this.repo.confirmedTraining(teacherId)).map((r) => ({
      id: r.id,
      projectName: r.name,
      startDate: r.startsOn,
      endDate: r.endsOn,
      hours: r.hours,
      organiser: r.organiser,
      level: LEVEL[r.level],
      mode: MODE[r.kind] ?? '1',
      confirmed: true,
    }));
  }
}
