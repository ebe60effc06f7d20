import { isIP } from 'node:net';

/**
 * An allowed source address as PostgreSQL's `inet` takes it: an IPv4/IPv6 address or a CIDR range
 * (`10.1.0.0/16`, `2001:db8::/32`). Null when `value` is neither.
 */
export function normaliseAddressRange(value: string): string | null {
  const [addr, prefix, ...rest] = value.trim().split('/');
  if (rest.length) return null;
  const family = isIP(addr);
  if (!family) return null;
  if (prefix === undefined) return addr;
  if (!/^[0-9]{1,3}$/.test(prefix) || Number(prefix) > (family === 4 ? 32 : 128)) return null;
  return `${addr}/${Number(prefix)}`;
}

/** The caller's address as `inet` takes it; an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) as IPv4. */
export function callerAddress(ip: string | null | undefined): string | null {
  if (!ip) return null;
  const v = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  return isIP(v) ? v : null;
}
