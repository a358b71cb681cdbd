/**
 * The fault suite: the server as operators run it (node dist/src/main.js, a process of its own) on a
 * PostgreSQL cluster of its own, so that both can be killed and restarted without touching the other
 * tests' database. The server is killed with SIGKILL in the middle of a tax import; PostgreSQL is
 * stopped and started again while banks and clerks are working. After each fault the ledger is checked
 * in SQL: payments are the receipts accepted, each once; enrolments agree with their payments; every
 * committed mutation has its OK audit record and every OK audit record its change.
 *
 * (Backends terminated while the pool is full, and a backend killed under an import, are in
 * test/integration/resilience.test.ts: they need no process or cluster of their own.)
 *
 * npm run test:faults runs this suite alone; npm test runs it with the others.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ImportInterrupted } from '../../src/cli/csv-import';
import { importPaymentsCsv } from '../../src/cli/import-payments';
import { signToken } from '../../src/context/tokens';
import { batchRowsAsTheyStand } from '../../src/domains/enrollment/held.repository';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../src/db/embedded';
import { call, type CallResult, codeOf, DatabaseProxy, eventually, ledger, ServerProcess, UNMASKED_ID } from '../helpers/faults';
import { residentIds } from '../helpers/seed';

const JWT_SECRET = 'the-fault-suite-signs-its-own-tokens-0123456789';
const DATABASE = 'faults';
const MINUTES = 60_000;

let root: string;
let embedded: EmbeddedDatabase;
let proxy: DatabaseProxy;
let server: ServerProcess | null = null;
const log = (line: string) => process.stderr.write(`${line}\n`);

/** As the owner, straight to PostgreSQL (not through the proxy): checks beneath the API. */
async function owner<R extends object = Record<string, any>>(sql: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: embedded.url(DATABASE) });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as R[];
  } finally {
    await client.end();
  }
}

const token = (role: 'ADMIN' | 'STAFF' | 'BANK' | 'TAX', tenant: string, sub: string) => signToken({ sub, role, tenants: [tenant] }, JWT_SECRET);

async function startServer(extra: Record<string, string> = {}): Promise<ServerProcess> {
  const url = new URL(embedded.url(DATABASE));
  url.port = String(proxy.port);
  return ServerProcess.start({
    DATABASE_URL: url.toString(),
    DATA_DIR: join(root, 'server'),
    JWT_SECRET,
    APP_DB_PASSWORD: 'fault-suite-request-role',
    LOG_FILE: join(root, 'server.log'),
    LOG_LEVEL: 'info',
    RATE_LIMIT_PER_MINUTE: '0',
    ...extra,
  });
}

async function seed(tenant: string, ids: readonly string[]): Promise<void> {
  await owner(
    `INSERT INTO resident (tenant_code, id_number, name, sex, birth_date)
     SELECT $1, id, '测试', CASE WHEN substr(id, 17, 1)::int % 2 = 1 THEN 'MALE' ELSE 'FEMALE' END, to_date(substr(id, 7, 8), 'YYYYMMDD')
       FROM UNNEST($2::text[]) AS id`,
    [tenant, ids],
  );
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'insurance-faults-'));
  chmodSync(root, 0o755); // PostgreSQL runs as the postgres user when tests run as root.
  embedded = await startEmbeddedPostgres(join(root, 'db'), log);
  await embedded.createDatabase(DATABASE);
  proxy = await DatabaseProxy.start(Number(new URL(embedded.url(DATABASE)).port));
  server = await startServer(); // migrates the new database
}, 5 * MINUTES);

afterAll(async () => {
  await server?.kill('SIGTERM');
  await proxy?.close();
  await embedded?.stop();
  const logFile = join(root, 'server.log');
  const leaks = existsSync(logFile)
    ? readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((line) => UNMASKED_ID.test(line))
    : [];
  rmSync(join(root, 'db'), { recursive: true, force: true });
  rmSync(embedded?.clusterDir ?? join(root, 'db', 'pg'), { recursive: true, force: true });
  // The servers' log stays for diagnosis; it must not hold one unmasked ID number.
  expect(leaks).toEqual([]);
}, 2 * MINUTES);

