/** What clients on the web and partners' scripts expect: CORS for the portals, rate limits, and production's allow-list. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import { startTestServer, type TestServer } from '../helpers/server';

const PORTAL = 'https://portal.example.gov.cn';

describe('CORS', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ CORS_ORIGINS: `${PORTAL}, https://other.example.gov.cn` });
  });
  afterAll(() => server.close());

  it('answers a preflight from an allowed origin, and its request carries the CORS headers', async () => {
    const preflight = await fetch(server.url, {
      method: 'OPTIONS',
      headers: { origin: PORTAL, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-tenant-id' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-tenant-id');
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { origin: PORTAL, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ tenants { code } }' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect(res.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });

  it('refuses a preflight and a request from an origin it does not name', async () => {
    const preflight = await fetch(server.url, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { origin: 'https://evil.example.com', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ tenants { code } }' }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('FORBIDDEN');
  });
});

describe('per-token rate limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(() => server.close());

  it('answers 429 with Retry-After past the limit, for that token only', async () => {
    const bank = server.token('BANK', ['620702'], 'bank-busy');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await server.gql('{ viewer { sub } }', {}, { token: bank, tenant: '620702' })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bank}`, 'x-tenant-id': '620702' },
      body: JSON.stringify({ query: '{ viewer { sub } }' }),
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('RATE_LIMITED');
    const other = server.token('BANK', ['620702'], 'bank-quiet');
    expect((await server.gql('{ viewer { sub } }', {}, { token: other, tenant: '620702' })).status).toBe(200);
  });
});

describe('known operations only, in production', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-for-tests-only' });
  });
  afterAll(() => server.close());

  const bankOperations = readFileSync(join(__dirname, '..', '..', 'schema', 'operations', 'bank.graphql'), 'utf8');

  it('refuses a BANK token an operation outside schema/operations/', async () => {
    const res = await server.gql('{ enrollmentStatus(idNumber: "1", coverageYear: 2023) { status amountDue } }', {}, { as: 'BANK', tenant: '620702' });
    expect(res.status).toBe(403);
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(res.errors?.[0].message).toMatch(/BankEnrollmentStatus/);
  });

  it('lets a BANK token run its operation as written there, laid out any way', async () => {
    const document = parse(bankOperations);
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token('BANK', ['620702'])}`, 'x-tenant-id': '620702' },
      body: JSON.stringify({
        query: bankOperations.replace(/\n\s+/g, ' '),
        operationName: 'BankEnrollmentStatus',
        variables: { idNumber: '620702199001011234', coverageYear: 2023 },
      }),
    });
    expect(document.definitions.length).toBeGreaterThan(1);
    const body = (await res.json()) as { errors?: Array<{ extensions: { code: string } }> };
    expect(body.errors?.some((e) => e.extensions.code === 'FORBIDDEN') ?? false).toBe(false);
  });

  it('leaves STAFF free to write its own queries', async () => {
    const res = await server.gql('{ viewer { sub role } }', {}, { as: 'STAFF', tenant: '620702' });
    expect(res.errors).toBeUndefined();
  });
});
