/**
 * Behind Debian's PgBouncer in transaction mode (DATABASE_POOLER=transaction): many clients share a
 * few server connections, which pass from one tenant's transaction to another's. No named prepared
 * statements, the statement timeout set in each transaction, the tenant of row-level security in each
 * transaction. The test starts its own PgBouncer (.ci/run installs the package) and is skipped without it.
 */
import pg from 'pg';
import { loadConfig } from '../../src/common/config';
import { createLogger } from '../../src/common/logger';
import { startServer, type RunningServer } from '../../src/app';
import { developmentSecret } from '../../src/common/config';
import { type Role, signToken } from '../../src/context/tokens';
import { TenantTransaction } from '../../src/db/tenant-transaction';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { nameOf } from '../helpers/names';
import { Bouncer, pgbouncerBinary } from '../helpers/local-postgres';
import { startTestServer, type TestServer } from '../helpers/server';

const binary = pgbouncerBinary();
if (!binary) console.warn('pooler.test.ts skipped: no pgbouncer (apt-get install pgbouncer; .ci/run does)');
const describeWithBouncer = binary ? describe : describe.skip;

/** Server connections PgBouncer keeps for the database: far fewer than the clients. */
const SERVER_CONNECTIONS = 2;

let direct: TestServer;
let bouncer: Bouncer;
let pooledUrl: string;
let pooled: RunningServer;

async function gql(server: RunningServer, tenant: string, role: Role, query: string, variables: Record<string, unknown> = {}) {
  const token = signToken({ sub: `pooled-${role.toLowerCase()}`, role, tenants: [tenant] }, server.state.config.jwtSecret);
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-tenant-id': tenant },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...((await res.json()) as { data?: Record<string, any>; errors?: Array<{ message: string; extensions?: { code?: string } }> }) };
}

async function registerHousehold(tenant: string, region: string, booklet: string, seq: number): Promise<string> {
  const members = [0, 1, 2].map((i) => ({
    idNumber: makeResidentId(tenant, `198${i}-0${i + 1}-1${i}`, seq + i),
    name: nameOf(seq * 10 + i, '池'),
    relationship: i === 0 ? '户主' : '子女',
    hukouPlace: tenant,
  }));
  const res = await gql(pooled, tenant, 'STAFF', 'mutation($i: HouseholdInput!) { registerHousehold(input: $i) { id } }', {
    i: { bookletNo: booklet, region, members },
  });
  expect(res.errors).toBeUndefined();
  return res.data!.registerHousehold.id;
}

