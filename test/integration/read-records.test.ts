/**
 * The audit records of reads that ran without a transaction of their own (src/domains/audit/read-records.ts):
 * written shortly after the answer, many at once, each under its tenant; never lost to a record the
 * database refuses, and reads withheld when too many records wait.
 */
import { type AuditRecord, auditRecordStatement } from '../../src/domains/audit/audit.repository';
import { ReadRecords, readRecordsOf } from '../../src/domains/audit/read-records';
import { makeResidentId } from '../../src/domains/residents/id-number';
import pg from 'pg';
import { APP_ROLE } from '../../migrations/tenant-isolation';
import { startTestServer, type TestServer } from '../helpers/server';
import { isCitus } from '../helpers/test-databases';

let server: TestServer;
let citus = false;
const TENANT = '620721';
const OTHER_TENANT = '620702';
let householdId: string;

const HOUSEHOLD = 'query RecordedHousehold($id: ID!) { household(id: $id) { bookletNo members { idNumber name } } }';

beforeAll(async () => {
  server = await startTestServer();
  citus = await isCitus(server.databaseUrl);
  const res = await server.gql(
    'mutation($input: HouseholdInput!) { registerHousehold(input: $input) { id } }',
    {
      input: {
        bookletNo: 'REC-1',
        region: '620721-02',
        registeredOn: '2015-01-01',
        members: [
          { idNumber: makeResidentId(TENANT, '1970-05-05', 401), name: '马记录', relationship: '户主' },
          { idNumber: makeResidentId(TENANT, '1972-06-06', 402), name: '马读取', relationship: '配偶' },
        ],
      },
    },
    { as: 'STAFF', tenant: TENANT },
  );
  expect(res.errors).toBeUndefined();
  householdId = res.data!.registerHousehold.id;
});
afterAll(async () => server?.close());

const readHousehold = (sub: string) => server.gql(HOUSEHOLD, { id: householdId }, { token: server.token('STAFF', [TENANT], sub), tenant: TENANT });

/** A record as the audit service makes it, for the writer's own tests. */
function record(actor: string, variables: Record<string, unknown> = {}): AuditRecord {
  return {
    kind: 'READ',
    requestId: crypto.randomUUID(),
    actor,
    role: 'STAFF',
    operation: 'RecordedHousehold',
    fields: ['household'],
    variables,
    arguments: { household: variables },
    outcome: 'OK',
    errorCodes: [],
  };
}

/** A logger that keeps its error lines. */
function keptLog() {
  const errors: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  return { errors, info: () => undefined, error: (message: string, fields?: Record<string, unknown>) => errors.push({ message, fields }) };
}

/** `work` while the request role may not run audit_read_records: the database refuses every record of a read. */
async function whileRecordsRefused(work: () => Promise<void>): Promise<void> {
  await server.ownerQuery(`REVOKE EXECUTE ON FUNCTION audit_read_records(text, jsonb) FROM ${APP_ROLE}`);
  try {
    await work();
  } finally {
    await server.ownerQuery(`GRANT EXECUTE ON FUNCTION audit_read_records(text, jsonb) TO ${APP_ROLE}`);
  }
}

const recordsOf = (actor: string) =>
  server.ownerQuery<{ tenant_code: string; kind: string; operation: string; at: Date }>(
    'SELECT tenant_code, kind, operation, at FROM audit_log WHERE actor = $1 ORDER BY id',
    [actor],
  );

it('leaves each read its record, which the audit log shows at once, with the time of the read', async () => {
  const before = Date.now();
  for (let i = 0; i < 5; i++) expect((await readHousehold('reader-1')).errors).toBeUndefined();
  const answered = Date.now();
  const log = await server.gql(
    'query { auditLog(filter: { actor: "reader-1" }) { totalCount edges { node { kind operation at outcome } } } }',
    {},
    { as: 'ADMIN', tenant: TENANT },
  );
  expect(log.errors).toBeUndefined();
  expect(log.data!.auditLog.totalCount).toBe(5);
  for (const { node } of log.data!.auditLog.edges) {
    expect(node).toMatchObject({ kind: 'READ', operation: 'RecordedHousehold', outcome: 'OK' });
    // Whole seconds of tolerance: the database's clock and the server's are read apart.
    expect(Date.parse(node.at)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(node.at)).toBeLessThanOrEqual(answered + 1000);
  }
});

