import { BlockList, isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

/**
 * The only module that reads the environment. `loadConfig` validates every variable, turns it into
 * typed values and returns a frozen object; a bad value throws a `ConfigError` whose lines each name
 * one variable and what is wrong with it.
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const url = (protocols: readonly string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { error: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

/** Parses "10.0.0.0/8, 2001:db8::/32, 127.0.0.1" into normalised CIDRs; a bare address gets a full prefix. */
export function parseCidrList(value: string): string[] {
  const out: string[] = [];
  for (const raw of value.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const [address = '', prefixText] = item.split('/');
    const family = isIP(address);
    if (family === 0) throw new Error(`"${item}" is not an IPv4 or IPv6 address or CIDR`);
    const maxPrefix = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
    if (!/^\d+$/.test(prefixText ?? String(maxPrefix)) || prefix > maxPrefix) {
      throw new Error(`"${item}" has an invalid prefix length (0–${maxPrefix})`);
    }
    new BlockList().addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
    out.push(`${address}/${prefix}`);
  }
  return out;
}

const cidrList = z.string().transform((value, ctx) => {
  try {
    return parseCidrList(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** Fastify's trustProxy: false, true, a hop count, or a list of trusted proxy CIDRs. */
const trustProxy = z.string().transform((value, ctx): boolean | number | string[] => {
  const v = value.trim().toLowerCase();
  if (v === 'false' || v === '0' || v === 'no') return false;
  if (v === 'true' || v === 'yes') return true;
  if (/^\d+$/.test(v)) return Number(v);
  try {
    return parseCidrList(value);
  } catch (err) {
    ctx.addIssue({
      code: 'custom',
      message: `must be true, false, a hop count or a list of proxy CIDRs (${(err as Error).message})`,
    });
    return z.NEVER;
  }
});

const KEY_PATTERN = /^[A-Za-z0-9+/]{43}=$/;
const encryptionKey = z.string().refine((v) => KEY_PATTERN.test(v), {
  error: 'must be 32 random bytes in base64 (44 characters; create one with `openssl rand -base64 32`)',
});
const encryptionKeyList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== ''),
  )
  .refine((keys) => keys.every((k) => KEY_PATTERN.test(k)), {
    error: 'must be a comma-separated list of 32-byte base64 keys',
  });

const BACKEND_ROLES = ['superadmin', 'security_admin', 'auditor', 'editor', 'planner'] as const;
const ALL_ROLES = [...BACKEND_ROLES, 'client_approver', 'client_viewer'] as const;
type RoleName = (typeof ALL_ROLES)[number];
const roleList = z.string().transform((value, ctx): RoleName[] => {
  const v = value.trim().toLowerCase();
  if (v === 'none') return [];
  const roles = v
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  const unknown = roles.filter((r) => !(ALL_ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `has unknown role(s) ${unknown.join(', ')}; use "none" or roles from ${ALL_ROLES.join(', ')}`,
    });
    return z.NEVER;
  }
  return roles as RoleName[];
});
const bool = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true');

/** Every variable the service reads, with its default. README and .env.example document each of them. */
export const envSchema = z.object({
  PORT: integer(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_POOL_MAX: integer(1, 100).default(10),
  AUTO_MIGRATE: z.enum(['auto', 'true', 'false'], { error: 'must be auto, true or false' }).default('auto'),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]{1,40}$/, { error: 'must be 1–40 characters of a-z, 0-9, _ or -' })
    .default('yunying'),
  APP_ENCRYPTION_KEY: encryptionKey.optional(),
  APP_ENCRYPTION_KEYS_PREVIOUS: encryptionKeyList.optional(),
  ADMIN_IP_ALLOWLIST: cidrList.default(['127.0.0.0/8', '::1/128']),
  TRUST_PROXY: trustProxy.default(false),
  WECHAT_API_BASE: url(['http:', 'https:']).default('https://api.weixin.qq.com'),
  WEIBO_API_BASE: url(['http:', 'https:']).default('https://api.weibo.com'),
  WEIBO_SAFE_DOMAINS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((d) => d.trim().toLowerCase())
        .filter((d) => d !== ''),
    )
    .refine((list) => list.every((d) => /^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/.test(d)), {
      error: "must be a comma-separated list of domain names (the Weibo app's 安全域名)",
    })
    .default([]),
  CHROMIUM_PATH: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  RATE_LIMIT_PER_MINUTE: integer(1, 1_000_000).default(600),
  SHUTDOWN_TIMEOUT_MS: integer(1000, 600_000).default(30_000),
  HEARTBEAT_INTERVAL_MS: integer(1000, 3_600_000).default(30_000),
  COOKIE_SECURE: bool.default(false),
  PASSWORD_MAX_AGE_DAYS: integer(1, 3650).default(90),
  LOGIN_MAX_FAILURES: integer(1, 100).default(5),
  LOGIN_LOCK_MINUTES: integer(1, 1440).default(15),
  LOGIN_IP_MAX_FAILURES: integer(1, 10_000).default(20),
  SESSION_IDLE_MINUTES: integer(1, 1440).default(30),
  SESSION_MAX_HOURS: integer(1, 168).default(12),
  TOTP_REQUIRED_ROLES: roleList.default([...BACKEND_ROLES]),
  AUDIT_RETENTION_DAYS: integer(180, 36_500).default(180),
  SCHEDULE_HORIZON_DAYS: integer(1, 3650).default(90),
  MEDIA_MAX_BYTES: integer(1024, 100 * 1024 * 1024).default(10 * 1024 * 1024),
  PUBLISH_CONCURRENCY: integer(1, 200).default(8),
  PUBLISH_MAX_ATTEMPTS: integer(1, 20).default(5),
  PUBLISH_LEASE_SECONDS: integer(5, 3600).default(120),
  PUBLISH_RETRY_BASE_MS: integer(10, 600_000).default(5000),
  RECONCILE_INTERVAL_MS: integer(1000, 3_600_000).default(60_000),
  WEIBO_RIP: z.ipv4({ error: 'must be an IPv4 address' }).default('127.0.0.1'),
  METRICS_DAILY_AT: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be HH:MM (Asia/Shanghai)' })
    .default('08:30'),
  METRICS_CONCURRENCY: integer(1, 64).default(4),
  REPORT_PAGE_POOL_SIZE: integer(1, 16).default(2),
  REPORT_PAGE_TIMEOUT_MS: integer(5000, 600_000).default(60_000),
  REPORT_BROWSER_RECYCLE_AFTER: integer(1, 10_000).default(50),
  REPORT_MAX_ATTEMPTS: integer(1, 10).default(3),
});

