/**
 * Security over HTTP on real PostgreSQL: the role matrix enforced on every root field, isolation under
 * load on a pool of two connections, limits before execution, CSRF and batching, production errors,
 * masking and the audit log. Each test fails if its protection is removed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type GraphQLArgument,
  type GraphQLInputType,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  type GraphQLScalarType,
  getNamedType,
  isLeafType,
} from 'graphql';
import { ROLES, type Role } from '../../src/context/tokens';
import { maskSensitive } from '../../src/common/sensitive';
import { RequestContext } from '../../src/context/request-context';
import { printPermissionMatrix, rootFieldAccess, withPermissionMatrix } from '../../src/graphql/permissions';
import { appSchema } from '../../src/server/schema';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { residentIds, seedResidents } from '../helpers/seed';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ PG_POOL_SIZE: '2', STATEMENT_TIMEOUT_MS: '5000' }); // the production default, which a test below checks
});
afterAll(async () => server?.close());

describe('roles', () => {
  it('every root field declares its roles or is public', () => {
    const undeclared = rootFieldAccess(appSchema()).filter((f) => !f.public && f.roles.length === 0);
    expect(undeclared).toEqual([]);
    expect(
      rootFieldAccess(appSchema())
        .filter((f) => f.public)
        .map((f) => f.field),
    ).toEqual(['policy', 'quote', 'tenants']);
  });

  it("docs/security.md shows the schema's permission matrix (npm run schema:emit)", () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'security.md'), 'utf8');
    expect(doc).toBe(withPermissionMatrix(doc, appSchema()));
    expect(doc).toContain(printPermissionMatrix(appSchema()));
  });

  /** A value the type accepts, so that a call reaches the auth checker rather than failing coercion. */
  function sample(type: GraphQLInputType): unknown {
    if (type instanceof GraphQLNonNull) return sample(type.ofType);
    if (type instanceof GraphQLList) return [];
    if (type instanceof GraphQLEnumType) return type.getValues()[0].value;
    if (type instanceof GraphQLInputObjectType) {
      return Object.fromEntries(
        Object.values(type.getFields())
          .filter((f) => f.type instanceof GraphQLNonNull)
          .map((f) => [f.name, sample(f.type)]),
      );
    }
    const name = (type as GraphQLScalarType).name;
    return (
      ({ Int: 2022, Float: 1, Boolean: true, Money: '1.00', Date: '2022-01-01' } as Record<string, unknown>)[name] ??
      (name === 'ID' || name === 'String' ? '1' : null)
    );
  }

  function call(operation: 'Query' | 'Mutation', name: string) {
    const schema = appSchema();
    const field = (operation === 'Query' ? schema.getQueryType() : schema.getMutationType())!.getFields()[name];
    const args = field.args.filter((a: GraphQLArgument) => a.type instanceof GraphQLNonNull);
    const vars = args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
    const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
    const document = `${operation === 'Query' ? 'query' : 'mutation'}${vars ? `(${vars})` : ''} { ${name}${args.length ? `(${args.map((a) => `${a.name}: $${a.name}`).join(', ')})` : ''}${selection} }`;
    return { document, variables: Object.fromEntries(args.map((a) => [a.name, sample(a.type)])) };
  }

  const protectedFields = rootFieldAccess(appSchema()).filter((f) => !f.public);

  it.each(protectedFields.map((f) => [`${f.operation}.${f.field}`, f] as const))(
    '%s: refuses roles outside its list, and callers without a token',
    async (_name, f) => {
      const { document, variables } = call(f.operation, f.field);
      for (const role of ROLES.filter((r) => !f.roles.includes(r))) {
        const res = await server.gql(document, variables, { as: role as Role, tenant: '620702' });
        expect([f.field, role, res.errors?.[0].extensions?.code]).toEqual([f.field, role, 'FORBIDDEN']);
      }
      const anonymous = await server.gql(document, variables, { tenant: '620702' });
      expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      for (const role of f.roles) {
        const res = await server.gql(document, variables, { as: role as Role, tenant: '620702' });
        expect([f.field, role, res.errors?.[0].extensions?.code]).not.toEqual([f.field, role, 'FORBIDDEN']);
      }
    },
  );
});