it('writes the records of several tenants together, each under its own tenant', async () => {
  const records = new ReadRecords(server.running.state.pool, keptLog(), { mode: { citus, pooled: false, statementTimeoutMs: 5000 }, flushDelayMs: 60_000 });
  expect(records.add(TENANT, record('batch-1'))).toBe(true);
  expect(records.add(OTHER_TENANT, record('batch-1'))).toBe(true);
  expect(records.add(TENANT, record('batch-1'))).toBe(true);
  expect(records.waiting).toBe(3);
  await records.flush();
  expect(records.waiting).toBe(0);
  expect((await recordsOf('batch-1')).map((r) => r.tenant_code).sort()).toEqual([OTHER_TENANT, TENANT, TENANT]);
});

it('drops and logs a record the database refuses for what it holds, and writes the others once each', async () => {
  const log = keptLog();
  const records = new ReadRecords(server.running.state.pool, log, { mode: { citus, pooled: false, statementTimeoutMs: 5000 }, flushDelayMs: 60_000 });
  records.add(TENANT, record('refused-1'));
  // PostgreSQL's jsonb takes no NUL character: refused for this record's value, not for the database's state.
  // Another tenant's statement comes second in the batch: what the first wrote must not be written twice.
  records.add(OTHER_TENANT, record('refused-1', { text: 'a\u0000b' }));
  records.add(TENANT, record('refused-1'));
  await records.flush();
  expect(records.waiting).toBe(0);
  expect((await recordsOf('refused-1')).map((r) => r.tenant_code)).toEqual([TENANT, TENANT]);
  expect(log.errors).toHaveLength(1);
  expect(log.errors[0].message).toMatch(/refused by the database; dropped/);
  expect(log.errors[0].fields!.record).toMatchObject({ actor: 'refused-1' });
});

it('survives its connection being lost while it holds it between statements', async () => {
  // PostgreSQL ends a connection (a restart, pg_terminate_backend) with a message that arrives when no
  // statement runs on it: node-postgres then emits 'error' on the client, which throws when nobody listens.
  const pool = server.running.state.pool;
  const lose = (client: pg.PoolClient) => setImmediate(() => client.emit('error', new Error('terminating connection due to administrator command')));
  pool.on('acquire', lose);
  try {
    const records = new ReadRecords(pool, keptLog(), { mode: { citus, pooled: false, statementTimeoutMs: 5000 }, flushDelayMs: 60_000 });
    // Two tenants: one transaction of several statements, so the connection is held between them.
    records.add(TENANT, record('lost-1'));
    records.add(OTHER_TENANT, record('lost-1'));
    await records.flush();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    pool.removeListener('acquire', lose);
  }
  expect((await recordsOf('lost-1')).map((r) => r.tenant_code).sort()).toEqual([OTHER_TENANT, TENANT]);
});

it('writes what waits when it closes, and takes nothing after', async () => {
  const records = new ReadRecords(server.running.state.pool, keptLog(), { mode: { citus, pooled: true, statementTimeoutMs: 5000 }, flushDelayMs: 60_000 });
  records.add(TENANT, record('closing-1'));
  await records.close();
  expect(await recordsOf('closing-1')).toHaveLength(1);
  expect(records.add(TENANT, record('closing-1'))).toBe(false);
});

