import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { DynamicModule, INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { withProblemResponses } from './openapi-document.js';
import { scopeLabels } from '@tmis/access';
import { correlationIdFrom, JsonLogger, loadConfig, requestContext } from '@tmis/common';
import { runMigrations, startEmbeddedPostgres, type EmbeddedDatabase } from '@tmis/database';
import type { NodeConfig, NodeRole } from './node-config.js';
import { NODE_MICROSERVICES } from './node-info.js';
import { consoleStatic } from './console-static.js';
import { ProblemFilter } from './problem.filter.js';
import { apiVersionRouting, corsOptions, parseOrigins, securityHeaders } from './http-hygiene.js';
import { inputGuard, verifyJsonDepth } from './request-guard.js';
import { createValidationPipe } from './validation.js';
import { NodeReady } from './node-ready.js';

export interface NodeRuntime<C extends NodeConfig = NodeConfig> {
  /** The node's name (logs, database name, token issuer, health); what it does is its app module. */
  kind: 'national' | 'provincial';
  config: C;
  databaseUrl: string;
  embedded: boolean;
  jwtSecret: string;
  logger: JsonLogger;
}

export interface StartedNode<C extends NodeConfig = NodeConfig> {
  app: INestApplication;
  runtime: NodeRuntime<C>;
  url: string;
  close(): Promise<void>;
}

/** Resolves configuration, the database (real or embedded) and secrets, and migrates. */
export async function prepareRuntime<C extends NodeConfig>(
  role: NodeRole<C>,
  env: Record<string, string | undefined> = process.env,
  logger?: JsonLogger,
): Promise<{ runtime: NodeRuntime<C>; embedded?: EmbeddedDatabase }> {
  const { kind } = role;
  const config = loadConfig(role.config, env);
  const log = logger ?? new JsonLogger(kind, config.LOG_LEVEL as LogLevel);
  const dataDir = resolve(config.DATA_DIR);
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: join(dataDir, 'pg'),
      port: config.EMBEDDED_PG_PORT,
      database: `tmis_${kind}`,
      log: (m) => log.log(m, 'EmbeddedPostgres'),
    });
    databaseUrl = embedded.url;
  }
  let jwtSecret = config.JWT_SECRET;
  if (!jwtSecret) {
    if (config.DATABASE_URL)
      throw new Error(
        'Invalid configuration / 配置无效:\n  - JWT_SECRET is required when DATABASE_URL is set (at least 32 characters) / 使用外部数据库时必须配置 JWT_SECRET',
      );
    const file = join(dataDir, 'jwt-secret');
    mkdirSync(dataDir, { recursive: true });
    if (!existsSync(file)) writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 });
    jwtSecret = readFileSync(file, 'utf8').trim();
  }
  if (config.DB_MIGRATE_ON_START) {
    const applied = await runMigrations(databaseUrl);
    if (applied.length) log.log({ msg: 'migrations applied', migrations: applied }, 'Database');
  }
  return { runtime: { kind, config, databaseUrl, embedded: !!embedded, jwtSecret, logger: log }, embedded };
}

export interface StartNodeOptions<C extends NodeConfig> {
  role: NodeRole<C>;
  title: string;
  /** Builds the node's root module once the runtime (database, secrets) is known. */
  module: (runtime: NodeRuntime<C>) => DynamicModule;
  /** Runs after the app is initialised and before it listens (seeding reference data, demo data). */
  afterInit?: (app: INestApplication, runtime: NodeRuntime<C>) => Promise<void>;
  env?: Record<string, string | undefined>;
  logger?: JsonLogger;
}

