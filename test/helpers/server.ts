/**
 * A real server over HTTP on its own database (cloned from the migrated template), for integration
 * tests. Nothing is mocked: the requests go through Apollo, the context, RLS and PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startServer, type RunningServer } from '../../src/app';
import { type Role, signToken } from '../../src/context/tokens';
import { createLogger } from '../../src/common/logger';
import { developmentSecret, loadConfig } from '../../src/common/config';
import { type QueryOptions, TenantTransaction } from '../../src/db/tenant-transaction';
import { createTestDatabase, dropTestDatabase } from './test-databases';
import { readRecordsOf } from '../../src/domains/audit/read-records';

/**
 * Every SQL text the servers of this test file send in request transactions, written to the data
 * folder when a server closes: globalTeardown checks them against the Citus rules (citus-rules.ts).
 */
const requestSql = new Set<string>();
const sendQuery = TenantTransaction.prototype.query;
TenantTransaction.prototype.query = function (this: TenantTransaction, text: string, values?: unknown[], options?: QueryOptions) {
  requestSql.add(text);
  return sendQuery.call(this, text, values, options);
} as typeof sendQuery;
const sendReadAlone = TenantTransaction.prototype.readAlone;
TenantTransaction.prototype.readAlone = function (this: TenantTransaction, text: string, values: ReadonlyArray<string | number | null>) {
  requestSql.add(text);
  return sendReadAlone.call(this, text, values);
} as typeof sendReadAlone;

function keepRequestSql(): void {
  if (!process.env.DATA_DIR || requestSql.size === 0) return;
  appendFileSync(join(process.env.DATA_DIR, `request-sql-${process.pid}.jsonl`), [...requestSql].map((t) => `${JSON.stringify(t)}\n`).join(''));
  requestSql.clear();
}

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }>;
  extensions?: Record<string, any>;
}

export interface CallOptions {
  token?: string | null;
  tenant?: string | null;
  headers?: Record<string, string>;
}

export class TestServer {
  constructor(
    readonly running: RunningServer,
    readonly databaseUrl: string,
    private readonly databaseName: string,
  ) {}

  get url(): string {
    return this.running.url;
  }

  token(role: Role, tenants: string[], sub = `test-${role.toLowerCase()}`): string {
    return signToken({ sub, role, tenants }, this.running.state.config.jwtSecret);
  }

  /** POST /graphql. With `as`, sends a fresh token of that role for the tenant and the tenant header. */
  async gql<T = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
    options: CallOptions & { as?: Role } = {},
  ): Promise<GraphQLResponse<T>> {
    const tenant = options.tenant ?? null;
    const token = options.as && tenant ? this.token(options.as, [tenant]) : options.token;
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(tenant ? { 'x-tenant-id': tenant } : {}),
        ...options.headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as GraphQLResponse<T>;
    return { ...body, status: response.status };
  }

  /** Writes the audit records of reads the server still holds (they are written shortly after each answer). */
  async auditWritten(): Promise<void> {
    await readRecordsOf(this.running.state).flush();
  }

  /** A direct connection as the database owner, for checks beneath the API. */
  async ownerQuery<R extends object = Record<string, any>>(sql: string, values: unknown[] = []): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      return (await client.query(sql, values)).rows as R[];
    } finally {
      await client.end();
    }
  }

  async close(): Promise<void> {
    await this.running.close();
    keepRequestSql();
    await dropTestDatabase(process.env.TEST_ADMIN_DATABASE_URL!, this.databaseName);
  }
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const adminUrl = process.env.TEST_ADMIN_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_ADMIN_DATABASE_URL is unset: run through jest (globalSetup)');
  const name = `test_${randomBytes(6).toString('hex')}`;
  let url: string;
  try {
    url = await createTestDatabase(adminUrl, name);
  } catch (err) {
    await dropTestDatabase(adminUrl, name).catch(() => {});
    throw err;
  }
  try {
    // Production requires APP_DB_PASSWORD: give a production server the login every test server uses.
    const login =
      env.NODE_ENV === 'production' && !process.env.APP_DB_PASSWORD ? { APP_DB_PASSWORD: developmentSecret(process.env.DATA_DIR!, 'app-db-password') } : {};
    // No rate limit unless a test sets one: suites send thousands of requests with one token. No deadline
    // that a busy machine can reach either (requests of 10,000 rows on 2 cores shared with other runs took
    // over 30 s): what a test checks is an outcome, never a time; the tests of deadlines set their own.
    const unhurried = { REQUEST_TIMEOUT_MS: '600000', STATEMENT_TIMEOUT_MS: '600000' };
    const config = loadConfig({ ...process.env, DATABASE_URL: url, PORT: '0', RATE_LIMIT_PER_MINUTE: '0', ...unhurried, ...login, ...env });
    const running = await startServer(config, createLogger(process.env.LOG_LEVEL ?? 'silent'));
    return new TestServer(running, url, name);
  } catch (err) {
    await dropTestDatabase(adminUrl, name);
    throw err;
  }
}
