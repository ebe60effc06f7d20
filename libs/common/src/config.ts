import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration / 配置无效:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Validates environment variables against a typed class; throws one message naming every bad variable. */
export function loadConfig<T extends object>(
  cls: new () => T,
  env: Record<string, string | undefined> = process.env,
): T {
  const plain: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') plain[k] = v;
  const instance = plainToInstance(cls, plain, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(instance as object, { whitelist: false, forbidUnknownValues: false });
  if (errors.length) {
    // Never echo secrets: values of secret-looking variables and passwords inside URLs are hidden.
    const shown = (e: ValidationError) =>
      /SECRET|PASSWORD|TOKEN|KEY/i.test(e.property)
        ? '"[redacted]"'
        : JSON.stringify(
            typeof e.value === 'string' ? e.value.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@') : (e.value ?? null),
          );
    throw new ConfigError(
      errors.map((e: ValidationError) => `${e.property}=${shown(e)}: ${Object.values(e.constraints ?? {}).join('; ')}`),
    );
  }
  return instance;
}
