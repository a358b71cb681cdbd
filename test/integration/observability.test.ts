/** Metrics, request logs, the request id header, and GraphQL over HTTP compliance (graphql-http's audit). */
import { readFileSync } from 'node:fs';
import { serverAudits } from 'graphql-http';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { startTestServer, type TestServer } from '../helpers/server';
import { isCitus } from '../helpers/test-databases';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

describe('metrics and logs', () => {
  it('counts requests by operation and outcome, and reports the pool and import rows at /metrics', async () => {
    await server.gql('{ tenants { code } }');
    await server.gql('{ quote(input: { tenant: "610926", coverageYear: 2022, paymentDate: "2022-01-10" }) { amountDue } }');
    const id = makeResidentId('620702', '1970-01-01', 555);
    await server.gql(
      'mutation($i: ResidentInput!) { registerResident(input: $i) { idNumber } }',
      { i: { idNumber: id, name: '指标' } },
      { as: 'STAFF', tenant: '620702' },
    );
    await server.gql(
      'mutation($p: [PaymentInput!]!) { importPayments(batchId: "M-1", payments: $p) { accepted } }',
      {
        p: [
          { idNumber: id, coverageYear: 2023, amount: '350.00', paidOn: '2022-10-01', channel: '税务', receiptNo: 'M-1' },
          { idNumber: id, coverageYear: 2023, amount: '1.00', paidOn: '2022-10-01', channel: '税务', receiptNo: 'M-2' },
        ],
      },
      { as: 'TAX', tenant: '620702' },
    );
    const res = await fetch(server.url.replace('/graphql', '/metrics'));
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/graphql_requests_total\{operation="query tenants",outcome="ok"\} \d+/);
    expect(text).toMatch(/graphql_requests_total\{operation="query quote",outcome="ENROLLMENT_CLOSED"\} 1/);
    expect(text).toMatch(/graphql_request_duration_seconds_bucket\{le="0.05",operation="query tenants"\} \d+/);
    expect(text).toMatch(/db_pool_connections\{state="total"\} \d+/);
    expect(text).toMatch(/import_rows_total\{kind="payments",status="ACCEPTED"\} 1/);
    expect(text).toMatch(/import_rows_total\{kind="payments",status="REJECTED"\} 1/);
    expect(text).toMatch(/process_resident_memory_bytes \d+/);
  });

  it('logs each request as JSON with its id, tenant, operation, outcome and duration, ID numbers masked', async () => {
    const id = makeResidentId('620702', '1971-02-02', 556);
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token('STAFF', ['620702'])}`, 'x-tenant-id': '620702' },
      body: JSON.stringify({
        query: 'mutation($i: ResidentInput!) { registerResident(input: $i) { idNumber } }',
        variables: { i: { idNumber: id, name: '日志' } },
      }),
    });
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((r) => setTimeout(r, 50));
    const line = readFileSync(process.env.LOG_FILE!, 'utf8')
      .split('\n')
      .find((l) => l.includes(requestId!));
    expect(JSON.parse(line!)).toMatchObject({
      level: 'info',
      message: 'request',
      requestId,
      tenant: '620702',
      role: 'STAFF',
      operation: 'mutation registerResident',
      outcome: 'ok',
      durationMs: expect.any(Number),
    });
    expect(readFileSync(process.env.LOG_FILE!, 'utf8')).not.toContain(id);
  });
});

/**
 * Runs `work` with a trigger deferred to COMMIT, running `body` for each resident registered under `name`
 * (Citus takes no triggers on its tables: there, nothing runs).
 */
async function withCommitTrigger(trigger: string, name: string, body: string, work: () => Promise<void>): Promise<void> {
  if (await isCitus(server.databaseUrl)) return;
  await server.ownerQuery(`CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body} END $$`);
  await server.ownerQuery(`CREATE CONSTRAINT TRIGGER ${trigger} AFTER INSERT ON resident DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.name = '${name}') EXECUTE FUNCTION ${trigger}()`);
  try {
    await work();
  } finally {
    await server.ownerQuery(`DROP TRIGGER ${trigger} ON resident`);
    await server.ownerQuery(`DROP FUNCTION ${trigger}()`);
  }
}

/**
 * Registers two people named `name` with the same operation text: Apollo answers the first time it is
 * seen, the compiled path the second (checked). The responses, in order.
 */
async function registerThroughBoth(operation: string, sequence: number, name: string): Promise<{ ids: string[]; responses: Response[] }> {
  const compiledBefore = server.running.compiledOperations.answered;
  const ids = [1, 2].map((n) => makeResidentId('620702', '1972-03-03', sequence + n));
  const responses: Response[] = [];
  for (const idNumber of ids) {
    responses.push(
      await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token('STAFF', ['620702'])}`, 'x-tenant-id': '620702' },
        body: JSON.stringify({
          query: `mutation ${operation}($i: ResidentInput!) { registerResident(input: $i) { idNumber name } }`,
          variables: { i: { idNumber, name } },
        }),
      }),
    );
  }
  expect(server.running.compiledOperations.answered - compiledBefore).toBe(1);
  return { ids, responses };
}

