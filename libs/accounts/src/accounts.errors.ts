import { errorFactory, type ErrorSpec } from '@tmis/common';

export enum AccountErrorCode {
  InvalidCredentials = 'AUTH_INVALID_CREDENTIALS',
  Locked = 'AUTH_ACCOUNT_LOCKED',
  Disabled = 'AUTH_ACCOUNT_DISABLED',
  CertificateRequired = 'AUTH_CERTIFICATE_REQUIRED',
  InvalidRefreshToken = 'AUTH_INVALID_REFRESH_TOKEN',
  WeakPassword = 'AUTH_WEAK_PASSWORD',
  PasswordReused = 'AUTH_PASSWORD_REUSED',
  PasswordContainsUsername = 'AUTH_PASSWORD_CONTAINS_USERNAME',
  PasswordCommon = 'AUTH_PASSWORD_COMMON',
  TooManyAttempts = 'AUTH_TOO_MANY_ATTEMPTS',
  AccountNotFound = 'ACCOUNT_NOT_FOUND',
  UsernameTaken = 'ACCOUNT_USERNAME_TAKEN',
  SysAdminExists = 'ACCOUNT_SYSADMIN_EXISTS',
  NotManageable = 'ACCOUNT_NOT_MANAGEABLE',
  InvalidIdNumber = 'ACCOUNT_INVALID_ID_NUMBER',
  UnitNotActive = 'ACCOUNT_UNIT_NOT_ACTIVE',
}

const table: Record<AccountErrorCode, ErrorSpec> = {
  [AccountErrorCode.InvalidCredentials]: { status: 401, en: 'Wrong user name or password', zh: '用户名或密码错误' },
  [AccountErrorCode.Locked]: {
    status: 423,
    en: 'The account is locked after repeated failed logins; try again later',
    zh: '多次登录失败，账号已锁定，请稍后再试',
  },
  [AccountErrorCode.Disabled]: { status: 401, en: 'The account is disabled', zh: '账号已停用' },
  [AccountErrorCode.CertificateRequired]: {
    status: 401,
    en: 'This account is bound to a CA certificate; log in with that certificate',
    zh: '该账号已绑定CA证书，请使用该证书登录',
  },
  [AccountErrorCode.InvalidRefreshToken]: {
    status: 401,
    en: 'Refresh token is invalid, expired or revoked',
    zh: '刷新令牌无效、已过期或已注销',
  },
  [AccountErrorCode.WeakPassword]: {
    status: 400,
    en: 'Password must have at least 8 characters from three of: upper case, lower case, digits, symbols',
    zh: '密码须至少8位，且包含大写字母、小写字母、数字、符号中的至少三类',
  },
  [AccountErrorCode.PasswordReused]: {
    status: 400,
    en: 'The new password must differ from the current one',
    zh: '新密码不能与当前密码相同',
  },
  [AccountErrorCode.PasswordContainsUsername]: {
    status: 400,
    en: 'The password must not contain the user name',
    zh: '密码不能包含用户名',
  },
  [AccountErrorCode.PasswordCommon]: {
    status: 400,
    en: 'This password is among the most common passwords and easily guessed; choose another',
    zh: '该密码属于最常见的密码，容易被猜中，请另选密码',
  },
  [AccountErrorCode.TooManyAttempts]: {
    status: 429,
    en: 'Too many failed attempts from here; wait before trying again',
    zh: '失败尝试次数过多，请稍后再试',
  },
  [AccountErrorCode.AccountNotFound]: { status: 404, en: 'Account not found', zh: '账号不存在' },
  [AccountErrorCode.UsernameTaken]: { status: 409, en: 'This user name is taken', zh: '用户名已被使用' },
  [AccountErrorCode.SysAdminExists]: {
    status: 409,
    en: 'This unit already has a system administrator (at most one per unit)',
    zh: '该单位已有系统管理员（每个单位至多一个）',
  },
  [AccountErrorCode.NotManageable]: {
    status: 403,
    en: 'You may manage accounts of your own unit and the system administrators of the units directly below it',
    zh: '您只能管理本单位账号及直接下级单位的系统管理员',
  },
  [AccountErrorCode.InvalidIdNumber]: { status: 400, en: 'The ID number is not valid', zh: '身份证件号码无效' },
  [AccountErrorCode.UnitNotActive]: { status: 409, en: 'The unit is closed or merged', zh: '该单位已撤销或已合并' },
};

export const accountError = errorFactory(table);
