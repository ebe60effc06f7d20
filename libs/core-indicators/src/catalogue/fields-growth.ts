import { fields, period, YEAR } from './field-builder.js';
import type { FieldDef } from './types.js';

/** 10 教育教学. */
export const TEACHING_FIELDS: readonly FieldDef[] = fields('teacher', 'normal', [
  [
    'schoolYear',
    '学年',
    'School year',
    'string',
    { required: true, maxLength: 9, pattern: '^\\d{4}-\\d{4}$', patternHint: '2025-2026' },
  ],
  ['semester', '学期', 'Semester', 'code', { codeTable: 'semester' }],
  ['subject', '任教学科', 'Subject', 'code', { codeTable: 'subject', required: true }],
  ['grade', '任课年级', 'Grade', 'string', { maxLength: 50 }],
  ['weeklyHours', '周课时', 'Weekly hours', 'integer', { max: 60 }],
]);

/** 11 教学科研成果及获奖. */
export const RESEARCH_AWARDS_FIELDS: readonly FieldDef[] = fields('teacher', 'normal', [
  ['title', '名称', 'Title', 'string', { required: true, maxLength: 200 }],
  ['kind', '类别', 'Kind', 'string', { maxLength: 50 }],
  ['date', '日期', 'Date', 'date', { required: true }],
  ['level', '级别', 'Level', 'code', { codeTable: 'level' }],
  ['rank', '本人排名', 'Own rank', 'integer', { min: 1, max: 999 }],
]);

/** 12 入选人才项目. */
export const TALENT_PROGRAMMES_FIELDS: readonly FieldDef[] = fields('teacher', 'normal', [
  ['name', '项目名称', 'Programme', 'string', { required: true }],
  ['year', '入选年份', 'Year', 'integer', { required: true, ...YEAR }],
  ['level', '级别', 'Level', 'code', { codeTable: 'level' }],
]);

/** 13 国内培训. */
export const DOMESTIC_TRAINING_FIELDS: readonly FieldDef[] = fields('teacher', 'normal', [
  ['projectName', '培训项目名称', 'Project', 'string', { required: true, maxLength: 200 }],
  ...period(),
  ['hours', '培训学时', 'Hours', 'decimal', { required: true, max: 5000 }],
  ['organiser', '培训机构', 'Organiser', 'string'],
  ['level', '级别', 'Level', 'code', { codeTable: 'level' }],
  ['mode', '培训形式', 'Mode', 'code', { codeTable: 'training-mode' }],
]);

/** 14 海外研修（访学）. */
export const OVERSEAS_STUDY_FIELDS: readonly FieldDef[] = fields('teacher', 'normal', [
  ['country', '国家/地区', 'Country / region', 'code', { codeTable: 'nationality', required: true }],
  ['institution', '研修机构', 'Institution', 'string', { required: true }],
  ...period(),
  ['programme', '项目名称', 'Programme', 'string'],
]);

/** 15 技能及证书. */
export const SKILLS_CERTIFICATES_FIELDS: readonly FieldDef[] = fields('teacher', 'normal', [
  ['name', '证书名称', 'Certificate', 'string', { required: true }],
  ['level', '等级', 'Level', 'string', { maxLength: 50 }],
  ['issuedDate', '发证日期', 'Issued on', 'date'],
  ['issuer', '发证单位', 'Issuer', 'string'],
]);

/** 16 交流轮岗 (recorded by the school; primary/secondary only). */
export const EXCHANGE_ROTATION_FIELDS: readonly FieldDef[] = fields('school', 'normal', [
  ['kind', '交流轮岗类型', 'Kind', 'code', { codeTable: 'rotation-kind', required: true }],
  ...period(true),
  ['fromUnit', '原单位', 'From', 'string'],
  ['toUnit', '交流单位', 'To', 'string', { required: true }],
  ['relationChanged', '是否变更人事关系', 'Personnel relation changed', 'boolean'],
]);

/** 17 联系方式: all personal. */
export const CONTACTS_FIELDS: readonly FieldDef[] = fields('teacher', 'personal', [
  ['mobile', '手机号码', 'Mobile', 'phone'],
  ['officePhone', '办公电话', 'Office phone', 'phone'],
  ['email', '电子邮箱', 'Email', 'email'],
  ['address', '通信地址', 'Address', 'string', { maxLength: 200 }],
  ['postcode', '邮政编码', 'Postcode', 'string', { maxLength: 6, pattern: '^\\d{6}$', patternHint: '100875' }],
]);
