import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { ConfigError } from '@tmis/common';
import { dirname, join, parse, resolve } from 'node:path';

/**
 * PostgreSQL refuses to run as root, so a node started as root runs its embedded PostgreSQL as the
 * unprivileged `postgres` user. That user must reach the binaries and the data directory; a project
 * under `/root` or a `mktemp -d` folder (mode 700) is out of its reach. Then the binaries are copied
 * (once per version) and the data directory is kept under {@link ROOT_BASE}, owned by `postgres`.
 */
export const ROOT_BASE = process.env.EMBEDDED_PG_ROOT_DIR || '/var/lib/tmis/embedded-postgres';

export interface RootServerOptions {
  databaseDir: string;
  port: number;
  password: string;
  postgresFlags?: string[];
  initdbFlags?: string[];
  log: (m: string) => void;
}

interface Ids {
  uid: number;
  gid: number;
}

/** One clear sentence for the operator: a configuration problem (exit 78, no stack trace). */
export class EmbeddedPostgresSetupError extends ConfigError {
  constructor(sentence: string) {
    super([sentence]);
    this.name = 'EmbeddedPostgresSetupError';
  }
}

function postgresIds(): Ids {
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  let u = id('-u');
  if (u.status !== 0) {
    spawnSync('groupadd', ['--system', 'postgres']);
    spawnSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', '-s', '/usr/sbin/nologin', 'postgres']);
    u = id('-u');
  }
  const g = id('-g');
  if (u.status !== 0 || g.status !== 0)
    throw new EmbeddedPostgresSetupError(
      'Started as root, the embedded PostgreSQL must run as a user named postgres, which does not exist and ' +
        'could not be created: create it (useradd --system postgres), or start the node as an ordinary user, ' +
        'or set DATABASE_URL to an existing PostgreSQL.',
    );
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** Whether `ids` may search (x) every existing directory from the root down to `path`. */
export function reachable(path: string, ids: Ids): boolean {
  const abs = resolve(path);
  const dirs: string[] = [];
  for (let d = abs; ; d = dirname(d)) {
    dirs.push(d);
    if (d === parse(d).root) break;
  }
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    const s = statSync(d);
    const bit = s.uid === ids.uid ? 0o100 : s.gid === ids.gid ? 0o010 : 0o001;
    if ((s.mode & bit) === 0) return false;
  }
  return true;
}

function mkdirFor(path: string, mode: number): void {
  mkdirSync(path, { recursive: true, mode });
  chmodSync(path, mode);
}

/** The binaries' `native` folder, reachable by `ids`: the installed one, or a copy under ROOT_BASE. */
async function binaries(ids: Ids, log: (m: string) => void): Promise<{ postgres: string; initdb: string }> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  const bin = (await import(pkg)) as { postgres: string; initdb: string };
  const native = dirname(dirname(bin.postgres));
  if (reachable(bin.postgres, ids)) return bin;
  const version = createHash('sha256').update(native).digest('hex').slice(0, 12);
  const target = join(ROOT_BASE, `bin-${version}`);
  if (!existsSync(join(target, '.complete'))) {
    log(`copying the PostgreSQL binaries to ${target} (the postgres user cannot reach ${native})`);
    mkdirFor(ROOT_BASE, 0o755);
    // Copied aside and renamed into place: two nodes starting at once must not copy into one folder.
    const staging = `${target}.${process.pid}-${Date.now()}`;
    cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
    const open = (d: string) => {
      chmodSync(d, 0o755);
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) open(p);
        else if (e.isFile()) chmodSync(p, statSync(p).mode | 0o444);
      }
    };
    open(staging);
    writeFileSync(join(staging, '.complete'), native);
    try {
      renameSync(staging, target);
    } catch {
      if (!existsSync(join(target, '.complete'))) {
        rmSync(target, { recursive: true, force: true });
        renameSync(staging, target);
      } else rmSync(staging, { recursive: true, force: true });
    }
  }
  if (!reachable(target, ids))
    throw new EmbeddedPostgresSetupError(
      `The postgres user cannot reach ${target}: make ${ROOT_BASE} and its parents searchable (chmod o+x), ` +
        'or set EMBEDDED_PG_ROOT_DIR to a directory it can reach, or set DATABASE_URL.',
    );
  return { postgres: join(target, 'bin', 'postgres'), initdb: join(target, 'bin', 'initdb') };
}