export async function startNode<C extends NodeConfig>(opts: StartNodeOptions<C>): Promise<StartedNode<C>> {
  const { runtime, embedded } = await prepareRuntime(opts.role, opts.env ?? process.env, opts.logger);
  const { config, logger } = runtime;
  const httpsOptions =
    config.TLS_CERT_FILE && config.TLS_KEY_FILE
      ? {
          cert: readFileSync(config.TLS_CERT_FILE),
          key: readFileSync(config.TLS_KEY_FILE),
          ...(config.TLS_CA_FILE
            ? { ca: readFileSync(config.TLS_CA_FILE), requestCert: true, rejectUnauthorized: false }
            : {}),
        }
      : undefined;
  const app = await NestFactory.create(opts.module(runtime), { logger, httpsOptions, bodyParser: false });
  const express = app.getHttpAdapter().getInstance() as { set(k: string, v: unknown): void; disable(k: string): void };
  express.disable('x-powered-by');
  // No ETag on the API's answers: they are `Cache-Control: no-store` (personal data), so no client ever
  // holds one to revalidate, and Express would hash every answer's body (a list page: ~15 kB) for it.
  express.disable('etag');
  if (config.TRUSTED_PROXIES)
    express.set(
      'trust proxy',
      config.TRUSTED_PROXIES.split(',').map((s) => s.trim()),
    );
  app.use(
    (
      req: { headers: Record<string, string | undefined>; ip?: string; method: string; originalUrl: string },
      res: {
        setHeader(k: string, v: string): void;
        on(e: string, f: () => void): void;
        statusCode: number;
        headersSent: boolean;
        writeHead(...args: unknown[]): unknown;
      },
      next: () => void,
    ) => {
      const correlationId = correlationIdFrom(req.headers['x-correlation-id']);
      res.setHeader('X-Correlation-Id', correlationId);
      const started = process.hrtime.bigint();
      // `Server-Timing: app;dur=<ms>`: the node's own time until the answer's headers (guard, query,
      // JSON of the body), for operators and benchmarks at any log level (W3C Server Timing).
      const writeHead = res.writeHead;
      res.writeHead = function (this: typeof res, ...args: unknown[]) {
        if (!this.headersSent)
          this.setHeader('Server-Timing', `app;dur=${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)}`);
        return writeHead.apply(this, args);
      };
      requestContext.run({ correlationId, ip: req.ip }, () => {
        res.on('finish', () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          logger.debug(
            {
              msg: 'request',
              method: req.method,
              path: req.originalUrl.split('?')[0],
              status: res.statusCode,
              ms: Math.round(ms * 10) / 10,
            },
            'Http',
          );
        });
        next();
      });
    },
  );
  // Security headers on every answer; `/v1/…` routed to the routes, unprefixed paths as deprecated
  // aliases; CORS only for the origins in CORS_ORIGINS (ADR 0017).
  app.use(securityHeaders({ https: !!httpsOptions }));
  app.use(apiVersionRouting);
  const origins = parseOrigins(config.CORS_ORIGINS);
  if (origins.length) app.enableCors(corsOptions(origins));
  // Body parsers limited to REQUEST_BODY_LIMIT_KB (413 beyond; file uploads have their own limit), the
  // JSON parser refusing deep nesting before parsing; then every path, query and body is refused if it
  // holds NUL or lone surrogates.
  const parsers = app as unknown as { useBodyParser(type: string, options: Record<string, unknown>): void };
  const limit = `${config.REQUEST_BODY_LIMIT_KB}kb`;
  parsers.useBodyParser('json', { verify: verifyJsonDepth, limit });
  parsers.useBodyParser('urlencoded', { extended: true, limit });
  app.use(inputGuard);
  // The web console (apps/console's build) under /console, on the same origin as the API it calls.
  app.use(consoleStatic(config.CONSOLE_DIR || undefined));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemFilter(logger));
  app.enableShutdownHooks();
  const doc = new DocumentBuilder()
    .setTitle(opts.title)
    .setDescription(
      'TMIS REST API. Errors are RFC 9457 problem+json with `code`, bilingual titles, field paths and a correlation id.',
    )
    .setVersion(process.env.npm_package_version ?? '0.1.0')
    .addBearerAuth()
    .addServer('/v1', 'The API, version 1 (the same paths without /v1 are deprecated aliases)')
    .addOAuth2(
      {
        type: 'oauth2',
        description: 'API clients of third-party platforms: the bearer token of POST /v1/oauth/token (ADR 0017)',
        flows: { clientCredentials: { tokenUrl: '/v1/oauth/token', scopes: scopeLabels } },
      },
      'client-credentials',
    )
    .build();
  SwaggerModule.setup(
    'docs',
    app,
    () => withProblemResponses(withIdempotencyKeys(SwaggerModule.createDocument(app, doc))),
    {
      jsonDocumentUrl: 'docs-json',
    },
  );
  await app.init();
  if (opts.afterInit) await opts.afterInit(app, runtime);
  await nodeReadyOf(app)?.markReady();
  // Microservice servers a module asked for (the federation's Kafka consumer), started once the app is up.
  const microservices = microservicesOf(app);
  for (const options of microservices) app.connectMicroservice(options as never);
  await app.listen(config.PORT, config.HOST);
  const consumers = microservices.length ? startConsumers(app, logger) : null;
  const server = app.getHttpServer() as { address(): { port: number } | string | null };
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.PORT;
  const url = `${httpsOptions ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    app,
    runtime,
    url,
    close: async () => {
      consumers?.stop();
      await closeWithin(app, config.SHUTDOWN_GRACE_MS, logger);
      if (embedded) await embedded.stop();
    },
  };
}

/**
 * Starts the message consumers, and keeps trying while the broker cannot be reached: a broker down when
 * the node boots must not stop the node (its API, outboxes and relays work without it and catch up), so
 * the consumers start when the broker is back — 5 s, then longer waits up to a minute.
 */
function startConsumers(app: INestApplication, logger: JsonLogger): { stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const attempt = async (n: number): Promise<void> => {
    try {
      await app.startAllMicroservices();
      if (n > 0) logger.log('message consumers started', 'Bootstrap');
    } catch (e) {
      if (stopped) return;
      const wait = Math.min(60, 5 * 2 ** Math.min(n, 4));
      logger.warn(
        `message consumers not started (${e instanceof Error ? e.message : String(e)}); retrying in ${wait} s`,
        'Bootstrap',
      );
      timer = setTimeout(() => void attempt(n + 1), wait * 1000);
      timer.unref();
    }
  };
  void attempt(0);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

function nodeReadyOf(app: INestApplication): NodeReady | null {
  try {
    return app.get(NodeReady, { strict: false });
  } catch {
    return null;
  }
}

function microservicesOf(app: INestApplication): object[] {
  try {
    return app.get<object[]>(NODE_MICROSERVICES, { strict: false }) ?? [];
  } catch {
    return [];
  }
}

/**
 * Documents the optional `Idempotency-Key` header on every POST that creates something (answers 201),
 * as the idempotency interceptor of libs/api-clients honours it (ADR 0017).
 */
function withIdempotencyKeys(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    const post = item.post;
    if (!post?.responses?.['201']) continue;
    post.parameters = [
      ...(post.parameters ?? []),
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'Retry-safe creation: the same key with the same body returns the first answer and creates nothing twice; with another body, 422. Kept IDEMPOTENCY_TTL_HOURS.',
        schema: { type: 'string', minLength: 1, maxLength: 255 },
      },
    ];
  }
  return document;
}

/**
 * Closes the app in bounded time: idle keep-alive connections at once; requests still running get
 * `graceMs`, then every connection is cut and the app gets a last second to release the pool. A stuck
 * request (e.g. waiting on a lock) can no longer keep a node from stopping on SIGTERM.
 */
async function closeWithin(app: INestApplication, graceMs: number, logger: JsonLogger): Promise<void> {
  const server = app.getHttpServer() as { closeIdleConnections?(): void; closeAllConnections?(): void };
  const closing = app.close().then(
    () => true,
    (e: unknown) => {
      logger.error({ msg: 'error while closing', error: e instanceof Error ? e.message : String(e) }, 'Shutdown');
      return true;
    },
  );
  server.closeIdleConnections?.();
  const wait = (ms: number) =>
    new Promise<false>((r) => {
      const t = setTimeout(() => r(false), ms);
      t.unref();
    });
  if (await Promise.race([closing, wait(graceMs)])) return;
  logger.warn({ msg: 'shutdown grace period over: closing open connections', graceMs }, 'Shutdown');
  server.closeAllConnections?.();
  await Promise.race([closing, wait(1000)]);
}
