import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { getMetadataStorage, type ValidatorOptions } from 'class-validator';
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

const rulesByClass = new WeakMap<object, Map<string, Set<string>>>();

/**
 * The rule kinds declared on each property of a DTO class (its decorators' metadata, fixed once the
 * class is defined), read once per class: every request validates its query and body with them.
 */
function rulesOf(target: object): Map<string, Set<string>> {
  let byProperty = rulesByClass.get(target);
  if (byProperty) return byProperty;
  byProperty = new Map<string, Set<string>>();
  for (const m of getMetadataStorage().getTargetValidationMetadatas(target as new () => object, '', true, false)) {
    const set = byProperty.get(m.propertyName) ?? new Set<string>();
    set.add(m.type); // e.g. conditionalValidation (@IsOptional, @ValidateIf), nestedValidation
    if (m.name) set.add(m.name); // e.g. isInt, max
    byProperty.set(m.propertyName, set);
  }
  rulesByClass.set(target, byProperty);
  return byProperty;
}

/** PostgreSQL's `integer`: an `@IsInt()` field without its own `@Max` is bounded to it. */
export const INT4_MAX = 2147483647;

/**
 * Rules class-validator leaves out, applied to every DTO: an integer without an explicit `@Max`
 * must fit PostgreSQL's int4 (a `version` of 2^31 is refused, not a 500), and a nested object or
 * list (`@ValidateNested`) that is not `@IsOptional` must be present (class-validator lets
 * `undefined` through).
 */
export function implicitRuleErrors(object: unknown, depth = 0): ValidationError[] {
  if (!object || typeof object !== 'object' || depth > 32) return [];
  const byProperty = rulesOf(object.constructor);
  if (!byProperty.size) return [];
  const out: ValidationError[] = [];
  const record = object as Record<string, unknown>;
  for (const [property, rules] of byProperty) {
    const value = record[property];
    const error = (constraints: Record<string, string>, children: ValidationError[] = []): ValidationError => ({
      target: object as object,
      property,
      value,
      constraints,
      children,
    });
    if (rules.has('conditionalValidation') && (value === undefined || value === null)) continue;
    if (rules.has('isInt') && !rules.has('max')) {
      const bad = (v: unknown) => typeof v === 'number' && Math.abs(v) > INT4_MAX;
      if (Array.isArray(value) ? value.some(bad) : bad(value))
        out.push(error({ max: `${property} must not be greater than ${INT4_MAX} in magnitude` }));
    }
    if (rules.has('nestedValidation')) {
      if (value === undefined) {
        out.push(error({ isDefined: `${property} is required` }));
        continue;
      }
      const items = Array.isArray(value) ? value : [value];
      const children: ValidationError[] = [];
      items.forEach((item, i) => {
        const inner = implicitRuleErrors(item, depth + 1);
        if (!inner.length) return;
        if (Array.isArray(value)) children.push({ property: String(i), value: item, children: inner, constraints: {} });
        else children.push(...inner);
      });
      if (children.length) out.push(error({}, children));
    }
  }
  return out;
}

/** The house pipe: class-validator's rules plus {@link implicitRuleErrors}. */
export class HouseValidationPipe extends ValidationPipe {
  protected override async validate(object: object, options?: ValidatorOptions): Promise<ValidationError[]> {
    const errors = await super.validate(object, options);
    if (errors.length) return errors;
    return implicitRuleErrors(object);
  }
}

/** Global validation: unknown fields refused, types transformed, field paths in every error. */
export function createValidationPipe(): ValidationPipe {
  return new HouseValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) =>
      commonError(CommonErrorCode.ValidationFailed, 'One or more fields are invalid', undefined, flatten(errors)),
  });
}
