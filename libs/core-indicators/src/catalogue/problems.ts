export interface RecordProblem {
  /** JSON path of the value, e.g. `basic.idNumber`, `education[2].endMonth`. */
  path: string;
  code: string;
  message: string;
  messageZh: string;
}
