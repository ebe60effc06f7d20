import { fields } from './field-builder.js';
import type { FieldDef } from './types.js';

const VOCATIONAL = ['secondary-vocational', 'higher-vocational'];

/**
 * 1 基本信息 (SPEC Appendix A). Identity and contact-like data is `personal`; the ID number and the
 * employment facts are kept by the school; ethnicity and employment form are conditional (record rules).
 */
export const BASIC_FIELDS: readonly FieldDef[] = [
  ...fields('teacher', 'normal', [
    ['name', '姓名', 'Name', 'string', { required: true, maxLength: 50 }],
    ['formerName', '曾用名', 'Former name', 'string', { maxLength: 50 }],
    ['sex', '性别', 'Sex', 'code', { codeTable: 'sex', required: true }],
    ['nationality', '国籍/地区', 'Nationality / region', 'code', { codeTable: 'nationality', required: true }],
    ['birthDate', '出生日期', 'Birth date', 'date', { required: true }],
    ['birthplace', '出生地', 'Birthplace', 'string'],
    ['nativePlace', '籍贯', 'Native place', 'string'],
    ['ethnicity', '民族', 'Ethnicity', 'code', { codeTable: 'ethnicity' }],
    ['politicalStatus', '政治面貌', 'Political status', 'code', { codeTable: 'political-status', required: true }],
    ['maritalStatus', '婚姻状况', 'Marital status', 'code', { codeTable: 'marital-status' }],
    ['health', '健康状况', 'Health', 'code', { codeTable: 'health' }],
    ['photoRef', '照片', 'Photo reference', 'string', { maxLength: 200 }],
    ['itAbility', '信息技术应用能力', 'IT-application ability', 'code', { codeTable: 'it-ability' }],
  ]),
  ...fields('school', 'personal', [
    ['idType', '身份证件类型', 'ID document type', 'code', { codeTable: 'id-document-type', required: true }],
    ['idNumber', '身份证件号', 'ID document number', 'idNumber', { required: true }],
  ]),
  ...fields('school', 'normal', [
    ['staffNumber', '教职工号', 'Staff number', 'string', { maxLength: 32 }],
    ['workStartMonth', '参加工作年月', 'Work start (year-month)', 'yearMonth', { required: true }],
    ['schoolEntryMonth', '进本校年月', 'School entry (year-month)', 'yearMonth', { required: true }],
    ['staffSource', '教职工来源', 'Staff source', 'code', { codeTable: 'staff-source' }],
    ['staffCategory', '教职工类别', 'Staff category', 'code', { codeTable: 'staff-category', required: true }],
    ['onEstablishment', '是否在编', 'On the establishment', 'boolean', { required: true }],
    ['employmentForm', '用人形式', 'Employment form', 'code', { codeTable: 'employment-form' }],
    ['contractStatus', '签订合同情况', 'Contract status', 'code', { codeTable: 'contract-status' }],
    ['personStatus', '人员状态', 'Person status', 'code', { codeTable: 'person-status', required: true }],
    ['statusSince', '人员状态生效日期', 'Status effective date', 'date'],
    ['specialGradeTeacher', '是否特级教师', 'Special-grade teacher', 'boolean'],
    ['fundedNormalStudent', '是否公费师范生', 'Publicly funded normal student', 'boolean'],
    ['countyBackbone', '是否县级及以上骨干教师', 'County-level (or higher) backbone teacher', 'boolean'],
    ['mentalHealthTeacher', '是否心理健康教育教师', 'Mental-health teacher', 'boolean'],
    ['normalMajorGraduate', '是否全日制师范类专业毕业', 'Full-time normal-major graduate', 'boolean'],
    [
      'specialEducationTrained',
      '是否受过特教专业培养培训',
      'Trained in special education',
      'boolean',
      { onlyIn: ['special-education'] },
    ],
    ['dualQualified', '是否双师型教师', 'Dual-qualified teacher', 'boolean', { onlyIn: VOCATIONAL }],
    ['preschoolMajor', '是否学前教育专业毕业', 'Pre-school education major', 'boolean', { onlyIn: ['kindergarten'] }],
  ]),
];
