import { errorFactory, type ErrorSpec } from '@tmis/common';

export enum RegistrationErrorCode {
  ApplicationNotFound = 'REGISTRATION_APPLICATION_NOT_FOUND',
  NoQualification = 'REGISTRATION_NO_QUALIFICATION',
  NotReported = 'REGISTRATION_RECORD_NOT_REPORTED',
  NotDue = 'REGISTRATION_NOT_DUE',
  OpenApplication = 'REGISTRATION_OPEN_APPLICATION',
  NotAllowed = 'REGISTRATION_ACTION_NOT_ALLOWED',
  DecisionContradicts = 'REGISTRATION_DECISION_CONTRADICTS_ELIGIBILITY',
  ViolationNotFound = 'ETHICS_VIOLATION_NOT_FOUND',
  ViolationDecided = 'ETHICS_VIOLATION_DECIDED',
  RulesInvalid = 'REGISTRATION_RULES_INVALID',
  RulesExist = 'REGISTRATION_RULES_VERSION_EXISTS',
  CreditsApplied = 'REGISTRATION_CREDITS_ALREADY_APPLIED',
}

const table: Record<RegistrationErrorCode, ErrorSpec> = {
  [RegistrationErrorCode.ApplicationNotFound]: {
    status: 404,
    en: 'Registration application not found',
    zh: '注册申请不存在',
  },
  [RegistrationErrorCode.NoQualification]: {
    status: 409,
    en: 'The record has no teacher qualification with an issue date (sub-set 8)',
    zh: '档案中没有填写颁发日期的教师资格（子集8）',
  },
  [RegistrationErrorCode.NotReported]: {
    status: 409,
    en: 'Registration is decided on a reported record: take the record through review first',
    zh: '定期注册以已上报的档案为依据，请先完成档案审核上报',
  },
  [RegistrationErrorCode.NotDue]: {
    status: 409,
    en: 'Registration is not open for this teacher now (registered for the current cycle, or not passed)',
    zh: '该教师当前不能申请注册（本周期已注册合格，或注册不合格）',
  },
  [RegistrationErrorCode.OpenApplication]: {
    status: 409,
    en: 'The teacher already has an open registration application',
    zh: '该教师已有未办结的注册申请',
  },
  [RegistrationErrorCode.NotAllowed]: {
    status: 409,
    en: 'This step is not open to you in the application’s current state',
    zh: '当前状态下您不能执行此操作',
  },
  [RegistrationErrorCode.DecisionContradicts]: {
    status: 409,
    en: 'The decision contradicts the eligibility computed from the record and the credit bank',
    zh: '注册结论与根据档案和学分银行计算的注册条件不符',
  },
  [RegistrationErrorCode.ViolationNotFound]: {
    status: 404,
    en: 'Ethics violation not found',
    zh: '师德违规记录不存在',
  },
  [RegistrationErrorCode.ViolationDecided]: {
    status: 409,
    en: 'The violation report has already been decided',
    zh: '该师德违规报告已处理',
  },
  [RegistrationErrorCode.RulesInvalid]: {
    status: 400,
    en: 'The registration rules are not valid',
    zh: '定期注册规则无效',
  },
  [RegistrationErrorCode.RulesExist]: {
    status: 409,
    en: 'A rules version with this label exists; versions are never rewritten',
    zh: '该规则版本已存在，已发布的版本不可修改',
  },
  [RegistrationErrorCode.CreditsApplied]: {
    status: 409,
    en: 'Some credits of the cycle were applied elsewhere meanwhile; decide again',
    zh: '周期内部分学分已被他处使用，请重新审核',
  },
};

export const registrationError = errorFactory(table);
