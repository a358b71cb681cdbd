import { connect } from 'node:net';
import { DatabaseError, escapeLiteral, type Pool, type PoolClient } from 'pg';
import { arrayParameter } from './bulk';
import { coalescedReadsOf } from './coalesced-reads';
import { withPooledClient } from './pool';

const ENDED = 'the request transaction has already ended';
/** SQLSTATE in_failed_sql_transaction: a statement refused because an earlier one aborted the transaction. */
const IN_FAILED_TRANSACTION = '25P02';

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

/** The end of a transaction failed where it cannot be told whether its COMMIT took effect. */
export class CommitOutcomeUnknown extends Error {
  constructor(cause: Error) {
    super(`whether the COMMIT took effect is unknown: ${cause.message}`, { cause });
  }
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
  /**
   * SQL statements the operation ran, for the tests that keep nested reads from growing (N+1): BEGIN,
   * COMMIT and the statement sent with COMMIT (the audit record) are not the operation's and not counted.
   */
  statements = 0;
  private savepoints = 0;
  /** One connection runs one statement at a time; concurrent callers (DataLoaders, Promise.all) queue. */
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * The error of the statement that aborted the transaction, until a ROLLBACK TO SAVEPOINT undoes that.
   * PostgreSQL refuses every later statement with 25P02, which says only that the transaction is aborted,
   * not why: those statements (queued beside the failed one, run after a caught error, the RELEASE of a
   * savepoint whose work swallowed one) report this error instead, and so does a commit (see finish). A
   * deadlock or serialization failure is then answered as what it is, retryable, wherever it surfaces.
   */
  private abortedBy: Error | null = null;

  constructor(
    private pool: Pool,
    readonly tenantCode: string,
    readonly mode: DatabaseMode = PLAIN_POSTGRES,
    private readonly options: TransactionOptions = {},
  ) {}

  async query<Row extends object = Record<string, unknown>>(text: string, values?: unknown[], options: QueryOptions = {}): Promise<Row[]> {
    if (this.finished) throw new Error(ENDED);
    const client = await this.begin();
    if (this.finished) throw new Error(ENDED);
    this.statements += 1;
    const planEachTime = options.planLargeArraysEachTime && values?.some((v) => Array.isArray(v) && v.length >= LARGE_ARRAY);
    const name = values?.length && !this.mode.pooled && !planEachTime ? statementName(text) : undefined;
    const parameters = values?.map((value) => (Array.isArray(value) ? arrayParameter(value) : value));
    const run = this.queue
      .then(() => client.query(name ? { name, text, values: parameters } : { text, values: parameters }))
      .catch((err: unknown) => {
        // Before the next queued statement is sent, so the first failure is the one remembered.
        throw this.failed(err);
      });
    this.queue = run.catch(() => undefined);
    return ((await run) as { rows: Row[] }).rows;
  }

  /**
   * What a failed statement of the transaction throws: a 25P02 is replaced by the error that aborted the
   * transaction, if known; an error PostgreSQL sent otherwise aborts it, and is remembered when it is the first.
   */
  private failed(err: unknown): unknown {
    if (!(err instanceof DatabaseError)) return err;
    if (err.code === IN_FAILED_TRANSACTION) return this.abortedBy ?? err;
    this.abortedBy ??= err;
    return err;
  }

  /**
   * A read that is the request's only statement, in its own read-only transaction, in one round trip:
   * BEGIN with the tenant, the statement, COMMIT. The simple protocol takes no parameters, so values are
   * inlined (see inlineParameters). Later queries of the request, if any, open a transaction of their own.
   */
  async readAlone<Row extends object = Record<string, unknown>>(text: string, values: ReadonlyArray<InlineValue>): Promise<Row[]> {
    if (this.finished) throw new Error(ENDED);
    // On Citus a SET LOCAL is replayed on the workers with the whole message it came in, so it must
    // come alone: the read joins the request's transaction instead.
    if (this.client || this.mode.citus) return this.query<Row>(text, [...values]);
    const sql = inlineParameters(text, values);
    this.statements += 1;
    return this.onItsOwn(async (client) => {
      const results = (await client.query(`BEGIN READ ONLY; ${this.plainSettings()}; ${sql}; COMMIT`)) as unknown as Array<{ rows: Row[] }>;
      return results[2].rows;
    });
  }

