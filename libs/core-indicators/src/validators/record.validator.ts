import {
  CATALOGUE,
  catalogueIndex,
  fieldApplies,
  fieldRequired,
  indicatorSet,
  subSetsOf,
} from '../catalogue/catalogue.js';
import type { CustomFieldDefinition } from '../catalogue/custom-fields.js';
import type { CatalogueDefinition, SubSetDef } from '../catalogue/types.js';
import { checkFieldValue, type ValueRule } from './field-value.js';
import { chinaDate, problem, type RecordProblem } from './problems.js';
import {
  birthMonthOf,
  checkBasicDateOrder,
  checkConditionalRules,
  checkEntryRules,
  checkHighestEducation,
  checkIdNumberRules,
} from './record-rules.js';

/** A teacher record: `{ basic: {...}, education: [{...}], contacts: {...}, ... }`. */
export type TeacherRecordValue = Record<string, unknown>;

export interface RecordValidationContext {
  /** Key of the indicator set (from the school type: `indicatorSetForSchoolType`). */
  indicatorSet: string;
  /** The province's custom fields (active and retired). */
  customFields?: readonly CustomFieldDefinition[];
  /** "Now" (dates must not be in the future); defaults to the current time. */
  today?: Date;
  /** The catalogue to validate against; defaults to the national catalogue. */
  catalogue?: CatalogueDefinition;
  /**
   * The record as stored before this write. Values of retired custom fields it already holds (same
   * sub-set, same list entry id) are kept, not written, and pass; any other retired value is refused.
   */
  before?: unknown;
}

export interface RecordValidationResult {
  problems: RecordProblem[];
  valid: boolean;
  /** The catalogue version the record was validated against (stored with the record). */
  catalogueVersion: string;
  indicatorSet: string;
}

type Rules = ReadonlyMap<string, ValueRule | 'retired'>;

const CORE_RULES = new WeakMap<CatalogueDefinition, Map<string, ReadonlyMap<string, ValueRule>>>();

/** The core fields of a sub-set in an indicator set, resolved into value rules (cached per catalogue). */
function coreRules(cat: CatalogueDefinition, set: string, ss: SubSetDef): ReadonlyMap<string, ValueRule> {
  let bySet = CORE_RULES.get(cat);
  if (!bySet) CORE_RULES.set(cat, (bySet = new Map()));
  const cacheKey = `${set}\u0000${ss.key}`;
  let rules = bySet.get(cacheKey);
  if (!rules) {
    const tables = catalogueIndex(cat).tables;
    rules = new Map(
      ss.fields
        .filter((f) => fieldApplies(f, set))
        .map((f) => [
          f.key,
          {
            key: f.key,
            type: f.type,
            required: fieldRequired(f, set),
            maxLength: f.maxLength,
            min: f.min,
            max: f.max,
            pattern: f.pattern,
            patternHint: f.patternHint,
            allowFuture: f.allowFuture,
            codeTableKey: f.codeTable,
            codes: f.codeTable ? tables.get(f.codeTable)?.entries : undefined,
          },
        ]),
    );
    bySet.set(cacheKey, rules);
  }
  return rules;
}

/** Core rules plus the province's custom fields of the sub-set (retired ones marked). */
function rulesFor(
  cat: CatalogueDefinition,
  set: string,
  ss: SubSetDef,
  custom: readonly CustomFieldDefinition[],
): Rules {
  const core = coreRules(cat, set, ss);
  const mine = custom.filter((c) => c.subSet === ss.key && !core.has(c.key));
  if (mine.length === 0) return core;
  const tables = catalogueIndex(cat).tables;
  const out = new Map<string, ValueRule | 'retired'>(core);
  for (const c of mine) {
    out.set(
      c.key,
      c.status === 'retired'
        ? 'retired'
        : {
            key: c.key,
            type: c.type,
            required: Array.isArray(c.requiredIn) && c.requiredIn.includes(set),
            maxLength:
              c.maxLength ??
              (c.type === 'text' ? 2000 : c.type === 'string' ? 100 : c.type === 'idNumber' ? 32 : undefined),
            codeTableKey: c.codeTable ?? c.key,
            codes: c.codes ?? (c.codeTable ? tables.get(c.codeTable)?.entries : undefined),
          },
    );
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function validateObject(
  obj: unknown,
  path: string,
  rules: Rules,
  today: string,
  out: RecordProblem[],
  isEntry: boolean,
  before?: Record<string, unknown>,
): void {
  if (!isObject(obj)) {
    out.push(problem(path, 'object', 'must be an object', '应为对象'));
    return;
  }
  for (const [k, v] of Object.entries(obj)) {
    if (isEntry && k === 'id') {
      if (typeof v !== 'string' || v.length === 0 || v.length > 64)
        out.push(
          problem(`${path}.id`, 'type', 'must be a string id (at most 64 characters)', '应为不超过64个字符的标识'),
        );
      continue;
    }
    const rule = rules.get(k);
    if (rule === 'retired') {
      if (v !== null && v !== undefined && !(before && same(before[k], v)))
        out.push(
          problem(
            `${path}.${k}`,
            'retired',
            'this custom field is retired and can no longer be written',
            '该自定义指标已停用，不能再填写',
          ),
        );
      continue;
    }
    if (!rule) {
      out.push(
        problem(
          `${path}.${k}`,
          'unknown',
          `"${k}" is not a field of ${path.replace(/\[\d+\]$/, '')} in this indicator set`,
          `“${k}”不是该指标集此子集的指标`,
        ),
      );
      continue;
    }
    if (v === null || v === undefined) continue;
    const p = checkFieldValue(rule, v, `${path}.${k}`, today);
    if (p) out.push(p);
  }
  for (const rule of rules.values()) {
    if (rule !== 'retired' && rule.required && (obj[rule.key] === null || obj[rule.key] === undefined)) {
      out.push(problem(`${path}.${rule.key}`, 'required', 'is required', '必填'));
    }
  }
}

/** Later entries repeating the `uniqueBy` values of an earlier one. */
function checkUnique(ss: SubSetDef, entries: readonly unknown[], out: RecordProblem[]): void {
  if (!ss.uniqueBy?.length) return;
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    if (!isObject(e) || ss.uniqueBy!.some((k) => e[k] === null || e[k] === undefined)) return;
    const key = JSON.stringify(ss.uniqueBy!.map((k) => e[k]));
    if (seen.has(key))
      out.push(
        problem(
          `${ss.key}[${i}].${ss.uniqueBy![0]}`,
          'duplicate',
          `repeats an earlier entry (${ss.uniqueBy!.join(', ')})`,
          `与前面的条目重复（${ss.uniqueBy!.join('、')}）`,
        ),
      );
    seen.add(key);
  });
}

