/**
 * HTTP hygiene every node applies before routing (ADR 0017): the `/v1` prefix, deprecation headers
 * on the unprefixed aliases, security headers and the CORS policy.
 */

/** The stable prefix of the API. */
export const API_PREFIX = '/v1';
/** When the unprefixed routes were deprecated (RFC 9745 `Deprecation`, a Unix time). */
export const UNPREFIXED_DEPRECATED_AT = new Date('2026-12-01T00:00:00Z');
/** When they may stop answering (RFC 8594 `Sunset`). */
export const UNPREFIXED_SUNSET = new Date('2027-12-01T00:00:00Z');

/** Operational routes that are not part of the versioned API: load balancers and scrapers call them as they are. */
const OPERATIONAL = /^\/(health|metrics|docs)(?:[/?-]|$)/;

interface Req {
  url: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
  apiVersioned?: boolean;
}
interface Res {
  setHeader(k: string, v: string): void;
}

/**
 * `/v1/…` is the API; the same routes without the prefix keep working as deprecated aliases that
 * answer `Deprecation`, `Sunset` and a `Link` to their successor. The prefix is stripped here, before
 * routing, so each route is declared once.
 */
export function apiVersionRouting(req: Req, res: Res, next: () => void): void {
  const url = req.url;
  if (url === API_PREFIX || url.startsWith(`${API_PREFIX}/`) || url.startsWith(`${API_PREFIX}?`)) {
    req.url = url.slice(API_PREFIX.length) || '/';
    if (req.url.startsWith('?')) req.url = `/${req.url}`;
    req.apiVersioned = true;
  } else if (!OPERATIONAL.test(url) && url !== '/') {
    res.setHeader('Deprecation', `@${Math.floor(UNPREFIXED_DEPRECATED_AT.getTime() / 1000)}`);
    res.setHeader('Sunset', UNPREFIXED_SUNSET.toUTCString());
    res.setHeader('Link', `<${API_PREFIX}${url.split('?')[0]}>; rel="successor-version"`);
  }
  next();
}

/**
 * Security headers for a JSON API (OWASP REST Security Cheat Sheet), not helmet: ours are a handful
 * of fixed headers, and helmet's defaults aim at HTML pages (its CSP would break Swagger UI at
 * /docs, which gets the same headers less the API's `default-src 'none'` CSP).
 */
export function securityHeaders(options: { https: boolean }) {
  return (req: Req, res: Res, next: () => void): void => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    if (!req.url.startsWith('/docs')) {
      res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
      // Answers carry personal data: never kept by a shared or browser cache.
      res.setHeader('Cache-Control', 'no-store');
    }
    if (options.https) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  };
}

/** Request headers a browser app may send cross-origin, and response headers it may read. */
const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Correlation-Id'];
const CORS_EXPOSED_HEADERS = [
  'X-Correlation-Id',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'RateLimit-Policy',
  'Retry-After',
  'Idempotent-Replayed',
  'Deprecation',
  'Sunset',
  'Link',
  'Content-Disposition',
];

/** The node's CORS policy: none unless `CORS_ORIGINS` lists origins (no credentials: tokens go in `Authorization`). */
export function corsOptions(origins: string[]) {
  return {
    origin: origins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    credentials: false,
    maxAge: 600,
  };
}

/** `CORS_ORIGINS` as a list (comma-separated, blanks ignored). */
export function parseOrigins(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim().replace(/\/$/, ''))
    .filter(Boolean);
}
