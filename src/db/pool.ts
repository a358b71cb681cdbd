import pg from 'pg';
import type { Logger } from '../common/logger';

// Calendar dates stay "YYYY-MM-DD" strings: a JS Date would drag a time zone into them.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);
// Counts and sums come back as bigint; ours fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface PoolOptions {
  url: string;
  size: number;
  statementTimeoutMs: number;
  applicationName: string;
  log: Logger;
  /**
   * Behind a pooler in transaction mode: no startup options (PgBouncer refuses them, and would not keep
   * them per client); each transaction sets its own statement timeout instead.
   */
  pooled?: boolean;
}

export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.size,
    application_name: options.applicationName,
    ...(options.pooled ? {} : { options: `-c statement_timeout=${options.statementTimeoutMs}` }),
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection killed by the server (restart, admin) emits here; without a handler it would
  // crash the process. The pool drops the connection and opens a new one on demand.
  pool.on('error', (err) => options.log.error('idle database connection lost', { error: err.message }));
  return pool;
}