/** The data directory the postgres user will use: the configured one when it can reach it. */
function dataDirFor(configured: string, ids: Ids, log: (m: string) => void): string {
  const abs = resolve(configured);
  if (reachable(abs, ids)) return abs;
  const moved = join(
    ROOT_BASE,
    'data',
    `${parse(abs).base}-${createHash('sha256').update(abs).digest('hex').slice(0, 12)}`,
  );
  log(
    `the postgres user cannot reach ${abs}; the embedded PostgreSQL keeps its data in ${moved} instead ` +
      '(set DATABASE_URL, or start as an ordinary user, to choose otherwise)',
  );
  mkdirFor(ROOT_BASE, 0o755);
  mkdirFor(join(ROOT_BASE, 'data'), 0o755);
  // Where the data went, visible where it was configured: the configured path becomes a link to it.
  if (!existsSync(abs) || (statSync(abs).isDirectory() && readdirSync(abs).length === 0)) {
    rmSync(abs, { recursive: true, force: true });
    mkdirSync(dirname(abs), { recursive: true });
    symlinkSync(moved, abs);
  }
  return moved;
}

/** Runs the embedded PostgreSQL as `postgres` when this process is root (same surface as the library's class). */
export class RootEmbeddedPostgres {
  private process?: ChildProcess;
  readonly dataDir: string;
  private constructor(
    private readonly opts: RootServerOptions,
    private readonly ids: Ids,
    private readonly bin: { postgres: string; initdb: string },
  ) {
    this.dataDir = dataDirFor(opts.databaseDir, ids, opts.log);
  }

  static async create(opts: RootServerOptions): Promise<RootEmbeddedPostgres> {
    const ids = postgresIds();
    return new RootEmbeddedPostgres(opts, ids, await binaries(ids, opts.log));
  }

  get initialised(): boolean {
    return existsSync(join(this.dataDir, 'PG_VERSION'));
  }

  async initialise(): Promise<void> {
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    chownSync(this.dataDir, this.ids.uid, this.ids.gid);
    chmodSync(this.dataDir, 0o700);
    const pwDir = join(tmpdir(), `tmis-pg-${process.pid}-${Date.now()}`);
    mkdirSync(pwDir, { mode: 0o700 });
    chownSync(pwDir, this.ids.uid, this.ids.gid);
    const pwFile = join(pwDir, 'pw');
    writeFileSync(pwFile, this.opts.password + '\n', { mode: 0o600 });
    chownSync(pwFile, this.ids.uid, this.ids.gid);
    try {
      await this.run(this.bin.initdb, [
        `--pgdata=${this.dataDir}`,
        '--auth=password',
        '--username=postgres',
        `--pwfile=${pwFile}`,
        '--lc-messages=C',
        ...(this.opts.initdbFlags ?? []),
      ]);
    } finally {
      rmSync(pwDir, { recursive: true, force: true });
    }
  }

  private run(cmd: string, args: string[]): Promise<void> {
    return new Promise((ok, fail) => {
      const p = spawn(cmd, args, { ...this.ids, cwd: '/', env: { ...process.env, LC_MESSAGES: 'C' } });
      let err = '';
      p.stderr?.on('data', (c: Buffer) => (err += c.toString()));
      p.on('error', (e) => fail(new EmbeddedPostgresSetupError(`Could not run ${cmd} as postgres: ${e.message}`)));
      p.on('close', (code) =>
        code === 0 ? ok() : fail(new EmbeddedPostgresSetupError(`initdb failed (exit ${code}): ${err.trim()}`)),
      );
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((ok, fail) => {
      const p = spawn(
        this.bin.postgres,
        ['-D', this.dataDir, '-p', String(this.opts.port), ...(this.opts.postgresFlags ?? [])],
        { ...this.ids, cwd: '/', env: { ...process.env, LC_MESSAGES: 'C' } },
      );
      this.process = p;
      // Like the embedded-postgres package: the server never outlives this process, however it ends
      // (a signal sent at exit is enough: PostgreSQL then shuts down fast on its own).
      const stopAtExit = () => {
        if (p.exitCode === null) p.kill('SIGINT');
      };
      process.once('exit', stopAtExit);
      p.once('exit', () => process.removeListener('exit', stopAtExit));
      let err = '';
      p.stderr?.on('data', (c: Buffer) => {
        const m = c.toString();
        err += m;
        if (m.includes('ready to accept connections')) ok();
      });
      p.on('error', (e) =>
        fail(new EmbeddedPostgresSetupError(`Could not start PostgreSQL as postgres: ${e.message}`)),
      );
      p.on('close', (code) =>
        fail(new EmbeddedPostgresSetupError(`The embedded PostgreSQL stopped at start (exit ${code}): ${err.trim()}`)),
      );
    });
  }

  async stop(): Promise<void> {
    const p = this.process;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((ok) => {
      p.once('exit', () => ok());
      p.kill('SIGINT');
    });
    this.process = undefined;
  }
}

/** Whether this process runs as root (PostgreSQL will not). */
export const runningAsRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;