export type EnvVariable = keyof typeof envSchema.shape;

/** Variables whose values doctor and logs must never print. */
export const SECRET_VARIABLES: ReadonlySet<EnvVariable> = new Set([
  'APP_ENCRYPTION_KEY',
  'APP_ENCRYPTION_KEYS_PREVIOUS',
]);
/** Variables that are URLs and may carry a password. */
export const URL_VARIABLES: ReadonlySet<EnvVariable> = new Set(['DATABASE_URL', 'REDIS_URL']);

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly port: number;
  readonly host: string;
  /** The URL people use to reach the service (links in messages); null: the address it listens on. */
  readonly publicUrl: string | null;
  /** Absolute path. */
  readonly dataDir: string;
  readonly database: {
    /** null: the embedded PGlite database under dataDir. */
    readonly url: string | null;
    readonly poolMax: number;
    /** Whether `start` applies pending migrations itself. */
    readonly autoMigrate: boolean;
  };
  readonly redis: {
    /** null: use a local Redis or start a private one. */
    readonly url: string | null;
    readonly prefix: string;
  };
  /** Base64 of the current 32-byte key; null: a key file under dataDir is used (see core/secrets). */
  readonly encryptionKey: string | null;
  /** Keys that only decrypt (during `keys:rotate`). */
  readonly encryptionKeysPrevious: readonly string[];
  readonly adminIpAllowlist: readonly string[];
  readonly trustProxy: boolean | number | readonly string[];
  readonly wechatApiBase: string;
  readonly weiboApiBase: string;
  /** The Weibo app's safe domains: every post must link to one of them. */
  readonly weiboSafeDomains: readonly string[];
  readonly chromiumPath: string | null;
  readonly logLevel: LogLevel;
  readonly rateLimitPerMinute: number;
  readonly shutdownTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly auth: {
    readonly cookieSecure: boolean;
    readonly passwordMaxAgeDays: number;
    readonly loginMaxFailures: number;
    readonly loginLockMinutes: number;
    readonly loginIpMaxFailures: number;
    readonly sessionIdleMinutes: number;
    readonly sessionMaxHours: number;
    readonly totpRequiredRoles: readonly RoleName[];
  };
  /** Audit rows older than this many days (never fewer than 180) are purged. */
  readonly auditRetentionDays: number;
  readonly content: {
    /** How far ahead content may be scheduled. */
    readonly scheduleHorizonDays: number;
    /** Largest file the media library accepts. */
    readonly mediaMaxBytes: number;
  };
  readonly publishing: {
    /** Publishes running at once across all accounts (one per account at most). */
    readonly concurrency: number;
    /** Attempts before a transient failure becomes `failed`. */
    readonly maxAttempts: number;
    /** How long a worker holds an item without news before the reconciler settles it. */
    readonly leaseMs: number;
    readonly retryBaseMs: number;
    readonly reconcileIntervalMs: number;
    /** The address Weibo is told posts come from (`rip`). */
    readonly weiboRip: string;
  };
  readonly metrics: {
    /** When the daily ingestion runs, HH:MM Asia/Shanghai (WeChat: "每日8点后获取前一天数据"). */
    readonly dailyAt: string;
    /** Ingestion and backfill jobs at once per worker. */
    readonly concurrency: number;
  };
  /** Monthly reports: the warm Chromium's page pool, print deadline, recycling and tries. */
  readonly reports: {
    readonly pagePoolSize: number;
    readonly pageTimeoutMs: number;
    /** A fresh browser after this many reports (Chromium's memory only grows). */
    readonly browserRecycleAfter: number;
    /** Tries per report when Chromium crashes or a page times out. */
    readonly maxAttempts: number;
  };
  /** The system PATH, to find helper programs such as redis-server and chromium. */
  readonly systemPath: string;
  /** The raw, validated variables, for doctor. */
  readonly env: Readonly<Partial<Record<EnvVariable, unknown>>>;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'it is missing';
  const text = String(value);
  return `got "${text.length > 60 ? `${text.slice(0, 57)}...` : text}"`;
}

