import type { Pool, PoolClient } from 'pg';

/**
 * The one transaction of a request, bound to its tenant. It opens on the first query (public
 * operations never touch the database), sets `app.tenant` for row-level security with
 * set_config(..., true) so the setting dies with the transaction, and ends when the request ends:
 * committed when the operation succeeded, rolled back otherwise. Nothing is ever half-written.
 */
export class TenantTransaction {
  private client: Promise<PoolClient> | null = null;
  private finished = false;
  /** SQL statements this request ran, for the tests that keep nested reads from growing (N+1). */
  statements = 0;

  constructor(
    private readonly pool: Pool,
    readonly tenantCode: string,
  ) {}

  async query<Row extends object = Record<string, unknown>>(text: string, values?: unknown[]): Promise<Row[]> {
    const client = await this.begin();
    this.statements += 1;
    const result = await client.query(text, values);
    return result.rows as Row[];
  }

  get started(): boolean {
    return this.client !== null;
  }

  private begin(): Promise<PoolClient> {
    if (this.finished) return Promise.reject(new Error('the request transaction has already ended'));
    this.client ??= (async () => {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query("SELECT set_config('app.tenant', $1, true)", [this.tenantCode]);
        return client;
      } catch (err) {
        client.release(err as Error);
        throw err;
      }
    })();
    return this.client;
  }

  /** Commits or rolls back and returns the connection; a failed COMMIT is thrown to the caller. */
  async finish(commit: boolean): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    if (!this.client) return;
    let client: PoolClient;
    try {
      client = await this.client;
    } catch {
      return; // BEGIN itself failed; the connection was already released.
    }
    try {
      await client.query(commit ? 'COMMIT' : 'ROLLBACK');
      client.release();
    } catch (err) {
      client.release(err as Error);
      throw err;
    }
  }
}
