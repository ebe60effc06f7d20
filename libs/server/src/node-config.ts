import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';

// Read the raw string: implicit conversion would already have turned 'false' into true.
const bool = ({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
  const raw = obj[key];
  if (typeof raw !== 'string') return raw;
  const v = raw.trim().toLowerCase();
  return ['1', 'true', 'yes', 'on'].includes(v) ? true : ['0', 'false', 'no', 'off'].includes(v) ? false : raw;
};

/**
 * Every environment variable both nodes read (see deploy/ENVIRONMENT.md); each node's own are in
 * `NationalNodeConfig` and `ProvincialNodeConfig`. Validated at boot; a bad value stops the node
 * with a message naming the variable.
 */
export class NodeConfig {
  /** PostgreSQL connection string. Unset = start the embedded PostgreSQL under DATA_DIR. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must start with postgres:// or postgresql://' })
  DATABASE_URL?: string;

  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  @IsString()
  HOST: string = '0.0.0.0';

  /** Folder of the web console's build served under /console (default: apps/console/dist). */
  @IsOptional()
  @IsString()
  CONSOLE_DIR?: string;

  /** Folder for the embedded database and generated secrets. */
  @IsString()
  DATA_DIR: string = '.data/node';

  @IsInt()
  @Min(1024)
  @Max(65535)
  EMBEDDED_PG_PORT: number = 54320;

  /** HMAC secret for access tokens (HS256); at least 32 characters. Required with DATABASE_URL. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  @IsInt()
  @Min(60)
  @Max(86400)
  ACCESS_TOKEN_TTL_SECONDS: number = 900;

  @IsInt()
  @Min(300)
  @Max(2592000)
  REFRESH_TOKEN_TTL_SECONDS: number = 604800;

  /**
   * How long a session's caller (account, role, unit) may be served from memory instead of looked up
   * on each request: the bound on how late a revoked session or disabled account is refused if the
   * change notification (NOTIFY tmis_auth_changed) were lost. 0 = look up on every request.
   */
  @IsInt()
  @Min(0)
  @Max(60000)
  SESSION_CACHE_MS: number = 5000;

  @IsInt()
  @Min(1)
  @Max(100)
  LOCKOUT_THRESHOLD: number = 5;

  @IsInt()
  @Min(1)
  @Max(1440)
  LOCKOUT_MINUTES: number = 10;

  /** Failed logins (and wrong current passwords) per client address per window before 429. */
  @IsInt()
  @Min(1)
  LOGIN_FAILURES_PER_ADDRESS: number = 20;

  /** Failed logins on the whole node per window, whatever the address, before 429. */
  @IsInt()
  @Min(1)
  LOGIN_FAILURES_GLOBAL: number = 300;

  @IsInt()
  @Min(1)
  @Max(86400)
  LOGIN_THROTTLE_WINDOW_SECONDS: number = 300;

  /**
   * Bearer token that unlocks GET /metrics and the details of GET /health (at least 24 characters).
   * Unset: only an authenticated ministry/province system administrator sees them.
   */
  @IsOptional()
  @MinLength(24, { message: 'METRICS_TOKEN must be at least 24 characters' })
  METRICS_TOKEN?: string;

  /** Header carrying the client-certificate SHA-256 fingerprint set by a TLS-terminating proxy. Unset = never trusted. */
  @IsOptional()
  @Matches(/^[a-z0-9-]+$/i)
  CLIENT_CERT_HEADER?: string;

  /** Comma-separated proxy addresses allowed to set CLIENT_CERT_HEADER. */
  @IsOptional()
  @IsString()
  TRUSTED_PROXIES?: string;

  /** Serve HTTPS directly (with optional client certificates when TLS_CA_FILE is set). */
  @IsOptional() @IsString() TLS_CERT_FILE?: string;
  @IsOptional() @IsString() TLS_KEY_FILE?: string;
  @IsOptional() @IsString() TLS_CA_FILE?: string;

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  @Transform(bool)
  @IsBoolean()
  DB_MIGRATE_ON_START: boolean = true;

  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE: number = 10;

  /**
   * How long a request waits for a pooled connection before it fails with 503 DATABASE_BUSY (instead of
   * waiting for ever when the pool is exhausted), in milliseconds.
   */
  @IsInt()
  @Min(100)
  @Max(600000)
  DB_ACQUIRE_TIMEOUT_MS: number = 5000;

  /** On SIGTERM/SIGINT, how long in-flight requests may take before open connections are cut, in milliseconds. */
  @IsInt()
  @Min(0)
  @Max(600000)
  SHUTDOWN_GRACE_MS: number = 5000;

  /** Kafka bootstrap brokers (`host:port,…`) of the federation. Unset: no Kafka (the province keeps its outbox). */
  @IsOptional()
  @Matches(/^[A-Za-z0-9.-]+:\d+(,[A-Za-z0-9.-]+:\d+)*$/, { message: 'KAFKA_BROKERS must be host:port[,host:port…]' })
  KAFKA_BROKERS?: string;

  /** TLS to Kafka (`true`), optionally with a private CA. */
  @Transform(bool)
  @IsBoolean()
  KAFKA_SSL: boolean = false;

  @IsOptional()
  @IsString()
  KAFKA_SSL_CA_FILE?: string;

  /**
   * SASL authentication to Kafka: scram-sha-256 or scram-sha-512 (one broker user per node: its
   * province's topics only, by ACL), or plain. The three KAFKA_SASL_* go together.
   */
  @ValidateIf((c: NodeConfig) => !!(c.KAFKA_SASL_MECHANISM || c.KAFKA_SASL_USERNAME || c.KAFKA_SASL_PASSWORD))
  @IsIn(['plain', 'scram-sha-256', 'scram-sha-512'], {
    message:
      'KAFKA_SASL_MECHANISM must be scram-sha-256, scram-sha-512 or plain when KAFKA_SASL_USERNAME/PASSWORD are set',
  })
  KAFKA_SASL_MECHANISM?: 'plain' | 'scram-sha-256' | 'scram-sha-512';

  @ValidateIf((c: NodeConfig) => !!(c.KAFKA_SASL_MECHANISM || c.KAFKA_SASL_USERNAME || c.KAFKA_SASL_PASSWORD))
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, {
    message: 'KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM (letters, digits, . _ -)',
  })
  KAFKA_SASL_USERNAME?: string;

  @ValidateIf((c: NodeConfig) => !!(c.KAFKA_SASL_MECHANISM || c.KAFKA_SASL_USERNAME || c.KAFKA_SASL_PASSWORD))
  @IsString({ message: 'KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM' })
  @MinLength(12, { message: 'KAFKA_SASL_PASSWORD must be at least 12 characters' })
  KAFKA_SASL_PASSWORD?: string;

  /**
   * Prefix of the federation's topics: `<prefix>.up.<province>` (a province → national: records and
   * messages) and `<prefix>.down.<province>` (national → that province). Consumer groups are named
   * after it too (`<prefix>.national`, `<prefix>.province.<code>`).
   */
  @Matches(/^[A-Za-z0-9._-]{1,100}$/, { message: 'SYNC_TOPIC must be a topic-name prefix (letters, digits, . _ -)' })
  SYNC_TOPIC: string = 'tmis';

  /** Milliseconds between two runs of the federation messenger's relay (and, over HTTP, a province's pull). */
  @IsInt()
  @Min(50)
  @Max(60000)
  FEDERATION_RELAY_INTERVAL_MS: number = 500;

  /** Seconds between scheduled statistics refreshes (libs/stats); 0 = none (they still run at boot and on POST /stats/refresh). */
  @IsInt()
  @Min(0)
  @Max(604800)
  STATS_REFRESH_SECONDS: number = 3600;

  /** Seconds between runs of the job that applies transfers and rotations whose date has come (libs/transfers); 0 = only on read. */
  @IsInt()
  @Min(0)
  @Max(86400)
  TRANSFERS_DUE_SECONDS: number = 300;

  /** Statistics answers kept per process for the refresh they come from (the same table asked again is not scanned again); 0 = none. */
  @IsInt()
  @Min(0)
  @Max(100000)
  STATS_CACHE_ENTRIES: number = 256;

  /** Largest bulk-import upload, in MiB. */
  @IsInt()
  @Min(1)
  @Max(1024)
  BULK_MAX_UPLOAD_MB: number = 20;

  /** Folder for uploaded import files (default: DATA_DIR/bulk). */
  @IsOptional()
  @IsString()
  BULK_DIR?: string;

  /** Import jobs one node runs at once. */
  @IsInt()
  @Min(1)
  @Max(16)
  BULK_MAX_JOBS: number = 2;

  /** Hours an uploaded file is kept after its job ended (error report, commit of a dry run). */
  @IsInt()
  @Min(1)
  @Max(720)
  BULK_RETENTION_HOURS: number = 24;

  /** Largest JSON or form request body, in KiB (413 beyond). File uploads have BULK_MAX_UPLOAD_MB. */
  @IsInt()
  @Min(1)
  @Max(10240)
  REQUEST_BODY_LIMIT_KB: number = 100;

  /**
   * Origins allowed to call the API from a browser (CORS), comma-separated, e.g.
   * `https://console.example.org`. Unset: no CORS headers at all (browsers refuse cross-origin calls).
   */
  @IsOptional()
  @Matches(/^\s*https?:\/\/[^\s,/]+\/?\s*(,\s*https?:\/\/[^\s,/]+\/?\s*)*$/, {
    message: 'CORS_ORIGINS must be a comma-separated list of origins such as https://console.example.org',
  })
  CORS_ORIGINS?: string;

  /** Lifetime of an API client's access token (client-credentials grant), in seconds. */
  @IsInt()
  @Min(60)
  @Max(3600)
  API_CLIENT_TOKEN_TTL_SECONDS: number = 600;

  /** Requests per minute per API client (token requests included), unless the client has its own limit. */
  @IsInt()
  @Min(1)
  @Max(1000000)
  API_CLIENT_RATE_LIMIT: number = 600;

  /** Requests per minute per source address, for API client calls and token requests. */
  @IsInt()
  @Min(1)
  @Max(1000000)
  API_ADDRESS_RATE_LIMIT: number = 1200;

  /** Hours an Idempotency-Key is remembered (its first answer replayed). */
  @IsInt()
  @Min(1)
  @Max(720)
  IDEMPOTENCY_TTL_HOURS: number = 24;

  /** How often the change feed's sequencer numbers committed changes (ms; readers also trigger it). */
  @IsInt()
  @Min(10)
  @Max(60000)
  CHANGE_FEED_INTERVAL_MS: number = 500;

  /** Days a change-feed entry is kept; an older cursor answers 410 (read the records again). */
  @IsInt()
  @Min(1)
  @Max(3650)
  CHANGE_FEED_RETENTION_DAYS: number = 30;

  /** How often webhook deliveries are fanned out and sent (ms). */
  @IsInt()
  @Min(10)
  @Max(60000)
  WEBHOOK_INTERVAL_MS: number = 500;

  /** First retry delay of a failed webhook delivery (ms); each further retry waits 4 times longer. */
  @IsInt()
  @Min(10)
  @Max(3600000)
  WEBHOOK_RETRY_BASE_MS: number = 5000;

  /** Attempts per delivery before it is marked failed (replayable). */
  @IsInt()
  @Min(1)
  @Max(30)
  WEBHOOK_MAX_ATTEMPTS: number = 8;

  /** Consecutive failed attempts after which an endpoint is disabled and its owner told on the to-do list. */
  @IsInt()
  @Min(1)
  @Max(1000)
  WEBHOOK_DISABLE_AFTER: number = 20;

  /** Timeout of one webhook request (ms). */
  @IsInt()
  @Min(100)
  @Max(60000)
  WEBHOOK_TIMEOUT_MS: number = 10000;

  /** Requests in flight to one webhook endpoint at most (keep-alive connections per origin). */
  @IsInt()
  @Min(1)
  @Max(256)
  WEBHOOK_CONCURRENCY: number = 16;

  /** Webhook endpoints sent to at once at most (one sending lane each). */
  @IsInt()
  @Min(1)
  @Max(1000)
  WEBHOOK_MAX_ENDPOINTS: number = 32;

  /**
   * Deliver webhooks to any address, loopback and private networks included (intranet deployments,
   * tests). Off: only public addresses (SSRF protection), apart from WEBHOOK_ALLOWED_CIDRS.
   */
  @Transform(bool)
  @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: boolean = false;

  /** Non-public addresses webhooks may still reach, comma-separated CIDRs (e.g. `10.20.0.0/16,fd12::/64`). */
  @IsOptional()
  @Matches(/^\s*[0-9a-fA-F:.]+(\/\d{1,3})?\s*(,\s*[0-9a-fA-F:.]+(\/\d{1,3})?\s*)*$/, {
    message: 'WEBHOOK_ALLOWED_CIDRS must be comma-separated addresses or CIDRs such as 10.20.0.0/16',
  })
  WEBHOOK_ALLOWED_CIDRS?: string;
}

