/**
 * Robustness on real PostgreSQL: servers starting together against one cluster, connections killed
 * under the pool, backends terminated while the pool is full, the database going away and coming back,
 * a backend killed in the middle of a payment import, and the request deadline; after the faults that
 * write, the ledger is checked in SQL (test/helpers/faults.ts). The faults that need a server process or
 * a PostgreSQL of their own (SIGKILL, a restart) are in test/faults/ (npm run test:faults).
 */
import http from 'node:http';
import net from 'node:net';
import pg from 'pg';
import { developmentSecret, loadConfig } from '../../src/common/config';
import { createLogger } from '../../src/common/logger';
import { createPool } from '../../src/db/pool';
import { grantLogin, startupClient, runMigrations } from '../../src/server/database';
import { TenantSync } from '../../src/server/tenant-sync';
import { ledger } from '../helpers/faults';
import { residentIds, seedResidents } from '../helpers/seed';
import { startTestServer, type TestServer } from '../helpers/server';

const IMPORT = `mutation($batchId: String!, $payments: [PaymentInput!]!) { importPayments(batchId: $batchId, payments: $payments) { accepted duplicates rejected } }`;

const appBackends = (server: TestServer, extra = '') =>
  server.ownerQuery<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE usename = 'insurance_app' AND datname = current_database() ${extra}`);

/** On the cluster's admin database: what cannot be done from inside the test database itself. */
async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.TEST_ADMIN_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function health(server: TestServer): Promise<number> {
  return (await fetch(server.url.replace('/graphql', '/healthz'))).status;
}

async function eventually<T>(attempt: () => Promise<T>, ok: (value: T) => boolean, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await attempt();
    if (ok(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('servers starting at once against one cluster', () => {
  // Roles belong to the cluster: two servers giving the request role its login at the same moment made
  // PostgreSQL answer "tuple concurrently updated", and a CI run failed on it (2026-11-29).
  it('give the request role its login side by side without failing', async () => {
    const ownerUrl = process.env.TEST_ADMIN_DATABASE_URL!;
    // The password every test server already uses, so the other test workers are not disturbed.
    const password = process.env.APP_DB_PASSWORD ?? developmentSecret(loadConfig(process.env).dataDir, 'app-db-password');
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => grantLogin(ownerUrl, password)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  });

  it("fail a start step's next statement, and do not end the process, when its own connection is cut between two", async () => {
    const { client, lost } = startupClient(process.env.TEST_ADMIN_DATABASE_URL!);
    await client.connect();
    try {
      const [{ pid }] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
      await adminQuery(`SELECT pg_terminate_backend(${Number(pid)})`);
      expect(
        await eventually(
          async () => lost(),
          (err) => err !== undefined,
        ),
      ).toBeInstanceOf(Error);
      await expect(client.query('SELECT 1')).rejects.toThrow();
    } finally {
      await client.end().catch(() => {});
    }
  });

  it('refuse to reset a working login: a server given another password does not start, and the others keep serving', async () => {
    const serving = await startTestServer();
    try {
      let refused: unknown = null;
      try {
        const other = await startTestServer({ APP_DB_PASSWORD: 'another-password-0123456789' });
        await other.close();
      } catch (err) {
        refused = err;
      }
      expect((refused as Error)?.message).toMatch(/already logs in with a password this server was not given \(PostgreSQL: 28P01 [^)]*\); set APP_DB_PASSWORD/);
      const res = await serving.gql('{ viewer { sub } }', {}, { as: 'STAFF', tenant: '620702' });
      expect(res.errors).toBeUndefined();
      const fresh = await serving.gql('{ residents(first: 1) { nodes { idNumber } } }', {}, { as: 'STAFF', tenant: '620702' });
      expect(fresh.errors).toBeUndefined();
    } finally {
      await serving.close();
    }
  });

  it('migrate a new, empty database together: one migrates, the other finds nothing left to do', async () => {
    const name = `migrate_race_${process.pid}`;
    await adminQuery(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(process.env.TEST_ADMIN_DATABASE_URL!);
      url.pathname = `/${name}`;
      const results = await Promise.allSettled([1, 2].map(() => runMigrations(url.toString(), createLogger('silent'))));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT count(*)::int AS n, count(DISTINCT name)::int AS distinct_names FROM schema_migrations');
        expect(rows[0].n).toBeGreaterThan(0);
        expect(rows[0].n).toBe(rows[0].distinct_names);
      } finally {
        await client.end();
      }
    } finally {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  });

  it('both serve when started together', async () => {
    const servers = await Promise.all([startTestServer(), startTestServer()]);
    try {
      for (const s of servers) expect(await health(s)).toBe(200);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });
});

describe('connections lost under the server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ PG_POOL_SIZE: '4' });
  });
  afterAll(async () => server?.close());

  it('survives its idle connections being killed, and answers the next request', async () => {
    // Queries that use the database, so that the pool holds connections to kill.
    await Promise.all(Array.from({ length: 4 }, () => server.gql('{ residents(first: 1) { nodes { idNumber } } }', {}, { as: 'STAFF', tenant: '620702' })));
    const killed = await server.ownerQuery(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'insurance_app' AND datname = current_database()`,
    );
    expect(killed.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 100));
    const res = await server.gql('{ viewer { sub } }', {}, { as: 'STAFF', tenant: '620702' });
    expect(res.data!.viewer.sub).toBe('test-staff');
  });

  it("listens again for other servers' changes when its listening connection is cut", async () => {
    const listeners = () =>
      server.ownerQuery<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = 'insurance-api-tenants' AND datname = current_database()`);
    // The test before cut every connection of the request role, this one's included: it is back first.
    const [first] = await eventually(listeners, (rows) => rows.length === 1);
    expect(first).toBeDefined();
    await server.ownerQuery('SELECT pg_terminate_backend($1::int)', [first.pid]);
    const again = await eventually(listeners, (rows) => rows.length === 1 && rows[0].pid !== first.pid);
    expect(again).toHaveLength(1);
    expect(again[0].pid).not.toBe(first.pid);
    // A region another server added: its notification reaches this one on the new connection.
    await server.ownerQuery(
      `INSERT INTO region (tenant_code, code, name, kind, parent_code) VALUES ('620702', '620702-LISTEN', '重连镇', 'TOWNSHIP', NULL);
       SELECT pg_notify('region_changed', '620702')`,
    );
    const known = await eventually(
      async () => server.running.state.catalog.get('620702')!.regionsByCode.has('620702-LISTEN'),
      (has) => has,
    );
    expect(known).toBe(true);
  });

  it('notices a listening connection dropped without a word, and listens on a new one', async () => {
    // Between the server and PostgreSQL, a proxy that can go silent on the connections it carries
    // without closing them, as a peer that vanished or a network cut does.
    const carried: Array<{ silent: boolean; sockets: net.Socket[] }> = [];
    const app = new URL(server.running.database.appUrl);
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(app.port), app.hostname);
      const pair = { silent: false, sockets: [client, upstream] };
      client.on('data', (d) => pair.silent || upstream.write(d));
      upstream.on('data', (d) => pair.silent || client.write(d));
      for (const socket of pair.sockets) socket.on('error', () => {});
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      carried.push(pair);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const listenUrl = new URL(app);
    listenUrl.hostname = '127.0.0.1';
    listenUrl.port = String((proxy.address() as net.AddressInfo).port);
    const lost: string[] = [];
    const log = { info: () => {}, error: (message: string) => lost.push(message) };
    const sync = new TenantSync(server.running.state, listenUrl.toString(), log, { heartbeatMs: 300 });
    try {
      await sync.start();
      expect(carried).toHaveLength(1);
      carried[0].silent = true;
      // Not the minutes TCP would take: the next check goes unanswered, and a new connection listens.
      expect(
        await eventually(
          async () => carried.length,
          (n) => n === 2,
          5_000,
        ),
      ).toBe(2);
      expect(lost).toContain('tenant listener lost');
    } finally {
      await sync.stop();
      for (const pair of carried) for (const socket of pair.sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('reloads again a tenant whose reload failed, without another notification', async () => {
    const errors: string[] = [];
    const log = { info: () => {}, error: (message: string) => errors.push(message) };
    const sync = new TenantSync(server.running.state, server.running.database.appUrl, log, { heartbeatMs: 300 });
    const hasRegion = async () => server.running.state.catalog.get('620702')!.regionsByCode.has('620702-RETRY');
    try {
      await sync.start();
      // The request role cannot read the regions for a moment: the reload that a change asks for fails.
      await server.ownerQuery('REVOKE SELECT ON region FROM insurance_app');
      try {
        await server.ownerQuery(
          `INSERT INTO region (tenant_code, code, name, kind, parent_code) VALUES ('620702', '620702-RETRY', '重试镇', 'TOWNSHIP', NULL)`,
        );
        await sync.reload('620702');
        expect(errors.some((e) => e.startsWith('tenant not reloaded'))).toBe(true);
        expect(await hasRegion()).toBe(false);
      } finally {
        await server.ownerQuery('GRANT SELECT ON region TO insurance_app');
      }
      // No notification follows: the next check reloads it.
      expect(await eventually(hasRegion, (has) => has, 5_000)).toBe(true);
    } finally {
      await sync.stop();
    }
  });

  it('runs what waits for a reload (held money released after a publication) once the tenant loads: at once, or after the retry', async () => {
    const errors: string[] = [];
    const log = { info: () => {}, error: (message: string) => errors.push(message) };
    const sync = new TenantSync(server.running.state, server.running.database.appUrl, log, { heartbeatMs: 300 });
    const hasRegion = async () => server.running.state.catalog.get('620702')!.regionsByCode.has('620702-THEN');
    const ran: Array<{ step: string; loaded: boolean }> = [];
    const step = (name: string) => async () => void ran.push({ step: name, loaded: await hasRegion() });
    try {
      await sync.start();
      await sync.reloadThen('620702', step('loaded at once'));
      expect(ran).toEqual([{ step: 'loaded at once', loaded: false }]);
      await server.ownerQuery('REVOKE SELECT ON region FROM insurance_app');
      try {
        await server.ownerQuery(`INSERT INTO region (tenant_code, code, name, kind, parent_code) VALUES ('620702', '620702-THEN', '其后镇', 'TOWNSHIP', NULL)`);
        await sync.reloadThen('620702', step('after the retry'));
        // The reload failed: the step waits, rather than run against the copy from before.
        expect(ran).toHaveLength(1);
        expect(errors.some((e) => e.startsWith('tenant not reloaded: what follows from the change waits'))).toBe(true);
      } finally {
        await server.ownerQuery('GRANT SELECT ON region TO insurance_app');
      }
      expect(
        await eventually(
          async () => ran.length,
          (n) => n === 2,
          5_000,
        ),
      ).toBe(2);
      expect(ran[1]).toEqual({ step: 'after the retry', loaded: true });
    } finally {
      await sync.stop();
      await server.ownerQuery(`DELETE FROM region WHERE tenant_code = '620702' AND code = '620702-THEN'`);
    }
  });

  it('tries a tenant whose reloads keep failing at checks ever further apart, and loads it once it can', async () => {
    const failures: number[] = [];
    const log = {
      info: () => {},
      error: (message: string, fields?: Record<string, unknown>) => {
        if (message.startsWith('tenant not reloaded')) failures.push(fields?.failures as number);
      },
    };
    const sync = new TenantSync(server.running.state, server.running.database.appUrl, log, { heartbeatMs: 100 });
    const hasRegion = async () => server.running.state.catalog.get('620702')!.regionsByCode.has('620702-BACKOFF');
    try {
      await sync.start();
      await server.ownerQuery('REVOKE SELECT ON region FROM insurance_app');
      try {
        await server.ownerQuery(
          `INSERT INTO region (tenant_code, code, name, kind, parent_code) VALUES ('620702', '620702-BACKOFF', '退避镇', 'TOWNSHIP', NULL)`,
        );
        await sync.reload('620702');
        // 25 checks in 2.5 s: retried at every one before, now at waits of 0, 0.1, 0.3, 0.7 and 1.5 s.
        await new Promise((r) => setTimeout(r, 2_500));
        expect(failures.length).toBeGreaterThanOrEqual(3);
        expect(failures.length).toBeLessThanOrEqual(6);
        expect(failures).toEqual(failures.map((_, i) => i + 1));
      } finally {
        await server.ownerQuery('GRANT SELECT ON region TO insurance_app');
      }
      expect(await eventually(hasRegion, (has) => has, 10_000)).toBe(true);
    } finally {
      await sync.stop();
    }
  });

  it('recovers by itself when the database comes back, as after a restart', async () => {
    // What the server sees of a restart: every connection dropped, new ones refused for a while.
    const db = server.databaseUrl.split('/').pop();
    await adminQuery(`ALTER DATABASE ${db} WITH ALLOW_CONNECTIONS false`);
    try {
      await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'insurance_app' AND datname = '${db}'`);
      expect(await health(server)).toBe(503);
      const down = await server.gql('{ residents(first: 1) { nodes { idNumber } } }', {}, { as: 'STAFF', tenant: '620702' });
      expect(down.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await adminQuery(`ALTER DATABASE ${db} WITH ALLOW_CONNECTIONS true`);
    }
    expect(
      await eventually(
        () => health(server),
        (s) => s === 200,
      ),
    ).toBe(200);
    const up = await server.gql('{ residents(first: 1) { nodes { idNumber } } }', {}, { as: 'STAFF', tenant: '620702' });
    expect(up.errors).toBeUndefined();
  });
});

