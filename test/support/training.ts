import type { DataSource } from 'typeorm';

/**
 * A confirmed, passed training result of `teacherId` in a project of `unit` (written as the training
 * module leaves it after confirmation): for tests of what reads sub-set 13's confirmed training, where
 * the project's whole review and results flow is not the subject. Returns the result's (entry's) id.
 */
export async function confirmedResult(
  db: DataSource,
  unit: { id: string; path: string },
  teacherId: string,
  p: { name: string; organiser: string; creditKind: string; hours: number; startsOn: string; endsOn: string },
): Promise<string> {
  const [project] = await db.query(
    `INSERT INTO training_project (owner_unit_id, owner_path, level, name, category, credit_kind, organiser, hours, starts_on,
            ends_on, capacity, state)
     VALUES ($1, $2, 'school', $3, 'general', $4, $5, $6, $7, $8, 50, 'approved') RETURNING id`,
    [unit.id, unit.path, p.name, p.creditKind, p.organiser, p.hours, p.startsOn, p.endsOn],
  );
  const [result] = await db.query(
    `INSERT INTO training_enrolment (project_id, teacher_id, completed_hours, passed, result_at, confirmed_at)
     VALUES ($1, $2, $3, true, now(), now()) RETURNING id`,
    [project.id, teacherId, p.hours],
  );
  return result.id;
}
