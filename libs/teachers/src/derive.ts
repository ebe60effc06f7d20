import { ACTIVE_PERSON_STATUSES } from '@tmis/core-indicators';
import type { TeacherColumns } from './teacher.repository.js';

type Rec = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const list = (v: unknown): Rec[] => (Array.isArray(v) ? (v as Rec[]) : []);

/** The searchable columns derived from a record (kept in step with it on every write). */
export function deriveColumns(
  record: Rec,
  unit: { id: string; path: string },
  schoolType: string | null,
): TeacherColumns {
  const b = (record.basic ?? {}) as Rec;
  const education = list(record.education);
  const highest =
    education.find((e) => e.isHighest === true) ??
    [...education].sort((x, y) => String(x.educationLevel).localeCompare(String(y.educationLevel)))[0];
  const titles = list(record.professionalTitle)
    .filter((t) => !t.endMonth)
    .sort((x, y) => String(y.startMonth).localeCompare(String(x.startMonth)));
  const teaching = list(record.teaching);
  const latestYear = teaching
    .map((t) => String(t.schoolYear))
    .sort()
    .pop();
  const personStatus = str(b.personStatus) ?? '01';
  return {
    unitId: unit.id,
    unitPath: unit.path,
    idType: str(b.idType) ?? '1',
    idNumber: (str(b.idNumber) ?? '').toUpperCase(),
    name: str(b.name) ?? '',
    sex: str(b.sex),
    birthDate: str(b.birthDate),
    personStatus,
    statusSince: str(b.statusSince),
    active: ACTIVE_PERSON_STATUSES.has(personStatus),
    schoolType,
    staffCategory: str(b.staffCategory),
    onEstablishment: typeof b.onEstablishment === 'boolean' ? b.onEstablishment : null,
    highestEducation: highest ? str(highest.educationLevel) : null,
    title: titles[0] ? str(titles[0].title) : null,
    subjects: [...new Set(teaching.filter((t) => String(t.schoolYear) === latestYear).map((t) => String(t.subject)))],
    qualificationTypes: [...new Set(list(record.qualification).map((q) => String(q.qualificationType)))],
  };
}

/** Custom values of the single sub-sets, flattened for search (`{ x_key: value }`). */
export function customValues(record: Rec): Rec {
  const out: Rec = {};
  for (const ss of ['basic', 'contacts']) {
    const o = record[ss];
    if (o && typeof o === 'object')
      for (const [k, v] of Object.entries(o as Rec))
        if (k.startsWith('x_') && v !== null && v !== undefined) out[k] = v;
  }
  return out;
}
