import { errorFactory, type ErrorSpec } from '@tmis/common';

export enum TeacherErrorCode {
  NotFound = 'TEACHER_NOT_FOUND',
  InReview = 'TEACHER_RECORD_IN_REVIEW',
  ChangeRequestRequired = 'TEACHER_CHANGE_REQUEST_REQUIRED',
  ChangeRequestNotFound = 'CHANGE_REQUEST_NOT_FOUND',
  ChangeRequestStale = 'CHANGE_REQUEST_STALE',
  ChangeRequestDecided = 'CHANGE_REQUEST_DECIDED',
  NotReported = 'TEACHER_NOT_REPORTED',
  Duplicate = 'TEACHER_DUPLICATE',
  InvalidRecord = 'TEACHER_INVALID_RECORD',
  NotOwner = 'TEACHER_FIELD_NOT_WRITABLE',
  NotASchool = 'TEACHER_UNIT_NOT_A_SCHOOL',
  UnitNotActive = 'TEACHER_UNIT_NOT_ACTIVE',
  NoRecordForAccount = 'TEACHER_NO_RECORD_FOR_ACCOUNT',
  UnknownSubSet = 'TEACHER_UNKNOWN_SUB_SET',
  EntryNotFound = 'TEACHER_ENTRY_NOT_FOUND',
  CustomFieldInvalid = 'CUSTOM_FIELD_INVALID',
  CustomFieldNotFound = 'CUSTOM_FIELD_NOT_FOUND',
  CustomFieldsProvinceOnly = 'CUSTOM_FIELD_PROVINCE_ONLY',
}

const table: Record<TeacherErrorCode, ErrorSpec> = {
  [TeacherErrorCode.NotFound]: { status: 404, en: 'Teacher record not found', zh: '教师档案不存在' },
  [TeacherErrorCode.InReview]: {
    status: 409,
    en: 'The record is locked while it is under review',
    zh: '档案正在审核中，已锁定',
  },
  [TeacherErrorCode.ChangeRequestRequired]: {
    status: 409,
    en: 'Reported information is changed through a change request approved by the supervising department (Art. 19)',
    zh: '已上报信息须通过变更申请、经主管部门审核后修改（第十九条）',
  },
  [TeacherErrorCode.ChangeRequestNotFound]: { status: 404, en: 'Change request not found', zh: '变更申请不存在' },
  [TeacherErrorCode.ChangeRequestStale]: {
    status: 409,
    en: 'The record changed after the request was made; the request cannot be applied',
    zh: '申请提交后档案已被修改，无法应用该申请',
  },
  [TeacherErrorCode.ChangeRequestDecided]: {
    status: 409,
    en: 'The change request has already been decided',
    zh: '该变更申请已处理',
  },
  [TeacherErrorCode.NotReported]: {
    status: 409,
    en: 'The record is not reported yet: edit it directly',
    zh: '档案尚未上报，请直接修改',
  },
  [TeacherErrorCode.Duplicate]: {
    status: 409,
    en: 'This person already has a record on this node (one person, one record)',
    zh: '该人员在本节点已有档案（一人一档）',
  },
  [TeacherErrorCode.InvalidRecord]: {
    status: 400,
    en: 'The record does not pass the indicator rules',
    zh: '档案数据未通过指标校验',
  },
  [TeacherErrorCode.NotOwner]: {
    status: 403,
    en: 'Your role may not write these fields (pay, assessment, ethics and title data are entered by the school or department)',
    zh: '您的角色不能填写这些字段（待遇、考核、师德和专业技术职务信息由学校或主管部门填报）',
  },
  [TeacherErrorCode.NotASchool]: {
    status: 400,
    en: 'Teacher records belong to a school or a secondary department of one',
    zh: '教师档案须属于学校或其二级部门',
  },
  [TeacherErrorCode.UnitNotActive]: { status: 409, en: 'The school is closed or merged', zh: '该学校已撤销或已合并' },
  [TeacherErrorCode.NoRecordForAccount]: {
    status: 404,
    en: 'No teacher record matches your account',
    zh: '未找到与您账号对应的教师档案',
  },
  [TeacherErrorCode.UnknownSubSet]: {
    status: 404,
    en: 'No such list sub-set in the indicator set',
    zh: '指标集中没有该子集',
  },
  [TeacherErrorCode.EntryNotFound]: { status: 404, en: 'No such entry in the list', zh: '列表中没有该条目' },
  [TeacherErrorCode.CustomFieldInvalid]: {
    status: 400,
    en: 'The custom field definition is not valid',
    zh: '自定义指标定义无效',
  },
  [TeacherErrorCode.CustomFieldNotFound]: { status: 404, en: 'Custom field not found', zh: '自定义指标不存在' },
  [TeacherErrorCode.CustomFieldsProvinceOnly]: {
    status: 403,
    en: 'Custom indicators are defined by the province-level information administrator on the provincial node',
    zh: '自定义指标由省级信息管理员在省级节点定义',
  },
};

export const teacherError = errorFactory(table);