it('keeps the records while the database refuses them all, withholds reads past the bound, and writes them all once it takes them', async () => {
  // On Citus a household read keeps its transaction, and its record is written in it.
  if (citus) return;
  const records = readRecordsOf(server.running.state);
  await whileRecordsRefused(async () => {
    const answered = await readHousehold('refusing-1');
    expect(answered.errors).toBeUndefined();
    expect(answered.data!.household.members).toHaveLength(2);
    await expect(records.flush()).rejects.toThrow(/permission denied/);
    expect(records.waiting).toBe(1);
    // Filled to the bound: the next read is not answered.
    while (records.add(TENANT, record('filler-1')));
    const withheld = await readHousehold('refusing-1');
    expect(withheld.status).toBe(503);
    expect(withheld.data ?? null).toBeNull();
    expect(withheld.errors![0].extensions!.code).toBe('INTERNAL_SERVER_ERROR');
    expect(withheld.errors![0].message).toMatch(/audit log cannot take the record of this read/);
    expect(records.waiting).toBeGreaterThanOrEqual(20_000);
  });
  await records.flush();
  expect(records.waiting).toBe(0);
  const written = await recordsOf('refusing-1');
  // The read answered, and the refusal of the withheld one (written apart, in a transaction of its own).
  expect(written.map((r) => r.kind)).toEqual(['READ', 'READ']);
  const [{ n }] = await server.ownerQuery<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE actor = 'filler-1'");
  expect(n).toBeGreaterThan(10_000);
  expect((await readHousehold('refusing-1')).errors).toBeUndefined();
});

it('bounds what waits by its size too, whatever the number of records', () => {
  const records = new ReadRecords(server.running.state.pool, keptLog(), { mode: { citus, pooled: false, statementTimeoutMs: 5000 }, flushDelayMs: 60_000 });
  const large = { text: 'x'.repeat(10 * 1024 * 1024) };
  let taken = 0;
  while (records.add(TENANT, record('large-1', large))) taken += 1;
  // 64 MB of JSON, each record holding its variables twice (variables and arguments): three of 20 MB.
  expect(taken).toBe(3);
  expect(records.add(TENANT, record('small-1'))).toBe(true);
});

