/**
 * The bank's and the tax system's operations run compiled (graphql-jit) unless COMPILED_OPERATIONS is
 * off: every answer, error and audit record must be the one the generic executor gives. Each request
 * below is sent twice, once per path, on the same server and data, and the two answers compared byte for
 * byte. Also: how many times the bank lookup and the portal's household read go to PostgreSQL.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DocumentNode, Kind, parse, print } from 'graphql';
import type { PoolClient } from 'pg';
import type { SelectionAllowance } from '../../src/graphql/selection';
import { HOUSEHOLD_SUMMARY_FIELDS } from '../../src/domains/residents/household-summary';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { readRecordsOf } from '../../src/domains/audit/read-records';
import { coalescedReadsOf, coalescedTotals } from '../../src/db/coalesced-reads';
import { startTestServer, type TestServer } from '../helpers/server';
import { isCitus } from '../helpers/test-databases';

let server: TestServer;
/** On Citus the tenant is set with SET LOCAL in a message of its own: a round trip more, by design. */
let citus = false;
beforeAll(async () => {
  server = await startTestServer();
  citus = await isCitus(server.databaseUrl);
});
afterAll(async () => server?.close());

/** An operation of schema/operations/<file>, as a partner's script sends it. */
function operation(file: string, name: string): string {
  const document: DocumentNode = parse(readFileSync(join(__dirname, '..', '..', 'schema', 'operations', file), 'utf8'));
  const definition = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === name);
  if (!definition) throw new Error(`no ${name} in ${file}`);
  return print(definition);
}

const LOOKUP = operation('bank.graphql', 'BankEnrollmentStatus');
const ELSEWHERE = operation('bank.graphql', 'BankInsuredElsewhere');
const PAY = operation('bank.graphql', 'BankRecordPayment');
const DAY = operation('bank.graphql', 'BankPaymentsOfDay');
const DAILY = operation('tax.graphql', 'TaxDailyCollection');
const HOUSEHOLD = operation('portal.graphql', 'PortalHousehold');

const TENANT = '620721';
const head = makeResidentId(TENANT, '1966-02-02', 301);
const spouse = makeResidentId(TENANT, '1969-03-03', 302);
const child = makeResidentId(TENANT, '1995-04-04', 303);
const stranger = makeResidentId(TENANT, '1980-01-01', 304);
let householdId: string;

beforeAll(async () => {
  const res = await server.gql(
    `mutation($input: HouseholdInput!) { registerHousehold(input: $input) { id } }`,
    {
      input: {
        bookletNo: 'JIT-1',
        region: '620721-02',
        registeredOn: '2015-01-01',
        members: [
          { idNumber: head, name: '马德胜', relationship: '户主' },
          { idNumber: spouse, name: '马秀兰', relationship: '配偶' },
          { idNumber: child, name: '马小军', relationship: '子女' },
        ],
      },
    },
    { as: 'STAFF', tenant: TENANT },
  );
  expect(res.errors).toBeUndefined();
  householdId = res.data!.registerHousehold.id;
  for (const idNumber of [head, spouse, child]) {
    const enrolled = await server.gql(
      `mutation($input: EnrollInput!) { enroll(input: $input) { status } }`,
      { input: { idNumber, coverageYear: 2024, enrolledOn: '2023-10-08' } },
      { as: 'STAFF', tenant: TENANT },
    );
    expect(enrolled.errors).toBeUndefined();
  }
});

interface RawAnswer {
  status: number;
  contentType: string | null;
  body: string;
}

async function send(query: string, variables: Record<string, unknown>, headers: Record<string, string>): Promise<RawAnswer> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
}

/** The request through both executors: the compiled path must have answered it, and answered the same. */
async function bothPaths(query: string, variables: Record<string, unknown>, headers: Record<string, string>, expectCompiled = true): Promise<RawAnswer> {
  const config = server.running.state.config;
  const before = server.running.compiledOperations.answered;
  const compiled = await send(query, variables, headers);
  expect(server.running.compiledOperations.answered - before).toBe(expectCompiled ? 1 : 0);
  config.compiledOperations = false;
  try {
    const generic = await send(query, variables, headers);
    expect(server.running.compiledOperations.answered - before).toBe(expectCompiled ? 1 : 0);
    expect(compiled).toEqual(generic);
  } finally {
    config.compiledOperations = true;
  }
  return compiled;
}

