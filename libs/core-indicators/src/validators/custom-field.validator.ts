import { CATALOGUE, catalogueIndex, subSet } from '../catalogue/catalogue.js';
import { CUSTOM_CODE, CUSTOM_KEY, type CustomFieldDefinition } from '../catalogue/custom-fields.js';
import {
  FIELD_TYPES,
  OWNERS,
  SCHOOL_ONLY_SUB_SETS,
  SENSITIVITIES,
  type CatalogueDefinition,
} from '../catalogue/types.js';
import { problem, type RecordProblem } from './problems.js';

const TEXT_TYPES = new Set(['string', 'text', 'idNumber']);

type Existing = CustomFieldDefinition | readonly CustomFieldDefinition[] | undefined;
const isList = (e: Existing): e is readonly CustomFieldDefinition[] => Array.isArray(e);

function previousOf(def: CustomFieldDefinition, existing: Existing): CustomFieldDefinition | undefined {
  if (!isList(existing)) return existing;
  return existing.filter((e) => e.key === def.key).sort((a, b) => b.version - a.version)[0];
}

/**
 * Checks a new or changed custom field definition. `existing` is the current definition of the same key
 * or the province's list of definitions (the latest version with the key is taken); `inUse` says whether
 * records hold values for it: a field in use may be relabelled or retired, never changed in type, code
 * table or sub-set, nor lose codes or length.
 */
