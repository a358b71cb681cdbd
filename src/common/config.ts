import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

/** Everything the server reads from the environment, read once at start. */
export interface AppConfig {
  port: number;
  /** The owner's connection (migrations). Unset: an embedded PostgreSQL in the data folder. */
  databaseUrl: string | null;
  /** The request role's connection. Unset: derived from databaseUrl with the app role's login. */
  appDatabaseUrl: string | null;
  /** The request role's password when appDatabaseUrl is unset; unset in development: generated in dataDir. */
  appDbPassword: string | null;
  jwtSecret: string;
  production: boolean;
  /** Git-ignored folder for the embedded database and generated development secrets. */
  dataDir: string;
  tenantsDir: string;
  /** Longest a single SQL statement of a request may run. */
  statementTimeoutMs: number;
  /** Connections of the request pool. */
  poolSize: number;
  /** Connections each pool keeps open through a lull (at most poolSize); the others close after 30 s idle. */
  poolKeepIdle: number;
  /**
   * Statements of the bank's status lookup running at once on each pool; lookups arriving meanwhile
   * wait and go together in the next one (src/db/coalesced-reads.ts).
   */
  lookupStatementsInFlight: number;
  /** Longest a request may take from its arrival to its answer; its transaction is rolled back then. */
  requestTimeoutMs: number;
  /** Longest a bearer token may live from issue to expiry; longer ones, and ones without exp, are refused. */
  tokenMaxLifetimeSeconds: number;
  /** Longest a client may take to send its request headers (slow clients must not hold connections). */
  headersTimeoutMs: number;
  /** Browser origins (portals) allowed to call the API across origins; empty: none. */
  corsOrigins: string[];
  /** Requests a token (or, without one, an address) may make per minute; 0: no limit. */
  rateLimitPerMinute: number;
  /** Roles that may run only the operations of schema/operations/ (persisted operations). */
  knownOperationsOnly: string[];
  /** Whether the bank's and the tax system's operations run compiled (graphql-jit) rather than through the generic executor. */
  compiledOperations: boolean;
  /** Read replicas (streaming standbys of DATABASE_URL's database) for read-only requests; empty: none. */
  databaseReadUrls: string[];
  /** A replica further behind the primary than this (WAL bytes, or seconds) is out of rotation. */
  replicaMaxLagBytes: number;
  replicaMaxLagSeconds: number;
  /** How often the replicas' lag is checked. */
  replicaCheckMs: number;
  /**
   * 'transaction': the request role's connections (APP_DATABASE_URL) go through a pooler in transaction
   * mode (PgBouncer): no named prepared statements, the statement timeout set in each transaction.
   */
  databasePooler: 'transaction' | null;
}

/** The folder holding package.json, whether running from src/ (tests) or dist/src/ (npm start). */
export const PROJECT_ROOT = findProjectRoot(__dirname);

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