/** graphql_requests_total of registerResident with `outcome`. */
async function registrationsCounted(outcome: string): Promise<number> {
  const text = await (await fetch(server.url.replace('/graphql', '/metrics'))).text();
  return Number(new RegExp(`graphql_requests_total\\{operation="mutation registerResident",outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
}

/** The request log lines of these request ids, once they are written (after the answer). */
async function requestLines(requestIds: string[]): Promise<Array<Record<string, unknown>>> {
  await new Promise((r) => setTimeout(r, 50));
  return readFileSync(process.env.LOG_FILE!, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"message":"request"') && requestIds.some((id) => l.includes(id)))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('a request whose COMMIT fails', () => {
  it('is logged and counted with the code it is answered with, through Apollo and compiled, not as ok', async () => {
    // Failed as a deadlock would.
    const deadlock = "RAISE EXCEPTION 'deadlock detected (made up at COMMIT)' USING ERRCODE = 'deadlock_detected';";
    await withCommitTrigger('lose_commit', '提交失败', deadlock, async () => {
      const before = await registrationsCounted('CONFLICT');
      const { ids, responses } = await registerThroughBoth('LostCommit', 556, '提交失败');
      for (const response of responses) {
        expect(response.status).toBe(503);
        expect(((await response.json()) as { errors: Array<{ extensions: unknown }> }).errors[0].extensions).toEqual({ code: 'CONFLICT', retryable: true });
      }
      expect(await server.ownerQuery('SELECT 1 FROM resident WHERE id_number = ANY($1)', [ids])).toEqual([]);
      const requestIds = responses.map((r) => r.headers.get('x-request-id')!);
      expect(await requestLines(requestIds)).toEqual(
        requestIds.map((requestId) => expect.objectContaining({ requestId, operation: 'mutation registerResident', outcome: 'CONFLICT' })),
      );
      expect((await registrationsCounted('CONFLICT')) - before).toBe(2);
    });
  });
});

describe('a request whose COMMIT statement_timeout cancels', () => {
  it('is answered 503 TIMEOUT, nothing written, and counted so, through Apollo and compiled', async () => {
    // Failed as statement_timeout would (SQLSTATE 57014).
    const cancel = "RAISE EXCEPTION 'canceling statement due to statement timeout (made up at COMMIT)' USING ERRCODE = 'query_canceled';";
    await withCommitTrigger('cancel_commit', '提交超时', cancel, async () => {
      const before = await registrationsCounted('TIMEOUT');
      const { ids, responses } = await registerThroughBoth('CancelledCommit', 566, '提交超时');
      for (const response of responses) {
        expect(response.status).toBe(503);
        const [error] = ((await response.json()) as { errors: Array<{ message: string; extensions: unknown }> }).errors;
        expect(error.extensions).toEqual({ code: 'TIMEOUT' });
        expect(error.message).toContain('longer than its limit');
      }
      expect(await server.ownerQuery('SELECT 1 FROM resident WHERE id_number = ANY($1)', [ids])).toEqual([]);
      // Counted after the answer has left.
      await new Promise((r) => setTimeout(r, 50));
      expect((await registrationsCounted('TIMEOUT')) - before).toBe(2);
    });
  });
});

describe("a request's duration", () => {
  it('runs to the end of its COMMIT, through Apollo and compiled', async () => {
    // A COMMIT that takes 300 ms.
    await withCommitTrigger('slow_commit', '提交缓慢', 'PERFORM pg_sleep(0.3); RETURN NULL;', async () => {
      const { responses } = await registerThroughBoth('SlowCommit', 576, '提交缓慢');
      for (const response of responses) expect(response.status).toBe(200);
      const lines = await requestLines(responses.map((r) => r.headers.get('x-request-id')!));
      expect(lines).toHaveLength(2);
      for (const line of lines) expect(line.durationMs).toBeGreaterThanOrEqual(300);
    });
  });
});

describe('metrics stay bounded', () => {
  it('labels requests by known operation, single root field or "other", whatever names and field sets anonymous clients send', async () => {
    const before = (await (await fetch(server.url.replace('/graphql', '/metrics'))).text()).length;
    for (let i = 0; i < 200; i++) {
      const query = `query Mint${i} { ${i % 2 ? '__typename ' : ''}tenants { code } ${i % 3 ? 'a: tenants { name }' : 'viewer { sub }'} }`;
      await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, operationName: `Mint${i}` }) });
    }
    await server.gql(
      'query BankEnrollmentStatus($id: String!) { enrollmentStatus(idNumber: $id, coverageYear: 2023) { status } }',
      { id: '1' },
      { as: 'BANK', tenant: '620702' },
    );
    const text = await (await fetch(server.url.replace('/graphql', '/metrics'))).text();
    expect(text).not.toMatch(/Mint\d/);
    expect(text).toMatch(/graphql_requests_total\{operation="query other",outcome="[A-Z_a-z]+"\} \d+/);
    expect(text).toMatch(/graphql_requests_total\{operation="BankEnrollmentStatus",outcome="[A-Z_a-z]+"\} 1/);
    const labels = new Set([...text.matchAll(/graphql_requests_total\{operation="([^"]+)"/g)].map((m) => m[1]));
    expect(labels.size).toBeLessThan(12);
    expect(text.length - before).toBeLessThan(20_000);
  });
});

describe('GraphQL over HTTP (graphql-http audit)', () => {
  it('passes every MUST and every SHOULD of the audit', async () => {
    const failures: string[] = [];
    for (const audit of serverAudits({ url: server.url })) {
      const result = await audit.fn();
      if ((audit.name.startsWith('MUST') || audit.name.startsWith('SHOULD')) && result.status !== 'ok') failures.push(`${audit.name}: ${result.reason}`);
    }
    expect(failures).toEqual([]);
  });
});
