import { connect } from 'node:net';
import { escapeLiteral, type Pool, type PoolClient } from 'pg';

const ENDED = 'the request transaction has already ended';

/** How transactions talk to their database: what kind it is and what stands in between. */
export interface DatabaseMode {
  /**
   * A Citus coordinator: the tenant is set with SET LOCAL, in a message of its own, which Citus sends
   * on to every worker the transaction reaches (the request role has citus.propagate_set_commands =
   * local). set_config() would stay on the coordinator, and row-level security on the workers would
   * then see no tenant and return nothing, without an error.
   */
  citus: boolean;
  /**
   * Behind a pooler in transaction mode (PgBouncer): consecutive transactions may run on different
   * server connections, so no statement is prepared under a name (unnamed ones are parsed with each
   * execution), and the statement timeout is set in each transaction, not by a startup option.
   */
  pooled: boolean;
  statementTimeoutMs: number;
}

export const PLAIN_POSTGRES: DatabaseMode = { citus: false, pooled: false, statementTimeoutMs: 0 };

export interface TransactionOptions {
  /** On a read replica: BEGIN READ ONLY. */
  readOnly?: boolean;
  /**
   * Called after a commit that wrote something, with the primary's WAL position then: reads from a
   * replica that has replayed that far see this transaction (read-your-writes).
   */
  onCommitted?: (walLsn: string) => void;
  /** Where to go when `pool` gives no connection (a replica gone since it was chosen): the primary. */
  fallback?: { pool: Pool; unavailable: (err: Error) => void };
}