const as = (role: 'BANK' | 'TAX' | 'STAFF' | 'AGENCY' | 'ADMIN', tenant = TENANT) => ({
  authorization: `Bearer ${server.token(role, [tenant])}`,
  'x-tenant-id': TENANT,
});

describe('the compiled bank and tax operations answer as the generic executor does', () => {
  it('BankEnrollmentStatus: unpaid, not registered, not enrolled, and a year without a policy', async () => {
    const unpaid = await bothPaths(LOOKUP, { idNumber: head, coverageYear: 2024, asOf: '2023-10-09' }, as('BANK'));
    expect(JSON.parse(unpaid.body).data.enrollmentStatus).toMatchObject({ status: 'UNPAID', amountDue: '380.00', amountPaid: null });
    expect(JSON.parse(unpaid.body).extensions).toEqual({ sqlStatements: 1 });
    const unknown = await bothPaths(LOOKUP, { idNumber: stranger, coverageYear: 2024 }, as('BANK'));
    expect(JSON.parse(unknown.body).data.enrollmentStatus).toMatchObject({
      status: 'NOT_ENROLLED',
      amountDue: null,
      amountDueNote: 'not registered in this tenant',
      nameMasked: null,
    });
    const noPolicy = await bothPaths(LOOKUP, { idNumber: head, coverageYear: 2031 }, as('TAX'));
    expect(JSON.parse(noPolicy.body).data.enrollmentStatus.amountDueNote).toMatch(/^POLICY_NOT_CONFIGURED/);
  });

  it('BankEnrollmentStatus: the same errors and codes (bad ID number, no token, wrong role, wrong tenant)', async () => {
    const bad = await bothPaths(LOOKUP, { idNumber: '12345', coverageYear: 2024 }, as('BANK'));
    expect(JSON.parse(bad.body).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idNumber' });
    const anonymous = await bothPaths(LOOKUP, { idNumber: head, coverageYear: 2024 }, { 'x-tenant-id': TENANT });
    expect(JSON.parse(anonymous.body).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const agency = await bothPaths(LOOKUP, { idNumber: head, coverageYear: 2024 }, as('AGENCY'));
    expect(JSON.parse(agency.body).errors[0].extensions.code).toBe('FORBIDDEN');
    const otherTenant = await bothPaths(LOOKUP, { idNumber: head, coverageYear: 2024 }, as('BANK', '620702'));
    expect(JSON.parse(otherTenant.body).errors[0].extensions.code).toBe('FORBIDDEN');
    const forged = await bothPaths(LOOKUP, { idNumber: head, coverageYear: 2024 }, { authorization: 'Bearer not-a-token', 'x-tenant-id': TENANT });
    expect(JSON.parse(forged.body).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('variables that do not coerce, and a NUL in a text, are answered by the generic executor', async () => {
    const wrongType = await bothPaths(LOOKUP, { idNumber: head, coverageYear: 'next' }, as('BANK'), false);
    expect(JSON.parse(wrongType.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const nul = await bothPaths(LOOKUP, { idNumber: `${head}\u0000`, coverageYear: 2024 }, as('BANK'), false);
    expect(JSON.parse(nul.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('the same text formatted otherwise is compiled at its first request; another selection under a partner name at its second', async () => {
    const reformatted = LOOKUP.replace(/\s+/g, '  ');
    await bothPaths(reformatted, { idNumber: head, coverageYear: 2024, asOf: '2023-10-09' }, as('BANK'));
    const more = LOOKUP.replace('nameMasked', 'nameMasked insuredElsewhere');
    await bothPaths(more, { idNumber: head, coverageYear: 2024, asOf: '2023-10-09' }, as('BANK'), false);
    await bothPaths(more, { idNumber: head, coverageYear: 2024, asOf: '2023-10-09' }, as('BANK'));
  });

  it('any other text goes through Apollo the first time it is seen and runs compiled from the second, with the same answer', async () => {
    // A portal's household read, an anonymous quote with a fragment, and a list with its lazily counted total.
    const adHoc: Array<[string, Record<string, unknown>, Record<string, string>]> = [
      [HOUSEHOLD, { id: householdId }, as('STAFF')],
      [
        'fragment Due on Quote { amountDue subsidy } query($c: [AssistanceCategory!]) { quote(input: { tenant: "620721", coverageYear: 2024, paymentDate: "2023-10-09", categories: $c }) { ...Due coverage { start end } explanation { rule } } }',
        { c: [] },
        {},
      ],
      [
        'query Listed($f: EnrollmentFilter) { enrollments(coverageYear: 2024, first: 2, filter: $f) { totalCount nodes { idNumber status } pageInfo { hasNextPage } } }',
        { f: { late: false } },
        as('STAFF'),
      ],
    ];
    for (const [query, variables, headers] of adHoc) {
      await bothPaths(query, variables, headers, false);
      const compiled = await bothPaths(query, variables, headers);
      expect(JSON.parse(compiled.body).errors).toBeUndefined();
    }
  });

  it('a text that does not validate, holds two operations, or is a mutation of two root fields stays with Apollo however often it is sent', async () => {
    const invalid = '{ quote(input: { tenant: "620721", coverageYear: 2024 }) { noSuchField } }';
    const two = 'query A { __typename } query B { __typename }';
    // graphql-jit would run b after a fails; graphql-js stops at the first failed root field of a mutation.
    const enrolTwice =
      'mutation Twice { a: enroll(input: { idNumber: "123", coverageYear: 2024, enrolledOn: "2023-10-08" }) { status } b: enroll(input: { idNumber: "456", coverageYear: 2024, enrolledOn: "2023-10-08" }) { status } }';
    for (let i = 0; i < 3; i += 1) {
      const refused = await bothPaths(invalid, {}, {}, false);
      expect(JSON.parse(refused.body).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      await bothPaths(two, {}, {}, false);
      const failed = await bothPaths(enrolTwice, {}, as('STAFF'), false);
      expect(JSON.parse(failed.body)).toMatchObject({ data: null, extensions: { sqlStatements: 2 } });
    }
  });

  it('BankInsuredElsewhere, BankPaymentsOfDay and TaxDailyCollection', async () => {
    const elsewhere = await bothPaths(ELSEWHERE, { idNumber: head, coverageYear: 2024 }, as('BANK'));
    expect(JSON.parse(elsewhere.body).data.enrollmentStatus).toEqual({ status: 'UNPAID', insuredElsewhere: false });
    await bothPaths(DAY, { paidOn: '2023-10-09' }, as('BANK'));
    await bothPaths(DAILY, { date: '2023-10-09' }, as('TAX'));
  });

  it('BankRecordPayment: the same refusal, the same receipt, and the same audit records', async () => {
    const wrongAmount = await bothPaths(
      PAY,
      { input: { idNumber: head, coverageYear: 2024, amount: '1.00', paidOn: '2023-10-09', channel: '农商银行柜台', receiptNo: 'JIT-R0' } },
      as('BANK'),
    );
    expect(JSON.parse(wrongAmount.body).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });

    // Two people owing the same, one per path: the answers differ only in the receipt and the person.
    const config = server.running.state.config;
    const input = (idNumber: string, receiptNo: string) => ({
      input: { idNumber, coverageYear: 2024, amount: '380.00', paidOn: '2023-10-09', channel: '农商银行柜台', receiptNo },
    });
    const before = server.running.compiledOperations.answered;
    const compiled = await send(PAY, input(head, 'JIT-R1'), as('BANK'));
    expect(server.running.compiledOperations.answered).toBe(before + 1);
    config.compiledOperations = false;
    let generic: RawAnswer;
    try {
      generic = await send(PAY, input(spouse, 'JIT-R2'), as('BANK'));
    } finally {
      config.compiledOperations = true;
    }
    expect(JSON.parse(compiled.body).errors).toBeUndefined();
    const neutral = (answer: RawAnswer, receiptNo: string, idNumber: string) => ({
      ...answer,
      body: answer.body.replace(receiptNo, 'R').replace(idNumber.slice(-4), 'XXXX'),
    });
    expect(neutral(compiled, 'JIT-R1', head)).toEqual(neutral(generic, 'JIT-R2', spouse));

    const records = await server.ownerQuery<{
      kind: string;
      operation: string;
      fields: string[];
      variables: any;
      arguments: any;
      outcome: string;
      error_codes: string[];
      role: string;
    }>(
      `SELECT kind, operation, fields, variables, arguments, outcome, error_codes, role FROM audit_log WHERE tenant_code = $1 AND operation = 'BankRecordPayment' ORDER BY id`,
      [TENANT],
    );
    // The refusal twice, then the two payments.
    expect(records).toHaveLength(4);
    expect(records[0]).toEqual(records[1]);
    expect(records[0]).toMatchObject({ kind: 'MUTATION', outcome: 'ERROR', error_codes: ['BAD_USER_INPUT'], role: 'BANK' });
    const normalise = (r: (typeof records)[number]) =>
      JSON.parse(
        JSON.stringify(r)
          .replace(/JIT-R[12]/g, 'R')
          .replace(/"idNumber":"[^"]*"/g, '"idNumber":"…"'),
      );
    expect(normalise(records[2])).toEqual(normalise(records[3]));
    expect(records[2]).toMatchObject({ kind: 'MUTATION', outcome: 'OK', fields: ['recordPayment'] });
  });
});

/** Round trips to PostgreSQL (one per client.query call: a message and its answer) during `work`. */
async function roundTrips(work: () => Promise<void>): Promise<string[]> {
  const sent: string[] = [];
  const pool = server.running.state.pool;
  const wrapped = new WeakSet<PoolClient>();
  const onAcquire = (client: PoolClient) => {
    if (wrapped.has(client)) return;
    wrapped.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      if (counting) sent.push(typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text);
      return query(...args);
    };
  };
  let counting = true;
  pool.on('acquire', onAcquire);
  try {
    await work();
  } finally {
    counting = false;
    pool.removeListener('acquire', onAcquire);
  }
  return sent;
}

describe("a pure operation's answers, kept and given again", () => {
  const QUOTE =
    'query KeptQuote($c: [AssistanceCategory!], $b: Date) { quote(input: { tenant: "620721", coverageYear: 2024, paymentDate: "2023-10-09", categories: $c, birthDate: $b }) { amountDue subsidy explanation { rule detail } } }';
  /** Sends the request `times` times; answers how many of them were answered again from a kept answer, and the bodies. */
  async function ask(times: number, variables: Record<string, unknown>, headers: Record<string, string> = {}, query = QUOTE) {
    const operations = server.running.compiledOperations;
    const before = operations.answeredAgain;
    const bodies: string[] = [];
    for (let i = 0; i < times; i += 1) {
      const answer = await send(query, variables, headers);
      expect(answer.status).toBe(200);
      bodies.push(answer.body);
    }
    return { again: operations.answeredAgain - before, bodies };
  }

  it('is kept at its second compiled answer and given again, byte for byte, with its headers', async () => {
    // Apollo first; then compiled, answered once; compiled again, kept; then given again.
    const { again, bodies } = await ask(5, { c: [], b: '1970-01-01' });
    expect(again).toBe(2);
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]).errors).toBeUndefined();
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUOTE, variables: { c: [], b: '1970-01-01' } }),
    });
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('x-request-id')).toMatch(/./);
    expect(await response.text()).toBe(bodies[0]);
    // Still counted: each answer given again has its measurement, after the answer has left.
    const counted = async () => {
      const metrics = await (await fetch(server.url.replace('/graphql', '/metrics'))).text();
      return Number(/graphql_requests_total\{operation="query quote",outcome="ok"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    };
    const before = await counted();
    expect((await ask(3, { c: [], b: '1970-01-01' })).again).toBe(3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await counted()).toBe(before + 3);
  });

  it('is kept per language and per variables', async () => {
    const query = QUOTE.replace('KeptQuote', 'KeptQuoteByLanguage');
    const english = await ask(4, { c: [], b: '1971-01-01' }, {}, query);
    const chinese = await ask(4, { c: [], b: '1971-01-01' }, { 'accept-language': 'zh-CN' }, query);
    // The text runs compiled from the start for Chinese, so its answer is kept at its second request.
    expect(english.again).toBe(1);
    expect(chinese.again).toBe(2);
    expect(chinese.bodies[3]).not.toBe(english.bodies[3]);
    expect(chinese.bodies[3]).toBe(chinese.bodies[0]);
    const other = await ask(1, { c: ['EXTREME_POVERTY'], b: '1971-01-01' }, {}, query);
    expect(other.again).toBe(0);
  });

  it('is not given again once a policy is published or reloaded (the tenant replaced in the catalog)', async () => {
    const query = QUOTE.replace('KeptQuote', 'KeptQuoteReplaced');
    const variables = { c: [], b: '1972-01-01' };
    expect((await ask(5, variables, {}, query)).again).toBe(2);
    const { catalog } = server.running.state;
    catalog.replace(catalog.get('620721')!);
    const after = await ask(3, variables, {}, query);
    // Computed again twice (answered once, then kept), and only then given again.
    expect(after.again).toBe(1);
    expect(new Set(after.bodies).size).toBe(1);
  });

  it('a number JSON cannot write (1e400) never shares the key of a null; a long request is not kept', async () => {
    const query = QUOTE.replace('KeptQuote', 'KeptQuoteEdges');
    expect((await ask(5, { c: [], b: null }, {}, query)).again).toBe(2);
    const raw = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"query": ${JSON.stringify(query)}, "variables": {"c": [], "b": 1e400}}`,
    });
    expect(((await raw.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const long = `${query}\n# ${'长'.repeat(4100)}`;
    expect((await ask(5, { c: [], b: null }, {}, long)).again).toBe(0);
  });

  it('an answer with errors, and an operation not only of pure fields, are never kept', async () => {
    const unknownTenant = QUOTE.replace('"620721"', '"999999"');
    const refused = await ask(5, { c: [] }, {}, unknownTenant);
    expect(refused.again).toBe(0);
    expect(JSON.parse(refused.bodies[4]).errors[0].extensions.code).toBe('NOT_FOUND');
    const mixed = 'query Mixed { tenants { code } quote(input: { tenant: "620721", coverageYear: 2024, paymentDate: "2023-10-09" }) { amountDue } }';
    expect((await ask(5, {}, {}, mixed)).again).toBe(0);
  });
});

describe('round trips to PostgreSQL, BEGIN and COMMIT included', () => {
  it('the bank lookup: one', async () => {
    for (const compiledOperations of [true, false]) {
      server.running.state.config.compiledOperations = compiledOperations;
      try {
        const sent = await roundTrips(async () => {
          const res = await send(LOOKUP, { idNumber: child, coverageYear: 2024, asOf: '2023-10-09' }, as('BANK'));
          expect(JSON.parse(res.body).data.enrollmentStatus.status).toBe('UNPAID');
        });
        // One prepared statement that sets the tenant itself, in PostgreSQL's implicit transaction.
        if (citus) expect(sent).toEqual(['BEGIN', "SET LOCAL app.tenant = '620721'", 'SELECT * FROM enrollment_status_lookup($1, $2, $3)', 'COMMIT']);
        else expect(sent).toEqual(['SELECT enrollment_status_in_tenant($1, $2, $3) AS status']);
      } finally {
        server.running.state.config.compiledOperations = true;
      }
    }
  });

  it("the tenant set by a lone statement ends with it: the connection's next user sees none", async () => {
    const pool = server.running.state.pool;
    const reads: Array<[string, () => Promise<void>]> = [
      [
        'the bank lookup',
        async () => {
          const res = await send(LOOKUP, { idNumber: child, coverageYear: 2024, asOf: '2023-10-09' }, as('BANK'));
          expect(JSON.parse(res.body).data.enrollmentStatus.status).toBe('UNPAID');
        },
      ],
      [
        'a household read and its audit record',
        async () => {
          const res = await send(HOUSEHOLD, { id: householdId }, as('STAFF'));
          expect(JSON.parse(res.body).data.household.members).toHaveLength(3);
          await server.auditWritten();
        },
      ],
    ];
    for (const [what, read] of reads) {
      // One connection, so the next query lands where the read ran.
      const clients = await Promise.all(Array.from({ length: pool.totalCount }, () => pool.connect()));
      clients.slice(1).forEach((c) => c.release());
      const [lone] = clients;
      const { rows: before } = await lone.query('SELECT pg_backend_pid() AS pid');
      lone.release();
      await read();
      const after = await pool.connect();
      try {
        const { rows } = await after.query("SELECT pg_backend_pid() AS pid, coalesce(current_setting('app.tenant', true), '') AS tenant");
        expect({ what, ...rows[0] }).toEqual({ what, pid: before[0].pid, tenant: '' });
      } finally {
        after.release();
      }
    }
  });

  it('the lookup that asks the national index: BEGIN, the tenant, the read and COMMIT in one', async () => {
    const sent = await roundTrips(async () => {
      const res = await send(operation('bank.graphql', 'BankInsuredElsewhere'), { idNumber: child, coverageYear: 2024 }, as('BANK'));
      expect(JSON.parse(res.body).data.enrollmentStatus.insuredElsewhere).toBe(false);
    });
    if (citus) {
      expect(sent).toEqual(['BEGIN', "SET LOCAL app.tenant = '620721'", expect.stringMatching(/insured_elsewhere.*enrollment_status_lookup/), 'COMMIT']);
      return;
    }
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^BEGIN READ ONLY; SELECT set_config\('app\.tenant', '620721', true\); .*enrollment_status_lookup.*; COMMIT$/s);
  });

  it("the portal's household read: one, its audit record written after the answer with other reads'", async () => {
    const records = readRecordsOf(server.running.state);
    let waitingAfterAnswer = 0;
    const sent = await roundTrips(async () => {
      const res = await server.gql(HOUSEHOLD, { id: householdId }, { as: 'STAFF', tenant: TENANT });
      expect(res.errors).toBeUndefined();
      expect(res.data!.household.members).toHaveLength(3);
      expect(res.data!.household.members.map((m: { enrollments: unknown[] }) => m.enrollments.length)).toEqual([1, 1, 1]);
      waitingAfterAnswer = records.waiting;
      await records.flush();
    });
    if (citus) {
      // On Citus the read keeps its transaction (BEGIN, SET LOCAL, the read), and its record goes with COMMIT.
      expect(sent).toHaveLength(4);
      expect(sent.at(-1)).toMatch(/SELECT audit_record\(.*\); COMMIT$/s);
    } else {
      // One prepared statement that sets the tenant itself, no transaction; the record later, in a batch.
      expect(sent).toEqual(['SELECT household_summary_graph_in_tenant($1, $2::uuid) AS value', 'SELECT audit_read_records($1, $2::jsonb) AS written']);
      expect(waitingAfterAnswer).toBe(1);
    }
    const [record] = await server.ownerQuery(
      `SELECT kind, operation, outcome FROM audit_log WHERE tenant_code = $1 AND operation = 'PortalHousehold' ORDER BY id DESC LIMIT 1`,
      [TENANT],
    );
    expect(record).toEqual({ kind: 'READ', operation: 'PortalHousehold', outcome: 'OK' });
  });

  it('lookups that arrive together while others run go in one statement, each request with its own answer', async () => {
    // Two paid people of their own, beside the suite's unpaid ones, the stranger and a year without a policy.
    const paid = [makeResidentId(TENANT, '1971-05-05', 311), makeResidentId(TENANT, '1973-06-06', 312)];
    const registered = await server.gql(
      `mutation($input: HouseholdInput!) { registerHousehold(input: $input) { id } }`,
      {
        input: {
          bookletNo: 'JIT-2',
          region: '620721-02',
          registeredOn: '2015-01-01',
          members: [
            { idNumber: paid[0], name: '马福海', relationship: '户主' },
            { idNumber: paid[1], name: '马桂英', relationship: '配偶' },
          ],
        },
      },
      { as: 'STAFF', tenant: TENANT },
    );
    expect(registered.errors).toBeUndefined();
    for (const idNumber of paid) {
      const enrolled = await server.gql(
        `mutation($input: EnrollInput!) { enroll(input: $input) { status } }`,
        { input: { idNumber, coverageYear: 2024, enrolledOn: '2023-10-08' } },
        { as: 'STAFF', tenant: TENANT },
      );
      expect(enrolled.errors).toBeUndefined();
    }
    await server.ownerQuery(`UPDATE enrollment SET status = 'PAID', amount_paid = amount_due WHERE tenant_code = $1 AND id_number = ANY($2)`, [TENANT, paid]);
    const asked = [paid[0], head, stranger, paid[1], child, spouse].flatMap((idNumber) => [
      { idNumber, coverageYear: 2024, asOf: '2023-10-09' },
      { idNumber, coverageYear: 2031 },
    ]);
    const alone = new Map<string, string>();
    for (const variables of asked) alone.set(JSON.stringify(variables), (await send(LOOKUP, variables, as('BANK'))).body);
    const reads = coalescedReadsOf(server.running.state.pool);
    const before = reads.batches;
    // Each asked ten times, all at once: far more than the two statements the pool lets run.
    const together = Array.from({ length: 10 }, () => asked).flat();
    const answers = await Promise.all(together.map((variables) => send(LOOKUP, variables, as('BANK'))));
    answers.forEach((answer, i) =>
      expect({ asked: together[i], body: answer.body }).toEqual({ asked: together[i], body: alone.get(JSON.stringify(together[i])) }),
    );
    if (citus) return;
    expect(reads.batches).toBeGreaterThan(before);
    // Operators see how many statements the lookups took.
    const metrics = await (await fetch(server.url.replace('/graphql', '/metrics'))).text();
    const count = (kind: string) => Number(new RegExp(`^db_coalesced_reads_total\\{kind="${kind}"\\} (\\d+)$`, 'm').exec(metrics)?.[1]);
    expect(count('reads')).toBe(coalescedTotals.reads);
    expect(count('statements')).toBe(coalescedTotals.statements);
    expect(reads.statements).toBeLessThan(reads.reads);
  });
});

describe("a household's summary", () => {
  /** Every field the summary answers, as a selection. */
  const selection = (allowed: SelectionAllowance): string =>
    Object.entries(allowed)
      .map(([field, beneath]) => (beneath === true ? field : `${field} { ${selection(beneath)} }`))
      .join(' ');
  const SUMMARY = `query Summary($id: ID!) { household(id: $id) { __typename ${selection(HOUSEHOLD_SUMMARY_FIELDS)} } }`;
  /** The same selection with a second root field: the request may read the loaders otherwise, so every column is read. */
  const FULL = SUMMARY.replace('household(id: $id) {', '__typename household(id: $id) {');
  /** The graph functions the statements called, in order. */
  const readBy = (sent: string[]) => sent.flatMap((s) => s.match(/household_(summary_)?graph(?=(_in_tenant)?\()/g) ?? []);

  beforeAll(async () => {
    // A grant, for the subsidies' fields to be compared too.
    await server.ownerQuery(
      `INSERT INTO subsidy_grant (tenant_code, id_number, coverage_year, category, mode, kind, amount, granted_on, status, funding)
       VALUES ($1, $2, 2024, 'DIBAO', 'NET_COLLECTION', 'AT_PAYMENT', 10000, '2023-10-08', 'SETTLED', '[]')`,
      [TENANT, spouse],
    );
  });

  it('is read with only its columns, and answers what the read of every column answers, on both executors', async () => {
    await send(SUMMARY, { id: householdId }, as('STAFF')); // a text is compiled the second time it is seen
    let summary: RawAnswer | undefined;
    const sent = await roundTrips(async () => {
      summary = await bothPaths(SUMMARY, { id: householdId }, as('STAFF'));
    });
    expect(readBy(sent)).toEqual(['household_summary_graph', 'household_summary_graph']);
    const data = JSON.parse(summary!.body).data;
    expect(data.household.members).toHaveLength(3);
    expect(data.household.members[0]).toMatchObject({ idNumber: head, name: '马德胜', relationship: '户主', status: 'ACTIVE' });
    expect(data.household.members[0].enrollments).toEqual([expect.objectContaining({ coverageYear: 2024, status: expect.any(String), amountDue: '380.00' })]);
    const spouseRow = data.household.members.find((m: { idNumber: string }) => m.idNumber === spouse);
    expect(spouseRow.enrollments[0].subsidies).toEqual([{ category: 'DIBAO', kind: 'AT_PAYMENT', amount: '100.00', status: 'SETTLED' }]);

    let full: RawAnswer | undefined;
    const sentFull = await roundTrips(async () => {
      full = await send(FULL, { id: householdId }, as('STAFF'));
    });
    expect(readBy(sentFull)).toEqual(['household_graph']);
    expect(JSON.parse(full!.body).data.household).toEqual(data.household);
  });

  it('is read so by booklet number too', async () => {
    const byBooklet = SUMMARY.replace(
      'query Summary($id: ID!) { household(id: $id)',
      'query SummaryByBooklet($no: String!) { householdByBooklet(bookletNo: $no)',
    );
    let answer: RawAnswer | undefined;
    const sent = await roundTrips(async () => {
      answer = await send(byBooklet, { no: 'JIT-1' }, as('STAFF'));
    });
    expect(readBy(sent)).toEqual(['household_summary_graph']);
    const full = await send(SUMMARY, { id: householdId }, as('STAFF'));
    expect(JSON.parse(answer!.body).data.householdByBooklet).toEqual(JSON.parse(full.body).data.household);
  });

  it('a field beyond it reads every column', async () => {
    const sent = await roundTrips(async () => {
      const res = await send(`query($id: ID!) { household(id: $id) { members { name phone enrollments { late } } } }`, { id: householdId }, as('STAFF'));
      expect(JSON.parse(res.body).errors).toBeUndefined();
    });
    expect(readBy(sent)).toEqual(['household_graph']);
  });
});
