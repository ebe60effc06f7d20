import { Injectable } from '@nestjs/common';
import type { SyncedTrainingEntry } from '@tmis/contracts';
import { ConfirmedTraining } from '@tmis/teachers';
import { TrainingRepository, type ConfirmedTrainingRow } from './training.repository.js';

/** Catalogue codes: `level` (1 national … 5 school) and `training-mode` (1 face to face, 2 online, 4 school-based). */
const LEVEL: Record<string, string> = { national: '1', province: '2', city: '3', county: '4', school: '5' };
const MODE: Record<string, string> = { training: '1', online: '2', school_based: '4' };

/** A confirmed result as its sub-set 13 entry (the catalogue's `domesticTraining` shape), on the record and at national. */
export function trainingEntry(r: ConfirmedTrainingRow): SyncedTrainingEntry {
  return {
    id: r.id,
    projectName: r.name,
    startDate: r.startsOn,
    endDate: r.endsOn,
    hours: r.hours,
    organiser: r.organiser,
    level: LEVEL[r.level],
    mode: MODE[r.kind] ?? '1',
  };
}

/** Sub-set 13 of the record from confirmed training: every passed, confirmed result, as a read-only entry. */
@Injectable()
export class RecordTraining extends ConfirmedTraining {
  constructor(private readonly repo: TrainingRepository) {
    super();
  }

  async entriesFor(teacherId: string): Promise<Record<string, unknown>[]> {
    return (await this.entriesForMany([teacherId])).get(teacherId) ?? [];
  }

  async entriesForMany(teacherIds: string[]): Promise<Map<string, Record<string, unknown>[]>> {
    const out = new Map<string, Record<string, unknown>[]>();
    if (!teacherIds.length) return out;
    for (const [id, rows] of await this.repo.confirmedTraining(teacherIds))
      out.set(
        id,
        rows.map((r) => ({ ...trainingEntry(r), confirmed: true })),
      );
    return out;
  }
}
