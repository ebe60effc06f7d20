import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook may be sent (SSRF protection, ADR 0020). A target URL must be http(s) without
 * credentials, and every address its host resolves to must be public: not loopback, link-local,
 * private, shared (carrier NAT), unspecified, multicast, reserved or a cloud metadata address. The
 * check runs when an endpoint is created and again inside the delivery's socket connect (the agent's
 * DNS lookup), so a name that later resolves elsewhere (DNS rebinding) is refused at send time;
 * redirects are never followed. A node setting opens private networks for intranet deployments and
 * tests: everything (`WEBHOOK_ALLOW_PRIVATE_NETWORKS`) or listed CIDRs (`WEBHOOK_ALLOWED_CIDRS`).
 */

const RANGES: [string, number, 'ipv4' | 'ipv6', string][] = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'shared (carrier NAT; Alibaba Cloud metadata 100.100.100.200)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local (cloud metadata 169.254.169.254)'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'reserved'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'reserved'],
  ['168.63.129.16', 32, 'ipv4', 'metadata (Azure)'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved (and broadcast)'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['64:ff9b::', 96, 'ipv6', 'NAT64 (may reach any IPv4 address)'],
  ['fc00::', 7, 'ipv6', 'private (unique local; AWS metadata fd00:ec2::254)'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

const BLOCKED = RANGES.map(([net, prefix, type, why]) => {
  const one = new BlockList();
  one.addSubnet(net, prefix, type);
  return { one, why };
});

/** Who may be reached besides public addresses. */
export interface AddressPolicy {
  /** Every address allowed (intranet deployments, tests). */
  allowPrivate: boolean;
  /** Addresses in these CIDRs are allowed though not public. */
  allowed: BlockList | null;
}

/** The policy from the node settings; a malformed CIDR throws (the node refuses to start). */
export function addressPolicy(allowPrivate: boolean, cidrs: string | undefined): AddressPolicy {
  const list = (cidrs ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!list.length) return { allowPrivate, allowed: null };
  const allowed = new BlockList();
  for (const c of list) {
    const [net, bits] = c.split('/');
    const type = isIP(net);
    const prefix = bits === undefined ? (type === 6 ? 128 : 32) : Number(bits);
    if (!type || !Number.isInteger(prefix) || prefix < 0 || prefix > (type === 6 ? 128 : 32))
      throw new Error(`WEBHOOK_ALLOWED_CIDRS: "${c}" is not an address or CIDR`);
    allowed.addSubnet(net, prefix, type === 6 ? 'ipv6' : 'ipv4');
  }
  return { allowPrivate, allowed };
}

/** Why this address may not be reached, or null when it may. */
export function refusedAddress(policy: AddressPolicy, address: string): string | null {
  if (policy.allowPrivate) return null;
  const type = isIP(address);
  if (!type) return 'not an IP address';
  const family = type === 6 ? 'ipv6' : 'ipv4';
  if (policy.allowed?.check(address, family)) return null;
  // BlockList matches IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) against the IPv4 ranges too.
  for (const b of BLOCKED) if (b.one.check(address, family)) return b.why;
  return null;
}

/** A host name that names this machine whatever DNS says. */
function isLocalName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

/** The host of a URL as a resolver takes it (IPv6 literals without brackets). */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

export type UrlProblem = { code: 'scheme' | 'credentials' | 'syntax' } | { code: 'address'; reason: string };

/**
 * Checks a target URL when an endpoint is created: syntax, scheme, credentials, and the addresses its
 * host resolves to now. A name that does not resolve now is accepted (it is checked at every send).
 */
export async function checkTargetUrl(policy: AddressPolicy, raw: string): Promise<UrlProblem | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { code: 'syntax' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { code: 'scheme' };
  if (url.username || url.password) return { code: 'credentials' };
  if (policy.allowPrivate) return null;
  const host = hostOf(url);
  if (isIP(host)) {
    const why = refusedAddress(policy, host);
    return why ? { code: 'address', reason: `${host}: ${why}` } : null;
  }
  if (isLocalName(host) && refusedAddress(policy, '127.0.0.1')) return { code: 'address', reason: `${host}: loopback` };
  const addresses = await new Promise<LookupAddress[]>((resolve) => {
    const timer = setTimeout(() => resolve([]), 3000);
    dnsLookup(host, { all: true, verbatim: true }, (err, list) => {
      clearTimeout(timer);
      resolve(err ? [] : list);
    });
  });
  for (const a of addresses) {
    const why = refusedAddress(policy, a.address);
    if (why) return { code: 'address', reason: `${host} → ${a.address}: ${why}` };
  }
  return null;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for the delivery agent's sockets: resolves as usual, then refuses when any resolved
 * address is not allowed — the check sits at connect time, after the resolution the socket uses, so
 * a host re-pointed at an internal address (DNS rebinding) cannot be reached. IP literals come here too.
 */
export function guardedLookup(policy: AddressPolicy) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, list) => {
      if (err) return callback(err, '', 4);
      for (const a of list) {
        const why = refusedAddress(policy, a.address);
        if (why) return callback(refusedError(hostname, a.address, why), '', 4);
      }
      if (options.all) return callback(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}

/** The error a refused delivery records as its attempt's error. */
export class RefusedAddressError extends Error {
  readonly code = 'EWEBHOOKADDRESS';
}

function refusedError(host: string, address: string, why: string): RefusedAddressError {
  return new RefusedAddressError(`refused: ${host} resolves to ${address} (${why})`);
}
