import { CODE_TABLES, CORE_FIELD_PATHS, subSet } from './catalogue.js';
import type { FieldType, Owner, Sensitivity } from './types.js';
import type { CodeEntry } from '../code-tables/code-table.js';
import type { RecordProblem } from './problems.js';

/** A province-defined custom indicator (Art. 11). Keys live in the province's own `x_` namespace. */
export interface CustomFieldDefinition {
  key: string;
  zh: string;
  en: string;
  type: FieldType;
  /** A national code table key, or the province's own table inline. */
  codeTable?: string;
  codes?: CodeEntry[];
  subSet: string;
  /** Indicator sets in which the field is required (empty = optional everywhere). */
  requiredIn: string[];
  owner: Owner;
  sensitivity: Sensitivity;
  maxLength?: number;
  version: number;
  status: 'active' | 'retired';
}

export const CUSTOM_KEY = /^x_[a-z][a-zA-Z0-9]{1,40}$/;
const TYPES: FieldType[] = ['string', 'text', 'date', 'yearMonth', 'code', 'boolean', 'integer', 'decimal', 'idNumber', 'phone', 'email'];

/**
 * Checks a new or changed definition. `previous` is the current version of the same key (if any);
 * `inUse` says whether records hold values for it: a field in use may be retired or relabelled, never
 * silently changed in type or code table.
 */
export function validateCustomFieldDefinition(def: CustomFieldDefinition, previous?: CustomFieldDefinition, inUse = false): RecordProblem[] {
  const p: RecordProblem[] = [];
  const bad = (path: string, code: string, en: string, zh: string) => p.push({ path, code, message: en, messageZh: `${path}：${zh}` });
  if (!CUSTOM_KEY.test(def.key)) bad('key', 'customKey', 'key must look like x_camelCase (the province namespace)', '须以 x_ 开头，其后为字母数字');
  if ([...CORE_FIELD_PATHS].some((path) => path.split('.')[1] === def.key)) bad('key', 'collision', 'key collides with a core field', '与国家核心指标重名');
  if (!TYPES.includes(def.type)) bad('type', 'isIn', 'unknown type', '类型无效');
  const ss = subSet(def.subSet);
  if (!ss) bad('subSet', 'isIn', 'unknown sub-set', '子集不存在');
  if (def.type === 'code') {
    const hasNational = def.codeTable !== undefined && CODE_TABLES.has(def.codeTable);
    const hasOwn = Array.isArray(def.codes) && def.codes.length > 0;
    if (hasNational === hasOwn) bad('codeTable', 'codeTable', 'a code field names one national code table or lists its own codes', '代码型指标须指定一个国家代码表或自带代码');
    if (hasOwn && new Set(def.codes!.map((c) => c.code)).size !== def.codes!.length) bad('codes', 'unique', 'codes must be unique', '代码不能重复');
  } else if (def.codeTable || def.codes) bad('codeTable', 'codeTable', 'only code fields have a code table', '仅代码型指标可指定代码表');
  if (def.sensitivity !== 'pay' && ss && (ss.key === 'payBenefits')) bad('sensitivity', 'sensitivity', 'fields in pay and benefits are pay-sensitive', '基本待遇子集的指标须为待遇敏感');
  if (ss && ['payBenefits', 'annualAssessment', 'ethics', 'professionalTitle'].includes(ss.key) && def.owner === 'teacher') {
    bad('owner', 'owner', 'pay, assessment, ethics and title fields are never teacher-writable (Art. 16)', '待遇、考核、师德、专业技术职务类指标不能由教师填写');
  }
  if (previous) {
    if (previous.status === 'retired') bad('key', 'retired', 'a retired field is not brought back; define a new key', '已停用的指标不能恢复，请定义新指标');
    if (inUse && (previous.type !== def.type || previous.codeTable !== def.codeTable || previous.subSet !== def.subSet)) {
      bad('type', 'inUse', 'the field holds values: its type, code table and sub-set cannot change (retire it and define a new one)', '该指标已有数据，不能修改类型、代码表或子集（请停用后新建）');
    }
    if (inUse && previous.codes && def.codes && previous.codes.some((c) => !def.codes!.some((d) => d.code === c.code))) {
      bad('codes', 'inUse', 'codes in use cannot be removed', '已使用的代码不能删除');
    }
  }
  return p;
}
