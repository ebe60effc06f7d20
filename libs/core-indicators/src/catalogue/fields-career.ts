import { fields, monthPeriod, YEAR } from './field-builder.js';
import type { FieldDef } from './types.js';

/** 2 学习经历. */
export const EDUCATION_FIELDS: readonly FieldDef[] = fields('teacher', 'normal', [
  ...monthPeriod('入学年月', '毕业年月'),
  ['schoolName', '毕业学校', 'Institution', 'string', { required: true }],
  ['major', '所学专业', 'Major', 'string'],
  ['educationLevel', '学历', 'Education level', 'code', { codeTable: 'education-level', required: true }],
  ['degree', '学位', 'Degree', 'code', { codeTable: 'degree' }],
  ['studyMode', '学习方式', 'Study mode', 'code', { codeTable: 'study-mode' }],
  ['isHighest', '是否最高学历', 'Highest education', 'boolean'],
]);

/** 3 工作经历. */
export const WORK_HISTORY_FIELDS: readonly FieldDef[] = fields('teacher', 'normal', [
  ...monthPeriod('起始年月', '结束年月'),
  ['unit', '任职单位', 'Unit', 'string', { required: true }],
  ['post', '任职岗位', 'Post', 'string'],
]);

/** 4 岗位聘任 (kept by the school). */
export const POST_APPOINTMENT_FIELDS: readonly FieldDef[] = fields('school', 'normal', [
  ['postType', '岗位类别', 'Post type', 'code', { codeTable: 'post-type', required: true }],
  ['postLevel', '岗位等级', 'Post level', 'string', { maxLength: 50 }],
  ...monthPeriod('聘任开始年月', '聘任结束年月', true),
]);

/** 5 专业技术职务聘任 (never the teacher's, Art. 16). */
export const PROFESSIONAL_TITLE_FIELDS: readonly FieldDef[] = fields('school', 'normal', [
  ['title', '专业技术职务', 'Professional title', 'code', { codeTable: 'professional-title', required: true }],
  ['titleLevel', '职称等级', 'Title level', 'code', { codeTable: 'title-level' }],
  ...monthPeriod('聘任开始年月', '聘任结束年月', true),
  ['appointingUnit', '聘任单位', 'Appointing unit', 'string'],
]);

/** 6 基本待遇 (pay: hidden from query users and from the teacher's own view). */
export const PAY_BENEFITS_FIELDS: readonly FieldDef[] = fields('school', 'pay', [
  ['year', '年度', 'Year', 'integer', { required: true, ...YEAR }],
  ['annualPay', '年工资收入（元）', 'Annual pay (CNY)', 'decimal', { required: true, max: 1e8 }],
  ['basicSalary', '基本工资（元/月）', 'Basic salary (CNY/month)', 'decimal', { max: 1e7 }],
  ['performancePay', '绩效工资（元/月）', 'Performance pay (CNY/month)', 'decimal', { max: 1e7 }],
  ['allowance', '津贴补贴（元/月）', 'Allowances (CNY/month)', 'decimal', { max: 1e7 }],
  ['socialInsurance', '是否参加社会保险', 'Social insurance', 'boolean'],
  ['housingFund', '是否缴纳住房公积金', 'Housing fund', 'boolean'],
]);

/** 7 年度考核. */
export const ANNUAL_ASSESSMENT_FIELDS: readonly FieldDef[] = fields('school', 'normal', [
  ['year', '考核年度', 'Year', 'integer', { required: true, ...YEAR }],
  ['result', '考核结果', 'Result', 'code', { codeTable: 'assessment-result', required: true }],
  ['assessingUnit', '考核单位', 'Assessing unit', 'string'],
]);

/** 8 教师资格. */
export const QUALIFICATION_FIELDS: readonly FieldDef[] = fields('teacher', 'normal', [
  [
    'qualificationType',
    '教师资格种类',
    'Qualification type',
    'code',
    { codeTable: 'qualification-type', required: true },
  ],
  ['subject', '任教学科', 'Subject', 'string'],
  ['certificateNumber', '资格证书号码', 'Certificate number', 'string', { maxLength: 32 }],
  ['issuedDate', '颁发日期', 'Issued on', 'date'],
  ['issuingAuthority', '颁发机构', 'Issuing authority', 'string'],
]).concat(
  // Periodic registration (Art. 26): written by the registration authority's decision, never typed.
  fields('department', 'normal', [
    ['registrationResult', '定期注册结论', 'Registration result', 'code', { codeTable: 'registration-result' }],
    ['registrationCycleStart', '注册周期开始日期', 'Registration cycle start', 'date'],
    ['registrationCycleEnd', '注册周期结束日期', 'Registration cycle end', 'date', { allowFuture: true }],
    ['registrationDate', '注册结论日期', 'Registration decided on', 'date'],
  ]),
);

/** 9 师德信息: assessments, honours, sanctions (kept by the school or department). */
export const ETHICS_FIELDS: readonly FieldDef[] = fields('school', 'normal', [
  ['kind', '类别', 'Kind', 'code', { codeTable: 'ethics-kind', required: true }],
  ['date', '日期', 'Date', 'date', { required: true }],
  ['description', '内容', 'Description', 'text', { required: true }],
  ['level', '级别', 'Level', 'code', { codeTable: 'level' }],
  ['decidingUnit', '决定单位', 'Deciding unit', 'string'],
]);
