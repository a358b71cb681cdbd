/**
 * What the fault tests share: the server as a real child process (node dist/src/main.js), a TCP proxy
 * that keeps PostgreSQL at one address while it stops and starts behind it, plain HTTP calls that
 * report a dropped connection instead of throwing, and the ledger: what the database says was
 * written, checked in SQL against what the callers were told.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * A TCP proxy in front of PostgreSQL. The server's DATABASE_URL names the proxy, so PostgreSQL may
 * stop and start again on another port, as a restarted server would on its own: while it is down the
 * proxy closes every connection at once (as a stopped PostgreSQL refuses them), and cuts the open ones.
 */
export class DatabaseProxy {
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    private target: number | null,
  ) {}

  static async start(target: number): Promise<DatabaseProxy> {
    const server = createServer();
    const proxy = new DatabaseProxy(server, target);
    server.on('connection', (client) => proxy.relay(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** PostgreSQL is gone: the open connections drop, new ones are refused until up(). */
  down(): void {
    this.target = null;
    for (const socket of this.sockets) socket.destroy();
  }

  up(target: number): void {
    this.target = target;
  }

  async close(): Promise<void> {
    this.down();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    if (this.target === null) {
      client.destroy();
      return;
    }
    const upstream = connect(this.target, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

/** The Node flags of `npm start` (package.json), with which the server below is started as operators start it. */
const START_FLAGS = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
  .split(/\s+/)
  .filter((word) => word.startsWith('--'));

/** `npm start` as operators run it: node with its flags and dist/src/main.js, its own process, killed like one. */
export class ServerProcess {
  private output = '';
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly exited: Promise<void>,
  ) {}

  /** Starts the built server with `env` on top of this process's environment; resolves once it serves. */
  static async start(env: Record<string, string>, timeoutMs = 180_000): Promise<ServerProcess> {
    const child = spawn(process.execPath, [...START_FLAGS, join(ROOT, 'dist', 'src', 'main.js')], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not start within ${timeoutMs} ms: ${output.slice(-2000)}`)), timeoutMs);
      const read = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const ready = /GraphQL server ready at (\S+)/.exec(output);
        if (ready) {
          clearTimeout(timer);
          resolve(ready[1]);
        }
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the server exited as it started (${signal ?? code}): ${output.slice(-2000)}`));
      });
    });
    const server = new ServerProcess(child, url, exited);
    server.output = output;
    child.stdout!.on('data', (chunk: Buffer) => (server.output = (server.output + chunk.toString('utf8')).slice(-20_000)));
    child.stderr!.on('data', (chunk: Buffer) => (server.output = (server.output + chunk.toString('utf8')).slice(-20_000)));
    return server;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** What the server printed last, for a failure's message. */
  get recentOutput(): string {
    return this.output;
  }

  /** Sends `signal` (SIGKILL: no chance to finish anything) and waits for the process to end. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }
}

export interface CallResult {
  /** The HTTP status; 0 when the connection failed or dropped before an answer. */
  status: number;
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
  /** Why no answer came (ECONNREFUSED, the socket closed …). */
  failure?: string;
}

/** POST /graphql; a connection that fails or drops is an answer too (status 0), not an exception. */
export async function call(url: string, query: string, variables: Record<string, unknown>, token: string, tenant: string): Promise<CallResult> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-tenant-id': tenant },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(60_000),
    });
    const body = (await response.json()) as Omit<CallResult, 'status'>;
    return { status: response.status, ...body };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { status: 0, failure: cause?.code ?? cause?.message ?? (err as Error).message };
  }
}

export const codeOf = (result: CallResult): string | null => (result.status === 0 ? 'NO_ANSWER' : (result.errors?.[0]?.extensions?.code ?? null));

/** Polls `attempt` until `ok` holds or `ms` pass; returns the last value. */
export async function eventually<T>(attempt: () => Promise<T>, ok: (value: T) => boolean, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await attempt();
    if (ok(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Query = <R extends object = Record<string, any>>(sql: string, values?: unknown[]) => Promise<R[]>;

/**
 * What the database holds of a population's payments, checked against itself: every payment once
 * (one per receipt, one per person and year), every paid enrolment with exactly its payment (amount and
 * day), no enrolment paid without one. Zero in every count but `payments` and `paid` is a sound ledger.
 */
export interface Ledger {
  payments: number;
  paid: number;
  /** Receipts recorded more than once (impossible by the key; checked all the same). */
  doubledReceipts: number;
  /** Person-years paid by more than one payment. */
  doubledPeople: number;
  /** Payments whose enrolment is not PAID by that very amount on that very day. */
  paymentsWithoutTheirEnrolment: number;
  /** PAID enrolments of the population with no payment. */
  paidWithoutPayment: number;
}

export async function ledger(query: Query, tenant: string, idNumbers: readonly string[]): Promise<Ledger> {
  const [row] = await query<Ledger>(
    `WITH p AS (SELECT * FROM payment WHERE tenant_code = $1 AND id_number = ANY ($2::text[])),
          e AS (SELECT * FROM enrollment WHERE tenant_code = $1 AND id_number = ANY ($2::text[]))
     SELECT (SELECT count(*)::int FROM p) AS payments,
            (SELECT count(*)::int FROM e WHERE status = 'PAID') AS paid,
            (SELECT count(*)::int FROM (SELECT 1 FROM p GROUP BY channel, receipt_no HAVING count(*) > 1) d) AS "doubledReceipts",
            (SELECT count(*)::int FROM (SELECT 1 FROM p GROUP BY id_number, coverage_year HAVING count(*) > 1) d) AS "doubledPeople",
            (SELECT count(*)::int FROM p LEFT JOIN e ON e.id_number = p.id_number AND e.coverage_year = p.coverage_year
              WHERE e.status IS DISTINCT FROM 'PAID' OR e.amount_paid IS DISTINCT FROM p.amount OR e.paid_on IS DISTINCT FROM p.paid_on) AS "paymentsWithoutTheirEnrolment",
            (SELECT count(*)::int FROM e WHERE status = 'PAID' AND NOT EXISTS (SELECT 1 FROM p WHERE p.id_number = e.id_number AND p.coverage_year = e.coverage_year)) AS "paidWithoutPayment"`,
    [tenant, idNumbers],
  );
  return row;
}

/** Resident ID numbers as they would appear unmasked in a log line (as the test run's log check uses). */
export const UNMASKED_ID = /(?<![0-9A-Za-z])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])/;
