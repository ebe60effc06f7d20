import { errorFactory, type ErrorSpec } from '@tmis/common';

export enum TransferErrorCode {
  NotFound = 'TRANSFER_NOT_FOUND',
  TeacherNotFound = 'TRANSFER_TEACHER_NOT_FOUND',
  TeacherInactive = 'TRANSFER_TEACHER_INACTIVE',
  TeacherInReview = 'TRANSFER_TEACHER_IN_REVIEW',
  OpenChangeRequest = 'TRANSFER_OPEN_CHANGE_REQUEST',
  AlreadyOpen = 'TRANSFER_ALREADY_OPEN',
  SameUnit = 'TRANSFER_SAME_UNIT',
  NotASchool = 'TRANSFER_UNIT_NOT_A_SCHOOL',
  NotApplicant = 'TRANSFER_NOT_APPLICANT',
  NotYourStep = 'TRANSFER_NOT_YOUR_STEP',
  IllegalStep = 'TRANSFER_ILLEGAL_STEP',
  ReasonRequired = 'TRANSFER_REASON_REQUIRED',
  StaleVersion = 'TRANSFER_STALE',
  PeriodRequired = 'TRANSFER_PERIOD_REQUIRED',
  RotationNotApplicable = 'TRANSFER_ROTATION_NOT_APPLICABLE',
  SettingsProvinceOnly = 'TRANSFER_SETTINGS_PROVINCE_ONLY',
  CrossFromProvinceOnly = 'TRANSFER_CROSS_PROVINCE_NODE_ONLY',
  CrossAlreadyHere = 'TRANSFER_CROSS_ALREADY_HERE',
}

const table: Record<TransferErrorCode, ErrorSpec> = {
  [TransferErrorCode.NotFound]: { status: 404, en: 'Transfer or rotation not found', zh: '调动或交流轮岗申请不存在' },
  [TransferErrorCode.TeacherNotFound]: {
    status: 404,
    en: 'No teacher record on this node matches the ID number or record id',
    zh: '本节点没有与该证件号码或档案标识对应的教师档案',
  },
  [TransferErrorCode.TeacherInactive]: {
    status: 409,
    en: 'The teacher is not in post (left, retired…): register them again at the new school instead (POST /teachers)',
    zh: '该教师不在岗（离职、退休等），请由新学校重新登记（POST /teachers）',
  },
  [TransferErrorCode.TeacherInReview]: {
    status: 409,
    en: 'The teacher’s record is under review: it cannot be transferred until the review is settled',
    zh: '该教师档案正在审核中，审核完成前不能办理调动或交流轮岗',
  },
  [TransferErrorCode.OpenChangeRequest]: {
    status: 409,
    en: 'The teacher’s record has an open change request: it cannot be transferred until the department decides it',
    zh: '该教师档案有待审批的变更申请，主管部门审批前不能办理调动或交流轮岗',
  },
  [TransferErrorCode.AlreadyOpen]: {
    status: 409,
    en: 'The teacher already has a transfer or rotation in progress',
    zh: '该教师已有正在办理的调动或交流轮岗',
  },
  [TransferErrorCode.SameUnit]: {
    status: 400,
    en: 'The receiving (or host) school is the teacher’s own school',
    zh: '调入（交流）学校与教师所在学校相同',
  },
  [TransferErrorCode.NotASchool]: {
    status: 400,
    en: 'Transfers and rotations go to an active school',
    zh: '调动、交流轮岗的目标单位须为正常办学的学校',
  },
  [TransferErrorCode.NotApplicant]: {
    status: 403,
    en: 'A transfer is applied for by the receiving school; a rotation by the sending school (its information administrator)',
    zh: '调动由调入学校申请，交流轮岗由派出学校申请（信息管理员）',
  },
  [TransferErrorCode.NotYourStep]: {
    status: 403,
    en: 'The case does not wait for you at this step',
    zh: '当前环节不由您办理',
  },
  [TransferErrorCode.IllegalStep]: {
    status: 409,
    en: 'The case is not at a step where this action applies',
    zh: '该申请当前状态下不能执行此操作',
  },
  [TransferErrorCode.ReasonRequired]: { status: 400, en: 'A refusal states its reason', zh: '不同意须说明理由' },
  [TransferErrorCode.StaleVersion]: {
    status: 409,
    en: 'The case moved on meanwhile: reload it',
    zh: '该申请已被他人处理，请刷新后重试',
  },
  [TransferErrorCode.PeriodRequired]: {
    status: 400,
    en: 'A rotation without a change of personnel relation has an end date after its start',
    zh: '不变更人事关系的交流轮岗须填写晚于开始日期的结束日期',
  },
  [TransferErrorCode.RotationNotApplicable]: {
    status: 400,
    en: 'Exchange rotation is for primary and secondary schools only',
    zh: '交流轮岗仅适用于中小学',
  },
  [TransferErrorCode.SettingsProvinceOnly]: {
    status: 403,
    en: 'The to-do deadline is set by the province-level information administrator',
    zh: '待办期限由省级信息管理员设置',
  },
  [TransferErrorCode.CrossFromProvinceOnly]: {
    status: 403,
    en: 'A cross-province transfer is applied for on the receiving province’s node',
    zh: '跨省调动须在调入省的省级节点申请',
  },
  [TransferErrorCode.CrossAlreadyHere]: {
    status: 409,
    en: 'The teacher already has an active record in this province: use an in-province transfer',
    zh: '该教师在本省已有在岗档案，请办理省内调动',
  },
};

export const transferError = errorFactory(table);
