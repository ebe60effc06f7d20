/**
 * The national search's facet values of a reported record (`c…` staff category, `t…` current title, `e…`
 * highest education, `s…` subjects of the latest school year, `q…` qualification types), computed as
 * PostgreSQL's `tmis_record_facets(record)` computes them (migration 1767850000000: the definition the
 * facet triggers use). The resync's staged apply sends these with its rows so that PostgreSQL does not
 * walk each record again (ADR 0022). A spec (test/medium/national-facets-staged.test.ts) holds this function
 * to the SQL on varied records.
 *
 * Returns null whenever the record holds something whose SQL reading this function does not reproduce
 * exactly — a value that is not a JSON string where a code is read (`->>` would print it as JSON), an
 * array element that is not an object, a tie the SQL leaves to the sort, a character outside the Basic
 * Multilingual Plane's lower part in a compared value (JavaScript compares UTF-16 units, `COLLATE "C"`
 * compares UTF-8 bytes) — and PostgreSQL then computes that record's values itself.
 */
export function recordFacets(record: unknown): string[] | null {
  if (!isObject(record)) return null;
  const out: string[] = [];
  try {
    const basic = record['basic'];
    if (isObject(basic)) {
      const c = code(basic['staffCategory']);
      if (c !== null) out.push('c' + c);
    }

    const title = currentTitle(record['professionalTitle']);
    if (title !== null) out.push('t' + title);
    const education = highestEducation(record['education']);
    if (education !== null) out.push('e' + education);
    for (const s of latestSubjects(record['teaching'])) out.push('s' + s);
    for (const q of distinctOf(record['qualification'], 'qualificationType')) out.push('q' + q);
  } catch (e) {
    if (e === UNSURE) return null;
    throw e;
  }
  return out;
}

const UNSURE = Symbol('unsure');

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `->>` of a member: a string as is, absent or JSON null as null; any other JSON value is not reproduced. */
function code(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  throw UNSURE;
}

/** A value compared with `COLLATE "C"`: code-unit order equals UTF-8 byte order below U+D800. */
function comparable(v: string | null): string | null {
  if (v !== null && /[\uD800-\uFFFF]/.test(v)) throw UNSURE;
  return v;
}

/** The elements of a JSON array (none for anything else, as `CASE WHEN jsonb_typeof(x) = 'array'`); each an object. */
function elements(v: unknown): Record<string, unknown>[] {
  if (!Array.isArray(v)) return [];
  for (const e of v) if (!isObject(e)) throw UNSURE;
  return v as Record<string, unknown>[];
}

/** The open title (no end month) with the latest start month; null start months last. */
function currentTitle(v: unknown): string | null {
  let best: Record<string, unknown> | null = null;
  let bestStart: string | null = null;
  let tie = false;
  for (const e of elements(v)) {
    const end = code(e['endMonth']);
    if (end !== null && end !== '') continue;
    const start = comparable(code(e['startMonth']));
    if (best === null) {
      best = e;
      bestStart = start;
      tie = false;
    } else if (start === bestStart) tie = true;
    else if (bestStart === null || (start !== null && start > bestStart)) {
      best = e;
      bestStart = start;
      tie = false;
    }
  }
  if (best === null) return null;
  const title = code(best['title']);
  // Two open titles with the same start month: the SQL takes whichever its sort puts first.
  if (tie) throw UNSURE;
  return title;
}

/** The first entry marked highest, else the lowest education level (null levels last). */
function highestEducation(v: unknown): string | null {
  const es = elements(v);
  for (const e of es) {
    const level = code(e['educationLevel']);
    if (e['isHighest'] === true) return level;
  }
  let min: string | null = null;
  for (const e of es) {
    const level = comparable(code(e['educationLevel']));
    if (level !== null && (min === null || level < min)) min = level;
  }
  return min;
}

/** The distinct subjects of the entries of the latest school year (entries holding a `subject` member). */
function latestSubjects(v: unknown): string[] {
  const es = elements(v);
  let latest: string | null = null;
  for (const e of es) {
    const y = comparable(code(e['schoolYear']));
    if (y !== null && (latest === null || y > latest)) latest = y;
  }
  if (latest === null) return [];
  const out = new Set<string>();
  for (const e of es) {
    if (!Object.hasOwn(e, 'subject') || code(e['schoolYear']) !== latest) continue;
    const s = code(e['subject']);
    if (s !== null) out.add(s);
  }
  return [...out];
}

/** The distinct values of member `key` over the entries that hold it. */
function distinctOf(v: unknown, key: string): string[] {
  const out = new Set<string>();
  for (const e of elements(v)) {
    if (!Object.hasOwn(e, key)) continue;
    const x = code(e[key]);
    if (x !== null) out.add(x);
  }
  return [...out];
}
