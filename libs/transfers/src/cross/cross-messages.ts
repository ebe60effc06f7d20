/**
 * The messages of a cross-province transfer (Art. 23), on the federation messenger (libs/federation,
 * docs/federation.md). Provinces talk only to national; national routes. Every message is keyed by
 * the saga's id (one partition: in order) and its effect is idempotent (inbox + state guards).
 *
 *   A (receiving)                     national                        B (sending)
 *   request ───────────────────────▶  checks, hub row ─ requested ─▶ school, department
 *           ◀────── refused ────────  ◀───────────── refuse ───────  (a refusal, or no such teacher)
 *           ◀────── approved ───────  ◀───────────── confirm ──────  (with the reported record)
 *   checks the record; `approved`      `scheduled`                   `approved`
 *   (or refuses it) ── reject ─────▶  ─────────── refused ────────▶  (not transferred out)
 *   on the effective date:
 *   creates the record ─ complete ─▶  ─────────── completed ──────▶  marks transferred out
 *           ◀────── expired ────────  timeout  ────── expired ─────▶
 *   withdraw (before 44 confirms) ─▶  first come at national wins:
 *           ◀────── withdrawn ──────  withdrawn ─── withdrawn ─────▶  (or the confirmation won: approved)
 */
export const CROSS = {
  request: 'transfer.cross.request',
  requested: 'transfer.cross.requested',
  refuse: 'transfer.cross.refuse',
  refused: 'transfer.cross.refused',
  confirm: 'transfer.cross.confirm',
  approved: 'transfer.cross.approved',
  complete: 'transfer.cross.complete',
  completed: 'transfer.cross.completed',
  expired: 'transfer.cross.expired',
  /** The receiving province refuses the reported record (it does not validate there). */
  reject: 'transfer.cross.reject',
  /** The applicant withdraws after its department approved (before the sending province confirmed). */
  withdraw: 'transfer.cross.withdraw',
  withdrawn: 'transfer.cross.withdrawn',
} as const;

export interface CrossRequest {
  transferId: string;
  fromProvince: string;
  toProvince: string;
  idType: string;
  idNumber: string;
  teacherName: string;
  toUnitCode: string;
  toUnitName: string;
  toSchoolType: string | null;
  newPost: string | null;
  effectiveDate: string;
  reason: string;
}

export interface CrossRefusal {
  transferId: string;
  reason: string;
  /** Who refused: the sending province's code, or `national`. */
  by: string;
}

/** What the sending province reports of the teacher: core and national fields, its custom values apart. */
export interface CrossRecord {
  idType: string;
  idNumber: string;
  name: string;
  record: Record<string, unknown>;
  custom: Record<string, unknown>;
  catalogueVersion: string;
  fromUnitCode: string;
  fromSchoolType: string | null;
  title: string | null;
}

export interface CrossConfirm {
  transferId: string;
  record: CrossRecord;
}

export interface CrossComplete {
  transferId: string;
  teacherId: string;
}

/** `reject` (receiving province → national), `withdraw` (receiving province → national) and `withdrawn` (national → both). */
export interface CrossEnded {
  transferId: string;
  reason: string;
}

export interface CrossExpired {
  transferId: string;
  reason: string;
}

/** A handler refuses a payload without these string fields (the message is then dead-lettered). */
export function requireFields<T>(p: unknown, fields: (keyof T & string)[]): T {
  const o = p as Record<string, unknown>;
  for (const f of fields)
    if (typeof o?.[f] !== 'string' || !(o[f] as string).length) throw new Error(`payload: ${f} is required`);
  return o as T;
}
