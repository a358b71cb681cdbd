/**
 * Readiness of the database, checked on a connection of its own: a request pool busy with imports is
 * not a database that is down. A check that takes longer than `timeoutMs` counts as down; a database
 * that has become a read-only standby (a failover gone wrong) is not ready either: every write would fail.
 */
import pg from 'pg';
import { withinMs } from '../common/deadline';

export class DatabaseHealth {
  private readonly pool: pg.Pool;

  constructor(
    connectionString: string,
    private readonly timeoutMs = 2000,
  ) {
    this.pool = new pg.Pool({
      connectionString,
      max: 1,
      connectionTimeoutMillis: timeoutMs,
      idleTimeoutMillis: 60_000,
      application_name: 'insurance-api-health',
    });
    this.pool.on('error', () => {
      // an idle health connection killed by a restart: the next check opens a new one
    });
  }

  async database(): Promise<'up' | 'down' | 'read-only'> {
    try {
      const result = await withinMs(
        this.pool.query<{ standby: boolean }>({ text: 'SELECT pg_is_in_recovery() AS standby', query_timeout: this.timeoutMs } as pg.QueryConfig),
        this.timeoutMs,
      );
      return result.rows[0].standby ? 'read-only' : 'up';
    } catch {
      return 'down';
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
