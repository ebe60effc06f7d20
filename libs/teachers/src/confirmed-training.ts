/**
 * Port: the entries of sub-set 13 (domestic training) that come from confirmed training, so they are
 * not typed twice (Art. 25; libs/training provides it, ADR 0015). Absent, records show what was typed.
 */
export abstract class ConfirmedTraining {
  /** Entries in the catalogue's `domesticTraining` shape, each with `confirmed: true`. */
  abstract entriesFor(teacherId: string): Promise<Record<string, unknown>[]>;
  /** The same for many teachers at once (exports, imports): teachers without any are absent. */
  abstract entriesForMany(teacherIds: string[]): Promise<Map<string, Record<string, unknown>[]>>;
}

/** A record with confirmed training entries after its typed sub-set 13 (`domesticTraining`) entries. */
export function withConfirmedTraining(
  record: Record<string, unknown>,
  confirmed: Record<string, unknown>[] | undefined,
): Record<string, unknown> {
  if (!confirmed?.length) return record;
  const typed = Array.isArray(record.domesticTraining) ? (record.domesticTraining as Record<string, unknown>[]) : [];
  return { ...record, domesticTraining: [...typed, ...confirmed] };
}