/**
 * Validates a whole record against the catalogue for one indicator set, with the province's custom
 * fields: sub-sets and fields of the set only (unknown keys refused), types, code values, lengths,
 * ranges, required fields, list cardinality and size, then the cross-field rules (GB 11643 and the
 * ID/birth date/sex agreement, date order, conditional requirements).
 */
export function validateRecord(record: unknown, ctx: RecordValidationContext): RecordValidationResult {
  const cat = ctx.catalogue ?? CATALOGUE;
  const done = (problems: RecordProblem[]): RecordValidationResult => ({
    problems,
    valid: problems.length === 0,
    catalogueVersion: cat.version,
    indicatorSet: ctx.indicatorSet,
  });
  const set = indicatorSet(ctx.indicatorSet, cat);
  if (!set)
    return done([
      problem(
        'indicatorSet',
        'unknown',
        `unknown indicator set "${ctx.indicatorSet}"`,
        `指标集“${ctx.indicatorSet}”不存在`,
      ),
    ]);
  if (!isObject(record)) return done([problem('record', 'object', 'must be an object', '应为对象')]);
  const out: RecordProblem[] = [];
  const today = chinaDate(ctx.today ?? new Date());
  const custom = ctx.customFields ?? [];
  for (const key of Object.keys(record)) {
    if (!set.subSets.includes(key))
      out.push(
        problem(key, 'unknown', `"${key}" is not a sub-set of indicator set ${set.key}`, `不是指标集“${set.zh}”的子集`),
      );
  }
  const birthMonth = birthMonthOf(record.basic);
  const before = isObject(ctx.before) ? ctx.before : {};
  for (const ss of subSetsOf(set.key, cat)) {
    const rules = rulesFor(cat, set.key, ss, custom);
    const value = record[ss.key];
    if (value === undefined || value === null) {
      if (ss.key === 'basic') out.push(problem('basic', 'required', 'is required', '必填'));
      continue;
    }
    if (ss.cardinality === 'one') {
      const prev = before[ss.key];
      validateObject(value, ss.key, rules, today, out, false, isObject(prev) ? prev : undefined);
      continue;
    }
    if (!Array.isArray(value)) {
      out.push(problem(ss.key, 'list', 'must be a list', '应为列表'));
      continue;
    }
    if (value.length > cat.maxListEntries) {
      out.push(
        problem(
          ss.key,
          'maxEntries',
          `must have at most ${cat.maxListEntries} entries`,
          `条目不能超过${cat.maxListEntries}条`,
        ),
      );
      continue;
    }
    const prevList = Array.isArray(before[ss.key]) ? (before[ss.key] as unknown[]) : [];
    value.forEach((entry, i) => {
      const prev =
        isObject(entry) && typeof entry.id === 'string'
          ? prevList.find((e) => isObject(e) && e.id === entry.id)
          : undefined;
      validateObject(entry, `${ss.key}[${i}]`, rules, today, out, true, isObject(prev) ? prev : undefined);
      if (isObject(entry)) out.push(...checkEntryRules(ss.key, entry, `${ss.key}[${i}]`, birthMonth));
    });
    checkUnique(ss, value, out);
    if (ss.key === 'education') out.push(...checkHighestEducation(value));
  }
  if (isObject(record.basic)) {
    out.push(
      ...checkIdNumberRules(record.basic, today),
      ...checkBasicDateOrder(record.basic),
      ...checkConditionalRules(record.basic),
    );
  }
  return done(out);
}