/** The national node: the federation's hub. */
export class NationalNodeConfig extends NodeConfig {
  /** Accepted node tokens of the provinces pushing over HTTP, `province:token[,province:token…]`. */
  @IsOptional()
  @Matches(/^\d{2}:[^,:]{24,}(,\d{2}:[^,:]{24,})*$/, {
    message: 'SYNC_NODE_TOKENS must be province:token pairs (tokens of 24+ characters)',
  })
  SYNC_NODE_TOKENS?: string;

  /** Seconds a cross-province transfer may wait for the sending province before it expires on both sides (default 30 days). */
  @IsInt()
  @Min(1)
  @Max(31536000)
  CROSS_TRANSFER_TIMEOUT_SECONDS: number = 2592000;

  /** How often the national node checks for expired cross-province transfers (ms). */
  @IsInt()
  @Min(100)
  @Max(86400000)
  CROSS_TRANSFER_CHECK_MS: number = 60000;

  /** The provinces whose upward topics the national node consumes (and creates when missing); default all 32. */
  @Matches(/^\d{2}(,\d{2})*$/, { message: 'FEDERATION_PROVINCES must be province codes, e.g. 11,44' })
  FEDERATION_PROVINCES: string =
    '11,12,13,14,15,21,22,23,31,32,33,34,35,36,37,41,42,43,44,45,46,50,51,52,53,54,61,62,63,64,65,66';
}

