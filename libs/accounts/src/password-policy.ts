import { COMMON_PASSWORDS_TEXT } from './common-passwords.data.js';
import { accountError, AccountErrorCode } from './accounts.errors.js';
import { passwordStrong } from './password.js';

let common: Set<string> | undefined;
const commonPasswords = (): Set<string> => (common ??= new Set(COMMON_PASSWORDS_TEXT.split('\n')));

const LEET: Record<string, string> = {
  '@': 'a',
  '4': 'a',
  '0': 'o',
  '1': 'i',
  '!': 'i',
  '3': 'e',
  $: 's',
  '5': 's',
  '7': 't',
};

/**
 * The forms of a password that are looked up in the common list: as typed (lower case), without the
 * digits and symbols stuck before or after a word (`Password123!` → `password`), and with the usual
 * substitutions undone (`P@ssw0rd` → `password`).
 */
export function commonForms(password: string): string[] {
  const lower = password.toLowerCase();
  const core = (t: string) => t.replace(/^[^a-z]+|[^a-z]+$/g, '');
  const unleet = (t: string) => t.replace(/[@40135$!7]/g, (c) => LEET[c] ?? c);
  return [...new Set([lower, core(lower), unleet(lower), core(unleet(lower)), unleet(core(lower))])].filter(
    (f) => f.length >= 3,
  );
}

export type PasswordProblem = 'weak' | 'containsUsername' | 'common';

/**
 * The house password rule: at least 8 characters from three classes ({@link passwordStrong}), not
 * containing the user name, and not a common password (the 10,000 most common, in the forms of
 * {@link commonForms}).
 */
export function passwordProblem(password: string, username?: string | null): PasswordProblem | null {
  if (!passwordStrong(password)) return 'weak';
  const lower = password.toLowerCase();
  const name = username?.toLowerCase();
  if (name && name.length >= 3 && (lower.includes(name) || commonForms(password).includes(name)))
    return 'containsUsername';
  const list = commonPasswords();
  if (commonForms(password).some((f) => list.has(f))) return 'common';
  return null;
}

/** Refuses a password that breaks {@link passwordProblem}, naming the field (`newPassword`, …). */
export function assertPasswordAcceptable(path: string, password: string, username?: string | null): void {
  const problem = passwordProblem(password, username);
  if (!problem) return;
  const [code, en, zh] =
    problem === 'weak'
      ? ([AccountErrorCode.WeakPassword, 'is too weak', '密码强度不足'] as const)
      : problem === 'containsUsername'
        ? ([AccountErrorCode.PasswordContainsUsername, 'must not contain the user name', '不能包含用户名'] as const)
        : ([AccountErrorCode.PasswordCommon, 'is a common password', '属于常见密码'] as const);
  const fieldCode = problem === 'weak' ? 'isStrongPassword' : problem === 'common' ? 'notCommon' : 'notUsername';
  throw accountError(code, undefined, undefined, [
    { path, code: fieldCode, message: `${path} ${en}`, messageZh: `${path}：${zh}` },
  ]);
}
