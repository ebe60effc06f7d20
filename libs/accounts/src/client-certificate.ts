import { createHash } from 'node:crypto';
import type { AccountsOptions } from './accounts.options.js';
import { normaliseFingerprint } from './auth.service.js';

interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
  socket: {
    remoteAddress?: string;
    getPeerCertificate?: (detailed?: boolean) => { raw?: Buffer } | null;
    authorized?: boolean;
  };
}

/**
 * The client certificate's SHA-256 fingerprint: from the TLS connection when this node terminates
 * mutual TLS itself, or from the configured header when (and only when) the immediate peer is a
 * configured trusted proxy. Never from a header by default.
 */
export function clientCertificateFingerprint(
  req: RequestLike,
  options: Pick<AccountsOptions, 'clientCertHeader' | 'trustedProxies'>,
): string | null {
  const sock = req.socket;
  if (typeof sock.getPeerCertificate === 'function' && sock.authorized) {
    const cert = sock.getPeerCertificate();
    if (cert?.raw) return createHash('sha256').update(cert.raw).digest('hex').toUpperCase();
  }
  if (options.clientCertHeader) {
    const peer = (sock.remoteAddress ?? '').replace(/^::ffff:/, '');
    if (options.trustedProxies.includes(peer)) {
      const v = req.headers[options.clientCertHeader.toLowerCase()];
      const value = Array.isArray(v) ? v[0] : v;
      if (value && /^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/.test(value.trim()))
        return normaliseFingerprint(value.trim());
    }
  }
  return null;
}