/** A provincial node: one province, publishing to the national node. */
export class ProvincialNodeConfig extends NodeConfig {
  /** Two-digit province prefix (GB/T 2260), e.g. 11 for Beijing; 66 = XPCC. Required. */
  @IsDefined({
    message: 'PROVINCE_CODE is required on a provincial node (e.g. PROVINCE_CODE=11) / 省级节点必须配置 PROVINCE_CODE',
  })
  @Matches(/^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-6])$/, {
    message: 'PROVINCE_CODE must be a two-digit province prefix such as 11, 44 or 66',
  })
  PROVINCE_CODE: string;

  /** Without Kafka: push the outbox to the national node over HTTP (e.g. the embedded demo). */
  @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'NATIONAL_URL must be an http(s) URL' })
  NATIONAL_URL?: string;

  /** Its node token for NATIONAL_URL. */
  @IsOptional()
  @IsString()
  @MinLength(24, { message: 'SYNC_NODE_TOKEN must be at least 24 characters' })
  SYNC_NODE_TOKEN?: string;

  /** The relay's fallback poll (it is woken by each committed outbox append, ADR 0025). */
  @IsInt()
  @Min(50)
  @Max(60000)
  SYNC_RELAY_INTERVAL_MS: number = 500;
}

/** A node's role as the build composes it: its name and the configuration class validated at boot. */
export interface NodeRole<C extends NodeConfig = NodeConfig> {
  kind: 'national' | 'provincial';
  config: new () => C;
}

export const NATIONAL_ROLE: NodeRole<NationalNodeConfig> = { kind: 'national', config: NationalNodeConfig };
export const PROVINCIAL_ROLE: NodeRole<ProvincialNodeConfig> = { kind: 'provincial', config: ProvincialNodeConfig };
