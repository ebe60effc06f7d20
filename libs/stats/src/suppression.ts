/** Cells with 1 … SMALL_CELL_MAX people are suppressed for readers the small-cell rule applies to. */
export const SMALL_CELL_MAX = 4;

export const SUPPRESSION_RULE = {
  en: `For information query users and system administrators, a breakdown below county level (by school, or within a school), one with ethnicity or political status, or one combining two or more of sex, age band and retirement year has every cell of 1 to ${SMALL_CELL_MAX} people suppressed (count null, suppressed true); then, wherever a line of the table (the cells that differ in one dimension or in the unit only) has exactly one suppressed cell, the next smallest cell of that line is suppressed too, so that totals cannot reveal it. Information administrators, who read the records themselves, see exact counts.`,
  zh: `对信息查询用户和系统管理员：按学校（或学校内部）细分、含民族或政治面貌、或同时含性别、年龄段、退休年份中两项及以上的统计表，人数为1至${SMALL_CELL_MAX}人的单元格不予显示（count为null，suppressed为true）；若表中某一行（仅在一个维度或单位上不同的单元格）恰有一个单元格被隐藏，则同时隐藏该行中次小的单元格，使合计无法反推。信息管理员可查阅档案本身，看到精确人数。`,
};

export interface CountCell {
  /** The cell's coordinates: the unit (when broken down by level) and each dimension's code. */
  key: readonly (string | null)[];
  count: number;
}

/**
 * Primary suppression of small cells, then secondary suppression along every line: for each
 * coordinate position, the cells sharing all other coordinates form a line; a line with exactly one
 * suppressed cell gets its smallest remaining cell suppressed as well. Repeats until stable.
 * Returns the indexes of suppressed cells.
 */
export function suppress(cells: readonly CountCell[], max = SMALL_CELL_MAX): Set<number> {
  const out = new Set<number>();
  cells.forEach((c, i) => {
    if (c.count >= 1 && c.count <= max) out.add(i);
  });
  if (!out.size) return out;
  const width = cells[0]?.key.length ?? 0;
  const lines: number[][] = [];
  for (let pos = 0; pos < width; pos++) {
    const byRest = new Map<string, number[]>();
    cells.forEach((c, i) => {
      const rest = JSON.stringify(c.key.filter((_, p) => p !== pos));
      byRest.set(rest, [...(byRest.get(rest) ?? []), i]);
    });
    lines.push(...byRest.values());
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const line of lines) {
      const hidden = line.filter((i) => out.has(i));
      if (hidden.length !== 1) continue;
      const next = line
        .filter((i) => !out.has(i) && cells[i].count > 0)
        .sort((a, b) => cells[a].count - cells[b].count)[0];
      if (next !== undefined) {
        out.add(next);
        changed = true;
      }
    }
  }
  return out;
}
