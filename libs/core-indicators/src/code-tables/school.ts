import { codeTable } from './code-table.js';

/**
 * School type (学校类型), the first two digits of the 10-digit school identification code.
 * The `indicatorSet` column picks which indicator set a school's teachers are recorded with.
 */
export const SCHOOL_TYPES = codeTable('school-type', 'Ministry of Education school identification code (学校标识码)', [
  ['11', '幼儿园', 'Kindergarten'],
  ['21', '小学', 'Primary school'],
  ['31', '初级中学', 'Junior secondary school'],
  ['32', '九年一贯制学校', 'Nine-year school'],
  ['33', '完全中学', 'Complete secondary school'],
  ['34', '高级中学', 'Senior secondary school'],
  ['35', '十二年一贯制学校', 'Twelve-year school'],
  ['36', '中等职业学校', 'Secondary vocational school'],
  ['41', '普通高等学校（本科）', 'Regular higher education institution (undergraduate)'],
  ['42', '高等职业学校', 'Higher vocational college'],
  ['51', '特殊教育学校', 'Special education school'],
]);

/** Indicator set each school type uses (SPEC §2: the school type picks the set). */
export const INDICATOR_SET_BY_SCHOOL_TYPE: Record<string, string> = {
  '11': 'kindergarten',
  '21': 'primary-secondary',
  '31': 'primary-secondary',
  '32': 'primary-secondary',
  '33': 'primary-secondary',
  '34': 'primary-secondary',
  '35': 'primary-secondary',
  '36': 'secondary-vocational',
  '41': 'undergraduate',
  '42': 'higher-vocational',
  '51': 'special-education',
};

/** Urban/rural classification (统计用城乡划分代码, NBS). */
export const URBAN_RURAL = codeTable('urban-rural', 'NBS urban-rural classification (统计用城乡划分代码)', [
  ['111', '主城区', 'Main urban area'],
  ['112', '城乡结合区', 'Urban-rural fringe'],
  ['121', '镇中心区', 'Town centre'],
  ['122', '镇乡结合区', 'Town-rural fringe'],
  ['123', '特殊区域', 'Special area'],
  ['210', '乡中心区', 'Township centre'],
  ['220', '村庄', 'Village'],
]);

/** School sponsor (办学性质). */
export const SPONSOR = codeTable('sponsor', 'Sponsor (办学性质)', [
  ['1', '公办', 'Public'],
  ['2', '民办', 'Private'],
]);

/** ID document types (身份证件类型). */
export const ID_DOCUMENT_TYPES = codeTable('id-document-type', 'JY/T 1001 身份证件类型码 (subset)', [
  ['1', '居民身份证', 'Resident identity card'],
  ['2', '军官证', "Military officer's card"],
  ['3', '士兵证', "Soldier's card"],
  ['6', '香港特区护照/身份证明', 'Hong Kong SAR passport / identity document'],
  ['7', '澳门特区护照/身份证明', 'Macao SAR passport / identity document'],
  ['8', '台湾居民来往大陆通行证', 'Mainland travel permit for Taiwan residents'],
  ['9', '境外永久居住证', 'Foreign permanent residence permit'],
  ['A', '护照', 'Passport'],
  ['Z', '其他', 'Other'],
]);
