/** One problem found in a record or a definition. */
export interface RecordProblem {
  /** Path of the value, e.g. `basic.idNumber`, `education[2].endMonth`. */
  path: string;
  /** Stable machine code: `required`, `type`, `code`, `maxLength`, `range`, `pattern`, `future`, `unknown`, `dateOrder`, … */
  code: string;
  /** English message (without the path). */
  message: string;
  /** Chinese message, prefixed with the path (`basic.idNumber：校验码不正确`). */
  messageZh: string;
}

export function problem(path: string, code: string, message: string, zh: string): RecordProblem {
  return { path, code, message, messageZh: `${path}：${zh}` };
}

/** Beijing date (UTC+8) of an instant, `YYYY-MM-DD`: what "today" means for dates a school enters. */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}
