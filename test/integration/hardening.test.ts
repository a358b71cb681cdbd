/**
 * What an attacker and a fault injector broke, each held by a test: status codes of refused documents,
 * readiness under a busy pool, the request deadline while a statement is blocked, statement timeouts,
 * tokens that never expire, slow clients, request ids in logs.
 */
import { connect } from 'node:net';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { maskSensitive } from '../../src/common/sensitive';
import { startTestServer, type TestServer } from '../helpers/server';

/** An owner session holding an exclusive lock on `table` until released: what blocks a request's statement. */
async function lockTable(server: TestServer, table: string): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  return async () => {
    await client.query('ROLLBACK');
    await client.end();
  };
}

describe('status codes of refused documents (GraphQL over HTTP)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const graphqlResponse = { headers: { accept: 'application/graphql-response+json' } };
  const json = { headers: { accept: 'application/json' } };

  it('answers a syntax error with 400 to application/graphql-response+json, 200 to application/json, never 500', async () => {
    const strict = await server.gql('{ tenants { code ', {}, graphqlResponse);
    expect(strict.status).toBe(400);
    expect(strict.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const legacy = await server.gql('{ tenants { code ', {}, json);
    expect(legacy.status).toBe(200);
    expect(legacy.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('answers a document over the token limit the same way', async () => {
    const strict = await server.gql(`{ tenants { ${'code '.repeat(2100)} } }`, {}, graphqlResponse);
    expect(strict.status).toBe(400);
    expect(strict.errors?.[0].message).toMatch(/2000 tokens/);
    expect((await server.gql(`{ tenants { ${'code '.repeat(2100)} } }`, {}, json)).status).toBe(200);
  });
});

describe('readiness', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ PG_POOL_SIZE: '1' });
  });
  afterAll(() => server.close());

  it('says the database is up while every request connection is busy', async () => {
    const release = await lockTable(server, 'resident');
    try {
      const blocked = server.gql('{ residents(first: 1) { nodes { idNumber } } }', {}, { as: 'STAFF', tenant: '620702' });
      await new Promise((r) => setTimeout(r, 300));
      const base = server.url.replace('/graphql', '');
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect((await fetch(`${base}/livez`)).status).toBe(200);
      await release();
      expect((await blocked).errors).toBeUndefined();
    } finally {
      await release().catch(() => {});
    }
  });
});

describe('the request deadline while a statement is blocked', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ REQUEST_TIMEOUT_MS: '1000', STATEMENT_TIMEOUT_MS: '20000' });
  });
  afterAll(() => server.close());

  it('answers TIMEOUT at the deadline, not when the statement ends, and cancels the statement', async () => {
    const release = await lockTable(server, 'resident');
    try {
      const started = Date.now();
      const res = await server.gql('{ residents(first: 1) { nodes { idNumber } } }', {}, { as: 'STAFF', tenant: '620702' });
      const took = Date.now() - started;
      expect(res.status).toBe(503);
      expect(res.errors?.[0].extensions?.code).toBe('TIMEOUT');
      expect(took).toBeLessThan(4000);
      // The blocked statement was cancelled: no backend of the request role is left waiting on the lock.
      await new Promise((r) => setTimeout(r, 300));
      const waiting = await server.ownerQuery<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = 'insurance_app' AND wait_event_type = 'Lock'",
      );
      expect(waiting[0].n).toBe(0);
    } finally {
      await release();
    }
  });
});

describe('a statement cancelled by statement_timeout', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ STATEMENT_TIMEOUT_MS: '300' });
  });
  afterAll(() => server.close());

  it('answers TIMEOUT, not an internal error', async () => {
    const release = await lockTable(server, 'resident');
    try {
      const res = await server.gql('{ residents(first: 1) { nodes { idNumber } } }', {}, { as: 'STAFF', tenant: '620702' });
      expect(res.errors?.[0].extensions?.code).toBe('TIMEOUT');
    } finally {
      await release();
    }
  });
});