/**
 * The one transaction of a request, bound to its tenant. It opens on the first query (public
 * operations never touch the database), sets `app.tenant` for row-level security for the transaction
 * only (set_config(..., true), or SET LOCAL on Citus), and ends when the request ends: committed when
 * the operation succeeded, rolled back otherwise. Nothing is ever half-written.
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
  private savepoints = 0;
  /** One connection runs one statement at a time; concurrent callers (DataLoaders, Promise.all) queue. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private pool: Pool,
    readonly tenantCode: string,
    readonly mode: DatabaseMode = PLAIN_POSTGRES,
    private readonly options: TransactionOptions = {},
  ) {}

  async query<Row extends object = Record<string, unknown>>(text: string, values?: unknown[]): Promise<Row[]> {
    if (this.finished) throw new Error(ENDED);
    const client = await this.begin();
    if (this.finished) throw new Error(ENDED);
    this.statements += 1;
    const name = values?.length && !this.mode.pooled ? statementName(text) : undefined;
    const run = this.queue.then(() => client.query(name ? { name, text, values } : { text, values }));
    this.queue = run.catch(() => undefined);
    return ((await run) as { rows: Row[] }).rows;
  }

  /**
   * A read that is the request's only statement, in its own read-only transaction, in one round trip:
   * BEGIN with the tenant, the statement, COMMIT. The simple protocol takes no parameters, so values are
   * inlined with pg's escapeLiteral (numbers checked to be finite). Later queries of the request, if
   * any, open a transaction of their own.
   */
  async readAlone<Row extends object = Record<string, unknown>>(text: string, values: ReadonlyArray<string | number | null>): Promise<Row[]> {
    if (this.finished) throw new Error(ENDED);
    // On Citus a SET LOCAL is replayed on the workers with the whole message it came in, so it must
    // come alone: the read joins the request's transaction instead.
    if (this.client || this.mode.citus) return this.query<Row>(text, [...values]);
    const sql = inlineParameters(text, values);
    this.statements += 1;
    const client = await this.connect();
    client.on('error', this.onClientError);
    try {
      const results = (await client.query(`BEGIN READ ONLY; ${this.plainSettings()}; ${sql}; COMMIT`)) as unknown as Array<{ rows: Row[] }>;
      client.removeListener('error', this.onClientError);
      client.release();
      return results[2].rows;
    } catch (err) {
      client.removeListener('error', this.onClientError);
      client.release(err as Error);
      throw err;
    }
  }

  /**
   * Runs `work` behind a savepoint: when it throws, the transaction returns to where it was before it
   * (its other writes stand) and the error is thrown on.
   */
  async savepoint<T>(work: () => Promise<T>): Promise<T> {
    const name = `sp${++this.savepoints}`;
    await this.query(`SAVEPOINT ${name}`);
    try {
      const result = await work();
      await this.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (err) {
      await this.query(`ROLLBACK TO SAVEPOINT ${name}`);
      throw err;
    }
  }

  private async connect(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (err) {
      const fallback = this.options.fallback;
      if (!fallback) throw err;
      fallback.unavailable(err as Error);
      this.pool = fallback.pool;
      return this.pool.connect();
    }
  }

  get started(): boolean {
    return this.client !== null;
  }

  /** Opened READ ONLY (on a read replica). */
  get readOnly(): boolean {
    return this.options.readOnly === true;
  }

  /**
   * The transaction's settings as one SELECT of plain PostgreSQL: the tenant, and behind a pooler the
   * statement timeout. The tenant code goes in as a literal (no parameters in a simple-protocol
   * query), after checking it is the six digits every tenant code is.
   */
  private plainSettings(): string {
    const tenant = checkedTenantCode(this.tenantCode);
    const timeout = this.mode.pooled ? `, set_config('statement_timeout', '${Math.trunc(this.mode.statementTimeoutMs)}', true)` : '';
    return `SELECT set_config('app.tenant', '${tenant}', true)${timeout}`;
  }

  private citusSettings(): string {
    const tenant = checkedTenantCode(this.tenantCode);
    return `SET LOCAL app.tenant = '${tenant}'${this.mode.pooled ? `; SET LOCAL statement_timeout = ${Math.trunc(this.mode.statementTimeoutMs)}` : ''}`;
  }

  private begin(): Promise<PoolClient> {
    this.client ??= (async () => {
      const client = await this.connect();
      client.on('error', this.onClientError);
      try {
        const begin = this.options.readOnly ? 'BEGIN READ ONLY' : 'BEGIN';
        if (this.mode.citus) {
          // Two messages: Citus replays a SET LOCAL's whole message on each worker connection, where a
          // BEGIN in it would warn that a transaction is already in progress.
          await client.query(begin);
          await client.query(this.citusSettings());
        } else {
          // One round trip: a simple-protocol query may hold two statements but no parameters.
          await client.query(`${begin}; ${this.plainSettings()}`);
        }
        return client;
      } catch (err) {
        client.removeListener('error', this.onClientError);
        client.release(err as Error);
        throw err;
      }
    })();
    return this.client;
  }

  /**
   * Gives up at once (the request's deadline passed): the statement running now is cancelled through
   * PostgreSQL's cancel request, and the connection is closed rather than returned to the pool, which
   * rolls the transaction back. Nothing waits for the statement to end.
   */
  abort(): void {
    if (this.finished) return;
    this.finished = true;
    if (!this.client) return;
    this.client.then(
      (client) => {
        const { processID, secretKey } = client as unknown as { processID: number | null; secretKey: number | null };
        const { connectionString } = (this.pool as unknown as { options: { connectionString?: string } }).options;
        if (processID !== null && secretKey !== null && connectionString) sendCancelRequest(connectionString, processID, secretKey);
        client.removeListener('error', this.onClientError);
        client.release(new Error('the request passed its deadline'));
      },
      () => undefined,
    );
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
      await this.queue;
      if (commit && this.options.onCommitted) {
        // In the same round trip: whether the transaction wrote (it has a transaction id), the commit,
        // and the WAL position after it.
        const [wrote, , position] = (await client.query(
          'SELECT pg_current_xact_id_if_assigned() IS NOT NULL AS wrote; COMMIT; SELECT pg_current_wal_lsn()::text AS lsn',
        )) as unknown as [{ rows: Array<{ wrote: boolean }> }, unknown, { rows: Array<{ lsn: string }> }];
        if (wrote.rows[0].wrote) this.options.onCommitted(position.rows[0].lsn);
      } else {
        await client.query(commit ? 'COMMIT' : 'ROLLBACK');
      }
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

/**
 * Statements with parameters are prepared once per connection under a name and then only bound and
 * executed: PostgreSQL no longer parses and plans them on every request (a household read's three
 * statements, planned anew each time, cost more than they took to run). The SQL texts are fixed in the
 * code; past PREPARED_LIMIT distinct texts, further ones run unnamed, so nothing grows without bound.
 */
const PREPARED_LIMIT = 500;
const preparedNames = new Map<string, string>();
function statementName(text: string): string | undefined {
  let name = preparedNames.get(text);
  if (!name && preparedNames.size < PREPARED_LIMIT) {
    name = `s${preparedNames.size + 1}`;
    preparedNames.set(text, name);
  }
  return name;
}

function checkedTenantCode(code: string): string {
  if (!/^\d{6}$/.test(code)) throw new Error(`not a tenant code: ${code}`);
  return code;
}

/** Replaces $1, $2 … with literals: strings through escapeLiteral, numbers only when finite. */
export function inlineParameters(text: string, values: ReadonlyArray<string | number | null>): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const value = values[Number(n) - 1];
    if (value === undefined) throw new Error(`no value for $${n}`);
    if (value === null) return 'NULL';
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new Error(`$${n} is not a finite number`);
      return String(value);
    }
    return escapeLiteral(value);
  });
}

/**
 * PostgreSQL's cancel request: a connection of its own that carries the backend's process id and secret
 * key (no login, no pool slot); the backend then cancels the statement it is running, if any.
 */
function sendCancelRequest(connectionString: string, processID: number, secretKey: number): void {
  const url = new URL(connectionString);
  const message = Buffer.alloc(16);
  message.writeInt32BE(16, 0);
  message.writeInt32BE(80877102, 4);
  message.writeInt32BE(processID, 8);
  message.writeInt32BE(secretKey, 12);
  const socket = connect({ host: url.hostname || 'localhost', port: Number(url.port || 5432) }, () => socket.end(message));
  socket.on('error', () => socket.destroy());
  socket.setTimeout(5000, () => socket.destroy());
}
