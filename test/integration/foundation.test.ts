/**
 * The foundation over HTTP on real PostgreSQL: tenants, health, the request context, authentication,
 * tenant isolation (through the API and beneath it, with the application's own filter removed), the
 * database catalog, schema drift and production hardening.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signToken } from '../../src/context/tokens';
import { RequestContext } from '../../src/context/request-context';
import { printAppSchema } from '../../src/server/schema';
import { DatabaseHealth } from '../../src/server/health';
import { createHttpServer } from '../../src/server/http';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { printTenantJsonSchema } from '../../src/policy-data/json-schema';
import { nameOf } from '../helpers/names';
import { startTestServer, type TestServer } from '../helpers/server';

const REGISTER = `mutation Register($input: HouseholdInput!) {
  registerHousehold(input: $input) { id bookletNo region { code name } members { idNumber name birthDate sex relationship } }
}`;

function household(tenantAddress: string, region: string, booklet: string, people = 2) {
  return {
    bookletNo: booklet,
    region,
    address: '测试地址',
    members: Array.from({ length: people }, (_, i) => ({
      idNumber: makeResidentId(tenantAddress, `19${80 + i}-0${(i % 9) + 1}-15`, 100 + i),
      name: nameOf(i, '成'),
      relationship: i === 0 ? '户主' : '子女',
      hukouPlace: tenantAddress,
    })),
  };
}

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

describe('tenants and health', () => {
  it('lists the five tenants with their regions, publicly', async () => {
    const res = await server.gql(`{ tenants { code name regions { code name } coverageYears } }`);
    expect(res.errors).toBeUndefined();
    const tenants = res.data!.tenants as Array<{ code: string; name: string; regions: Array<{ code: string; name: string }>; coverageYears: number[] }>;
    expect(tenants.map((t) => t.code)).toEqual(['520100', '610926', '620702', '620721', '620725']);
    expect(tenants.find((t) => t.code === '610926')!.regions).toHaveLength(11);
    expect(tenants.find((t) => t.code === '520100')!.regions).toContainEqual({ code: '520100-GA-01', name: '党武镇' });
  });

  it('answers /healthz with 200 while the database answers', async () => {
    const res = await fetch(server.url.replace('/graphql', '/healthz'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', database: 'up' });
  });

  it('answers /healthz and /readyz with 503 when the database does not, /livez with 200', async () => {
    // The same HTTP edge checking a server that is gone: a real connection failure, not a mock.
    const deadHealth = new DatabaseHealth('postgres://nobody:x@127.0.0.1:1/none', 500);
    const http = createHttpServer(server.running.state, undefined as never, deadHealth, { headersTimeoutMs: 10_000 });
    await new Promise<void>((resolve) => http.listen(0, resolve));
    const { port } = http.address() as { port: number };
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(503);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
    expect((await fetch(`http://127.0.0.1:${port}/livez`)).status).toBe(200);
    await new Promise((resolve) => http.close(resolve));
    await deadHealth.close();
  });
});

describe('authentication and the tenant header', () => {
  const query = '{ viewer { sub role tenant { code } tenants } }';

  it('builds the context from the token and x-tenant-id', async () => {
    const token = server.token('STAFF', ['610926', '620721'], 'township-clerk-7');
    const res = await server.gql(query, {}, { token, tenant: '620721' });
    expect(res.data!.viewer).toEqual({ sub: 'township-clerk-7', role: 'STAFF', tenant: { code: '620721' }, tenants: ['610926', '620721'] });
  });

  it.each([
    ['no token', {}, 'UNAUTHENTICATED'],
    ['a malformed header', { headers: { authorization: 'Token abc' } }, 'UNAUTHENTICATED'],
    ['a token signed with another secret', { token: signToken({ sub: 'x', role: 'ADMIN', tenants: ['610926'] }, 'another-secret') }, 'UNAUTHENTICATED'],
    ['an expired token', { token: 'EXPIRED' }, 'UNAUTHENTICATED'],
    ['a tenant outside the token', { token: 'OTHER_TENANT' }, 'FORBIDDEN'],
    ['no x-tenant-id', { token: 'NO_HEADER' }, 'BAD_USER_INPUT'],
  ])('refuses %s', async (_case, options: Record<string, any>, code) => {
    let { token } = options;
    let tenant: string | null = '610926';
    if (token === 'EXPIRED') token = signToken({ sub: 'x', role: 'ADMIN', tenants: ['610926'] }, server.running.state.config.jwtSecret, -10);
    if (token === 'OTHER_TENANT') token = server.token('ADMIN', ['620702']);
    if (token === 'NO_HEADER') {
      token = server.token('ADMIN', ['610926']);
      tenant = null;
    }
    const res = await server.gql(query, {}, { ...options, token, tenant });
    expect(res.data?.viewer ?? null).toBeNull();
    expect(res.errors?.[0].extensions?.code).toBe(code);
  });

  it('refuses a role the operation does not allow', async () => {
    const res = await server.gql(REGISTER, { input: household('610926', '610926-01', 'ROLE-1') }, { as: 'BANK', tenant: '610926' });
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('leaves the public operations open without a token', async () => {
    const res = await server.gql('{ policy(tenant: "610926", coverageYear: 2022) { individualContribution } }');
    expect(res.data!.policy).toEqual({ individualContribution: '320.00' });
  });
});

describe('one transaction per request', () => {
  it('writes nothing of a request whose second mutation fails', async () => {
    const first = household('610926', '610926-02', 'TX-1', 1);
    const res = await server.gql(
      `mutation($a: HouseholdInput!, $b: HouseholdInput!) { a: registerHousehold(input: $a) { id } b: registerHousehold(input: $b) { id } }`,
      { a: first, b: { ...household('610926', 'no-such-region', 'TX-2', 1) } },
      { as: 'STAFF', tenant: '610926' },
    );
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'region' });
    const rows = await server.ownerQuery("SELECT 1 FROM household WHERE booklet_no IN ('TX-1', 'TX-2')");
    expect(rows).toHaveLength(0);
  });

  it('runs request queries as the request role, with the tenant set for the transaction only', async () => {
    const ctx = new RequestContext(server.running.state, { authorization: `Bearer ${server.token('ADMIN', ['620721'])}`, tenant: '620721' });
    ctx.authorize([]);
    const [row] = await ctx.db.query<{ who: string; tenant: string }>("SELECT current_user AS who, current_setting('app.tenant', true) AS tenant");
    expect(row).toEqual({ who: 'insurance_app', tenant: '620721' });
    await ctx.finish(true);
    // After the transaction the setting is gone from the pooled connection.
    const [after] = (await server.running.state.pool.query("SELECT coalesce(current_setting('app.tenant', true), '') AS tenant")).rows;
    expect(after.tenant).toBe('');
  });
});

describe('tenant isolation', () => {
  let householdOfA: string;
  const idOfA = makeResidentId('610926', '1975-06-01', 11);

  beforeAll(async () => {
    const input = { bookletNo: 'ISO-A', region: '610926-03', members: [{ idNumber: idOfA, name: '平利甲', relationship: '户主', hukouPlace: '平利县' }] };
    const res = await server.gql(REGISTER, { input }, { as: 'ADMIN', tenant: '610926' });
    expect(res.errors).toBeUndefined();
    householdOfA = res.data!.registerHousehold.id;
    const b = {
      bookletNo: 'ISO-B',
      region: '620721-01',
      members: [{ idNumber: makeResidentId('620721', '1980-01-01', 21), name: '肃南乙', relationship: '户主' }],
    };
    expect((await server.gql(REGISTER, { input: b }, { as: 'ADMIN', tenant: '620721' })).errors).toBeUndefined();
  });

  it('shows tenant A its own household and tenant B nothing of it', async () => {
    const query = `query($id: ID!, $idNumber: String!) { household(id: $id) { bookletNo members { name } } resident(idNumber: $idNumber) { name } }`;
    const own = await server.gql(query, { id: householdOfA, idNumber: idOfA }, { as: 'ADMIN', tenant: '610926' });
    expect(own.data).toEqual({ household: { bookletNo: 'ISO-A', members: [{ name: '平利甲' }] }, resident: { name: '平利甲' } });
    const other = await server.gql(query, { id: householdOfA, idNumber: idOfA }, { as: 'ADMIN', tenant: '620721' });
    expect(other.data).toEqual({ household: null, resident: null });
  });

  it('lets a token for two tenants see each only under its own header', async () => {
    const token = server.token('ADMIN', ['610926', '620721']);
    const query = `query($id: ID!) { household(id: $id) { bookletNo } }`;
    expect((await server.gql(query, { id: householdOfA }, { token, tenant: '610926' })).data!.household).toEqual({ bookletNo: 'ISO-A' });
    expect((await server.gql(query, { id: householdOfA }, { token, tenant: '620721' })).data!.household).toBeNull();
  });

  it('holds beneath the application: queries without any tenant filter see only the own tenant', async () => {
    for (const [tenant, expected] of [
      ['610926', ['ISO-A']],
      ['620721', ['ISO-B']],
    ] as const) {
      const ctx = new RequestContext(server.running.state, { authorization: `Bearer ${server.token('ADMIN', [tenant])}`, tenant });
      ctx.authorize([]);
      const households = await ctx.db.query<{ booklet_no: string; tenant_code: string }>(
        "SELECT booklet_no, tenant_code FROM household WHERE booklet_no LIKE 'ISO-%' ORDER BY 1",
      );
      expect(households.map((h) => h.booklet_no)).toEqual(expected);
      const residents = await ctx.db.query<{ tenant_code: string }>('SELECT DISTINCT tenant_code FROM resident');
      expect(residents.map((r) => r.tenant_code)).toEqual([tenant]);
      await ctx.finish(false);
    }
  });

  it('returns no rows at all when no tenant is set (fail closed)', async () => {
    const rows = (await server.running.state.pool.query('SELECT count(*) AS n FROM resident')).rows;
    expect(rows[0].n).toBe(0);
    const owned = await server.ownerQuery<{ n: number }>('SELECT count(*)::int AS n FROM resident');
    expect(owned[0].n).toBeGreaterThan(0);
  });

  it('refuses to write a row of another tenant', async () => {
    const ctx = new RequestContext(server.running.state, { authorization: `Bearer ${server.token('ADMIN', ['620721'])}`, tenant: '620721' });
    ctx.authorize([]);
    await expect(
      ctx.db.query("INSERT INTO resident (tenant_code, id_number, name) VALUES ('610926', $1, 'intruder')", [makeResidentId('610926', '1990-01-01', 99)]),
    ).rejects.toThrow(/row-level security/);
    await ctx.finish(false);
  });
});

describe('the database catalog', () => {
  /** The national indexes (one scheme per person, transfers out): not a tenant's tables, and out of the request role's reach. */
  const CROSS_TENANT = ['scheme_membership', 'scheme_transfer'];

  it('forces row-level security on every table that holds a tenant code', async () => {
    const tables = await server.ownerQuery<{ table: string; rls: boolean; forced: boolean; leads: boolean }>(
      `
      SELECT c.relname AS table, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
             (SELECT a.attname = 'tenant_code' FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
               WHERE i.indrelid = c.oid AND i.indisprimary) AS leads
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r'
         AND c.relname <> ALL ($1::text[])
         AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_code')`,
      [CROSS_TENANT],
    );
    expect(tables.map((t) => t.table).sort()).toEqual(
      expect.arrayContaining([
        'assistance_identity',
        'enrollment',
        'household',
        'household_membership',
        'payment',
        'region',
        'resident',
        'resident_change',
        'tenant',
        'waiver',
      ]),
    );
    for (const t of tables) expect(t).toMatchObject({ rls: true, forced: true, leads: true });
  });

  it('leads every unique key of a tenant table with the tenant code', async () => {
    const keys = await server.ownerQuery<{ index: string; first: string }>(
      `
      SELECT i.indexrelid::regclass::text AS index, a.attname AS first
        FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
       WHERE n.nspname = 'public' AND i.indisunique AND c.relname <> 'schema_migrations' AND c.relname <> ALL ($1::text[])`,
      [CROSS_TENANT],
    );
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(k).toMatchObject({ first: 'tenant_code' });
  });

  it("keeps the cross-tenant indexes out of the request role's reach", async () => {
    for (const table of CROSS_TENANT) {
      const [grants] = await server.ownerQuery(
        `SELECT has_table_privilege('insurance_app', $1, 'SELECT') AS s, has_table_privilege('insurance_app', $1, 'INSERT') AS i,
                has_table_privilege('insurance_app', $1, 'UPDATE') AS u, has_table_privilege('insurance_app', $1, 'DELETE') AS d`,
        [table],
      );
      expect([table, grants]).toEqual([table, { s: false, i: false, u: false, d: false }]);
    }
  });

  it('gives the request role neither superuser nor BYPASSRLS, and no table', async () => {
    const [role] = await server.ownerQuery("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'insurance_app'");
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false });
    const owned = await server.ownerQuery("SELECT relname FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = 'insurance_app')");
    expect(owned).toEqual([]);
  });
});