describe('backends terminated while every pooled connection is busy', () => {
  let server: TestServer;
  const ids = residentIds('620721', 12, 97_000);
  const PAY = `mutation($input: PaymentInput!) { recordPayment(input: $input) { receiptNo } }`;
  const pay = (i: number) =>
    server.gql(
      PAY,
      { input: { idNumber: ids[i], coverageYear: 2024, amount: '380.00', paidOn: '2023-10-09', channel: '农商银行', receiptNo: `FULL-${i}` } },
      { token: server.token('BANK', ['620721'], 'bank-pool'), tenant: '620721' },
    );
  beforeAll(async () => {
    server = await startTestServer({ PG_POOL_SIZE: '3' });
    await seedResidents(server, '620721', ids);
  });
  afterAll(async () => server?.close());

  it('answers every request; a payment is written whole with its audit record, or not at all; the server serves on', async () => {
    // An owner session holds the residents: each payment blocks on its first read, holding its connection.
    const holder = new pg.Client({ connectionString: server.databaseUrl });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE resident IN ACCESS EXCLUSIVE MODE');
    const answers = ids.map((_, i) => pay(i));
    // The pool is full (3 blocked), 9 requests wait for a connection: terminate the 3.
    const blocked = await eventually(
      () => appBackends(server, "AND wait_event_type = 'Lock'"),
      (rows) => rows.length === 3,
      20_000,
    );
    expect(blocked).toHaveLength(3);
    await server.ownerQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'insurance_app' AND datname = current_database()");
    await new Promise((r) => setTimeout(r, 300));
    await holder.query('ROLLBACK');
    await holder.end();
    const results = await Promise.all(answers);

    const codes = results.map((r) => r.errors?.[0].extensions?.code ?? 'OK');
    expect(codes.filter((c) => c !== 'OK' && c !== 'INTERNAL_SERVER_ERROR')).toEqual([]);
    expect(codes.filter((c) => c === 'INTERNAL_SERVER_ERROR').length).toBeGreaterThanOrEqual(3);
    const answeredOk = results.flatMap((r, i) => (r.errors ? [] : [`FULL-${i}`])).sort();
    const written = (
      await server.ownerQuery<{ receipt: string }>(
        "SELECT receipt_no AS receipt FROM payment WHERE tenant_code = '620721' AND receipt_no LIKE 'FULL-%' ORDER BY 1",
      )
    ).map((r) => r.receipt);
    const auditedOk = await server.ownerQuery<{ receipt: string }>(
      "SELECT arguments -> 'recordPayment' -> 'input' ->> 'receiptNo' AS receipt FROM audit_log WHERE tenant_code = '620721' AND actor = 'bank-pool' AND outcome = 'OK' ORDER BY 1",
    );
    expect(written).toEqual(answeredOk);
    expect(auditedOk.map((r) => r.receipt)).toEqual(answeredOk);
    expect(await health(server)).toBe(200);

    // The callers told of a failure send their payment again: each is recorded once.
    const retried = await Promise.all(results.map((r, i) => (r.errors ? pay(i) : Promise.resolve(r))));
    expect(retried.map((r) => r.errors)).toEqual(ids.map(() => undefined));
    expect(await ledger((sql, values) => server.ownerQuery(sql, values), '620721', ids)).toEqual({
      payments: 12,
      paid: 12,
      doubledReceipts: 0,
      doubledPeople: 0,
      paymentsWithoutTheirEnrolment: 0,
      paidWithoutPayment: 0,
    });
  });
});