describe('the server killed (SIGKILL) in the middle of an import', () => {
  const TENANT = '620702';
  const ids = residentIds(TENANT, 30_000, 400_000);
  let file: string;
  beforeAll(async () => {
    await seed(TENANT, ids);
    file = join(root, 'tax-2022-10-25.csv');
    writeFileSync(
      file,
      ['身份证号码,参保年度,金额,缴费日期,缴费渠道,票据号', ...ids.map((id, i) => [id, 2023, '350.00', '2022-10-25', '税务代征', `KILL-${i}`].join(','))].join(
        '\n',
      ) + '\n',
    );
  }, MINUTES);

  it(
    'leaves whole batches or nothing, and the same import run again records every payment once',
    async () => {
      const options = () => ({
        file,
        url: server!.url,
        token: token('TAX', TENANT, 'fault-tax'),
        tenant: TENANT,
        batchSize: 5000,
        concurrency: 2,
        batchPrefix: 'tax-2022-10-25',
        retryDelayMs: 200,
      });
      const paymentsNow = async () =>
        (await owner<{ n: number }>("SELECT count(*)::int AS n FROM payment WHERE tenant_code = $1 AND receipt_no LIKE 'KILL-%'", [TENANT]))[0].n;

      const first = importPaymentsCsv(options()).then(
        (tally) => ({ tally, error: null as unknown }),
        (error: unknown) => ({ tally: null, error }),
      );
      // Killed once a batch has committed and others are in flight.
      expect(await eventually(paymentsNow, (n) => n > 0, 3 * MINUTES)).toBeGreaterThan(0);
      await server!.kill('SIGKILL');
      const cut = await first;
      expect(cut.error).toBeInstanceOf(ImportInterrupted);

      const committed = await paymentsNow();
      expect(committed).toBeLessThan(ids.length);
      // Each batch is one transaction: all of its 5,000 rows, or none.
      const batches = await owner<{ batch_id: string; payments: number; rows: number }>(
        `SELECT p.batch_id, count(*)::int AS payments, (SELECT count(*)::int FROM (${batchRowsAsTheyStand('o.tenant_code = $1 AND o.batch_id = p.batch_id')}) b) AS rows
         FROM payment p WHERE p.tenant_code = $1 AND p.receipt_no LIKE 'KILL-%' GROUP BY p.batch_id`,
        [TENANT],
      );
      for (const batch of batches) expect(batch).toEqual({ batch_id: batch.batch_id, payments: 5000, rows: 5000 });
      expect(await ledger(owner, TENANT, ids)).toEqual({
        payments: committed,
        paid: committed,
        doubledReceipts: 0,
        doubledPeople: 0,
        paymentsWithoutTheirEnrolment: 0,
        paidWithoutPayment: 0,
      });

      server = await startServer();
      const again = await importPaymentsCsv(options());
      console.log(
        `server killed (SIGKILL) with ${committed} of ${ids.length} payments committed; run again: ${again.accepted} accepted, ${again.duplicates} duplicates, ${again.rejected} rejected`,
      );
      expect(again).toMatchObject({ rows: ids.length, rejected: 0, duplicates: committed, accepted: ids.length - committed });

      expect(await ledger(owner, TENANT, ids)).toEqual({
        payments: ids.length,
        paid: ids.length,
        doubledReceipts: 0,
        doubledPeople: 0,
        paymentsWithoutTheirEnrolment: 0,
        paidWithoutPayment: 0,
      });
      const [rows] = await owner<{ rows: number; rejected: number }>(
        `SELECT count(*)::int AS rows, count(*) FILTER (WHERE status = 'REJECTED')::int AS rejected FROM (${batchRowsAsTheyStand("o.tenant_code = $1 AND o.batch_id LIKE 'tax-2022-10-25-%'")}) b`,
        [TENANT],
      );
      expect(rows).toEqual({ rows: ids.length, rejected: 0 });
      // Every batch with payments has its OK audit record, and every OK record of a batch its payments.
      const audited = await owner<{ batch: string }>(
        "SELECT DISTINCT arguments -> 'importPayments' ->> 'batchId' AS batch FROM audit_log WHERE tenant_code = $1 AND outcome = 'OK' AND 'importPayments' = ANY (fields) AND actor = 'fault-tax' ORDER BY 1",
        [TENANT],
      );
      const paidBatches = await owner<{ batch: string }>(
        "SELECT DISTINCT batch_id AS batch FROM payment WHERE tenant_code = $1 AND receipt_no LIKE 'KILL-%' ORDER BY 1",
        [TENANT],
      );
      expect(audited).toEqual(paidBatches);
      expect(paidBatches).toHaveLength(6);
    },
    10 * MINUTES,
  );
});

