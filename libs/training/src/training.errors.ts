import { errorFactory, type ErrorSpec } from '@tmis/common';

export enum TrainingErrorCode {
  ProjectNotFound = 'TRAINING_PROJECT_NOT_FOUND',
  LevelNotAllowed = 'TRAINING_LEVEL_NOT_ALLOWED',
  InstitutionNotFound = 'TRAINING_INSTITUTION_NOT_FOUND',
  NotProjectInstitution = 'TRAINING_NOT_PROJECT_INSTITUTION',
  ProjectNotApproved = 'TRAINING_PROJECT_NOT_APPROVED',
  ProjectDecided = 'TRAINING_PROJECT_DECIDED',
  ProjectFull = 'TRAINING_PROJECT_FULL',
  AlreadyEnrolled = 'TRAINING_ALREADY_ENROLLED',
  SelfEnrolClosed = 'TRAINING_SELF_ENROL_CLOSED',
  NotEnrolled = 'TRAINING_NOT_ENROLLED',
  ResultConfirmed = 'TRAINING_RESULT_CONFIRMED',
  NotConfirmer = 'TRAINING_NOT_CONFIRMER',
  TeacherNotFound = 'TRAINING_TEACHER_NOT_FOUND',
  RulesMissing = 'CREDIT_RULES_MISSING',
  RuleInvalid = 'CREDIT_RULE_INVALID',
  CreditNotFound = 'CREDIT_NOT_FOUND',
  CreditsAlreadyApplied = 'CREDITS_ALREADY_APPLIED',
  ClaimNotFound = 'CREDIT_CLAIM_NOT_FOUND',
  ClaimStepRefused = 'CREDIT_CLAIM_STEP_REFUSED',
  ReasonRequired = 'CREDIT_CLAIM_REASON_REQUIRED',
}

const table: Record<TrainingErrorCode, ErrorSpec> = {
  [TrainingErrorCode.ProjectNotFound]: { status: 404, en: 'Training project not found', zh: '培训项目不存在' },
  [TrainingErrorCode.LevelNotAllowed]: {
    status: 403,
    en: 'Your unit cannot own a training project of this level',
    zh: '本单位不能创建该级别的培训项目',
  },
  [TrainingErrorCode.InstitutionNotFound]: {
    status: 404,
    en: 'Training institution not found',
    zh: '培训机构不存在',
  },
  [TrainingErrorCode.NotProjectInstitution]: {
    status: 403,
    en: 'Your institution does not run this training project',
    zh: '本机构不承担该培训项目',
  },
  [TrainingErrorCode.ProjectNotApproved]: {
    status: 409,
    en: 'The training project is not approved',
    zh: '培训项目尚未审核通过',
  },
  [TrainingErrorCode.ProjectDecided]: {
    status: 409,
    en: 'The school-based training plan has already been decided',
    zh: '该校本培训计划已审核',
  },
  [TrainingErrorCode.ProjectFull]: { status: 409, en: 'The training project is full', zh: '培训项目名额已满' },
  [TrainingErrorCode.AlreadyEnrolled]: {
    status: 409,
    en: 'The teacher is already enrolled in this project',
    zh: '该教师已报名此项目',
  },
  [TrainingErrorCode.SelfEnrolClosed]: {
    status: 403,
    en: 'This project does not allow teachers to enrol themselves',
    zh: '该项目不允许教师自主报名',
  },
  [TrainingErrorCode.NotEnrolled]: {
    status: 422,
    en: 'The teacher is not enrolled in this project',
    zh: '该教师未报名此项目',
  },
  [TrainingErrorCode.ResultConfirmed]: {
    status: 409,
    en: 'The result is confirmed and can no longer change',
    zh: '培训结果已确认，不可修改',
  },
  [TrainingErrorCode.NotConfirmer]: {
    status: 403,
    en: 'Credits of this project are confirmed by another department',
    zh: '该项目学分须由其他部门确认',
  },
  [TrainingErrorCode.TeacherNotFound]: { status: 404, en: 'Teacher not found', zh: '教师不存在' },
  [TrainingErrorCode.RulesMissing]: {
    status: 409,
    en: 'The province has no hour→credit conversion rules in force on that date',
    zh: '该省在该日期无有效的学时学分转换规则',
  },
  [TrainingErrorCode.RuleInvalid]: {
    status: 400,
    en: 'The credit conversion rules are not valid',
    zh: '学分转换规则不合法',
  },
  [TrainingErrorCode.CreditNotFound]: { status: 404, en: 'Credit not found', zh: '学分记录不存在' },
  [TrainingErrorCode.CreditsAlreadyApplied]: {
    status: 409,
    en: 'Some of these credits have already been applied to a purpose',
    zh: '部分学分已被使用，不能重复使用',
  },
  [TrainingErrorCode.ClaimNotFound]: {
    status: 404,
    en: 'Self-study credit claim not found',
    zh: '自主研修学分申请不存在',
  },
  [TrainingErrorCode.ClaimStepRefused]: {
    status: 409,
    en: 'This step is not possible on the claim now, or not for you',
    zh: '当前无法对该申请执行此操作',
  },
  [TrainingErrorCode.ReasonRequired]: {
    status: 400,
    en: 'A refusal needs a reason',
    zh: '退回须填写理由',
  },
};

export const trainingError = errorFactory(table);
