import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, ValidationTypes } from 'class-validator';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
const NESTED = new Map<Function, string[]>();

/** The members of a contract class declared `@ValidateNested` (cached per class). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
function nestedMembers(cls: Function): string[] {
  let keys = NESTED.get(cls);
  if (!keys) {
    keys = [
      ...new Set(
        getMetadataStorage()
          .getTargetValidationMetadatas(cls, '', true, false)
          .filter((m) => m.type === ValidationTypes.NESTED_VALIDATION)
          .map((m) => m.propertyName),
      ),
    ];
    NESTED.set(cls, keys);
  }
  return keys;
}

/**
 * A contract class instance to validate: only members validated as nested classes are turned into
 * class instances (`plainToInstance`); a free-form member (a ~2 kB record) is validated as a whole
 * and kept as given, not deep-copied — a resync builds, and the national node parses, millions.
 */
export function toInstance<T extends object>(cls: new () => T, plain: object): T {
  const instance = new cls();
  // Own data properties, never assignment: a `__proto__` member of parsed JSON must not replace the
  // prototype (and with it the class whose rules validate the object).
  for (const [k, v] of Object.entries(plain))
    Object.defineProperty(instance, k, { value: v, writable: true, enumerable: true, configurable: true });
  const nested = nestedMembers(cls);
  if (nested.length) {
    const from = plain as Record<string, unknown>;
    const deep = plainToInstance(cls, Object.fromEntries(nested.map((k) => [k, from[k]]))) as Record<string, unknown>;
    for (const k of nested) (instance as Record<string, unknown>)[k] = deep[k];
  }
  return instance;
}