describeWithBouncer('behind PgBouncer in transaction mode', () => {
  beforeAll(async () => {
    // The database and the request role's login, made as usual over a direct connection.
    direct = await startTestServer();
    const password = process.env.APP_DB_PASSWORD ?? developmentSecret(process.env.DATA_DIR!, 'app-db-password');
    const db = new URL(direct.databaseUrl);
    const database = db.pathname.slice(1);
    bouncer = await Bouncer.start(binary!, { host: db.hostname, port: Number(db.port), database, user: 'insurance_app', password }, SERVER_CONNECTIONS);
    pooledUrl = `postgres://insurance_app:${password}@127.0.0.1:${bouncer.port}/${database}`;
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: direct.databaseUrl,
      APP_DATABASE_URL: pooledUrl,
      DATABASE_POOLER: 'transaction',
      PG_POOL_SIZE: '20',
      PORT: '0',
      RATE_LIMIT_PER_MINUTE: '0',
    });
    pooled = await startServer(config, createLogger(process.env.LOG_LEVEL ?? 'silent'));
  }, 120_000);
  afterAll(async () => {
    await pooled?.close();
    bouncer?.stop();
    await direct?.close();
  });

  it('answers 200 household reads from 20 clients sharing 2 server connections, each with its own tenant', async () => {
    const households = {
      '620721': await registerHousehold('620721', '620721-03', 'POOL-SN-1', 500),
      '610926': await registerHousehold('610926', '610926-09', 'POOL-PL-1', 510),
    } as const;
    const read = async (client: number, round: number) => {
      // Clients alternate tenants, so a server connection serves one tenant's transaction, then another's.
      const tenant = (client + round) % 2 === 0 ? '620721' : '610926';
      const other = tenant === '620721' ? '610926' : '620721';
      const mine = await gql(pooled, tenant, 'STAFF', 'query($id: ID!) { household(id: $id) { bookletNo members { name } } }', { id: households[tenant] });
      const theirs = await gql(pooled, tenant, 'STAFF', 'query($id: ID!) { household(id: $id) { bookletNo } }', { id: households[other] });
      return { mine, theirs, tenant };
    };
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, client) =>
        (async () => {
          const out = [];
          for (let round = 0; round < 10; round++) out.push(await read(client, round));
          return out;
        })(),
      ),
    );
    const all = results.flat();
    expect(all).toHaveLength(200);
    expect(all.filter((r) => r.mine.errors || r.mine.status !== 200)).toEqual([]);
    for (const r of all) {
      expect(r.mine.data!.household.bookletNo).toBe(r.tenant === '620721' ? 'POOL-SN-1' : 'POOL-PL-1');
      expect(r.mine.data!.household.members).toHaveLength(3);
      // Row-level security holds on shared connections: the other tenant's household is not there.
      expect(r.theirs.errors).toBeUndefined();
      expect(r.theirs.data!.household).toBeNull();
    }
  });

  it('writes through the pooler: an import of payments, the bank lookup after it', async () => {
    const id = makeResidentId('620721', '1975-03-03', 520);
    const registered = await gql(pooled, '620721', 'STAFF', 'mutation($i: HouseholdInput!) { registerHousehold(input: $i) { id } }', {
      i: { bookletNo: 'POOL-SN-2', region: '620721-04', members: [{ idNumber: id, name: '池塘', relationship: '户主' }] },
    });
    expect(registered.errors).toBeUndefined();
    const imported = await gql(
      pooled,
      '620721',
      'TAX',
      'mutation($p: [PaymentInput!]!) { importPayments(batchId: "POOL-1", payments: $p) { accepted rejected } }',
      {
        p: [{ idNumber: id, coverageYear: 2024, amount: '380.00', paidOn: '2023-10-10', channel: '税务', receiptNo: 'POOL-R-1' }],
      },
    );
    expect(imported.errors).toBeUndefined();
    expect(imported.data!.importPayments).toEqual({ accepted: 1, rejected: 0 });
    const lookup = await gql(pooled, '620721', 'BANK', 'query($id: String!) { enrollmentStatus(idNumber: $id, coverageYear: 2024) { status amountPaid } }', {
      id,
    });
    expect(lookup.errors).toBeUndefined();
    expect(lookup.data!.enrollmentStatus).toEqual({ status: 'PAID', amountPaid: '380.00' });
  });

  it('sets the statement timeout in each transaction, whatever another client left in the session', async () => {
    // A careless client of the same pooler sets a session timeout on a shared server connection.
    const careless = new pg.Client({ connectionString: pooledUrl });
    await careless.connect();
    await careless.query("SET statement_timeout = '7777ms'");
    const pool = new pg.Pool({ connectionString: pooledUrl, max: 4 });
    try {
      const mode = { citus: false, pooled: true, statementTimeoutMs: 300 };
      for (let i = 0; i < 4; i++) {
        const tx = new TenantTransaction(pool, '620721', mode);
        expect(await tx.query<{ statement_timeout: string }>('SHOW statement_timeout')).toEqual([{ statement_timeout: '300ms' }]);
        await tx.finish(true);
      }
      const slow = new TenantTransaction(pool, '620721', mode);
      await expect(slow.query('SELECT pg_sleep(2)')).rejects.toMatchObject({ code: '57014' });
      await slow.finish(false);
    } finally {
      await careless.end();
      await pool.end();
    }
  });

  it('refuses to start there without DATABASE_POOLER, and says so: PgBouncer refuses the startup option that sets the timeout', async () => {
    const config = loadConfig({ ...process.env, DATABASE_URL: direct.databaseUrl, APP_DATABASE_URL: pooledUrl, PORT: '0' });
    await expect(startServer(config, createLogger('silent'))).rejects.toThrow(/unsupported startup parameter: options.*set DATABASE_POOLER=transaction/);
  });
});
