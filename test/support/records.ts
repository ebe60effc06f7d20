import { randomInt } from 'node:crypto';
import { makeIdNumber, parseIdNumber } from '@tmis/core-indicators';

/** A valid primary/secondary record for a fresh person (unique ID number). */
export function validRecord(
  over: { basic?: Record<string, unknown>; [k: string]: unknown } = {},
): Record<string, unknown> {
  const year = randomInt(1965, 2000);
  const idNumber = makeIdNumber('110101', `${year}0${randomInt(1, 9)}1${randomInt(0, 9)}`, randomInt(1, 999));
  const parsed = parseIdNumber(idNumber);
  if (!parsed.ok) throw new Error('bad generated id');
  const { basic, ...rest } = over;
  return {
    basic: {
      name: `张${String.fromCharCode(0x4e00 + randomInt(0, 2000))}${String.fromCharCode(0x4e00 + randomInt(0, 2000))}`,
      sex: parsed.value.sex,
      nationality: 'CHN',
      ethnicity: '01',
      idType: '1',
      idNumber,
      birthDate: parsed.value.birthDate,
      politicalStatus: '13',
      workStartMonth: `${year + 22}-09`,
      schoolEntryMonth: `${year + 23}-09`,
      staffCategory: '11',
      onEstablishment: true,
      personStatus: '01',
      ...(basic ?? {}),
    },
    education: [
      {
        startMonth: `${year + 18}-09`,
        endMonth: `${year + 22}-07`,
        schoolName: '北京师范大学',
        educationLevel: '21',
        degree: '4',
        isHighest: true,
      },
    ],
    teaching: [{ schoolYear: '2025-2026', semester: '1', subject: '02', grade: '七年级', weeklyHours: 12 }],
    contacts: { mobile: `139${randomInt(10000000, 99999999)}`, email: `t${randomInt(1, 1e9)}@school.example.cn` },
    ...rest,
  };
}

export const idOf = (r: Record<string, unknown>): string => (r.basic as { idNumber: string }).idNumber;
