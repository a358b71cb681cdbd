/**
 * Readiness of the database, checked on a connection of its own: a request pool busy with imports is
 * not a database that is down. A check that takes longer than `timeoutMs` counts as down.
 */
import pg from 'pg';

export class DatabaseHealth {
  private readonly pool: pg.Pool;

  constructor(
    connectionString: string,
    private readonly timeoutMs = 2000,
  ) {
    this.pool = new pg.Pool({ connectionString, max: 1, connectionTimeoutMillis: timeoutMs, idleTimeoutMillis: 60_000, application_name: 'insurance-api-health' });
    this.pool.on('error', () => {
      // an idle health connection killed by a restart: the next check opens a new one
    });
  }

  async databaseAnswers(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.pool.query({ text: 'SELECT 1', query_timeout: this.timeoutMs } as pg.QueryConfig),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), this.timeoutMs);
        }),
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
