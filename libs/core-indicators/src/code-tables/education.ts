import { codeTable } from './code-table.js';

/** Education level (学历代码), GB/T 4658-2006: a level code (x0) and its graduated/completed/incomplete codes. */
export const EDUCATION_LEVEL = codeTable('education-level', 'GB/T 4658-2006 (as published)', [
  ['10', '研究生教育', 'Postgraduate education'],
  ['11', '博士研究生毕业', 'Doctoral, graduated'],
  ['12', '博士研究生结业', 'Doctoral, completed'],
  ['13', '博士研究生肄业', 'Doctoral, incomplete'],
  ['14', '硕士研究生毕业', "Master's, graduated"],
  ['15', '硕士研究生结业', "Master's, completed"],
  ['16', '硕士研究生肄业', "Master's, incomplete"],
  ['17', '研究生班毕业', 'Postgraduate class, graduated'],
  ['18', '研究生班结业', 'Postgraduate class, completed'],
  ['19', '研究生班肄业', 'Postgraduate class, incomplete'],
  ['20', '大学本科教育', 'Undergraduate education'],
  ['21', '大学本科毕业', 'Undergraduate, graduated'],
  ['22', '大学本科结业', 'Undergraduate, completed'],
  ['23', '大学本科肄业', 'Undergraduate, incomplete'],
  ['28', '大学普通班毕业', 'University general class (1970-1976), graduated'],
  ['30', '大学专科教育', 'Junior college education'],
  ['31', '大学专科毕业', 'Junior college, graduated'],
  ['32', '大学专科结业', 'Junior college, completed'],
  ['33', '大学专科肄业', 'Junior college, incomplete'],
  ['40', '中等职业教育', 'Secondary vocational education'],
  ['41', '中等专科毕业', 'Secondary specialised, graduated'],
  ['42', '中等专科结业', 'Secondary specialised, completed'],
  ['43', '中等专科肄业', 'Secondary specialised, incomplete'],
  ['44', '职业高中毕业', 'Vocational senior secondary, graduated'],
  ['45', '职业高中结业', 'Vocational senior secondary, completed'],
  ['46', '职业高中肄业', 'Vocational senior secondary, incomplete'],
  ['47', '技工学校毕业', 'Technical school, graduated'],
  ['48', '技工学校结业', 'Technical school, completed'],
  ['49', '技工学校肄业', 'Technical school, incomplete'],
  ['60', '普通高级中学教育', 'General senior secondary education'],
  ['61', '普通高中毕业', 'Senior secondary, graduated'],
  ['62', '普通高中结业', 'Senior secondary, completed'],
  ['63', '普通高中肄业', 'Senior secondary, incomplete'],
  ['70', '初级中学教育', 'Junior secondary education'],
  ['71', '初中毕业', 'Junior secondary, graduated'],
  ['73', '初中肄业', 'Junior secondary, incomplete'],
  ['80', '小学教育', 'Primary education'],
  ['81', '小学毕业', 'Primary, graduated'],
  ['83', '小学肄业', 'Primary, incomplete'],
  ['90', '其他', 'Other'],
]);

/** The twelve disciplines (学科门类) GB/T 6864-2003 codes degrees by (01 philosophy … 12 management). */
const DISCIPLINES: readonly [string, string, string][] = [
  ['01', '哲学', 'Philosophy'],
  ['02', '经济学', 'Economics'],
  ['03', '法学', 'Law'],
  ['04', '教育学', 'Education'],
  ['05', '文学', 'Literature'],
  ['06', '历史学', 'History'],
  ['07', '理学', 'Science'],
  ['08', '工学', 'Engineering'],
  ['09', '农学', 'Agriculture'],
  ['10', '医学', 'Medicine'],
  ['11', '军事学', 'Military science'],
  ['12', '管理学', 'Management'],
];
const byDiscipline = (level: string, zh: string, en: string): [string, string, string][] =>
  DISCIPLINES.map(([d, dzh, den]) => [`${level}${d}`, `${dzh}${zh}`, `${en} in ${den}`]);

/**
 * Degree (学位代码), GB/T 6864-2003: level (1 honorary doctorate, 2 doctorate, 3 master, 4 bachelor),
 * then discipline or professional degree. `0` (no degree) is a TMIS addition, not in the standard.
 */
export const DEGREE = codeTable('degree', 'GB/T 6864-2003 (as published, as best known; 0 is a TMIS addition)', [
  ['0', '无学位', 'No degree'],
  ['1', '名誉博士', 'Honorary doctorate'],
  ['2', '博士', 'Doctorate'],
  ...byDiscipline('2', '博士学位', 'Doctorate'),
  ['245', '临床医学博士专业学位', 'Professional doctorate in clinical medicine'],
  ['248', '兽医博士专业学位', 'Professional doctorate in veterinary medicine'],
  ['250', '口腔医学博士专业学位', 'Professional doctorate in stomatology'],
  ['3', '硕士', "Master's"],
  ...byDiscipline('3', '硕士学位', "Master's"),
  ['341', '法律硕士专业学位', 'Juris Master'],
  ['342', '教育硕士专业学位', 'Master of Education'],
  ['343', '工程硕士专业学位', 'Master of Engineering (professional)'],
  ['344', '建筑学硕士专业学位', 'Master of Architecture'],
  ['345', '临床医学硕士专业学位', 'Master of Clinical Medicine'],
  ['346', '工商管理硕士专业学位', 'MBA'],
  ['347', '农业推广硕士专业学位', 'Master of Agricultural Extension'],
  ['348', '兽医硕士专业学位', 'Master of Veterinary Medicine'],
  ['349', '公共管理硕士专业学位', 'MPA'],
  ['350', '口腔医学硕士专业学位', 'Master of Stomatology'],
  ['351', '公共卫生硕士专业学位', 'Master of Public Health'],
  ['352', '军事硕士专业学位', 'Master of Military Science (professional)'],
  ['4', '学士', "Bachelor's"],
  ...byDiscipline('4', '学士学位', "Bachelor's"),
  ['444', '建筑学学士专业学位', 'Bachelor of Architecture (professional)'],
]);

export const STUDY_MODE = codeTable('study-mode', 'TMIS working list (学习方式)', [
  ['1', '全日制', 'Full-time'],
  ['2', '非全日制', 'Part-time'],
]);
