import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { commonError, CommonErrorCode, type FieldError } from '@tmis/common';

const ZH: Record<string, string> = {
  whitelistValidation: '不允许的字段',
  isString: '必须是字符串',
  isInt: '必须是整数',
  isNumber: '必须是数字',
  isBoolean: '必须是布尔值',
  isEnum: '不是允许的取值',
  isIn: '不是允许的取值',
  isUUID: '必须是UUID',
  isNotEmpty: '不能为空',
  isDefined: '必填',
  matches: '格式不正确',
  maxLength: '过长',
  minLength: '过短',
  length: '长度不正确',
  arrayMaxSize: '条目过多',
  arrayMinSize: '条目过少',
  isArray: '必须是数组',
  isObject: '必须是对象',
  isDateString: '必须是日期',
  isISO8601: '必须是ISO 8601日期',
  min: '过小',
  max: '过大',
  nestedValidation: '嵌套数据无效',
  isIdNumber: '身份证件号码无效',
  isSchoolCode: '学校标识码无效',
  isStrongPassword: '密码须至少8位并包含大写字母、小写字母、数字、符号中的至少三类',
  isCodeOf: '不是代码表中的值',
};

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const path =
      parent === '' ? e.property : /^\d+$/.test(e.property) ? `${parent}[${e.property}]` : `${parent}.${e.property}`;
    for (const [constraint, message] of Object.entries(e.constraints ?? {})) {
      out.push({ path, code: constraint, message, messageZh: `${path}：${ZH[constraint] ?? '值无效'}` });
    }
    if (e.children?.length) out.push(...flatten(e.children, path));
  }
  return out;
}

/** Global validation: unknown fields refused, types transformed, field paths in every error. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) =>
      commonError(CommonErrorCode.ValidationFailed, 'One or more fields are invalid', undefined, flatten(errors)),
  });
}
