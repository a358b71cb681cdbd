import type { Pool, PoolClient } from 'pg';

const ENDED = 'the request transaction has already ended';

/**
 * The one transaction of a request, bound to its tenant. It opens on the first query (public
 * operations never touch the database), sets `app.tenant` for row-level security with
 * set_config(..., true) so the setting dies with the transaction, and ends when the request ends:
 * committed when the operation succeeded, rolled back otherwise. Nothing is ever half-written.
 *
 * Once ended (normally, or by the request deadline) it refuses every further query: its connection is
 * back in the pool and may already serve another tenant's request.
 */
export class TenantTransaction {
  private client: Promise<PoolClient> | null = null;
  private finished = false;
  /** A backend killed while the connection is checked out emits here; the failing query reports it. */
  private readonly onClientError = () => {};
  /** SQL statements this request ran, for the tests that keep nested reads from growing (N+1). */
  statements = 0;

  constructor(
    private readonly pool: Pool,
    readonly tenantCode: string,
  ) {}

  async query<Row extends object = Record<string, unknown>>(text: string, values?: unknown[]): Promise<Row[]> {
    if (this.finished) throw new Error(ENDED);
    const client = await this.begin();
    if (this.finished) throw new Error(ENDED);
    this.statements += 1;
    const result = await client.query(text, values);
    return result.rows as Row[];
  }

  get started(): boolean {
    return this.client !== null;
  }

  private begin(): Promise<PoolClient> {
    this.client ??= (async () => {
      const client = await this.pool.connect();
      client.on('error', this.onClientError);
      try {
        // One round trip: a simple-protocol query may hold two statements but no parameters, so the
        // tenant code goes in as a literal, after checking it is the six digits every tenant code is.
        if (!/^\d{6}$/.test(this.tenantCode)) throw new Error(`not a tenant code: ${this.tenantCode}`);
        await client.query(`BEGIN; SELECT set_config('app.tenant', '${this.tenantCode}', true)`);
        return client;
      } catch (err) {
        client.removeListener('error', this.onClientError);
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
      client.removeListener('error', this.onClientError);
      client.release();
    } catch (err) {
      client.removeListener('error', this.onClientError);
      // A broken connection is destroyed rather than returned to the pool.
      client.release(err as Error);
      throw err;
    }
  }
}
