import { createSecretKey, type KeyObject } from 'node:crypto';

const keys = new Map<string, KeyObject>();

/**
 * The HMAC key of a JWT secret, made once. Given a string, jsonwebtoken first tries to parse it as a
 * PEM public (verify) or private (sign) key and only then treats it as a secret: a failed parse with
 * its exception on every request, about 5 ms of CPU each on this machine (issue 21's profile); given
 * a secret KeyObject it goes straight to the HMAC.
 */
export function jwtKey(secret: string): KeyObject {
  let k = keys.get(secret);
  if (!k) {
    k = createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, k);
  }
  return k;
}