describe('a payment import cut off in the middle', () => {
  let server: TestServer;
  const ids = residentIds('620702', 10_000, 90_000);
  const payments = ids.map((idNumber, i) => ({ idNumber, coverageYear: 2023, amount: '350.00', paidOn: '2022-10-09', channel: '税务', receiptNo: `CUT-${i}` }));
  const counts = async () =>
    (
      await server.ownerQuery<{ payments: number; enrollments: number }>(
        "SELECT (SELECT count(*)::int FROM payment WHERE tenant_code = '620702') AS payments, (SELECT count(*)::int FROM enrollment WHERE tenant_code = '620702') AS enrollments",
      )
    )[0];

  beforeAll(async () => {
    server = await startTestServer();
    await seedResidents(server, '620702', ids);
  });
  afterAll(async () => server?.close());

  it('leaves nothing when its database backend is killed, and a retry writes exactly one copy', async () => {
    const importing = server.gql(IMPORT, { batchId: 'CUT', payments }, { as: 'TAX', tenant: '620702' });
    // Kill the backend once it is writing (after the reads, during the enrolment and payment inserts, which
    // may sit inside a WITH that counts or ledgers what they write).
    const victim = await eventually(
      () =>
        appBackends(
          server,
          "AND state = 'active' AND (query LIKE '%INSERT INTO enrollment%' OR query LIKE '%INSERT INTO payment%' OR query LIKE 'SELECT refresh_statistics%')",
        ),
      (rows) => rows.length > 0,
      20_000,
    );
    expect(victim.length).toBeGreaterThan(0);
    await server.ownerQuery('SELECT pg_terminate_backend($1::int)', [victim[0].pid]);
    const cut = await importing;
    expect(cut.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(await counts()).toEqual({ payments: 0, enrollments: 0 });

    const retry = await server.gql(IMPORT, { batchId: 'CUT', payments }, { as: 'TAX', tenant: '620702' });
    expect(retry.data!.importPayments).toEqual({ accepted: 10_000, duplicates: 0, rejected: 0 });
    expect(await counts()).toEqual({ payments: 10_000, enrollments: 10_000 });
    expect(await ledger((sql, values) => server.ownerQuery(sql, values), '620702', ids)).toEqual({
      payments: 10_000,
      paid: 10_000,
      doubledReceipts: 0,
      doubledPeople: 0,
      paymentsWithoutTheirEnrolment: 0,
      paidWithoutPayment: 0,
    });
    const replay = await server.gql(IMPORT, { batchId: 'CUT', payments }, { as: 'TAX', tenant: '620702' });
    expect(replay.data!.importPayments).toEqual({ accepted: 0, duplicates: 10_000, rejected: 0 });
    expect(await counts()).toEqual({ payments: 10_000, enrollments: 10_000 });
  });
});

describe('the request deadline', () => {
  let server: TestServer;
  const ids = residentIds('620721', 3000, 95_000);
  beforeAll(async () => {
    server = await startTestServer({ REQUEST_TIMEOUT_MS: '150' });
    await seedResidents(server, '620721', ids);
  });
  afterAll(async () => server?.close());

  const paymentsOf = (prefix: string) =>
    ids.map((idNumber, i) => ({ idNumber, coverageYear: 2024, amount: '380.00', paidOn: '2023-10-09', channel: '税务', receiptNo: `${prefix}-${i}` }));

  it('answers TIMEOUT past it and writes nothing', async () => {
    const res = await server.gql(IMPORT, { batchId: 'DL', payments: paymentsOf('DL') }, { as: 'TAX', tenant: '620721' });
    expect(res.status).toBe(503);
    expect(res.errors?.[0].extensions?.code).toBe('TIMEOUT');
    await new Promise((r) => setTimeout(r, 1500));
    const [row] = await server.ownerQuery<{ n: number }>("SELECT count(*)::int AS n FROM payment WHERE tenant_code = '620721'");
    expect(row.n).toBe(0);
    expect((await server.gql('{ residents(first: 1) { nodes { idNumber } } }', {}, { as: 'STAFF', tenant: '620721' })).errors).toBeUndefined();
  });

  // Last in this block: it stops the server.
  it('stops after the work a request past its deadline abandoned, so that its TIMEOUT record is written before the pool closes', async () => {
    const res = await server.gql(
      IMPORT,
      { batchId: 'ST', payments: paymentsOf('ST') },
      { token: server.token('TAX', ['620721'], 'tax-stopping'), tenant: '620721' },
    );
    expect(res.errors?.[0].extensions?.code).toBe('TIMEOUT');
    // The answer left; the import it abandoned is still running, and the server is told to stop now.
    await server.running.close();
    const records = await server.ownerQuery<{ outcome: string; error_codes: string[] }>(
      "SELECT outcome, error_codes FROM audit_log WHERE tenant_code = '620721' AND actor = 'tax-stopping'",
    );
    expect(records).toEqual([{ outcome: 'ERROR', error_codes: ['TIMEOUT'] }]);
    const [paid] = await server.ownerQuery<{ n: number }>("SELECT count(*)::int AS n FROM payment WHERE tenant_code = '620721'");
    expect(paid.n).toBe(0);
  });
});

describe('stopping', () => {
  let server: TestServer;
  /** An owner's session holding the residents: a read of them waits for it. */
  const holdResidents = async () => {
    const holder = new pg.Client({ connectionString: server.databaseUrl });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE resident IN ACCESS EXCLUSIVE MODE');
    return holder;
  };
  /** Once a read waits for `holder`, the server is told to stop, then the residents are let go: the stop, under way. */
  const stopWhileAReadWaits = async (holder: pg.Client) => {
    await eventually(
      () => appBackends(server, "AND wait_event_type = 'Lock'"),
      (rows) => rows.length > 0,
    );
    const stopping = server.running.close();
    await new Promise((r) => setTimeout(r, 100));
    await holder.query('ROLLBACK');
    await holder.end();
    return stopping;
  };
  /** A staff read of the database (its connection busy, not idle, at almost any moment), through `agent`: its status and Connection header. */
  const readOn = (agent: http.Agent) =>
    new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const req = http.request(
        server.url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token('STAFF', ['620702'])}`, 'x-tenant-id': '620702' },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ query: '{ residents(first: 1) { nodes { idNumber } } }' }));
    });
  afterEach(async () => server?.close().catch(() => {}));

  it('stops at once while a keep-alive client sends request after request on one connection', async () => {
    server = await startTestServer();
    // A client such as an importer or a bank's counter reuses one connection and sends its next request as
    // soon as an answer comes.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const send = () => readOn(agent);
    const answers: Array<{ status: number; connection: string | undefined }> = [];
    const sending = (async () => {
      for (;;) {
        try {
          answers.push(await send());
        } catch {
          return; // refused: the server takes no new connection
        }
      }
    })();
    while (answers.length < 5) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    await server.running.close();
    // Not the 600 s of this server's request deadline, after which its connections would be cut.
    expect(Date.now() - started).toBeLessThan(10_000);
    await sending;
    agent.destroy();
    expect(answers.every((a) => a.status === 200)).toBe(true);
    // Nothing of it is left connected to the database: the pool, the replicas' and the tenants' listener.
    // (A backend leaves pg_stat_activity a moment after its client hangs up.)
    const left = await eventually(
      async () =>
        (
          await server.ownerQuery<{ n: number }>(
            // Citus's own connections between its nodes are not the server's.
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND application_name NOT LIKE 'citus%'",
          )
        )[0].n,
      (n) => n === 0,
    );
    expect(left).toBe(0);
  });

  it('answers a request in flight when the stop begins, telling its client to close the connection', async () => {
    server = await startTestServer();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const send = () => readOn(agent);
    expect((await send()).connection).toBe('keep-alive');
    // The next read waits on a lock, on the same connection, while the server is told to stop.
    const holder = await holdResidents();
    const answer = send();
    const stopping = await stopWhileAReadWaits(holder);
    expect(await answer).toEqual({ status: 200, connection: 'close' });
    await stopping;
    agent.destroy();
  });

  it('answers both requests a client pipelined on one connection when the stop comes between them', async () => {
    server = await startTestServer();
    const token = server.token('STAFF', ['620702']);
    const body = JSON.stringify({ query: '{ residents(first: 1) { nodes { idNumber } } }' });
    const request = [
      'POST /graphql HTTP/1.1',
      'Host: localhost',
      'Content-Type: application/json',
      `Authorization: Bearer ${token}`,
      'X-Tenant-Id: 620702',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
    const holder = await holdResidents();
    const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1');
    socket.on('error', () => {});
    let received = '';
    socket.on('data', (d) => (received += d.toString('utf8')));
    const closed = new Promise((r) => socket.once('close', r));
    await new Promise((r) => socket.once('connect', r));
    socket.write(request + request);
    const stopping = await stopWhileAReadWaits(holder);
    await closed;
    await stopping;
    const heads = received
      .split('\r\n')
      .filter((line) => line.startsWith('HTTP/1.1 ') || /^connection:/i.test(line))
      .map((line) => line.toLowerCase());
    expect(heads).toEqual(['http/1.1 200 ok', 'connection: keep-alive', 'http/1.1 200 ok', 'connection: close']);
  });

  it('cuts a connection whose request never ends once the longest request would be over, and stops', async () => {
    server = await startTestServer({ REQUEST_TIMEOUT_MS: '1000', HTTP_HEADERS_TIMEOUT_MS: '1000' });
    // Half a request's headers, and then nothing: a client that hung, or one that means harm.
    const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.on('error', () => {});
    socket.write('POST /graphql HTTP/1.1\r\nHost: localhost\r\n');
    const ended = new Promise((r) => socket.once('close', r));
    const started = Date.now();
    await server.running.close();
    // The request deadline and the time for headers, 2 s, and not the minutes a keep-alive connection may last.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(Date.now() - started).toBeLessThan(30_000);
    await ended;
  });
});

describe('a lull', () => {
  it('keeps PG_POOL_KEEP_IDLE connections open through it, and closes the others', async () => {
    const url = process.env.TEST_ADMIN_DATABASE_URL!;
    const log = createLogger('silent');
    const openAfterLull = async (keepIdle: number) => {
      const pool = createPool({ url, size: 4, keepIdle, idleTimeoutMs: 100, statementTimeoutMs: 5_000, applicationName: 'lull-test', log });
      try {
        // Four at once, as a burst of requests takes them, then nothing.
        const clients = await Promise.all(Array.from({ length: 4 }, () => pool.connect()));
        for (const client of clients) client.release();
        await new Promise((resolve) => setTimeout(resolve, 600));
        return pool.totalCount;
      } finally {
        await pool.end();
      }
    };
    expect(await openAfterLull(2)).toBe(2);
    expect(await openAfterLull(0)).toBe(0);
    // Never more than the pool holds.
    expect(await openAfterLull(9)).toBe(4);
  });
});