describe('isolation under load', () => {
  const A = residentIds('620702', 60, 70_000);
  const B = residentIds('620721', 60, 70_000);

  beforeAll(async () => {
    await seedResidents(server, '620702', A);
    await seedResidents(server, '620721', B);
  });

  it('answers 1,000 interleaved requests of two tenants over a pool of two connections with only their own people', async () => {
    expect(server.running.state.config.poolSize).toBe(2);
    const query = '{ residents(first: 200) { nodes { idNumber } } viewer { tenant { code } } }';
    const tokens = { '620702': server.token('STAFF', ['620702']), '620721': server.token('STAFF', ['620721']) };
    const mine = { '620702': new Set(A), '620721': new Set(B) };
    let leaks = 0;
    let answered = 0;
    for (let round = 0; round < 50; round += 1) {
      await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const tenant = (round + i) % 2 === 0 ? '620702' : '620721';
          const res = await server.gql(query, {}, { token: tokens[tenant], tenant });
          const ids: string[] = res.data!.residents.nodes.map((n: { idNumber: string }) => n.idNumber);
          if (res.data!.viewer.tenant.code !== tenant || ids.some((id) => !id.startsWith(tenant) && !mine[tenant].has(id))) leaks += 1;
          if (ids.filter((id) => mine[tenant].has(id)).length !== 60) leaks += 1;
          answered += 1;
        }),
      );
    }
    expect({ answered, leaks }).toEqual({ answered: 1000, leaks: 0 });
    // It asserts who sees whom, not speed: its 1,000 reads took more than 60 s on two cores running four
    // other suites at once (load average 18).
  }, 300_000);

  it('runs each request statement under its limit (statement_timeout)', async () => {
    const ctx = new RequestContext(server.running.state, { authorization: `Bearer ${server.token('ADMIN', ['620702'])}`, tenant: '620702' });
    ctx.authorize([]);
    const [row] = await ctx.db.query<{ statement_timeout: string }>('SHOW statement_timeout');
    expect(row.statement_timeout).toBe('5s');
    await expect(ctx.db.query('SELECT pg_sleep(6)')).rejects.toThrow(/statement timeout/);
    await ctx.finish(false);
  });
});

