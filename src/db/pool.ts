import pg from 'pg';
import type { Logger } from '../common/logger';
import { coalesceReads } from './coalesced-reads';

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
  /** Statements of a coalesced read (the bank's lookup) running at once on this pool (CoalescedReads); 1 unless given. */
  coalescedReadsInFlight?: number;
  /**
   * Connections kept open while idle (at most `size`); the others close after `idleTimeoutMs` idle. A
   * connection opened for the first request after a lull costs that request the login and a new
   * backend's first statements: the bank's lookups after 35 s idle took about twice as long as after 5 s.
   */
  keepIdle?: number;
  idleTimeoutMs?: number;
}

export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.size,
    application_name: options.applicationName,
    ...(options.pooled ? {} : { options: `-c statement_timeout=${options.statementTimeoutMs}` }),
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    min: Math.min(options.keepIdle ?? 0, options.size),
  });
  coalesceReads(pool, options.coalescedReadsInFlight ?? 1);
  // An idle connection killed by the server (restart, admin) emits here; without a handler it would
  // crash the process. The pool drops the connection and opens a new one on demand. Once the pool is
  // ending (the server's stop), its connections may still be closing when the embedded database stops
  // and ends them itself: that is the stop, not a loss.
  pool.on('error', (err) => {
    if (!pool.ending) options.log.error('idle database connection lost', { error: err.message });
  });
  return pool;
}

/** A listener for a connection's 'error' event while it is held: the error fails its statement, or the pool drops it on release. */
const heard = () => {};

/**
 * `work` on a connection from `connect` (a pool's): released after it, or destroyed when it fails
 * (whatever it held is then rolled back). While a connection is held, pg-pool no longer listens for its
 * 'error' event, which ends the process when nobody does (PostgreSQL ending the connection between two
 * statements: a restart, pg_terminate_backend); it is heard here, and the pool drops a connection that
 * errored when it is released.
 */
export async function withPooledClient<T>(connect: () => Promise<pg.PoolClient>, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await connect();
  client.on('error', heard);
  try {
    const result = await work(client);
    client.removeListener('error', heard);
    client.release();
    return result;
  } catch (err) {
    client.removeListener('error', heard);
    client.release(err as Error);
    throw err;
  }
}
