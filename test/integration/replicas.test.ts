/**
 * Read replicas (DATABASE_READ_URL) with a real streaming standby that the test starts with
 * pg_basebackup (Debian's postgresql package; .ci/run installs it). Reads marked for replicas go to
 * the standby, mutations never; a caller reads its own writes; a standby that lags past the limit or
 * goes away leaves the rotation, and /readyz says so; a server pointed at a standby refuses to start.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, print } from 'graphql';
import { loadConfig } from '../../src/common/config';
import { createLogger } from '../../src/common/logger';
import { startServer, type RunningServer } from '../../src/app';
import { type Role, signToken } from '../../src/context/tokens';
import { postgresBinaries, StreamingPair } from '../helpers/local-postgres';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { nameOf } from '../helpers/names';
import { readRecordsOf } from '../../src/domains/audit/read-records';

const bin = postgresBinaries();
if (!bin) {
  console.warn(
    'replicas.test.ts skipped: no pg_basebackup beside initdb, pg_ctl and postgres in /usr/lib/postgresql/*/bin (apt-get install postgresql; .ci/run does)',
  );
}
const describeWithStandby = bin ? describe : describe.skip;

const TENANT = '620721';
let pair: StreamingPair;
const servers: RunningServer[] = [];

async function start(env: Record<string, string>): Promise<RunningServer> {
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: pair.url('primary'),
    DATABASE_READ_URL: pair.url('standby'),
    APP_DB_PASSWORD: 'replica-tests-request-role',
    PORT: '0',
    RATE_LIMIT_PER_MINUTE: '0',
    REPLICA_CHECK_MS: '100',
    ...env,
  });
  const server = await startServer(config, createLogger(process.env.LOG_LEVEL ?? 'silent'));
  servers.push(server);
  return server;
}

/** The bank's lookup as schema/operations/ has it, which the server runs compiled. */
const BANK_LOOKUP = (() => {
  const document = parse(readFileSync(join(__dirname, '..', '..', 'schema', 'operations', 'bank.graphql'), 'utf8'));
  const definition = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === 'BankEnrollmentStatus');
  if (!definition) throw new Error('no BankEnrollmentStatus in bank.graphql');
  return print(definition);
})();