export function loadConfig(source: Readonly<Record<string, string | undefined>> = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = source[key];
    // An empty variable (`PORT=`) counts as unset, so .env.example can list every name.
    if (value !== undefined && value.trim() !== '') input[key] = value.trim();
  }
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      const secret = SECRET_VARIABLES.has(name as EnvVariable);
      const shown = secret ? '' : `, ${describeValue(input[name])}`;
      return `Invalid configuration: ${name} ${issue.message}${shown}`;
    });
    throw new ConfigError([...new Set(problems)]);
  }
  const e = parsed.data;
  const dbUrl = e.DATABASE_URL ?? null;
  const autoMigrate = e.AUTO_MIGRATE === 'auto' ? dbUrl === null : e.AUTO_MIGRATE === 'true';
  const config: Config = {
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL ? e.PUBLIC_URL.replace(/\/+$/, '') : null,
    dataDir: path.resolve(e.DATA_DIR),
    database: { url: dbUrl, poolMax: e.DATABASE_POOL_MAX, autoMigrate },
    redis: { url: e.REDIS_URL ?? null, prefix: e.REDIS_PREFIX },
    encryptionKey: e.APP_ENCRYPTION_KEY ?? null,
    encryptionKeysPrevious: e.APP_ENCRYPTION_KEYS_PREVIOUS ?? [],
    adminIpAllowlist: e.ADMIN_IP_ALLOWLIST,
    trustProxy: e.TRUST_PROXY,
    wechatApiBase: e.WECHAT_API_BASE.replace(/\/+$/, ''),
    weiboApiBase: e.WEIBO_API_BASE.replace(/\/+$/, ''),
    weiboSafeDomains: e.WEIBO_SAFE_DOMAINS,
    chromiumPath: e.CHROMIUM_PATH ?? null,
    logLevel: e.LOG_LEVEL,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    heartbeatIntervalMs: e.HEARTBEAT_INTERVAL_MS,
    auth: {
      cookieSecure: e.COOKIE_SECURE,
      passwordMaxAgeDays: e.PASSWORD_MAX_AGE_DAYS,
      loginMaxFailures: e.LOGIN_MAX_FAILURES,
      loginLockMinutes: e.LOGIN_LOCK_MINUTES,
      loginIpMaxFailures: e.LOGIN_IP_MAX_FAILURES,
      sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
      sessionMaxHours: e.SESSION_MAX_HOURS,
      totpRequiredRoles: e.TOTP_REQUIRED_ROLES,
    },
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    content: { scheduleHorizonDays: e.SCHEDULE_HORIZON_DAYS, mediaMaxBytes: e.MEDIA_MAX_BYTES },
    publishing: {
      concurrency: e.PUBLISH_CONCURRENCY,
      maxAttempts: e.PUBLISH_MAX_ATTEMPTS,
      leaseMs: e.PUBLISH_LEASE_SECONDS * 1000,
      retryBaseMs: e.PUBLISH_RETRY_BASE_MS,
      reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
      weiboRip: e.WEIBO_RIP,
    },
    metrics: { dailyAt: e.METRICS_DAILY_AT, concurrency: e.METRICS_CONCURRENCY },
    reports: {
      pagePoolSize: e.REPORT_PAGE_POOL_SIZE,
      pageTimeoutMs: e.REPORT_PAGE_TIMEOUT_MS,
      browserRecycleAfter: e.REPORT_BROWSER_RECYCLE_AFTER,
      maxAttempts: e.REPORT_MAX_ATTEMPTS,
    },
    systemPath: source.PATH ?? '',
    env: e,
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Replaces the password of a connection URL with ***. */
export function maskUrl(value: string): string {
  try {
    const u = new URL(value);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '***';
  }
}

/** The effective configuration as name → printable value, secrets masked. */
export function describeConfig(config: Config): Array<{ name: EnvVariable; value: string }> {
  return (Object.keys(envSchema.shape) as EnvVariable[]).map((name) => {
    const raw = config.env[name];
    let value: string;
    if (raw === undefined) value = '(not set)';
    else if (SECRET_VARIABLES.has(name)) value = '*** (set)';
    else if (URL_VARIABLES.has(name)) value = maskUrl(String(raw));
    else value = Array.isArray(raw) ? raw.join(',') : String(raw);
    return { name, value };
  });
}
