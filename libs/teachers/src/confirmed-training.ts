/**
 * Port: the entries of sub-set 13 (domestic training) that come from confirmed training, so they are
 * not typed twice (Art. 25; libs/training provides it, ADR 0015). Absent, records show what was typed.
 */
export abstract class ConfirmedTraining {
  /** Entries in the catalogue's `domesticTraining` shape, each with `confirmed: true`. */
  abstract entriesFor(teacherId: string): Promise<Record<string, unknown>[]>;
}
