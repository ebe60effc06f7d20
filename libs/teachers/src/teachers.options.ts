export const TEACHERS_OPTIONS = Symbol('TEACHERS_OPTIONS');

export interface TeachersOptions {
  /** Two-digit province of a provincial node (custom indicators are defined there); undefined on the national node. */
  provinceCode?: string;
}
