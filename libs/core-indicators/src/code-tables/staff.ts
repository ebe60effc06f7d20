import { codeTable } from './code-table.js';

/**
 * Staff category (教职工类别码), JY/T 1001: 1x staff of the school proper (11 full-time teachers, 12 teaching
 * support, 13 administration, 14 logistics), then research, school enterprises, affiliated bodies and
 * substitute / part-time teachers.
 */
export const STAFF_CATEGORY = codeTable('staff-category', 'JY/T 1001 教职工类别码 (subset, as best known)', [
  ['10', '校本部教职工', 'Staff of the school proper'],
  ['11', '专任教师', 'Full-time teacher'],
  ['12', '教辅人员', 'Teaching support'],
  ['13', '行政人员', 'Administrative'],
  ['14', '工勤人员', 'Logistics'],
  ['19', '其他校本部教职工', 'Other staff of the school proper'],
  ['20', '科研机构人员', 'Research institute staff'],
  ['30', '校办企业职工', 'School enterprise staff'],
  ['40', '其他附设机构人员', 'Other affiliated staff'],
  ['55', '代课教师', 'Substitute teacher'],
  ['56', '兼任教师', 'Part-time teacher'],
  ['60', '其他人员', 'Other'],
]);

/** Yes / no, for flags exchanged as codes (on the establishment, special-grade teacher, …). */
export const YES_NO = codeTable('yes-no', 'TMIS working list (是否)', [
  ['1', '是', 'Yes'],
  ['0', '否', 'No'],
]);

/** Employment form of staff not on the establishment (用人形式). */
export const EMPLOYMENT_FORM = codeTable('employment-form', 'TMIS working list (用人形式)', [
  ['1', '合同制', 'Contract'],
  ['2', '人事代理', 'Personnel agency'],
  ['3', '劳务派遣', 'Labour dispatch'],
  ['9', '其他', 'Other'],
]);

export const CONTRACT_STATUS = codeTable('contract-status', 'TMIS working list (签订合同情况)', [
  ['1', '聘用合同', 'Appointment contract'],
  ['2', '劳动合同', 'Labour contract'],
  ['3', '其他合同', 'Other contract'],
  ['4', '未签合同', 'No contract'],
]);

export const STAFF_SOURCE = codeTable('staff-source', 'TMIS working list (教职工来源)', [
  ['1', '应届毕业生', 'New graduate'],
  ['2', '其他学校调入', 'Transferred from another school'],
  ['3', '社会招聘', 'Open recruitment'],
  ['4', '军转干部', 'Demobilised officer'],
  ['5', '特岗计划', 'Special-post programme'],
  ['6', '公费师范生', 'Publicly funded normal graduate'],
  ['7', '系统外调入', 'Transferred from outside education'],
  ['9', '其他', 'Other'],
]);

/** Person status (人员状态). The statuses in `ACTIVE_PERSON_STATUSES` count in active lists (Art. 22). */
export const PERSON_STATUS = codeTable('person-status', 'TMIS working list (人员状态)', [
  ['01', '在职在岗', 'In post'],
  ['02', '长期病假', 'Long sick leave'],
  ['03', '长期不在岗', 'Long absence'],
  ['04', '离职', 'Resigned'],
  ['05', '退休', 'Retired'],
  ['06', '离休', 'Retired (veteran cadre)'],
  ['07', '死亡', 'Deceased'],
  ['08', '调出', 'Transferred out'],
  ['99', '其他', 'Other'],
]);
export const ACTIVE_PERSON_STATUSES: ReadonlySet<string> = new Set(['01', '02', '03']);

export const IT_ABILITY = codeTable('it-ability', 'TMIS working list (信息技术应用能力)', [
  ['1', '精通', 'Expert'],
  ['2', '熟练', 'Proficient'],
  ['3', '良好', 'Good'],
  ['4', '一般', 'Basic'],
  ['5', '较弱', 'Weak'],
]);
