import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';

/** Everything the server reads from the environment, read once at start. */
export interface AppConfig {
  port: number;
  /** The owner's connection (migrations). Unset: an embedded PostgreSQL in the data folder. */
  databaseUrl: string | null;
  /** The request role's connection. Unset: derived from databaseUrl with the app role's login. */
  appDatabaseUrl: string | null;
  jwtSecret: string;
  production: boolean;
  /** Git-ignored folder for the embedded database and generated development secrets. */
  dataDir: string;
  tenantsDir: string;
  /** Longest a single SQL statement of a request may run. */
  statementTimeoutMs: number;
  /** Connections of the request pool. */
  poolSize: number;
  /** Longest a request may take from its arrival to its answer; its transaction is rolled back then. */
  requestTimeoutMs: number;
  /** Longest a bearer token may live from issue to expiry; longer ones, and ones without exp, are refused. */
  tokenMaxLifetimeSeconds: number;
  /** Longest a client may take to send its request headers (slow clients must not hold connections). */
  headersTimeoutMs: number;
}

/** The folder holding package.json, whether running from src/ (tests) or dist/src/ (npm start). */
export const PROJECT_ROOT = findProjectRoot(__dirname);

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const production = env.NODE_ENV === 'production';
  const dataDir = resolve(env.DATA_DIR ?? join(PROJECT_ROOT, '.data'));
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  if (production && !env.JWT_SECRET) throw new Error('JWT_SECRET must be set when NODE_ENV=production');
  return {
    port,
    databaseUrl: env.DATABASE_URL || null,
    appDatabaseUrl: env.APP_DATABASE_URL || null,
    jwtSecret: env.JWT_SECRET || developmentSecret(dataDir, 'jwt-secret'),
    production,
    dataDir,
    tenantsDir: resolve(env.TENANTS_DIR ?? join(PROJECT_ROOT, 'tenants')),
    statementTimeoutMs: Number(env.STATEMENT_TIMEOUT_MS ?? 5000),
    poolSize: Number(env.PG_POOL_SIZE ?? 10),
    requestTimeoutMs: Number(env.REQUEST_TIMEOUT_MS ?? 30_000),
    tokenMaxLifetimeSeconds: Number(env.TOKEN_MAX_LIFETIME_HOURS ?? 24) * 3600,
    headersTimeoutMs: Number(env.HTTP_HEADERS_TIMEOUT_MS ?? 10_000),
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
  try {
    writeFileSync(file, `${secret}\n`, { flag: 'wx', mode: 0o600 });
    return secret;
  } catch {
    // Another process wrote it first (tests start in parallel): use theirs.
    return readFileSync(file, 'utf8').trim();
  }
}