export function validateCustomFieldDefinition(
  def: CustomFieldDefinition,
  existing?: CustomFieldDefinition | readonly CustomFieldDefinition[],
  inUse = false,
  cat: CatalogueDefinition = CATALOGUE,
): RecordProblem[] {
  const p: RecordProblem[] = [];
  const bad = (path: string, code: string, en: string, zh: string) => p.push(problem(path, code, en, zh));
  const idx = catalogueIndex(cat);
  if (typeof def.key !== 'string' || !CUSTOM_KEY.test(def.key))
    bad(
      'key',
      'customKey',
      'key must be x_ followed by a camelCase name (the province namespace)',
      '须以 x_ 开头，其后为字母开头的字母数字',
    );
  if (idx.fieldKeys.has(def.key) || idx.subSets.has(def.key))
    bad('key', 'collision', 'key collides with a core field', '与国家核心指标重名');
  if (typeof def.zh !== 'string' || def.zh.trim() === '' || def.zh.length > 50)
    bad('zh', 'label', 'a Chinese label of 1 to 50 characters is required', '须有1至50个字符的中文名称');
  if (typeof def.en !== 'string' || def.en.trim() === '' || def.en.length > 100)
    bad('en', 'label', 'an English label of 1 to 100 characters is required', '须有1至100个字符的英文名称');
  if (!FIELD_TYPES.includes(def.type)) bad('type', 'isIn', `type must be one of ${FIELD_TYPES.join(', ')}`, '类型无效');
  const ss = subSet(def.subSet, cat);
  if (!ss) bad('subSet', 'isIn', `unknown sub-set "${def.subSet}"`, '子集不存在');
  if (!OWNERS.includes(def.owner)) bad('owner', 'isIn', `owner must be one of ${OWNERS.join(', ')}`, '填报主体无效');
  if (!SENSITIVITIES.includes(def.sensitivity))
    bad('sensitivity', 'isIn', `sensitivity must be one of ${SENSITIVITIES.join(', ')}`, '敏感级别无效');
  if (!Number.isInteger(def.version) || def.version < 1)
    bad('version', 'version', 'version must be a whole number from 1', '版本须为从1开始的整数');
  if (def.status !== 'active' && def.status !== 'retired')
    bad('status', 'isIn', 'status must be active or retired', '状态须为启用或停用');
  if (!Array.isArray(def.requiredIn))
    bad('requiredIn', 'list', 'requiredIn must be a list of indicator sets', '必填指标集应为列表');
  else {
    for (const set of def.requiredIn) {
      const s = idx.sets.get(set);
      if (!s) bad('requiredIn', 'isIn', `unknown indicator set "${set}"`, `指标集“${set}”不存在`);
      else if (ss && !s.subSets.includes(ss.key))
        bad(
          'requiredIn',
          'notInSet',
          `indicator set "${set}" has no sub-set ${ss.key}`,
          `指标集“${s.zh}”没有子集${ss.zh}`,
        );
    }
  }
  if (def.type === 'code') {
    const national = def.codeTable !== undefined && idx.tables.has(def.codeTable);
    const own = Array.isArray(def.codes) && def.codes.length > 0;
    if (national === own)
      bad(
        'codeTable',
        'codeTable',
        'a code field names one national code table or lists its own codes',
        '代码型指标须指定一个国家代码表或自带代码',
      );
    if (own) {
      const codes = def.codes ?? [];
      if (new Set(codes.map((c) => c.code)).size !== codes.length)
        bad('codes', 'unique', 'codes must be unique', '代码不能重复');
      if (codes.some((c) => !CUSTOM_CODE.test(c.code) || !c.zh))
        bad(
          'codes',
          'format',
          'each code is 1-8 letters or digits with a Chinese label',
          '代码须为1至8位字母或数字并有中文名称',
        );
    }
  } else if (def.codeTable !== undefined || def.codes !== undefined)
    bad('codeTable', 'codeTable', 'only code fields have a code table', '仅代码型指标可指定代码表');
  if (
    def.maxLength !== undefined &&
    (!TEXT_TYPES.has(def.type) || !Number.isInteger(def.maxLength) || def.maxLength < 1 || def.maxLength > 2000)
  ) {
    bad(
      'maxLength',
      'maxLength',
      'maxLength is a whole number from 1 to 2000, for text fields only',
      '最大长度须为1至2000的整数，且仅用于文本型指标',
    );
  }
  if (ss?.key === 'payBenefits' && def.sensitivity !== 'pay')
    bad('sensitivity', 'sensitivity', 'fields in pay and benefits are pay-sensitive', '基本待遇子集的指标须为待遇敏感');
  if (ss && SCHOOL_ONLY_SUB_SETS.includes(ss.key) && def.owner === 'teacher') {
    bad(
      'owner',
      'owner',
      'pay, assessment, ethics and professional-title fields are never teacher-writable (Art. 16)',
      '待遇、考核、师德、专业技术职务类指标不能由教师填写',
    );
  }
  const previous = previousOf(def, existing);
  if (previous) {
    if (previous.status === 'retired')
      bad(
        'key',
        'retired',
        'a retired field is not brought back; define a new key',
        '已停用的指标不能恢复，请定义新指标',
      );
    if (Number.isInteger(def.version) && def.version <= previous.version)
      bad('version', 'version', `version must be above ${previous.version}`, `版本须大于${previous.version}`);
    if (inUse) checkInUse(def, previous, bad);
  }
  return p;
}

function checkInUse(
  def: CustomFieldDefinition,
  previous: CustomFieldDefinition,
  bad: (path: string, code: string, en: string, zh: string) => void,
): void {
  if (previous.type !== def.type)
    bad(
      'type',
      'inUse',
      'the field holds values: its type cannot change (retire it and define a new one)',
      '该指标已有数据，不能修改类型（请停用后新建）',
    );
  if (previous.codeTable !== def.codeTable)
    bad('codeTable', 'inUse', 'the field holds values: its code table cannot change', '该指标已有数据，不能更换代码表');
  if (previous.subSet !== def.subSet)
    bad('subSet', 'inUse', 'the field holds values: its sub-set cannot change', '该指标已有数据，不能更换子集');
  if (previous.codes && previous.codes.some((c) => !def.codes?.some((d) => d.code === c.code)))
    bad('codes', 'inUse', 'codes in use cannot be removed', '已使用的代码不能删除');
  const before = previous.maxLength ?? Infinity;
  if ((def.maxLength ?? Infinity) < before)
    bad(
      'maxLength',
      'inUse',
      'the field holds values: its maximum length cannot shrink',
      '该指标已有数据，不能缩短最大长度',
    );
}