describe('limits before execution', () => {
  /** household → members → household → members …: depth grows one level per step. */
  function nested(levels: number) {
    const step = (depth: number): string =>
      (depth >= levels ? 'id' : depth % 2 === 0 ? `members { ${step(depth + 1)} }` : `household { ${step(depth + 1)} }`).replace(
        'members { id }',
        'members { idNumber }',
      );
    return `{ household(id: "00000000-0000-0000-0000-000000000000") { ${step(0)} } }`;
  }
  const code = async (document: string) => (await server.gql(document, {}, { as: 'STAFF', tenant: '620702' })).errors?.[0]?.extensions?.code;

  it('refuses depth beyond 10', async () => {
    expect(await code(nested(8))).toBeUndefined();
    const res = await server.gql(nested(11), {}, { as: 'STAFF', tenant: '620702' });
    expect(res.errors?.[0]).toMatchObject({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' }, message: expect.stringMatching(/depth/i) });
  });
  it('refuses more than 15 aliases', async () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: tenants { code }`).join(' ')} }`;
    expect(await code(aliases(15))).toBeUndefined();
    expect(await code(aliases(16))).toBe('GRAPHQL_VALIDATION_FAILED');
  });
  it('refuses more than 10 directives', async () => {
    const directives = (n: number) => `{ tenants ${'@include(if: true) '.repeat(n)} { code } }`;
    expect(await code(directives(11))).toBe('GRAPHQL_VALIDATION_FAILED');
  });
  it('refuses a document of more than 2,000 tokens', async () => {
    const res = await server.gql(`{ tenants { ${'code '.repeat(2100)} } }`, {}, { as: 'STAFF', tenant: '620702' });
    expect(res.errors?.[0].message).toMatch(/token/i);
  });
  it('refuses a document costing more than 25,000 (lists count times their page size), and lets the largest page through', async () => {
    const page = 'residents(first: 500) { totalCount edges { cursor node { idNumber name birthDate sex status phone } } pageInfo { endCursor hasNextPage } }';
    expect(await code(`{ a0: ${page} }`)).toBeUndefined();
    const res = await server.gql(`{ a0: ${page} a1: ${page} }`, {}, { as: 'STAFF', tenant: '620702' });
    expect(res.errors?.[0].message).toMatch(/cost/i);
  });
  it('refuses a query text over 32 KiB', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ tenants { code } } # ${'x'.repeat(40_000)}` }),
    });
    expect(res.status).toBe(400);
  });
  it('refuses batched requests (a JSON array)', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ tenants { code } }' }, { query: '{ tenants { code } }' }]),
    });
    expect(res.status).toBe(400);
  });
  it("refuses a browser's simple cross-site request (CSRF prevention)", async () => {
    const form = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ tenants { code } }' }),
    });
    expect(form.status).toBe(400);
    const get = await fetch(`${server.url}?query=${encodeURIComponent('{ tenants { code } }')}`);
    expect(get.status).toBe(400);
    const preflighted = await fetch(`${server.url}?query=${encodeURIComponent('{ tenants { code } }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(preflighted.status).toBe(200);
  });
});

describe('production errors', () => {
  let prod: TestServer;
  beforeAll(async () => {
    prod = await startTestServer({ NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-for-tests-only' });
  });
  afterAll(async () => prod?.close());

  it('gives no suggestions in variable errors either', async () => {
    const res = await prod.gql(
      'query($c: [AssistanceCategory!]) { quote(input: { tenant: "610926", coverageYear: 2022, paymentDate: "2021-11-01", categories: $c }) { amountDue } }',
      { c: ['DIBAOX'] },
    );
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(res)).not.toMatch(/Did you mean|DIBAO_/);
  });

  it('holds BANK and TAX tokens to their operations, and refuses introspection, however often a text is sent', async () => {
    // The compiled executor takes a text from its second request: it must refuse what Apollo refuses.
    const bank = prod.token('BANK', ['620721']);
    const compiledBefore = prod.running.compiledOperations.compiledCount;
    for (let i = 0; i < 3; i += 1) {
      const adHoc = await prod.gql(
        '{ enrollmentStatus(idNumber: "620721199001011234", coverageYear: 2024) { status } }',
        {},
        { token: bank, tenant: '620721' },
      );
      expect(adHoc.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const introspection = await prod.gql('{ __schema { queryType { name } } }', {}, { as: 'STAFF', tenant: '620721' });
      expect(introspection.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
    // Neither text was compiled: a BANK token never makes one compile, and introspection does not validate.
    expect(prod.running.compiledOperations.compiledCount).toBe(compiledBefore);
  });

  it('hides an unexpected error behind INTERNAL_SERVER_ERROR, with no SQL', async () => {
    // A payment whose channel is too long for nothing but the database to object would still be fine;
    // instead break a table under the request role's feet: a failing statement inside a resolver.
    await prod.ownerQuery('ALTER TABLE waiver RENAME TO waiver_moved');
    try {
      const id = makeResidentId('620702', '1990-01-01', 123);
      await prod.gql(
        'mutation($i: ResidentInput!) { registerResident(input: $i) { idNumber } }',
        { i: { idNumber: id, name: '甲' } },
        { as: 'ADMIN', tenant: '620702' },
      );
      const res = await prod.gql('{ waivers(coverageYear: 2023) { idNumber } }', {}, { as: 'ADMIN', tenant: '620702' });
      expect(res.errors?.[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expect(JSON.stringify(res.errors)).not.toMatch(/relation|does not exist|SELECT|stack/i);
    } finally {
      await prod.ownerQuery('ALTER TABLE waiver_moved RENAME TO waiver');
    }
  });
});

describe('masking', () => {
  it('masks ID numbers and phones in any text', () => {
    expect(maskSensitive('Key (tenant_code, id_number)=(620702, 620702199001011236) already exists; tel 13912345678, 0936-8214935')).toBe(
      'Key (tenant_code, id_number)=(620702, 6207**********1236) already exists; tel 139****5678, 0936-****4935',
    );
    expect(maskSensitive('receipt GZ-2022-004999 and amount 35000')).toBe('receipt GZ-2022-004999 and amount 35000');
  });
});

describe('the audit log', () => {
  const id = makeResidentId('620721', '1991-02-03', 321);

  it('records a mutation with actor, role, operation, masked variables and outcome, and a failure too', async () => {
    const token = server.token('STAFF', ['620721'], 'clerk-audit');
    const ok = await server.gql(
      'mutation RegisterOne($input: HouseholdInput!) { registerHousehold(input: $input) { id } }',
      { input: { bookletNo: 'AUD-1', region: '620721-05', members: [{ idNumber: id, name: '审计', relationship: '户主', phone: '13800001111' }] } },
      { token, tenant: '620721' },
    );
    expect(ok.errors).toBeUndefined();
    const failed = await server.gql(
      'mutation RegisterAgain($input: HouseholdInput!) { registerHousehold(input: $input) { id } }',
      { input: { bookletNo: 'AUD-1', region: '620721-05', members: [{ idNumber: id, name: '审计', relationship: '户主' }] } },
      { token, tenant: '620721' },
    );
    expect(failed.errors?.[0].extensions?.code).toBe('CONFLICT');

    const log = await server.gql(
      '{ auditLog(first: 10, filter: { actor: "clerk-audit" }) { nodes { actor role operation fields variables outcome errorCodes at } pageInfo { hasNextPage } } }',
      {},
      { as: 'ADMIN', tenant: '620721' },
    );
    const [newest, older] = log.data!.auditLog.nodes;
    expect(newest).toMatchObject({
      actor: 'clerk-audit',
      role: 'STAFF',
      operation: 'RegisterAgain',
      fields: ['registerHousehold'],
      outcome: 'ERROR',
      errorCodes: ['CONFLICT'],
    });
    expect(older).toMatchObject({ operation: 'RegisterOne', outcome: 'OK', errorCodes: [] });
    const text = JSON.stringify(older.variables);
    expect(text).toContain(`${id.slice(0, 4)}**********${id.slice(-4)}`);
    expect(text).not.toContain(id);
    expect(text).not.toContain('13800001111');
  });

  it('is for ADMIN only, and append-only for the request role', async () => {
    expect((await server.gql('{ auditLog { nodes { id } } }', {}, { as: 'STAFF', tenant: '620721' })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const ctx = new RequestContext(server.running.state, { authorization: `Bearer ${server.token('ADMIN', ['620721'])}`, tenant: '620721' });
    ctx.authorize([]);
    await expect(ctx.db.query("UPDATE audit_log SET outcome = 'OK'")).rejects.toThrow(/permission denied/);
    await ctx.finish(false);
    const ctx2 = new RequestContext(server.running.state, { authorization: `Bearer ${server.token('ADMIN', ['620721'])}`, tenant: '620721' });
    ctx2.authorize([]);
    await expect(ctx2.db.query('DELETE FROM audit_log')).rejects.toThrow(/permission denied/);
    await ctx2.finish(false);
  });

  it('keeps nothing of a mutation without its record: the record commits with the change', async () => {
    const counts = async () =>
      (
        await server.ownerQuery<{ audited: number; households: number }>(
          "SELECT (SELECT count(*)::int FROM audit_log WHERE tenant_code = '620721' AND kind = 'MUTATION' AND outcome = 'OK') AS audited, (SELECT count(*)::int FROM household WHERE tenant_code = '620721') AS households",
        )
      )[0];
    const before = await counts();
    const registered = await server.gql(
      'mutation($input: HouseholdInput!) { registerHousehold(input: $input) { id } }',
      {
        input: {
          bookletNo: 'AUD-2',
          region: '620721-05',
          members: [{ idNumber: makeResidentId('620721', '1992-03-04', 322), name: '审计乙', relationship: '户主' }],
        },
      },
      { as: 'STAFF', tenant: '620721' },
    );
    expect(registered.errors).toBeUndefined();
    const after = await counts();
    expect(after).toEqual({ audited: before.audited + 1, households: before.households + 1 });
    expect(after.audited).toBeGreaterThan(0);
    expect(after.households).toBeGreaterThanOrEqual(after.audited);
  });
});