describe('tokens', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const viewer = (token: string) => server.gql('{ viewer { sub } }', {}, { token, tenant: '620702' });

  it('refuses a token without an expiry, and one that lives longer than 24 hours', async () => {
    const secret = server.running.state.config.jwtSecret;
    const claims = { role: 'STAFF', tenants: ['620702'] };
    expect((await viewer(jwt.sign(claims, secret, { algorithm: 'HS256', subject: 'forever' }))).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await viewer(jwt.sign(claims, secret, { algorithm: 'HS256', subject: 'month', expiresIn: '30d' }))).errors?.[0].extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
    expect((await viewer(jwt.sign(claims, secret, { algorithm: 'HS256', subject: 'day', expiresIn: '8h' }))).data?.viewer).toEqual({ sub: 'day' });
  });
});

describe('slow clients', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ HTTP_HEADERS_TIMEOUT_MS: '500' });
  });
  afterAll(() => server.close());

  it('closes a connection whose headers do not arrive in time, with 408', async () => {
    const { port } = new URL(server.url);
    const { answer, closedAfter } = await new Promise<{ answer: string; closedAfter: number }>((resolve, reject) => {
      const started = Date.now();
      let answer = '';
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\n'));
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      socket.on('close', () => resolve({ answer, closedAfter: Date.now() - started }));
      socket.on('error', () => {});
      setTimeout(() => reject(new Error('still open after 5 s')), 5000);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAfter).toBeLessThan(3000);
  });
});

describe('bad input', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('refuses a NUL character in a variable or in a literal with BAD_USER_INPUT, writing nothing', async () => {
    const register = 'mutation($i: ResidentInput!) { registerResident(input: $i) { idNumber } }';
    const viaVariable = await server.gql(register, { i: { idNumber: '620702199001011237', name: '张\u0000三' } }, { as: 'STAFF', tenant: '620702' });
    expect(viaVariable.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const viaLiteral = await server.gql(
      'mutation { registerResident(input: { idNumber: "620702199001011237", name: "张\\u0000三" }) { idNumber } }',
      {},
      { as: 'STAFF', tenant: '620702' },
    );
    expect(viaLiteral.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const [{ n }] = await server.ownerQuery<{ n: number }>("SELECT count(*)::int AS n FROM resident WHERE id_number = '620702199001011237'");
    expect(n).toBe(0);
  });

  it("refuses an ID number with birth year 0000 with BAD_USER_INPUT, at registration and at a bank's lookup", async () => {
    const zero = '620702000001011234';
    const registered = await server.gql(
      'mutation($i: ResidentInput!) { registerResident(input: $i) { idNumber } }',
      { i: { idNumber: zero, name: '零年' } },
      { as: 'STAFF', tenant: '620702' },
    );
    expect(registered.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const looked = await server.gql(
      'query($id: String!) { enrollmentStatus(idNumber: $id, coverageYear: 2023) { status } }',
      { id: zero },
      { as: 'BANK', tenant: '620702' },
    );
    expect(looked.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('request ids in logs', () => {
  it('survive the masking exactly, while an ID number or phone beside them is masked', () => {
    const ids = ['5e2c1d9a-1b3c-4d5e-8f90-a13812345678', '0f1e2d3c-4b5a-4968-8776-110101199003074'.slice(0, 36)];
    for (const id of ids) expect(maskSensitive(`{"requestId":"${id}"}`)).toBe(`{"requestId":"${id}"}`);
    for (const id of [...ids, '00000000-0000-4000-8000-00000000525b']) expect(maskSensitive(id)).toBe(id);
    expect(maskSensitive('tel 0936-8214935')).toBe('tel 0936-****4935');
    expect(maskSensitive('5e2c1d9a-1b3c-4d5e-8f90-a13812345678 13812345678')).toBe('5e2c1d9a-1b3c-4d5e-8f90-a13812345678 138****5678');
  });
});