async function gql(server: RunningServer, sub: string, role: Role, query: string, variables: Record<string, unknown> = {}) {
  const token = signToken({ sub, role, tenants: [TENANT] }, server.state.config.jwtSecret);
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-tenant-id': TENANT },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Record<string, any>; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

async function readyz(server: RunningServer): Promise<{
  status: number;
  body: { database: string; replicas: Array<{ inRotation: boolean; reason: string | null; lagBytes: number | null; lagSeconds: number | null }> };
}> {
  const res = await fetch(server.url.replace('/graphql', '/readyz'));
  return { status: res.status, body: (await res.json()) as never };
}

async function until<T>(what: string, probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let seq = 0;
async function register(server: RunningServer, sub: string): Promise<string> {
  const id = makeResidentId(TENANT, '1980-05-05', 800 + seq++);
  const res = await gql(server, sub, 'STAFF', 'mutation($i: HouseholdInput!) { registerHousehold(input: $i) { id } }', {
    i: { bookletNo: `RR-${seq}`, region: '620721-03', members: [{ idNumber: id, name: nameOf(seq, '读副本'), relationship: '户主' }] },
  });
  expect(res.errors).toBeUndefined();
  return id;
}

/** Whether a search of residents by ID number (a read marked for replicas) finds `id`. */
async function finds(server: RunningServer, sub: string, id: string): Promise<boolean> {
  const res = await gql(server, sub, 'STAFF', 'query($q: String!) { residents(filter: { idPrefix: $q }) { totalCount } }', { q: id });
  expect(res.errors).toBeUndefined();
  return res.data!.residents.totalCount === 1;
}

describeWithStandby('read replicas', () => {
  beforeAll(async () => {
    pair = await StreamingPair.start(bin!);
  }, 120_000);
  afterAll(async () => {
    for (const server of servers) await server.close();
    await pair?.stop();
  });

  it('sends marked reads to the replica and mutations to the primary; a caller reads its own writes at once', async () => {
    const server = await start({});
    await pair.caughtUp();
    await until(
      'the standby in rotation',
      () => readyz(server),
      (r) => r.body.replicas[0].inRotation,
    );
    // Replay paused: the standby stays where it is while the primary moves on.
    await pair.query('standby', 'SELECT pg_wal_replay_pause()');
    try {
      const id = await register(server, 'clerk-a');
      // The writer's reads go to the primary until the standby has replayed its write...
      expect(await finds(server, 'clerk-a', id)).toBe(true);
      // ...another caller's go to the standby, which has not replayed it yet: proof they are read there.
      expect(await finds(server, 'clerk-b', id)).toBe(false);
      // A bank's lookup is a replica read too.
      const lookup = await gql(server, 'bank-1', 'BANK', 'query($id: String!) { enrollmentStatus(idNumber: $id, coverageYear: 2023) { status nameMasked } }', {
        id,
      });
      expect(lookup.errors).toBeUndefined();
      expect(lookup.data!.enrollmentStatus).toEqual({ status: 'NOT_ENROLLED', nameMasked: null });
      // The bank's persisted operation runs compiled, and is routed the same: the standby knows no name yet.
      const answered = server.compiledOperations.answered;
      const persisted = await gql(server, 'bank-2', 'BANK', BANK_LOOKUP, { idNumber: id, coverageYear: 2023 });
      expect(server.compiledOperations.answered - answered).toBe(1);
      expect(persisted.data!.enrollmentStatus).toMatchObject({ status: 'NOT_ENROLLED', nameMasked: null });
    } finally {
      await pair.query('standby', 'SELECT pg_wal_replay_resume()');
    }
    await pair.caughtUp();
    const [id] = await pair.query<{ id_number: string }>(
      'primary',
      "SELECT id_number FROM resident WHERE name LIKE '读副本%' ORDER BY created_at DESC LIMIT 1",
    );
    expect(await until('the other caller sees the write', () => finds(server, 'clerk-b', id.id_number), Boolean)).toBe(true);
    // Reads of personal data are audited on the primary even when the replica answered them: shortly
    // after the answer, with other reads' records.
    await readRecordsOf(server.state).flush();
    const [audit] = await pair.query<{ n: number }>('primary', "SELECT count(*)::int AS n FROM audit_log WHERE actor = 'clerk-b' AND kind = 'READ'");
    expect(audit.n).toBeGreaterThanOrEqual(2);
  });

  it('takes a replica that lags past REPLICA_MAX_LAG_BYTES out of rotation, says so on /readyz, and reads stay current', async () => {
    const server = await start({ REPLICA_MAX_LAG_BYTES: '65536' });
    await pair.caughtUp();
    await until(
      'the standby in rotation',
      () => readyz(server),
      (r) => r.body.replicas[0].inRotation,
    );
    await pair.query('standby', 'SELECT pg_wal_replay_pause()');
    try {
      await pair.query('primary', 'CREATE TABLE IF NOT EXISTS lag_filler (n int, pad text)');
      await pair.query('primary', "INSERT INTO lag_filler SELECT n, repeat('x', 200) FROM generate_series(1, 2000) n");
      const ready = await until(
        'the standby out of rotation',
        () => readyz(server),
        (r) => !r.body.replicas[0].inRotation,
      );
      expect(ready.status).toBe(200); // the primary answers every read meanwhile
      expect(ready.body.replicas[0].reason).toMatch(/bytes of WAL behind \(limit 65536\)/);
      // Out of rotation, another caller's reads go to the primary and see the latest writes.
      const id = await register(server, 'clerk-c');
      expect(await finds(server, 'clerk-d', id)).toBe(true);
    } finally {
      await pair.query('standby', 'SELECT pg_wal_replay_resume()');
    }
    await until(
      'the standby back in rotation',
      () => readyz(server),
      (r) => r.body.replicas[0].inRotation,
    );
  });

  it('judges lag in seconds by what the replica has not replayed: an idle pair is not behind, a paused one is', async () => {
    const server = await start({ REPLICA_MAX_LAG_SECONDS: '1' });
    await pair.caughtUp();
    await new Promise((r) => setTimeout(r, 1500)); // idle: the last replayed transaction grows old, the lag does not
    const idle = await readyz(server);
    expect(idle.body.replicas[0]).toMatchObject({ inRotation: true, lagSeconds: 0 });
    await pair.query('standby', 'SELECT pg_wal_replay_pause()');
    try {
      await register(server, 'clerk-e');
      const behind = await until(
        'the standby out of rotation',
        () => readyz(server),
        (r) => !r.body.replicas[0].inRotation,
      );
      expect(behind.body.replicas[0].reason).toMatch(/s behind \(limit 1\)/);
    } finally {
      await pair.query('standby', 'SELECT pg_wal_replay_resume()');
    }
    await until(
      'the standby back in rotation',
      () => readyz(server),
      (r) => r.body.replicas[0].inRotation,
    );
  });

  it('takes a replica that goes away out of rotation and reads go on; it comes back when it answers again', async () => {
    const server = await start({});
    await until(
      'the standby in rotation',
      () => readyz(server),
      (r) => r.body.replicas[0].inRotation,
    );
    pair.pgCtl('standby', 'stop');
    try {
      const gone = await until(
        'the standby out of rotation',
        () => readyz(server),
        (r) => !r.body.replicas[0].inRotation,
      );
      expect(gone.status).toBe(200);
      expect(gone.body.replicas[0].reason).toMatch(/^unreachable/);
      const id = await register(server, 'clerk-f');
      expect(await finds(server, 'clerk-g', id)).toBe(true);
    } finally {
      pair.pgCtl('standby', 'start');
    }
    await until(
      'the standby back in rotation',
      () => readyz(server),
      (r) => r.body.replicas[0].inRotation,
      30_000,
    );
  });

  it('refuses to start on a standby given as DATABASE_URL: it would answer reads and fail every write', async () => {
    const config = loadConfig({ ...process.env, DATABASE_URL: pair.url('standby'), APP_DB_PASSWORD: 'replica-tests-request-role', PORT: '0' });
    await expect(startServer(config, createLogger('silent'))).rejects.toThrow(/DATABASE_URL names a read-only standby/);
  });
});
