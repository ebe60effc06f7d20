import { problem, type RecordProblem } from '../validators/problems.js';
import { catalogueIndex, requirementSets } from './catalogue.js';
import {
  FIELD_TYPES,
  OWNERS,
  SCHOOL_ONLY_SUB_SETS,
  SENSITIVITIES,
  type CatalogueDefinition,
  type FieldDef,
} from './types.js';

const CORE_KEY = /^[a-z][a-zA-Z0-9]*$/;

function duplicates(keys: readonly string[]): string[] {
  return keys.filter((k, i) => keys.indexOf(k) !== i);
}

/**
 * Checks a catalogue definition before it is used (a new version, an added indicator set or table):
 * unique keys and orders, camelCase core keys outside the custom `x_` namespace, known code tables and
 * sets, protected sub-sets never teacher-owned, pay fields pay-sensitive. Returns its problems.
 */
export function validateCatalogueDefinition(cat: CatalogueDefinition): RecordProblem[] {
  const out: RecordProblem[] = [];
  const bad = (path: string, code: string, en: string, zh: string) => out.push(problem(path, code, en, zh));
  const idx = catalogueIndex(cat);
  if (!cat.version) bad('version', 'required', 'a catalogue has a version', '目录须有版本号');
  if (!Number.isInteger(cat.maxListEntries) || cat.maxListEntries < 1)
    bad('maxListEntries', 'range', 'maxListEntries is a whole number from 1', '列表最大条目数须为正整数');
  for (const k of duplicates(cat.codeTables.map((t) => t.key)))
    bad(`codeTables.${k}`, 'duplicate', 'code table key used twice', '代码表重复');
  for (const t of cat.codeTables) {
    for (const c of duplicates(t.entries.map((e) => e.code)))
      bad(`codeTables.${t.key}`, 'duplicate', `code ${c} appears twice`, `代码${c}重复`);
  }
  for (const k of duplicates(cat.subSets.map((s) => s.key)))
    bad(`subSets.${k}`, 'duplicate', 'sub-set key used twice', '子集重复');
  for (const o of duplicates(cat.subSets.map((s) => String(s.order))))
    bad(`subSets`, 'duplicate', `order ${o} used twice`, `顺序号${o}重复`);
  for (const s of cat.subSets) {
    for (const k of duplicates(s.fields.map((f) => f.key)))
      bad(`${s.key}.${k}`, 'duplicate', 'field key used twice in the sub-set', '同一子集内指标重复');
    for (const u of s.uniqueBy ?? [])
      if (!s.fields.some((f) => f.key === u))
        bad(`${s.key}.uniqueBy`, 'unknown', `uniqueBy names unknown field ${u}`, `唯一性约束引用了不存在的指标${u}`);
    for (const f of s.fields) checkField(cat, s.key, f, bad);
    if (s.cardinality !== 'one' && s.cardinality !== 'many')
      bad(s.key, 'isIn', 'cardinality is one or many', '基数须为 one 或 many');
  }
  for (const k of duplicates(cat.indicatorSets.map((s) => s.key)))
    bad(`indicatorSets.${k}`, 'duplicate', 'indicator set key used twice', '指标集重复');
  for (const set of cat.indicatorSets) {
    for (const ss of set.subSets)
      if (!idx.subSets.has(ss)) bad(`indicatorSets.${set.key}`, 'unknown', `unknown sub-set ${ss}`, `子集${ss}不存在`);
    if (!set.subSets.includes('basic'))
      bad(
        `indicatorSets.${set.key}`,
        'required',
        'every indicator set has the basic sub-set',
        '每个指标集都须有基本信息子集',
      );
  }
  for (const [type, set] of Object.entries(cat.setBySchoolType)) {
    if (!idx.sets.has(set))
      bad(`setBySchoolType.${type}`, 'unknown', `unknown indicator set ${set}`, `指标集${set}不存在`);
  }
  if (!idx.sets.has(cat.fallbackSet))
    bad('fallbackSet', 'unknown', `unknown indicator set ${cat.fallbackSet}`, `指标集${cat.fallbackSet}不存在`);
  return out;
}

function checkField(
  cat: CatalogueDefinition,
  ss: string,
  f: FieldDef,
  bad: (path: string, code: string, en: string, zh: string) => void,
): void {
  const path = `${ss}.${f.key}`;
  const idx = catalogueIndex(cat);
  if (!CORE_KEY.test(f.key))
    bad(
      path,
      'key',
      "core keys are camelCase (x_ is the provinces' namespace)",
      '核心指标键须为驼峰式（x_ 为省级自定义指标保留）',
    );
  if (!f.zh || !f.en) bad(path, 'label', 'a field has Chinese and English labels', '指标须有中英文名称');
  if (!FIELD_TYPES.includes(f.type)) bad(path, 'type', `unknown type ${f.type}`, '类型无效');
  if (!OWNERS.includes(f.owner)) bad(path, 'owner', `unknown owner ${f.owner}`, '填报主体无效');
  if (!SENSITIVITIES.includes(f.sensitivity))
    bad(path, 'sensitivity', `unknown sensitivity ${f.sensitivity}`, '敏感级别无效');
  if (f.type === 'code' && (!f.codeTable || !idx.tables.has(f.codeTable)))
    bad(
      path,
      'codeTable',
      `code field without a known code table (${f.codeTable ?? 'none'})`,
      '代码型指标未指定有效代码表',
    );
  if (f.type !== 'code' && f.codeTable)
    bad(path, 'codeTable', 'only code fields have a code table', '仅代码型指标可指定代码表');
  if (f.pattern !== undefined) {
    try {
      new RegExp(f.pattern);
    } catch {
      bad(path, 'pattern', 'pattern is not a valid regular expression', '格式不是有效的正则表达式');
    }
  }
  if (SCHOOL_ONLY_SUB_SETS.includes(ss) && f.owner === 'teacher')
    bad(
      path,
      'owner',
      'pay, assessment, ethics and professional-title fields are never teacher-owned (Art. 16)',
      '待遇、考核、师德、专业技术职务类指标不能由教师填写',
    );
  if (ss === 'payBenefits' && f.sensitivity !== 'pay')
    bad(path, 'sensitivity', 'pay fields are pay-sensitive', '待遇指标须为待遇敏感');
  const sets = [...(f.onlyIn ?? []), ...requirementSets(f.required)];
  for (const s of sets)
    if (!idx.sets.has(s)) bad(path, 'unknown', `names unknown indicator set ${s}`, `引用了不存在的指标集${s}`);
}
