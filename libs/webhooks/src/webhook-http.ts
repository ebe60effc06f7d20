import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, hostOf, refusedAddress, RefusedAddressError, type AddressPolicy } from './webhook-address.js';

/** What a receiver answered (the start of its body only). */
export interface HttpAnswer {
  status: number;
  excerpt: string | null;
}

const EXCERPT = 1000;
/** A receiver answering more than this is cut off (its body is not ours to store). */
const MAX_READ = 64 * 1024;

/**
 * POSTs webhook deliveries over keep-alive connections (one pool per origin, at most
 * `perOrigin` sockets each, so a platform never sees more parallel requests from this node), with
 * the SSRF check in the sockets' DNS lookup. Redirects are not followed: a 3xx is a failed attempt.
 */
export class WebhookHttp {
  private readonly http: http.Agent;
  private readonly https: https.Agent;

  constructor(
    private readonly policy: AddressPolicy,
    perOrigin: number,
  ) {
    const common = { keepAlive: true, keepAliveMsecs: 10_000, maxSockets: perOrigin, maxFreeSockets: perOrigin };
    const lookup = guardedLookup(policy) as unknown as http.AgentOptions['lookup'];
    this.http = new http.Agent({ ...common, lookup } as http.AgentOptions);
    this.https = new https.Agent({ ...common, lookup } as https.AgentOptions);
  }

  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<HttpAnswer> {
    const u = new URL(url);
    // An IP literal never reaches the lookup: check it here.
    const host = hostOf(u);
    if (isIP(host)) {
      const why = refusedAddress(this.policy, host);
      if (why) return Promise.reject(new RefusedAddressError(`refused: ${host} (${why})`));
    }
    const tls = u.protocol === 'https:';
    return new Promise<HttpAnswer>((resolve, reject) => {
      const req = (tls ? https : http).request(
        u,
        {
          method: 'POST',
          agent: tls ? this.https : this.http,
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        },
        (res) => {
          let text = '';
          let read = 0;
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            read += chunk.length;
            if (text.length < EXCERPT) text += chunk;
            if (read > MAX_READ) res.destroy();
          });
          const done = () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, excerpt: text.slice(0, EXCERPT) || null });
          };
          res.on('end', done);
          res.on('close', done);
          res.on('error', done);
        },
      );
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      req.end(body);
    });
  }

  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}