/** A setting that cannot be used, named with what it must be: the server refuses to start with it. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`cannot start: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

const wholeNumber = (name: string, min: number, max: number, unit: string) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number of ${unit}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be between ${min} and ${max} ${unit}`);

const url = (name: string) =>
  z.string().refine((value) => {
    try {
      return /^postgres(ql)?:$/.test(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `${name} must be a postgres:// connection URL`);

/** The environment as the server reads it; empty strings count as unset. */
const EnvironmentSchema = z.object({
  NODE_ENV: z.string().optional(),
  PORT: wholeNumber('PORT', 0, 65535, 'a port number').default(4000),
  DATABASE_URL: url('DATABASE_URL').optional(),
  APP_DATABASE_URL: url('APP_DATABASE_URL').optional(),
  APP_DB_PASSWORD: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,}$/, 'APP_DB_PASSWORD must be at least 16 letters, digits, _ or -')
    .optional(),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
  DATA_DIR: z.string().optional(),
  TENANTS_DIR: z.string().optional(),
  STATEMENT_TIMEOUT_MS: wholeNumber('STATEMENT_TIMEOUT_MS', 100, 600_000, 'milliseconds').default(5000),
  PG_POOL_SIZE: wholeNumber('PG_POOL_SIZE', 1, 500, 'connections').default(10),
  PG_POOL_KEEP_IDLE: wholeNumber('PG_POOL_KEEP_IDLE', 0, 500, 'connections').default(2),
  LOOKUP_STATEMENTS_IN_FLIGHT: wholeNumber('LOOKUP_STATEMENTS_IN_FLIGHT', 1, 500, 'statements').default(1),
  REQUEST_TIMEOUT_MS: wholeNumber('REQUEST_TIMEOUT_MS', 100, 3_600_000, 'milliseconds').default(30_000),
  TOKEN_MAX_LIFETIME_HOURS: wholeNumber('TOKEN_MAX_LIFETIME_HOURS', 1, 24 * 90, 'hours').default(24),
  HTTP_HEADERS_TIMEOUT_MS: wholeNumber('HTTP_HEADERS_TIMEOUT_MS', 100, 600_000, 'milliseconds').default(10_000),
  LOG_LEVEL: z.enum(['info', 'error', 'silent'], { message: 'LOG_LEVEL must be info, error or silent' }).optional(),
  CORS_ORIGINS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .refine(
      (origins) => origins.every((o) => /^https?:\/\/[^/\s]+$/.test(o)),
      'CORS_ORIGINS must list origins such as https://portal.example.gov.cn, separated by commas',
    )
    .optional(),
  RATE_LIMIT_PER_MINUTE: wholeNumber('RATE_LIMIT_PER_MINUTE', 0, 1_000_000, 'requests').default(1200),
  DATABASE_READ_URL: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean),
    )
    .refine(
      (urls) => urls.every((u) => url('DATABASE_READ_URL').safeParse(u).success),
      'DATABASE_READ_URL must list postgres:// connection URLs, separated by commas',
    )
    .optional(),
  REPLICA_MAX_LAG_BYTES: wholeNumber('REPLICA_MAX_LAG_BYTES', 0, 1024 ** 4, 'bytes').default(16 * 1024 * 1024),
  REPLICA_MAX_LAG_SECONDS: wholeNumber('REPLICA_MAX_LAG_SECONDS', 1, 86_400, 'seconds').default(30),
  REPLICA_CHECK_MS: wholeNumber('REPLICA_CHECK_MS', 50, 60_000, 'milliseconds').default(1000),
  DATABASE_POOLER: z.enum(['none', 'transaction'], { message: 'DATABASE_POOLER must be transaction (PgBouncer in transaction mode) or none' }).optional(),
  KNOWN_OPERATIONS_ONLY: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
    )
    .refine(
      (roles) => roles.every((r) => ['ADMIN', 'STAFF', 'BANK', 'TAX', 'AGENCY'].includes(r)),
      'KNOWN_OPERATIONS_ONLY must list roles (ADMIN, STAFF, BANK, TAX, AGENCY) separated by commas',
    )
    .optional(),
  COMPILED_OPERATIONS: z.enum(['on', 'off'], { message: 'COMPILED_OPERATIONS must be on or off' }).optional(),
});

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = EnvironmentSchema.safeParse(given);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => `${issue.message} (got "${String(given[String(issue.path[0])] ?? '')}")`));
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const problems: string[] = [];
  if (production && !e.JWT_SECRET) problems.push('JWT_SECRET must be set when NODE_ENV=production');
  // Servers with their own data folders would each generate a password and reset the others' login.
  if (production && !e.APP_DATABASE_URL && !e.APP_DB_PASSWORD)
    problems.push('APP_DB_PASSWORD (or APP_DATABASE_URL) must be set when NODE_ENV=production, the same on every server');
  // Migrations hold a session's advisory lock and the region listener a session's LISTEN: neither
  // survives a pooler in transaction mode, so DATABASE_URL stays direct and the requests' URL is given.
  if (e.DATABASE_POOLER === 'transaction' && !e.APP_DATABASE_URL) {
    problems.push(
      'DATABASE_POOLER=transaction needs APP_DATABASE_URL: the request role through the pooler (DATABASE_URL stays a direct connection, for migrations and LISTEN)',
    );
  }
  if (problems.length) throw new ConfigError(problems);
  const dataDir = resolve(e.DATA_DIR ?? join(PROJECT_ROOT, '.data'));
  return {
    port: e.PORT,
    databaseUrl: e.DATABASE_URL ?? null,
    appDatabaseUrl: e.APP_DATABASE_URL ?? null,
    appDbPassword: e.APP_DB_PASSWORD ?? null,
    jwtSecret: e.JWT_SECRET ?? developmentSecret(dataDir, 'jwt-secret'),
    production,
    dataDir,
    tenantsDir: resolve(e.TENANTS_DIR ?? join(PROJECT_ROOT, 'tenants')),
    statementTimeoutMs: e.STATEMENT_TIMEOUT_MS,
    poolSize: e.PG_POOL_SIZE,
    poolKeepIdle: e.PG_POOL_KEEP_IDLE,
    lookupStatementsInFlight: e.LOOKUP_STATEMENTS_IN_FLIGHT,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    tokenMaxLifetimeSeconds: e.TOKEN_MAX_LIFETIME_HOURS * 3600,
    headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
    corsOrigins: e.CORS_ORIGINS ?? [],
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    // In production the partners' scripts run the operations they were given, and nothing else.
    knownOperationsOnly: e.KNOWN_OPERATIONS_ONLY ?? (production ? ['BANK', 'TAX'] : []),
    compiledOperations: e.COMPILED_OPERATIONS !== 'off',
    databaseReadUrls: e.DATABASE_READ_URL ?? [],
    replicaMaxLagBytes: e.REPLICA_MAX_LAG_BYTES,
    replicaMaxLagSeconds: e.REPLICA_MAX_LAG_SECONDS,
    replicaCheckMs: e.REPLICA_CHECK_MS,
    databasePooler: e.DATABASE_POOLER === 'transaction' ? 'transaction' : null,
  };
}

/**
 * A secret generated once and kept in the data folder, so that `npm start` and `npm run token` agree
 * without any set-up. Never used in production, where the environment must provide secrets.
 */
export function developmentSecret(dataDir: string, name: string): string {
  const file = join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  // The folder is traversable: when run as root, PostgreSQL runs as the postgres user and keeps its
  // data below it. The secrets themselves are 0600.
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  const secret = randomBytes(32).toString('hex');
  // Written whole under a name of this process, then linked into place: a process starting at the same
  // moment sees either no file or the whole secret, never the empty file that an exclusive create leaves
  // before its write (tests start in parallel; a server and `npm run token` may too).
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `${secret}\n`, { mode: 0o600 });
  try {
    linkSync(draft, file);
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim(); // another process linked its secret first: use theirs
    // A file system without hard links: an exclusive create, which a process starting at the same
    // instant may find still empty.
    try {
      writeFileSync(file, `${secret}\n`, { flag: 'wx', mode: 0o600 });
      return secret;
    } catch {
      return readFileSync(file, 'utf8').trim();
    }
  } finally {
    unlinkSync(draft);
  }
}
