import { ApiProblem, createNationalClient, createProvincialClient, unwrap, type Problem } from '@tmis/api-client';

export { ApiProblem, unwrap };
export type { Problem };

/** The signed-in account as `GET /auth/me` answers it. */
export interface Me {
  id: string;
  unitId: string;
  unitPath: string;
  role: 'sysadmin' | 'info_admin' | 'query' | 'teacher';
  username: string;
  realName: string;
  mustChangePassword: boolean;
  certificateBound: boolean;
}

export interface Unit {
  id: string;
  code: string;
  name: string;
  kind: 'ministry' | 'province' | 'city' | 'county' | 'school' | 'department' | string;
  level: number;
  parentId: string | null;
  path: string;
  status?: string;
  /** The school type as a code-table entry. */
  schoolType?: { code: string; zh: string; en: string } | null;
}

const KEY = 'tmis.console.session';
interface Stored {
  accessToken: string;
  refreshToken: string;
}

let stored: Stored | null = (() => {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Stored | null;
  } catch {
    return null;
  }
})();

export function setTokens(t: Stored | null): void {
  stored = t;
  if (t) sessionStorage.setItem(KEY, JSON.stringify(t));
  else sessionStorage.removeItem(KEY);
}
export const accessToken = () => stored?.accessToken ?? null;

let onSignedOut: () => void = () => undefined;
export function whenSignedOut(f: () => void): void {
  onSignedOut = f;
}

/**
 * Fetch with the session: on 401 the refresh token is exchanged once (the old one stops working) and
 * the request repeated; if that fails too the console returns to sign-in.
 */
let refreshing: Promise<boolean> | null = null;
async function refresh(): Promise<boolean> {
  if (!stored?.refreshToken) return false;
  refreshing ??= fetch('/auth/refresh', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken: stored.refreshToken }),
  })
    .then(async (r) => {
      if (!r.ok) return false;
      const b = (await r.json()) as Stored;
      setTokens({ accessToken: b.accessToken, refreshToken: b.refreshToken });
      return true;
    })
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

async function sessionFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  const res = await fetch(input);
  if (res.status !== 401 || input.url.includes('/auth/login') || !stored) return res;
  if (await refresh()) {
    retry.headers.set('authorization', `Bearer ${accessToken()}`);
    return fetch(retry);
  }
  setTokens(null);
  onSignedOut();
  return res;
}

/** The typed API client (generated from the node's OpenAPI document) on the page's own node. */
export const api = createProvincialClient({ baseUrl: '', token: accessToken, fetch: sessionFetch });
/** National-only routes (ingest status, dead letters, duplicates) on the same origin. */
export const nationalApi = createNationalClient({ baseUrl: '', token: accessToken, fetch: sessionFetch });

/** Downloads a file answer (export, template, error report) with the session's token. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await sessionFetch(new Request(path, { headers: { authorization: `Bearer ${accessToken() ?? ''}` } }));
  if (!res.ok) {
    const problem = (await res.json().catch(() => ({}))) as Problem;
    throw new ApiProblem(res.status, problem);
  }
  const blob = await res.blob();
  const cd = res.headers.get('content-disposition') ?? '';
  const m = /filename\*=UTF-8''([^;]+)|filename="?([^";]+)"?/i.exec(cd);
  const name = m ? decodeURIComponent(m[1] ?? m[2]) : fallbackName;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/**
 * Uploads a file with progress (fetch has no upload progress; XMLHttpRequest does).
 */
export function uploadWithProgress<T>(path: string, file: File, onProgress: (pct: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('authorization', `Bearer ${accessToken() ?? ''}`);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else reject(new ApiProblem(xhr.status, body as Problem));
    };
    xhr.onerror = () => reject(new Error('network error'));
    const form = new FormData();
    form.append('file', file);
    xhr.send(form);
  });
}
