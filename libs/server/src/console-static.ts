import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Where `npm run build` writes the console (apps/console/dist), seen from libs/server/dist. */
export const DEFAULT_CONSOLE_DIR = resolve(import.meta.dirname, '../../../apps/console/dist');

/** The URL prefix the console is served under. */
export const CONSOLE_PREFIX = '/console';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Headers of every console response. The console talks only to its own node (`connect-src 'self'`);
 * Ant Design writes its styles at run time, hence `style-src 'unsafe-inline'`; charts draw on canvas.
 */
export const CONSOLE_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

interface Asset {
  body: Buffer;
  gzip: Buffer | null;
  type: string;
  immutable: boolean;
}

type Req = { method: string; path?: string; url: string; headers: Record<string, string | string[] | undefined> };
type Res = {
  statusCode: number;
  setHeader(k: string, v: string): void;
  end(b?: Buffer | string): void;
};

/**
 * Serves the console's build output under `/console`: files as they are (hashed assets cached for a
 * year, gzip when the browser accepts it), and `index.html` for every other path below `/console`
 * (the console routes in the browser). Without a build the console answers 404 with a hint.
 */
export function consoleStatic(dir: string = DEFAULT_CONSOLE_DIR) {
  const root = resolve(dir);
  const cache = new Map<string, Asset | null>();
  const load = (file: string): Asset | null => {
    if (cache.has(file)) return cache.get(file)!;
    let asset: Asset | null = null;
    if (existsSync(file) && statSync(file).isFile()) {
      const body = readFileSync(file);
      const type = TYPES[extname(file)] ?? 'application/octet-stream';
      const compressible = /text|json|svg/.test(type) && body.length > 1024;
      asset = {
        body,
        gzip: compressible ? gzipSync(body) : null,
        type,
        immutable: file.includes(`${sep}assets${sep}`),
      };
    }
    // index.html is re-read while developing (a rebuild changes the asset names it points to).
    if (!file.endsWith('index.html')) cache.set(file, asset);
    return asset;
  };
  return (req: Req, res: Res, next: () => void) => {
    const path = (req.url.split('?')[0] ?? '').replace(/\/+/g, '/');
    if (path !== CONSOLE_PREFIX && !path.startsWith(`${CONSOLE_PREFIX}/`)) return next();
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    for (const [k, v] of Object.entries(CONSOLE_HEADERS)) res.setHeader(k, v);
    if (path === CONSOLE_PREFIX) {
      res.statusCode = 301;
      res.setHeader('Location', `${CONSOLE_PREFIX}/`);
      return res.end();
    }
    let rel: string;
    try {
      rel = decodeURIComponent(path.slice(CONSOLE_PREFIX.length + 1));
    } catch {
      rel = '';
    }
    const file = normalize(join(root, rel));
    const inside = file.startsWith(root + sep) && !rel.includes('\0');
    let asset = inside && rel !== '' ? load(file) : null;
    // A missing hashed asset is a 404 (an old page asking for a file of a previous build); any other
    // path is a console route, answered by the application shell.
    if (!asset && (rel.startsWith('assets/') || extname(rel) !== '')) {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      return res.end('Not found');
    }
    asset ??= load(join(root, 'index.html'));
    if (!asset) {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      return res.end('The console is not built: run `npm run build` / 控制台尚未构建：请运行 npm run build');
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', asset.type);
    res.setHeader('Cache-Control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.setHeader('Vary', 'Accept-Encoding');
    const accepts = String(req.headers['accept-encoding'] ?? '').includes('gzip');
    const body = accepts && asset.gzip ? asset.gzip : asset.body;
    if (body === asset.gzip) res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Content-Length', String(body.length));
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