  /**
   * A read that is the request's only statement and sets the request's tenant itself, from its $1
   * (a function that calls set_config('app.tenant', $1, true) before it reads), and answers one row as
   * one JSON value in a column named `status`. On plain PostgreSQL it is prepared once per connection
   * and runs alone in PostgreSQL's implicit transaction: one Bind, Execute and Sync, no BEGIN, no
   * separate setting, no COMMIT, nothing parsed or planned again. The tenant ends with that implicit
   * transaction at the latest. On Citus (where set_config stays on the coordinator), behind a pooler
   * (no named statements), or once the request's transaction has begun, `otherwise` (the same read
   * as columns, setting nothing) runs as readAlone would, and its first row is the answer.
   */
  async readSettingTenant<Row extends object>(text: string, values: ReadonlyArray<InlineValue>, otherwise: string): Promise<Row> {
    if (this.finished) throw new Error(ENDED);
    if (!this.canSetTenantAlone) return (await this.readAlone<Row>(otherwise, values))[0];
    return (await this.aloneSettingTenant<{ status: Row }>(text, values)).status;
  }

  /**
   * As readSettingTenant, for the read many requests make at once (the bank's lookup), coalesced with
   * theirs when they would queue (CoalescedReads): `text` reads the one key in its $2, and `eachText`
   * the same for several keys, given as a text array in its $2, answering one JSON array in their order
   * in its column `status`. The other values are those of the whole batch. Run alone, or on Citus or
   * behind a pooler (as readSettingTenant), the request sends `text` as it always did.
   */
  async readSettingTenantCoalesced<Row extends object>(text: string, eachText: string, values: ReadonlyArray<InlineValue>, otherwise: string): Promise<Row> {
    if (this.finished) throw new Error(ENDED);
    if (!this.canSetTenantAlone) return (await this.readAlone<Row>(otherwise, values))[0];
    this.checkSetsRequestTenant(values);
    const [tenant, key, ...rest] = values;
    if (typeof key !== 'string') throw new Error('a coalesced read takes its key, a string, as $2');
    this.statements += 1;
    return coalescedReadsOf(this.pool).read<Row>(
      `${text}\u0000${JSON.stringify([tenant, ...rest])}`,
      key,
      {
        one: async (one) => (await this.preparedAlone<{ status: Row }>(text, [tenant, one, ...rest])).status,
        each: async (keys) => {
          const answers = (await this.preparedAlone<{ status: Row[] }>(eachText, [tenant, arrayParameter(keys), ...rest]))?.status;
          if (!Array.isArray(answers) || answers.length !== keys.length)
            throw new Error(`a coalesced read answered ${Array.isArray(answers) ? answers.length : 'no'} rows for ${keys.length} keys`);
          return answers;
        },
      },
      () => !this.finished,
    );
  }

  /**
   * As readSettingTenant, for a read whose answer is one value: both `text` (which sets the tenant from
   * its $1) and `otherwise` (which sets nothing) answer it in a column named `value`.
   */
  async valueSettingTenant<Value>(text: string, values: ReadonlyArray<InlineValue>, otherwise: string): Promise<Value | null> {
    if (this.finished) throw new Error(ENDED);
    if (!this.canSetTenantAlone) return (await this.readAlone<{ value: Value | null }>(otherwise, values))[0]?.value ?? null;
    return (await this.aloneSettingTenant<{ value: Value | null }>(text, values)).value;
  }

  /**
   * Whether a statement that sets the tenant itself may run alone: on plain PostgreSQL, not behind a
   * pooler (no named statements there), and before the request's transaction has begun.
   */
  private get canSetTenantAlone(): boolean {
    return !this.client && !this.mode.citus && !this.mode.pooled;
  }

  /** The first row of a statement that sets the tenant from its $1, prepared, alone in its implicit transaction. */
  private async aloneSettingTenant<Row extends object>(text: string, values: ReadonlyArray<InlineValue>): Promise<Row> {
    this.checkSetsRequestTenant(values);
    this.statements += 1;
    return this.preparedAlone<Row>(text, values);
  }

  private checkSetsRequestTenant(values: ReadonlyArray<unknown>): void {
    if (values[0] !== this.tenantCode) throw new Error("a statement that sets the tenant must be given the request's tenant as $1");
  }

  /** The first row of a prepared statement, on a connection of its own (no transaction of this request). */
  private preparedAlone<Row extends object>(text: string, values: ReadonlyArray<unknown>): Promise<Row> {
    return this.onItsOwn(async (client) => {
      const { rows } = (await client.query({ name: statementName(text), text, values: [...values] })) as { rows: Row[] };
      return rows[0];
    });
  }