describe('schema drift', () => {
  const root = join(__dirname, '..', '..');
  it('schema/schema.graphql is what the code emits (run npm run schema:emit)', () => {
    expect(readFileSync(join(root, 'schema', 'schema.graphql'), 'utf8')).toBe(printAppSchema());
  });
  it('docs/tenant-policy.schema.json is what the tenant format emits', () => {
    expect(readFileSync(join(root, 'docs', 'tenant-policy.schema.json'), 'utf8')).toBe(printTenantJsonSchema());
  });
});

describe('errors', () => {
  it('answers a mistyped field with a validation error and a suggestion in development', async () => {
    const res = await server.gql('{ tenants { cod } }');
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0].message).toContain('Did you mean');
  });
});

describe('production mode', () => {
  let prod: TestServer;
  beforeAll(async () => {
    prod = await startTestServer({ NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-for-tests-only' });
  });
  afterAll(async () => prod?.close());

  it('refuses introspection', async () => {
    const res = await prod.gql('{ __schema { types { name } } }');
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.data ?? null).toBeNull();
  });

  it('gives no field suggestions and no stack traces', async () => {
    const res = await prod.gql('{ tenants { cod } }');
    expect(res.errors?.[0].message).not.toContain('Did you mean');
    const bad = await prod.gql('{ quote(input: { tenant: "610926", coverageYear: 2022, paymentDate: "2022-13-01" }) { amountDue } }');
    expect(JSON.stringify(bad)).not.toMatch(/stacktrace|\bat .*\.js/);
  });

  it('maps a domain error to its code without internals', async () => {
    const res = await prod.gql(
      '{ quote(input: { tenant: "610926", coverageYear: 2022, paymentDate: "2021-11-01", categories: [FAMILY_PLANNING] }) { amountDue } }',
    );
    expect(res.errors?.[0].extensions).toEqual({
      code: 'POLICY_NOT_CONFIGURED',
      tenant: '610926',
      coverageYear: 2022,
      missing: 'assistance.FAMILY_PLANNING.amount',
      alsoMissing: ['assistance.FAMILY_PLANNING.mode'],
    });
  });
});
