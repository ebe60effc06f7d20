import { hash, verify } from '@node-rs/argon2';
import { passwordHashQueue } from './password-hash.queue.js';

/** argon2id with OWASP's baseline (19 MiB, t=2, p=1). */
const ARGON2ID = 2;
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return passwordHashQueue.run(() => hash(password, OPTIONS as unknown as Parameters<typeof hash>[1]));
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return passwordHashQueue.run(async () => {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  });
}

/** A hash of a random string, verified against when the user does not exist (equal timing). */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(`dummy-${Math.random()}`);
  return dummy;
}

/** At least 8 characters from at least three of: upper case, lower case, digits, symbols. */
export function passwordStrong(password: string): boolean {
  if (password.length < 8 || password.length > 128) return false;
  const classes = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  return classes >= 3;
}