  /**
   * `work` on a connection of the pool that holds no transaction of this request: released after it,
   * or destroyed when it fails (whatever it held is then rolled back).
   */
  private onItsOwn<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return withPooledClient(() => this.connectPool(), work);
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
      // The work's error is the one its caller judges (a deadlock is judged again). Should the rollback to
      // the savepoint fail too (the connection lost), the transaction stays failed and its end says so.
      await this.query(`ROLLBACK TO SAVEPOINT ${name}`).then(
        // The transaction is usable again: an error inside the savepoint no longer explains later ones.
        () => (this.abortedBy = null),
        () => {},
      );
      throw err;
    }
  }

  get started(): boolean {
    return this.client !== null;
  }

  /** Opened READ ONLY (on a read replica). */
  get readOnly(): boolean {
    return this.options.readOnly === true;
  }

  private begin(): Promise<PoolClient> {
    this.client ??= this.connect(async (client) => {
      if (this.mode.citus) {
        // Two messages: Citus replays a SET LOCAL's whole message on each worker connection, where a
        // BEGIN in it would warn that a transaction is already in progress.
        await client.query(this.beginning());
        await client.query(this.citusSettings());
      } else {
        // One round trip: a simple-protocol query may hold two statements but no parameters.
        await client.query(`${this.beginning()}; ${this.plainSettings()}`);
      }
    });
    return this.client;
  }

  private beginning(): string {
    return this.options.readOnly ? 'BEGIN READ ONLY' : 'BEGIN';
  }

  /** A connection of the pool; when the pool gives none (a replica gone since it was chosen), the fallback's. */
  private async connectPool(): Promise<PoolClient> {
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

  /** A connection from the pool with the transaction begun by `start`; released if that fails. */
  private async connect(start: (client: PoolClient) => Promise<unknown>): Promise<PoolClient> {
    const client = await this.connectPool();
    client.on('error', this.onClientError);
    try {
      await start(client);
      return client;
    } catch (err) {
      client.removeListener('error', this.onClientError);
      client.release(err as Error);
      throw err;
    }
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
    return `${setLocalTenant(this.tenantCode)}${this.mode.pooled ? `; SET LOCAL statement_timeout = ${Math.trunc(this.mode.statementTimeoutMs)}` : ''}`;
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

  /**
   * finish(true) of a transaction that never began, with no last statement, done at once: it only marks
   * the transaction finished. False (nothing done) if it began or has finished.
   */
  finishUnbegun(): boolean {
    if (this.finished || this.client) return false;
    this.finished = true;
    return true;
  }

  /**
   * Commits or rolls back and returns the connection; a failed COMMIT is thrown to the caller, and so is
   * the error of a statement that aborted the transaction (it is rolled back, nothing committed). With
   * `last`, a statement that must be part of the commit (the request's audit record), it is sent with
   * COMMIT in one message (values inlined), or, when the request ran no statement before, with BEGIN,
   * the tenant and COMMIT: one round trip either way. When it fails, nothing is committed.
   *
   * With `last.onlyIfWritten` (a read's audit record; not on Citus, where it always runs) the statement,
   * a SELECT without FROM or WHERE, runs only if the transaction wrote something, asked of PostgreSQL in
   * the same message; resolves true when it was left out (nothing was written, nor needs to be), and
   * the caller records it otherwise.
   */
  async finish(commit: boolean, last?: { text: string; values: ReadonlyArray<InlineValue>; onlyIfWritten?: boolean }): Promise<boolean> {
    if (this.finished) return false;
    const conditional = commit && last?.onlyIfWritten === true && !this.mode.citus;
    if (conditional && !this.client) {
      // Nothing ran: nothing was written, and there is nothing to commit.
      this.finished = true;
      return true;
    }
    let ending: string;
    try {
      const statement = commit && last ? inlineParameters(last.text, last.values) : null;
      ending =
        statement === null
          ? commit
            ? 'COMMIT'
            : 'ROLLBACK'
          : conditional
            ? `${statement} WHERE pg_current_xact_id_if_assigned() IS NOT NULL; COMMIT`
            : `${statement}; COMMIT`;
    } catch (err) {
      await this.finish(false);
      throw err;
    }
    // On Citus the tenant's SET LOCAL goes in a message of its own: the transaction begins as usual.
    if (!this.client && commit && last && this.mode.citus) await this.begin().catch(() => undefined);
    this.finished = true;
    if (!this.client) {
      // Nothing ran before the last statement: the whole transaction is one message.
      if (commit && last) {
        const opening = `${this.beginning()}; ${this.plainSettings()}; ${ending}`;
        await this.end(
          this.connectPool().then((client) => client.on('error', this.onClientError)),
          opening,
        );
      }
      return false;
    }
    let client: PoolClient;
    try {
      client = await this.client;
    } catch {
      return false; // BEGIN itself failed; the connection was already released.
    }
    await this.queue;
    const abortedBy = this.abortedBy;
    if (commit && abortedBy) {
      // An operation that caught a statement's error and went on: PostgreSQL would answer this COMMIT with
      // a rollback (and the audit statement sent with it with 25P02). Nothing is written; the caller is
      // told why, as the statement that failed would have told it.
      await this.end(Promise.resolve(client), 'ROLLBACK').catch(() => undefined);
      throw abortedBy;
    }
    const watched = commit && this.options.onCommitted !== undefined;
    if (watched) {
      // In the same round trip: whether the operation wrote (its transaction has an id; asked before the
      // audit record), the commit, and the WAL position after it.
      ending = `SELECT pg_current_xact_id_if_assigned() IS NOT NULL AS wrote; ${ending}; SELECT pg_current_wal_lsn()::text AS lsn`;
    }
    let results: Awaited<ReturnType<TenantTransaction['end']>>;
    try {
      results = await this.end(Promise.resolve(client), ending);
    } catch (err) {
      // A statement_timeout that fell during the COMMIT is served on the statement after it: the commit
      // may have happened, so the request must not be told that nothing was written.
      if (watched && (err as { code?: unknown } | null)?.code === '57014') throw new CommitOutcomeUnknown(err as Error);
      throw err;
    }
    // The conditional statement's result: a row when it ran, none when it was left out.
    return conditional && results[watched ? 1 : 0]?.rowCount === 0;
  }

  /** Sends the end of the transaction; the results of its statements (one for a lone COMMIT or ROLLBACK). */
  private async end(connection: Promise<PoolClient>, sql: string): Promise<Array<{ rowCount: number | null; rows: Array<{ wrote?: boolean; lsn?: string }> }>> {
    const client = await connection;
    try {
      const answer = (await client.query(sql)) as unknown as
        | Array<{ rowCount: number | null; rows: Array<{ wrote?: boolean; lsn?: string }> }>
        | { rowCount: number | null; rows: Array<{ wrote?: boolean; lsn?: string }> };
      const results = Array.isArray(answer) ? answer : [answer];
      if (this.options.onCommitted && results.length > 1 && results[0]?.rows[0]?.wrote === true) {
        const lsn = results.at(-1)?.rows[0]?.lsn;
        if (lsn) this.options.onCommitted(lsn);
      }
      client.removeListener('error', this.onClientError);
      client.release();
      return results;
    } catch (err) {
      client.removeListener('error', this.onClientError);
      // A broken connection, or a transaction whose last statement failed, is destroyed rather than
      // returned to the pool: closing it rolls back what it held.
      client.release(err as Error);
      throw err;
    }
  }
}

export interface QueryOptions {
  /**
   * A statement that looks rows up by a large array (`col = ANY($2)`: an import's receipts, ID numbers)
   * runs unnamed, so PostgreSQL plans it for the array it is given. A prepared statement may run, from
   * its sixth time on a connection, a plan made without its values (when that plan's estimate is no
   * higher than its custom plans'): for an array of a few elements and for the table as it was then. In
   * a lab run, such a plan made while the payments table was nearly empty (a few payments at a bank's
   * counter, then the first tax import) scanned the table and compared each row with every receipt, and
   * kept doing so as the import filled it: three calls of 10,000 payments took 1.2, 2.7 and 5.5 s, and
   * in a second try the third call hit the statement timeout. Planning a 10,000-element array costs
   * about 4 ms.
   */
  planLargeArraysEachTime?: boolean;
}

/** An array parameter this long makes a planLargeArraysEachTime read run unnamed. */
const LARGE_ARRAY = 100;

/**
 * Statements with parameters are prepared once per connection under a name and then only bound and
 * executed: PostgreSQL no longer parses and plans them on every request (a household read's three
 * statements, planned anew each time, cost more than they took to run). The SQL texts are fixed in the
 * code; past PREPARED_LIMIT distinct texts, further ones run unnamed, so nothing grows without bound.
 * A statement run with planLargeArraysEachTime and a large array runs unnamed too (QueryOptions).
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

/** What inlineParameters can write as a literal. */
export type InlineValue = string | number | null | readonly string[];

/**
 * Replaces $1, $2 … with literals: strings through escapeLiteral, numbers only when finite, lists of
 * strings as text arrays.
 */
export function inlineParameters(text: string, values: ReadonlyArray<InlineValue>): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const value = values[Number(n) - 1];
    if (value === undefined) throw new Error(`no value for $${n}`);
    if (value === null) return 'NULL';
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new Error(`$${n} is not a finite number`);
      return String(value);
    }
    if (typeof value === 'string') return escapeLiteral(value);
    return value.length === 0 ? `'{}'::text[]` : `ARRAY[${value.map((v) => escapeLiteral(v)).join(', ')}]::text[]`;
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

/** `code`, checked to be the six digits every tenant code is, before it goes into SQL as a literal. */
export function checkedTenantCode(code: string): string {
  if (!/^\d{6}$/.test(code)) throw new Error(`not a tenant code: ${code}`);
  return code;
}

/**
 * The tenant for row-level security as SET LOCAL, which Citus passes on to the workers (set_config() stays
 * on the coordinator); in a message of its own on Citus, which replays a SET LOCAL's whole message there.
 */
export function setLocalTenant(code: string): string {
  return `SET LOCAL app.tenant = '${checkedTenantCode(code)}'`;
}
