import { TITLE_LEVEL_OF_TITLE } from '../code-tables/career.js';
import { CHINESE_NATIONALITIES } from '../code-tables/person.js';
import { isRealDate, isYearMonth } from './field-value.js';
import { idNumberProblemMessages, parseIdNumber } from './id-number.js';
import { problem, type RecordProblem } from './problems.js';

/** Cross-field rules of a record (SPEC Appendix A), each a pure function returning its problems. */
type Rec = Readonly<Record<string, unknown>>;

const has = (o: Rec, k: string) => o[k] !== undefined && o[k] !== null;
const dateOf = (v: unknown): string | undefined => (typeof v === 'string' && isRealDate(v) ? v : undefined);
const monthOf = (v: unknown): string | undefined => (typeof v === 'string' && isYearMonth(v) ? v : undefined);

/**
 * ID document type 1 (resident identity card): the number must pass GB 11643, and the birth date and sex
 * it encodes must agree with the record's; the card is held by Chinese citizens only.
 */
export function checkIdNumberRules(basic: Rec, today: string): RecordProblem[] {
  const out: RecordProblem[] = [];
  if (basic.idType !== '1') return out;
  if (typeof basic.nationality === 'string' && !CHINESE_NATIONALITIES.has(basic.nationality)) {
    out.push(
      problem(
        'basic.idType',
        'conditional',
        'a resident identity card is not held by foreign nationals',
        '外籍人员不能使用居民身份证',
      ),
    );
  }
  if (typeof basic.idNumber !== 'string') return out;
  const parsed = parseIdNumber(basic.idNumber.toUpperCase(), new Date(`${today}T23:59:59+08:00`));
  if (!parsed.ok) {
    const m = idNumberProblemMessages[parsed.problem];
    out.push(problem('basic.idNumber', 'idNumber', `ID number: ${m.en}`, `身份证号码${m.zh}`));
    return out;
  }
  if (typeof basic.birthDate === 'string' && basic.birthDate !== parsed.value.birthDate) {
    out.push(
      problem(
        'basic.birthDate',
        'idMismatch',
        `must agree with the ID number (${parsed.value.birthDate})`,
        `与身份证号码中的出生日期（${parsed.value.birthDate}）不一致`,
      ),
    );
  }
  if (typeof basic.sex === 'string' && basic.sex !== parsed.value.sex) {
    out.push(
      problem(
        'basic.sex',
        'idMismatch',
        `must agree with the ID number (${parsed.value.sex === '1' ? 'male' : 'female'})`,
        `与身份证号码中的性别（${parsed.value.sex === '1' ? '男' : '女'}）不一致`,
      ),
    );
  }
  return out;
}

/** Birth < work start ≤ school entry (months compared for the birth date). */
export function checkBasicDateOrder(basic: Rec): RecordProblem[] {
  const out: RecordProblem[] = [];
  const birth = dateOf(basic.birthDate)?.slice(0, 7);
  const work = monthOf(basic.workStartMonth);
  const entry = monthOf(basic.schoolEntryMonth);
  if (birth && work && !(birth < work))
    out.push(
      problem('basic.workStartMonth', 'dateOrder', 'must be after the birth date', '参加工作年月须晚于出生日期'),
    );
  if (work && entry && entry < work)
    out.push(
      problem(
        'basic.schoolEntryMonth',
        'dateOrder',
        'must not be before the work start',
        '进本校年月不能早于参加工作年月',
      ),
    );
  if (!work && birth && entry && !(birth < entry))
    out.push(
      problem('basic.schoolEntryMonth', 'dateOrder', 'must be after the birth date', '进本校年月须晚于出生日期'),
    );
  return out;
}

/**
 * Not on the establishment ⇒ employment form required (and only then); a foreign national has no
 * ethnicity; a Chinese national (CHN) has one.
 */
export function checkConditionalRules(basic: Rec): RecordProblem[] {
  const out: RecordProblem[] = [];
  if (basic.onEstablishment === false && !has(basic, 'employmentForm')) {
    out.push(
      problem(
        'basic.employmentForm',
        'conditional',
        'is required for staff not on the establishment',
        '非在编人员必填用人形式',
      ),
    );
  }
  if (basic.onEstablishment === true && has(basic, 'employmentForm')) {
    out.push(
      problem(
        'basic.employmentForm',
        'notApplicable',
        'is only for staff not on the establishment',
        '在编人员不填用人形式',
      ),
    );
  }
  if (typeof basic.nationality === 'string') {
    if (!CHINESE_NATIONALITIES.has(basic.nationality) && has(basic, 'ethnicity')) {
      out.push(
        problem('basic.ethnicity', 'notApplicable', 'is not recorded for foreign nationals', '外籍人员不填民族'),
      );
    }
    if (basic.nationality === 'CHN' && !has(basic, 'ethnicity')) {
      out.push(problem('basic.ethnicity', 'conditional', 'is required for Chinese nationals', '中国国籍人员必填民族'));
    }
  }
  return out;
}

/**
 * Rules of one list entry: start ≤ end (dates and year-months), not before the birth month, and a
 * professional title's level agreeing with the title.
 */
export function checkEntryRules(
  subSetKey: string,
  entry: Rec,
  path: string,
  birthMonth: string | undefined,
): RecordProblem[] {
  const out: RecordProblem[] = [];
  for (const [a, b, read] of [
    ['startDate', 'endDate', dateOf],
    ['startMonth', 'endMonth', monthOf],
  ] as const) {
    const start = read(entry[a]);
    const end = read(entry[b]);
    if (start && end && start > end)
      out.push(problem(`${path}.${b}`, 'dateOrder', `must not be before ${a}`, `不能早于开始时间（${a}）`));
    if (start && birthMonth && start.slice(0, 7) < birthMonth)
      out.push(problem(`${path}.${a}`, 'dateOrder', 'must not be before the birth date', '不能早于出生日期'));
  }
  if (subSetKey === 'professionalTitle' && typeof entry.title === 'string' && typeof entry.titleLevel === 'string') {
    const level = TITLE_LEVEL_OF_TITLE[entry.title];
    if (level !== undefined && level !== entry.titleLevel) {
      out.push(
        problem(
          `${path}.titleLevel`,
          'titleLevel',
          `does not match the title (expected ${level})`,
          `与专业技术职务不一致（应为${level}）`,
        ),
      );
    }
  }
  return out;
}

/** At most one education entry is marked as the highest. */
export function checkHighestEducation(entries: readonly unknown[]): RecordProblem[] {
  const marked = entries.flatMap((e, i) => (e && typeof e === 'object' && (e as Rec).isHighest === true ? [i] : []));
  return marked
    .slice(1)
    .map((i) =>
      problem(
        `education[${i}].isHighest`,
        'highest',
        'only one education entry may be the highest',
        '只能有一条最高学历',
      ),
    );
}

/** The birth month of a basic sub-set, when it holds a real date. */
export function birthMonthOf(basic: unknown): string | undefined {
  return basic && typeof basic === 'object' && !Array.isArray(basic)
    ? dateOf((basic as Rec).birthDate)?.slice(0, 7)
    : undefined;
}