it('waits longer after each failed attempt, however many reads arrive meanwhile', async () => {
  const log = keptLog();
  const records = new ReadRecords(server.running.state.pool, log, { mode: { citus, pooled: false, statementTimeoutMs: 5000 }, flushDelayMs: 5 });
  await whileRecordsRefused(async () => {
    // 1.5 s of 2,000 reads a second: attempts at 0, 0.1, 0.3, 0.7 and 1.5 s at most, whatever the traffic.
    const started = Date.now();
    while (Date.now() - started < 1500) {
      for (let i = 0; i < 20; i++) records.add(TENANT, record('backoff-1'));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const attempts = log.errors.filter((e) => /trying again/.test(e.message)).length;
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThanOrEqual(6);
  });
  await records.flush();
  expect(records.waiting).toBe(0);
  const [{ n }] = await server.ownerQuery<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE actor = 'backoff-1'");
  expect(n).toBeGreaterThan(1000);
});

it('flushes what waited when asked, while more keeps arriving', async () => {
  const records = new ReadRecords(server.running.state.pool, keptLog(), { mode: { citus, pooled: false, statementTimeoutMs: 5000 }, flushDelayMs: 5 });
  const arriving = setInterval(() => {
    for (let i = 0; i < 5; i++) records.add(TENANT, record('steady-1'));
  }, 1);
  try {
    for (let i = 0; i < 20; i++) records.add(TENANT, record('steady-1'));
    const started = Date.now();
    await records.flush();
    expect(Date.now() - started).toBeLessThan(1000);
  } finally {
    clearInterval(arriving);
  }
  await records.flush();
});

it('logs each record it could not write when it closes', async () => {
  const log = keptLog();
  const records = new ReadRecords(server.running.state.pool, log, { mode: { citus, pooled: false, statementTimeoutMs: 5000 }, flushDelayMs: 60_000 });
  await whileRecordsRefused(async () => {
    records.add(TENANT, record('lost-1'));
    records.add(TENANT, record('lost-1'));
    await records.close();
  });
  const lost = log.errors.filter((e) => e.message === 'audit record of a read not written at shutdown');
  expect(lost.map((e) => (e.fields!.record as { actor: string }).actor)).toEqual(['lost-1', 'lost-1']);
});

it("sends a read's record with the commit only when its transaction wrote something", async () => {
  const { connections } = server.running.state;
  const wrote = connections.transaction(TENANT);
  await wrote.query(
    `INSERT INTO audit_log (tenant_code, kind, request_id, actor, role, operation, fields, variables, outcome)
     VALUES ($1, 'MUTATION', gen_random_uuid(), 'wrote-1', 'STAFF', 'Wrote', '{}', '{}', 'OK')`,
    [TENANT],
  );
  expect(await wrote.finish(true, { ...auditRecordStatement(TENANT, record('wrote-1')), onlyIfWritten: true })).toBe(false);
  expect(await recordsOf('wrote-1')).toHaveLength(2);

  const readOnly = connections.transaction(TENANT);
  await readOnly.query('SELECT 1 FROM resident WHERE tenant_code = $1 LIMIT 1', [TENANT]);
  // Left out (the caller defers it); on Citus the record always runs with the commit.
  expect(await readOnly.finish(true, { ...auditRecordStatement(TENANT, record('read-only-1')), onlyIfWritten: true })).toBe(!citus);
  expect(await recordsOf('read-only-1')).toHaveLength(citus ? 1 : 0);
});

it('defers the record of a read whose transaction wrote nothing', async () => {
  const records = readRecordsOf(server.running.state);
  await records.flush();
  const id = makeResidentId(TENANT, '1970-05-05', 401);
  const read = await server.gql(
    'query LookAtOne($id: String!) { resident(idNumber: $id) { name } }',
    { id },
    {
      token: server.token('STAFF', [TENANT], 'one-reader'),
      tenant: TENANT,
    },
  );
  expect(read.data!.resident).toEqual({ name: '马记录' });
  expect(records.waiting).toBe(citus ? 0 : 1);
  await records.flush();
  expect((await recordsOf('one-reader')).map((r) => r.operation)).toEqual(['LookAtOne']);
});

it('defers no record of a mutation, nor of a read that failed', async () => {
  const records = readRecordsOf(server.running.state);
  await records.flush();
  const changed = await server.gql(
    'mutation($i: ResidentInput!) { registerResident(input: $i) { idNumber } }',
    { i: { idNumber: makeResidentId(TENANT, '1980-07-07', 403), name: '马变更' } },
    { as: 'STAFF', tenant: TENANT },
  );
  expect(changed.errors).toBeUndefined();
  expect(records.waiting).toBe(0);
  // A clerk's read with a field only an administrator may read: it failed, and its record is written apart, before the answer.
  const refused = await server.gql(
    'query Partly($id: ID!) { household(id: $id) { bookletNo } auditLog { totalCount } }',
    { id: householdId },
    { token: server.token('STAFF', [TENANT], 'refused-reader'), tenant: TENANT },
  );
  expect(refused.errors![0].extensions!.code).toBe('FORBIDDEN');
  expect(records.waiting).toBe(0);
  expect(await server.ownerQuery("SELECT kind, outcome FROM audit_log WHERE actor = 'refused-reader'")).toEqual([{ kind: 'READ', outcome: 'ERROR' }]);
});

describe('a read that passes its deadline', () => {
  let slow: TestServer;
  beforeAll(async () => {
    slow = await startTestServer({ REQUEST_TIMEOUT_MS: '300' });
  });
  afterAll(async () => slow?.close());

  it('leaves only the record of its refusal', async () => {
    const made = await slow.gql(
      'mutation($input: HouseholdInput!) { registerHousehold(input: $input) { id } }',
      {
        input: {
          bookletNo: 'REC-2',
          region: '620721-02',
          registeredOn: '2015-01-01',
          members: [{ idNumber: makeResidentId(TENANT, '1975-08-08', 404), name: '马超时', relationship: '户主' }],
        },
      },
      { as: 'STAFF', tenant: TENANT },
    );
    expect(made.errors).toBeUndefined();
    // The read waits behind a lock held past its deadline, then finishes after its refusal was answered.
    const holder = new pg.Client({ connectionString: slow.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE household IN ACCESS EXCLUSIVE MODE');
      const late = await slow.gql(HOUSEHOLD, { id: made.data!.registerHousehold.id }, { token: slow.token('STAFF', [TENANT], 'late-reader'), tenant: TENANT });
      expect(late.status).toBe(503);
      expect(late.errors![0].extensions!.code).toBe('TIMEOUT');
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    await slow.auditWritten();
    const written = await slow.ownerQuery<{ outcome: string }>("SELECT outcome FROM audit_log WHERE actor = 'late-reader'");
    expect(written.map((r) => r.outcome)).toEqual(['ERROR']);
  });
});