describe('PostgreSQL stopped and started again under traffic', () => {
  const TENANT = '620721';
  const ids = residentIds(TENANT, 3000, 500_000);
  beforeAll(async () => {
    await seed(TENANT, ids);
  }, MINUTES);

  it(
    'recovers by itself; every enrolment and payment the callers were told of is there once, with its audit record',
    async () => {
      const clerk = token('STAFF', TENANT, 'fault-clerk');
      const bank = token('BANK', TENANT, 'fault-bank');
      const ENROLL = `mutation($input: EnrollInput!) { enroll(input: $input) { status } }`;
      const PAY = `mutation($input: PaymentInput!) { recordPayment(input: $input) { receiptNo } }`;
      const STATUS = `query($id: String!) { enrollmentStatus(idNumber: $id, coverageYear: 2024) { status } }`;
      /** What a caller sees while the database is away; anything else is a defect. */
      const TRANSIENT = new Set(['NO_ANSWER', 'INTERNAL_SERVER_ERROR', 'TIMEOUT']);
      const transient: string[] = [];
      const unexpected: Array<{ step: string; result: CallResult }> = [];
      const done: string[] = [];
      let next = 0;
      let stop = false;

      /** Sends `step` until it is answered for good, as a careful client does (the receipt makes a payment safe to send again). */
      const until = async (step: string, send: () => Promise<CallResult>, settled: (r: CallResult) => boolean): Promise<boolean> => {
        for (;;) {
          const result = await send();
          if (settled(result)) return true;
          const code = codeOf(result) ?? `HTTP ${result.status}`;
          if (!TRANSIENT.has(code) && result.status !== 503) {
            unexpected.push({ step, result });
            return false;
          }
          transient.push(code);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      const worker = async () => {
        while (!stop && next < ids.length) {
          const i = next++;
          const id = ids[i];
          // An enrolment whose answer was lost is CONFLICT when sent again: it is there.
          const enrolled = await until(
            'enroll',
            () => call(server!.url, ENROLL, { input: { idNumber: id, coverageYear: 2024, enrolledOn: '2023-10-08' } }, clerk, TENANT),
            (r) => (r.status === 200 && !r.errors) || codeOf(r) === 'CONFLICT',
          );
          const paid =
            enrolled &&
            (await until(
              'pay',
              () =>
                call(
                  server!.url,
                  PAY,
                  { input: { idNumber: id, coverageYear: 2024, amount: '380.00', paidOn: '2023-10-09', channel: '农商银行', receiptNo: `PGR-${i}` } },
                  bank,
                  TENANT,
                ),
              (r) => r.status === 200 && !r.errors,
            ));
          const seen =
            paid &&
            (await until(
              'status',
              () => call(server!.url, STATUS, { id }, bank, TENANT),
              (r) => r.data?.enrollmentStatus?.status === 'PAID',
            ));
          if (seen) done.push(id);
        }
      };

      const workers = Array.from({ length: 4 }, () => worker());
      await eventually(
        async () => done.length,
        (n) => n >= 40,
        3 * MINUTES,
      );
      // The restart: every connection dropped and refused while PostgreSQL is down, then a new postmaster.
      const before = done.length;
      proxy.down();
      await embedded.stop();
      await new Promise((r) => setTimeout(r, 1500));
      embedded = await startEmbeddedPostgres(join(root, 'db'), log);
      proxy.up(Number(new URL(embedded.url(DATABASE)).port));
      await eventually(
        async () => done.length,
        (n) => n >= before + 40,
        3 * MINUTES,
      );
      stop = true;
      await Promise.all(workers);

      console.log(
        `PostgreSQL restarted under traffic: ${before} people enrolled, paid and looked up before, ${done.length - before} after; ${transient.length} answers while it was away (${[...new Set(transient)].join(', ')}), each sent again`,
      );
      expect(unexpected).toEqual([]);
      expect(transient.length).toBeGreaterThan(0); // the fault reached the callers
      expect(done.length).toBeGreaterThanOrEqual(before + 40);
      expect((await fetch(server!.url.replace('/graphql', '/healthz'))).status).toBe(200);

      const touched = ids.slice(0, next);
      expect(await ledger(owner, TENANT, touched)).toEqual({
        payments: done.length,
        paid: done.length,
        doubledReceipts: 0,
        doubledPeople: 0,
        paymentsWithoutTheirEnrolment: 0,
        paidWithoutPayment: 0,
      });
      // Each enrolment once, with one OK audit record; each payment with its OK record, and no OK record
      // of a payment that is not there (an answer lost after the commit is sent again: a DUPLICATE, OK too).
      const [enrolments] = await owner<{ n: number }>('SELECT count(*)::int AS n FROM enrollment WHERE tenant_code = $1 AND id_number = ANY ($2::text[])', [
        TENANT,
        touched,
      ]);
      const [enrolAudits] = await owner<{ n: number }>(
        "SELECT count(*)::int AS n FROM audit_log WHERE tenant_code = $1 AND actor = 'fault-clerk' AND outcome = 'OK' AND 'enroll' = ANY (fields)",
        [TENANT],
      );
      expect(enrolAudits.n).toBe(enrolments.n);
      const receipts = await owner<{ receipt: string }>(
        "SELECT receipt_no AS receipt FROM payment WHERE tenant_code = $1 AND receipt_no LIKE 'PGR-%' ORDER BY 1",
        [TENANT],
      );
      const auditedReceipts = await owner<{ receipt: string }>(
        "SELECT DISTINCT arguments -> 'recordPayment' -> 'input' ->> 'receiptNo' AS receipt FROM audit_log WHERE tenant_code = $1 AND actor = 'fault-bank' AND outcome = 'OK' AND 'recordPayment' = ANY (fields) ORDER BY 1",
        [TENANT],
      );
      expect(auditedReceipts).toEqual(receipts);
      expect(receipts).toHaveLength(done.length);
    },
    10 * MINUTES,
  );
});
