export interface CodeEntry {
  code: string;
  zh: string;
  en: string;
}

export interface CodeTable {
  /** Stable key, e.g. `school-type`. */
  key: string;
  /** The standard the codes come from. */
  standard: string;
  entries: readonly CodeEntry[];
}

export function codeTable(key: string, standard: string, entries: [string, string, string][]): CodeTable {
  return { key, standard, entries: entries.map(([code, zh, en]) => ({ code, zh, en })) };
}

export function hasCode(table: CodeTable, code: string): boolean {
  return table.entries.some((e) => e.code === code);
}

export function codeLabel(table: CodeTable, code: string): CodeEntry | undefined {
  return table.entries.find((e) => e.code === code);
}
