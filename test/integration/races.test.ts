/**
 * Races over HTTP, with real concurrency on real PostgreSQL: many requests for the same person, the same
 * month or the same file at once. Whatever the interleaving, one of them does the work, the others get
 * the same answer or CONFLICT, the audit log has one OK record per change, and nothing is doubled.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importPaymentsCsv } from '../../src/cli/import-payments';
import { TRANSACTION_LOCKS } from '../../src/db/transaction-locks';
import { batchRowsAsTheyStand } from '../../src/domains/enrollment/held.repository';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { residentIds, seedResidents } from '../helpers/seed';
import { startTestServer, type TestServer } from '../helpers/server';
import { isCitus } from '../helpers/test-databases';

let server: TestServer;
let citus = false;
beforeAll(async () => {
  server = await startTestServer();
  citus = await isCitus(server.databaseUrl);
});
afterAll(async () => server?.close());

/** Whether a session of this database waits for a lock that `holder`'s backend (`pid`) holds. */
async function someoneWaitsFor(holder: pg.Client, pid: number): Promise<boolean> {
  const { rows } = await holder.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))', [pid]);
  return rows[0].n > 0;
}

/** The tax system's batch, answering its counts and each row's status and code. */
const IMPORT_ROWS = `mutation($batchId: String!, $payments: [PaymentInput!]!) { importPayments(batchId: $batchId, payments: $payments) { accepted duplicates rejected rows { status code } } }`;

/**
 * One payment of 350.00 for 2023, imported by the tax system into 620702 while `other` holds its
 * transaction open: `other` commits once the import waits for it (on Citus, after a second). Answers
 * whether the import was seen waiting, and its answer.
 */
async function importWhileUncommitted(other: pg.Client, batchId: string, payment: { idNumber: string; paidOn: string; receiptNo: string }) {
  const [{ pid }] = (await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
  const batch = server.gql(
    IMPORT_ROWS,
    { batchId, payments: [{ ...payment, coverageYear: 2023, amount: '350.00', channel: '税务代征' }] },
    { as: 'TAX', tenant: '620702' },
  );
  const waited = await blockedWithin(other, pid, 10_000);
  await other.query('COMMIT');
  return { waited, res: await batch };
}

/** A paid enrolment for 2023 in 620702, as another import writes it, in `session`'s open transaction. */
async function writePaidEnrollment(session: pg.Client, idNumber: string, paidOn: string): Promise<void> {
  await session.query(
    `INSERT INTO enrollment (tenant_code, id_number, coverage_year, status, enrolled_on, standard_contribution, amount_due, paid_on, amount_paid)
     VALUES ('620702', $1, 2023, 'PAID', $2, 35000, 35000, $2, 35000)`,
    [idNumber, paidOn],
  );
}

/**
 * `request` run while `holder` (its backend `pid`) keeps its transaction open; until the request answers,
 * whether it comes to wait for the holder's locks. The holder is then rolled back.
 */
async function whileHolding<T>(holder: pg.Client, pid: number, request: () => Promise<T>): Promise<{ waited: boolean; answer: T }> {
  let done = false;
  const answering = request().finally(() => (done = true));
  let waited = false;
  while (!done && !waited) {
    waited = await someoneWaitsFor(holder, pid);
    if (!waited) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await holder.query('ROLLBACK');
  return { waited, answer: await answering };
}

/**
 * Whether a session comes to wait for the locks of `holder` (its backend `pid`) within `ms`. On Citus the
 * rows live on the workers, where a wait is not among the coordinator's pg_blocking_pids: there this only
 * gives the other session time to reach the lock, and answers false.
 */
async function blockedWithin(holder: pg.Client, pid: number, ms: number): Promise<boolean> {
  const started = Date.now();
  for (;;) {
    if (!citus) {
      if (await someoneWaitsFor(holder, pid)) return true;
    }
    if (Date.now() - started >= (citus ? Math.min(ms, 1000) : ms)) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What a call of `batchId` of 620702 holds until its transaction ends, taken in `session`'s open transaction. */
async function holdBatch(session: pg.Client, batchId: string): Promise<void> {
  await session.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [TRANSACTION_LOCKS.IMPORT_BATCH, `620702:${batchId}`]);
}

describe('20 concurrent enrol calls for one person', () => {
  it('enrol once: one success and one OK audit record, the other 19 CONFLICT', async () => {
    const id = makeResidentId('620721', '1971-03-04', 381);
    const registered = await server.gql(
      `mutation($i: ResidentInput!) { registerResident(input: $i) { idNumber } }`,
      { i: { idNumber: id, name: '并发' } },
      { as: 'STAFF', tenant: '620721' },
    );
    expect(registered.errors).toBeUndefined();
    const token = server.token('STAFF', ['620721'], 'clerk-race');
    const ENROLL = `mutation($input: EnrollInput!) { enroll(input: $input) { status amountDue } }`;
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        server.gql(ENROLL, { input: { idNumber: id, coverageYear: 2024, enrolledOn: '2023-10-08' } }, { token, tenant: '620721' }),
      ),
    );
    const ok = results.filter((r) => !r.errors);
    expect(ok).toHaveLength(1);
    expect(ok[0].data!.enroll).toEqual({ status: 'UNPAID', amountDue: '380.00' });
    expect(results.filter((r) => r.errors).map((r) => r.errors![0].extensions?.code)).toEqual(Array(19).fill('CONFLICT'));

    const audit = await server.ownerQuery<{ outcome: string; n: number }>(
      "SELECT outcome, count(*)::int AS n FROM audit_log WHERE tenant_code = '620721' AND actor = 'clerk-race' GROUP BY outcome ORDER BY outcome",
    );
    expect(audit).toEqual([
      { outcome: 'ERROR', n: 19 },
      { outcome: 'OK', n: 1 },
    ]);
    const [rows] = await server.ownerQuery<{ enrollments: number }>(
      "SELECT count(*)::int AS enrollments FROM enrollment WHERE tenant_code = '620721' AND id_number = $1",
      [id],
    );
    expect(rows.enrollments).toBe(1);
  });
});

describe('10 concurrent markDisbursementsPaid for one month', () => {
  it('records the payout once; every caller gets the batch recorded', async () => {
    // 甘州 先缴后补: a 农村一类低保 person paid in October 2022 is reimbursed 250.00 in November.
    const id = makeResidentId('620702', '1961-02-03', 571);
    const registered = await server.gql(
      `mutation($i: ResidentInput!) { registerResident(input: $i) { idNumber } }`,
      { i: { idNumber: id, name: '报销' } },
      { as: 'STAFF', tenant: '620702' },
    );
    expect(registered.errors).toBeUndefined();
    const certified = await server.gql(
      `mutation($input: AssistanceInput!) { grantAssistance(input: $input) { id } }`,
      { input: { idNumber: id, category: 'DIBAO_RURAL_1', certifiedBy: '民政局', validFrom: '2022-01-01' } },
      { as: 'AGENCY', tenant: '620702' },
    );
    expect(certified.errors).toBeUndefined();
    const paid = await server.gql(
      `mutation($input: PaymentInput!) { recordPayment(input: $input) { receiptNo } }`,
      { input: { idNumber: id, coverageYear: 2023, amount: '350.00', paidOn: '2022-10-15', channel: '银行', receiptNo: 'RACE-PAYOUT-1' } },
      { as: 'BANK', tenant: '620702' },
    );
    expect(paid.errors).toBeUndefined();

    const MARK = `mutation { markDisbursementsPaid(month: "2022-11") { month count total paid paidBy } }`;
    const token = server.token('ADMIN', ['620702'], 'admin-race');
    const results = await Promise.all(Array.from({ length: 10 }, () => server.gql(MARK, {}, { token, tenant: '620702' })));
    expect(results.map((r) => r.errors)).toEqual(Array(10).fill(undefined));
    for (const r of results) expect(r.data!.markDisbursementsPaid).toEqual({ month: '2022-11', count: 1, total: '250.00', paid: true, paidBy: 'admin-race' });
    const [rows] = await server.ownerQuery<{ batches: number; paidOut: number }>(
      `SELECT (SELECT count(*)::int FROM disbursement_batch WHERE tenant_code = '620702' AND month = '2022-11') AS "batches",
              (SELECT count(*)::int FROM subsidy_grant WHERE tenant_code = '620702' AND payout_month = '2022-11' AND status = 'PAID_OUT') AS "paidOut"`,
    );
    expect(rows).toEqual({ batches: 1, paidOut: 1 });
  });
});

describe('two imports of the same file at once (npm run import:payments twice)', () => {
  it('record each payment once and account for every row of both as ACCEPTED or DUPLICATE', async () => {
    const ids = residentIds('620702', 20_000, 200_000);
    await seedResidents(server, '620702', ids);
    const lines = [
      '身份证号码,参保年度,金额,缴费日期,缴费渠道,票据号',
      ...ids.map((id, i) => [id, 2023, '350.00', '2022-10-20', '税务代征', `TWICE-${i}`].join(',')),
    ];
    const file = join(mkdtempSync(join(tmpdir(), 'twice-')), 'tax-2022-10-20.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    // As the command runs: the default batch size and concurrency, batch ids from the file's name.
    const options = {
      file,
      url: server.url,
      token: server.token('TAX', ['620702']),
      tenant: '620702',
      batchSize: 5000,
      concurrency: 2,
      batchPrefix: 'tax-2022-10-20',
    };
    const [first, second] = await Promise.all([importPaymentsCsv(options), importPaymentsCsv(options)]);
    for (const tally of [first, second]) {
      expect(tally.rejections).toEqual([]);
      expect(tally.rows).toBe(20_000);
      expect(tally.accepted + tally.duplicates).toBe(20_000);
    }
    expect(first.accepted + second.accepted).toBe(20_000);

    const [counts] = await server.ownerQuery<{ payments: number; receipts: number; paid: number; rows: number; rejected: number }>(
      `SELECT (SELECT count(*)::int FROM payment WHERE tenant_code = '620702' AND receipt_no LIKE 'TWICE-%') AS payments,
              (SELECT count(DISTINCT receipt_no)::int FROM payment WHERE tenant_code = '620702' AND receipt_no LIKE 'TWICE-%') AS receipts,
              (SELECT count(*)::int FROM enrollment WHERE tenant_code = '620702' AND id_number = ANY ($1::text[]) AND status = 'PAID') AS paid,
              (SELECT count(*)::int FROM (${batchRowsAsTheyStand("o.tenant_code = '620702' AND o.batch_id LIKE 'tax-2022-10-20-%'")}) b) AS rows,
              (SELECT count(*)::int FROM (${batchRowsAsTheyStand("o.tenant_code = '620702' AND o.batch_id LIKE 'tax-2022-10-20-%'")}) b WHERE status = 'REJECTED') AS rejected`,
      [ids],
    );
    expect(counts).toEqual({ payments: 20_000, receipts: 20_000, paid: 20_000, rows: 20_000, rejected: 0 });
    // 40,000 rows through HTTP: 29 s alone on a 2-core machine at load 14, past 60 s beside other suites.
  }, 240_000);
});

describe('a batch whose receipts another import commits while the batch is being judged', () => {
  it('counts them as DUPLICATE, not as rejected "already paid"', async () => {
    // What two imports of one file did: this batch read the receipts before the other import committed
    // and the enrolments after, found them paid without their payments and rejected its own receipts.
    // Made deterministic: an owner session holds the enrolment table, the batch waits on it, and the
    // session writes what the other import writes (the enrolment paid, its payment) and commits.
    const [id] = residentIds('620702', 1, 280_000);
    await seedResidents(server, '620702', [id]);
    const other = new pg.Client({ connectionString: server.databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('LOCK TABLE enrollment IN ACCESS EXCLUSIVE MODE');
      const IMPORT = `mutation($batchId: String!, $payments: [PaymentInput!]!) { importPayments(batchId: $batchId, payments: $payments) { accepted duplicates rejected rows { status code error } } }`;
      const batch = server.gql(
        IMPORT,
        {
          batchId: 'JUDGED-WHILE-COMMITTED',
          payments: [{ idNumber: id, coverageYear: 2023, amount: '350.00', paidOn: '2022-10-22', channel: '税务代征', receiptNo: 'JUDGED-1' }],
        },
        { as: 'TAX', tenant: '620702' },
      );
      for (let waited = 0; ; waited += 50) {
        const [blocked] = await server.ownerQuery<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = 'insurance_app' AND datname = current_database() AND wait_event_type = 'Lock'",
        );
        if (blocked.n > 0 || waited > 10_000) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await other.query(
        `INSERT INTO enrollment (tenant_code, id_number, coverage_year, status, enrolled_on, standard_contribution, amount_due, paid_on, amount_paid)
         VALUES ('620702', $1, 2023, 'PAID', '2022-10-22', 35000, 35000, '2022-10-22', 35000)`,
        [id],
      );
      await other.query(
        `INSERT INTO payment (tenant_code, receipt_no, id_number, coverage_year, amount, paid_on, channel, batch_id, recorded_by)
         VALUES ('620702', 'JUDGED-1', $1, 2023, 35000, '2022-10-22', '税务代征', 'JUDGED-WHILE-COMMITTED', 'test-tax')`,
        [id],
      );
      await other.query('COMMIT');
      const res = await batch;
      expect(res.errors).toBeUndefined();
      expect(res.data!.importPayments).toEqual({ accepted: 0, duplicates: 1, rejected: 0, rows: [{ status: 'DUPLICATE', code: null, error: null }] });
    } finally {
      await other.end();
    }
  });
});

describe('an import batch that fails transiently', () => {
  let slow: TestServer;
  beforeAll(async () => {
    // Statements give up after 3 s: long enough for 300 rows on a crowded machine, on Citus too (at
    // 500 ms the retry itself timed out there during a whole-suite run), not for waiting on a lock that
    // is held until the importer has decided to retry.
    slow = await startTestServer({ STATEMENT_TIMEOUT_MS: '3000' });
  });
  afterAll(async () => slow?.close());

  it('is sent again by the importer (TIMEOUT wrote nothing; the retry records every row once)', async () => {
    const ids = residentIds('620702', 300, 260_000);
    await seedResidents(slow, '620702', ids);
    const lines = [
      '身份证号码,参保年度,金额,缴费日期,缴费渠道,票据号',
      ...ids.map((id, i) => [id, 2023, '350.00', '2022-10-21', '税务代征', `LOCKED-${i}`].join(',')),
    ];
    const file = join(mkdtempSync(join(tmpdir(), 'locked-')), 'tax-2022-10-21.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    // Another session holds the payment table, as a long import of the same receipts does with its rows.
    const holder = new pg.Client({ connectionString: slow.databaseUrl });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE payment IN SHARE ROW EXCLUSIVE MODE');
    const retries: string[] = [];
    let retried = (): void => undefined;
    const firstRetry = new Promise<void>((resolve) => (retried = resolve));
    const importing = importPaymentsCsv({
      file,
      url: slow.url,
      token: slow.token('TAX', ['620702']),
      tenant: '620702',
      batchSize: 5000,
      batchPrefix: 'tax-2022-10-21',
      retryDelayMs: 400,
      onRetry: (_batch, _attempt, err) => {
        retries.push(err.code ?? String(err.status));
        retried();
      },
    });
    // The lock goes once the batch has failed on it and is about to be sent again, however long the
    // importer took to start (a fixed 1.5 s was not enough on a crowded machine), or after 5 minutes.
    await Promise.race([firstRetry, importing.catch(() => undefined), new Promise((r) => setTimeout(r, 300_000))]);
    await holder.query('ROLLBACK');
    await holder.end();
    const tally = await importing;
    expect(retries.length).toBeGreaterThan(0);
    expect(new Set(retries)).toEqual(new Set(['TIMEOUT']));
    expect(tally).toMatchObject({ rows: 300, accepted: 300, duplicates: 0, rejected: 0 });
    const [counts] = await slow.ownerQuery<{ payments: number }>(
      "SELECT count(*)::int AS payments FROM payment WHERE tenant_code = '620702' AND receipt_no LIKE 'LOCKED-%'",
    );
    expect(counts.payments).toBe(300);
  }, 360_000);
});

describe("an import of one year's payments and a write in progress on the same people's other years", () => {
  it('neither waits for the other: the import locks only the enrolments of the years it pays', async () => {
    const [id] = residentIds('620721', 1, 262_000);
    await seedResidents(server, '620721', [id]);
    await server.ownerQuery(
      `INSERT INTO enrollment (tenant_code, id_number, coverage_year, status, enrolled_on, standard_contribution, subsidy, amount_due, late)
       VALUES ('620721', $1, 2023, 'UNPAID', '2022-10-08', 35000, 0, 35000, false)`,
      [id],
    );
    // Another session is changing last year's enrolment (a refund, a transfer) and holds its row.
    const holder = new pg.Client({ connectionString: server.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query("SELECT 1 FROM enrollment WHERE tenant_code = '620721' AND id_number = $1 AND coverage_year = 2023 FOR UPDATE", [id]);
      const [{ pid }] = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
      const { waited, answer: res } = await whileHolding(holder, pid, () =>
        server.gql(
          `mutation($batchId: String!, $payments: [PaymentInput!]!) { importPayments(batchId: $batchId, payments: $payments) { accepted rejected } }`,
          {
            batchId: 'NOLOCK-2024',
            payments: [{ idNumber: id, coverageYear: 2024, amount: '380.00', paidOn: '2023-10-09', channel: '税务代征', receiptNo: 'NOLOCK-1' }],
          },
          { as: 'TAX', tenant: '620721' },
        ),
      );
      expect(waited).toBe(false);
      expect(res.errors).toBeUndefined();
      expect(res.data!.importPayments).toEqual({ accepted: 1, rejected: 0 });
    } finally {
      await holder.end();
    }
  });
});

describe('a tax import and another write of enrolments paid on the same day in the same region', () => {
  it("the import does not wait for the other's commit: each transaction adds to its own stripe of the daily counts", async () => {
    const [id] = residentIds('620721', 1, 263_000);
    await seedResidents(server, '620721', [id]);
    const [{ region }] = await server.ownerQuery<{ region: string }>(
      `SELECT coalesce(h.region_code, '') AS region FROM resident r LEFT JOIN household h ON h.tenant_code = r.tenant_code AND h.id = r.household_id
        WHERE r.tenant_code = '620721' AND r.id_number = $1`,
      [id],
    );
    // Another session (a bank's counter payment of someone else) has added to that day's count and not committed.
    const holder = new pg.Client({ connectionString: server.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query("SELECT set_config('app.tenant', '620721', true)");
      const [{ stripe: held }] = (
        await holder.query<{ stripe: number }>(
          `INSERT INTO paid_daily AS d (tenant_code, coverage_year, region_code, paid_on, stripe, paid)
           VALUES ('620721', 2024, $1, '2023-10-11', (pg_current_xact_id()::text::bigint % 16)::smallint, 1)
           ON CONFLICT (tenant_code, coverage_year, region_code, paid_on, stripe) DO UPDATE SET paid = d.paid + 1 RETURNING stripe`,
          [region],
        )
      ).rows;
      const [{ pid }] = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
      const { waited, answer: res } = await whileHolding(holder, pid, () =>
        server.gql(
          `mutation($batchId: String!, $payments: [PaymentInput!]!) { importPayments(batchId: $batchId, payments: $payments) { accepted rejected } }`,
          {
            batchId: 'STRIPE-2024',
            payments: [{ idNumber: id, coverageYear: 2024, amount: '380.00', paidOn: '2023-10-11', channel: '税务代征', receiptNo: 'STRIPE-1' }],
          },
          { as: 'TAX', tenant: '620721' },
        ),
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.importPayments).toEqual({ accepted: 1, rejected: 0 });
      const rows = await server.ownerQuery<{ stripe: number; paid: number }>(
        "SELECT stripe, paid FROM paid_daily WHERE tenant_code = '620721' AND coverage_year = 2024 AND region_code = $1 AND paid_on = '2023-10-11'",
        [region],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].paid).toBe(1);
      // Transactions that run at the same time have nearby ids: only ids sixteen apart share a stripe, and wait.
      if (!citus) expect(waited).toBe(rows[0].stripe === held);
    } finally {
      await holder.end();
    }
  });
});

describe('a batch whose receipt another session records for someone else after the batch judged it', () => {
  it('judges the batch again and rejects that row as a CONFLICT, writing nothing of the first attempt', async () => {
    // The payment is inserted without ON CONFLICT: the receipt taken meanwhile fails the attempt, which is
    // rolled back and judged again. Made deterministic: the other session holds the receipt uncommitted,
    // the batch's insert waits on it, and the session commits.
    const [mine, theirs] = residentIds('620702', 2, 281_000);
    await seedResidents(server, '620702', [mine, theirs]);
    const other = new pg.Client({ connectionString: server.databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await writePaidEnrollment(other, theirs, '2022-10-23');
      await other.query(
        `INSERT INTO payment (tenant_code, receipt_no, id_number, coverage_year, amount, paid_on, channel, batch_id, recorded_by)
         VALUES ('620702', 'TAKEN-1', $1, 2023, 35000, '2022-10-23', '税务代征', 'OTHER', 'test-tax')`,
        [theirs],
      );
      const { res } = await importWhileUncommitted(other, 'RECEIPT-TAKEN', { idNumber: mine, paidOn: '2022-10-23', receiptNo: 'TAKEN-1' });
      expect(res.errors).toBeUndefined();
      expect(res.data!.importPayments).toEqual({ accepted: 0, duplicates: 0, rejected: 1, rows: [{ status: 'REJECTED', code: 'CONFLICT' }] });
      const [left] = await server.ownerQuery<{ enrolments: number }>(
        "SELECT count(*)::int AS enrolments FROM enrollment WHERE tenant_code = '620702' AND id_number = $1",
        [mine],
      );
      expect(left.enrolments).toBe(0);
    } finally {
      await other.end();
    }
  });
});

describe('a batch paying someone whose enrolment another session writes after the batch judged it', () => {
  it('judges the batch again and rejects that row as a CONFLICT (already paid), not as an internal error', async () => {
    // A first payer's enrolment is inserted without ON CONFLICT: the key written meanwhile fails the
    // attempt, which is rolled back and judged again. The other session holds the enrolment uncommitted.
    const [id] = residentIds('620702', 1, 282_000);
    await seedResidents(server, '620702', [id]);
    const other = new pg.Client({ connectionString: server.databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await writePaidEnrollment(other, id, '2022-10-24');
      const { res } = await importWhileUncommitted(other, 'ENROLLED-MEANWHILE', { idNumber: id, paidOn: '2022-10-24', receiptNo: 'MEANWHILE-1' });
      expect(res.errors).toBeUndefined();
      expect(res.data!.importPayments).toEqual({ accepted: 0, duplicates: 0, rejected: 1, rows: [{ status: 'REJECTED', code: 'CONFLICT' }] });
      const [payments] = await server.ownerQuery<{ n: number }>(
        "SELECT count(*)::int AS n FROM payment WHERE tenant_code = '620702' AND receipt_no = 'MEANWHILE-1'",
      );
      expect(payments.n).toBe(0);
    } finally {
      await other.end();
    }
  });
});

describe('two requests recording the same batch id at once', () => {
  it('the one that finds the batch recorded meanwhile is judged again as a replay: its rows are what the batch reads', async () => {
    const [id] = residentIds('620702', 1, 283_000);
    await seedResidents(server, '620702', [id]);
    const other = new pg.Client({ connectionString: server.databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(
        `INSERT INTO payment_batch_outcome (tenant_code, batch_id, recording, recorded_by, row_index, receipt_no, channel, id_number, coverage_year, amount, paid_on,
                                            status, held, code, error, error_zh, policy_version)
         VALUES ('620702', 'SAME-BATCH', 1, 'test-tax', '{0}', '{OTHER-1}', '{税务代征}', ARRAY[$1], '{2023}', '{35000}', '{2022-10-25}', '{REJECTED}', '{false}',
                 '{NULL}', '{NULL}', '{NULL}', '{NULL}')`,
        [id],
      );
      const { waited, res } = await importWhileUncommitted(other, 'SAME-BATCH', { idNumber: id, paidOn: '2022-10-25', receiptNo: 'SAME-1' });
      expect(waited).toBe(!citus);
      expect(res.errors).toBeUndefined();
      expect(res.data!.importPayments).toEqual({ accepted: 1, duplicates: 0, rejected: 0, rows: [{ status: 'ACCEPTED', code: null }] });
      const rows = await server.ownerQuery<{ receipt_no: string; status: string }>(
        `SELECT receipt_no, status FROM (${batchRowsAsTheyStand("o.tenant_code = '620702' AND o.batch_id = 'SAME-BATCH'")}) b ORDER BY row_index`,
      );
      expect(rows).toEqual([{ receipt_no: 'SAME-1', status: 'ACCEPTED' }]);
    } finally {
      await other.end();
    }
  });
});

describe('a script sending the same batch several times at once', () => {
  it('is answered once as the batch and otherwise as its replay, never CONFLICT', async () => {
    const ids = residentIds('620702', 3, 286_000);
    await seedResidents(server, '620702', ids);
    const payments = ids.map((idNumber, i) => ({
      idNumber,
      coverageYear: 2023,
      amount: '350.00',
      paidOn: '2022-10-26',
      channel: '税务代征',
      receiptNo: `AGAIN-${i}`,
    }));
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        server.gql<{ importPayments: { accepted: number; duplicates: number } }>(IMPORT_ROWS, { batchId: 'AGAIN', payments }, { as: 'TAX', tenant: '620702' }),
      ),
    );
    expect(answers.map((a) => a.errors)).toEqual(answers.map(() => undefined));
    const counts = answers.map((a) => `${a.data!.importPayments.accepted}/${a.data!.importPayments.duplicates}`).sort();
    expect(counts).toEqual(['0/3', '0/3', '0/3', '0/3', '0/3', '3/0']);
    const [{ recordings }] = await server.ownerQuery<{ recordings: number }>(
      "SELECT count(*)::int AS recordings FROM payment_batch_outcome WHERE tenant_code = '620702' AND batch_id = 'AGAIN'",
    );
    expect(recordings).toBe(1);
  });

  it('a call of a batch waits while another transaction holds the batch, then goes on', async () => {
    const [id] = residentIds('620702', 1, 287_000);
    await seedResidents(server, '620702', [id]);
    const other = new pg.Client({ connectionString: server.databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await holdBatch(other, 'HELD-BATCH');
      const { waited, res } = await importWhileUncommitted(other, 'HELD-BATCH', { idNumber: id, paidOn: '2022-10-27', receiptNo: 'HELD-BATCH-1' });
      expect(waited).toBe(!citus);
      expect(res.errors).toBeUndefined();
      expect(res.data!.importPayments).toEqual({ accepted: 1, duplicates: 0, rejected: 0, rows: [{ status: 'ACCEPTED', code: null }] });
    } finally {
      await other.end();
    }
  });
});

describe('two requests each importing batches X and Y, in opposite orders', () => {
  it('both answer, without a deadlock: each request takes all its batches at its first import', async () => {
    if (citus) return;
    const ids = residentIds('620702', 2, 288_000);
    await seedResidents(server, '620702', ids);
    const batch = (k: number) => [
      { idNumber: ids[k], coverageYear: 2023, amount: '350.00', paidOn: '2022-10-28', channel: '税务代征', receiptNo: `CROSS-${k}` },
    ];
    const both = `mutation($first: String!, $second: String!, $one: [PaymentInput!]!, $other: [PaymentInput!]!) {
      first: importPayments(batchId: $first, payments: $one) { accepted duplicates rejected }
      second: importPayments(batchId: $second, payments: $other) { accepted duplicates rejected } }`;
    const holder = new pg.Client({ connectionString: server.databaseUrl });
    await holder.connect();
    try {
      // Batch X held by a call not yet ended, so that both requests are under way when it ends.
      await holder.query('BEGIN');
      await holdBatch(holder, 'CROSS-X');
      const waiting = async (n: number) => {
        const deadline = Date.now() + 30_000;
        // Waiting for a batch, whichever holds it: the holder, or the other request.
        const count = async () =>
          (
            await holder.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = $1 AND objsubid = 2",
              [TRANSACTION_LOCKS.IMPORT_BATCH],
            )
          ).rows[0].n;
        while (Date.now() < deadline) {
          if ((await count()) >= n) return true;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return false;
      };
      // X then Y first, waiting for X; then Y then X. Taken one at a time in the order of the fields, the
      // second would hold Y and wait for X behind the first, which would get X and wait for Y: PostgreSQL
      // would end one of them. Taken together in one order, the second waits for the first.
      const forwards = server.gql(both, { first: 'CROSS-X', second: 'CROSS-Y', one: batch(0), other: batch(1) }, { as: 'TAX', tenant: '620702' });
      expect(await waiting(1)).toBe(true);
      const backwards = server.gql(both, { first: 'CROSS-Y', second: 'CROSS-X', one: batch(1), other: batch(0) }, { as: 'TAX', tenant: '620702' });
      expect(await waiting(2)).toBe(true);
      await holder.query('ROLLBACK');
      const answers = await Promise.all([forwards, backwards]);
      expect(answers.map((a) => a.errors)).toEqual([undefined, undefined]);
      const counts = answers.map((a) => JSON.stringify(a.data)).sort();
      expect(counts).toEqual(
        [
          { first: { accepted: 0, duplicates: 1, rejected: 0 }, second: { accepted: 0, duplicates: 1, rejected: 0 } },
          { first: { accepted: 1, duplicates: 0, rejected: 0 }, second: { accepted: 1, duplicates: 0, rejected: 0 } },
        ].map((d) => JSON.stringify(d)),
      );
    } finally {
      await holder.end();
    }
  });
});

describe('a request whose transaction PostgreSQL aborts to break a deadlock', () => {
  it('answers CONFLICT (retryable) for a field whose statement came after the one it broke, never INTERNAL_SERVER_ERROR', async () => {
    // On Citus the waits and the deadlock are the workers': the cycle below is not built there.
    if (citus) return;
    const [first, second] = residentIds('620702', 2, 284_000);
    await seedResidents(server, '620702', [first, second]);
    // Two people read (the request holds its read of resident), then the first one's changes, then the
    // second one's waivers, queued on the request's one connection. The holder keeps resident_change
    // locked: the request waits for it; the holder then asks for resident, and PostgreSQL breaks the
    // cycle in the request, which began waiting first. The waivers' read, queued after, is refused with
    // 25P02; each person is a field of its own, so each failure reaches the client.
    const holder = new pg.Client({ connectionString: server.databaseUrl });
    await holder.connect();
    try {
      const [{ pid, superuser }] = (
        await holder.query<{ pid: number; superuser: boolean }>(
          'SELECT pg_backend_pid() AS pid, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user',
        )
      ).rows;
      await holder.query('BEGIN');
      // The holder never looks for the deadlock itself (where it may): the request is the one it ends.
      if (superuser) await holder.query("SET LOCAL deadlock_timeout = '1min'");
      await holder.query('LOCK TABLE resident_change IN ACCESS EXCLUSIVE MODE');
      const answer = server.gql(
        `query($first: String!, $second: String!) {
           first: resident(idNumber: $first) { changes { field } }
           second: resident(idNumber: $second) { waivers { reason } }
         }`,
        { first, second },
        { as: 'STAFF', tenant: '620702' },
      );
      expect(await blockedWithin(holder, pid, 30_000)).toBe(true);
      await holder.query('LOCK TABLE resident IN ACCESS EXCLUSIVE MODE');
      const res = await answer;
      await holder.query('ROLLBACK');
      expect(res.data).toEqual({ first: null, second: null });
      expect(res.errors!.map((e) => [e.path, e.extensions])).toEqual([
        [['first', 'changes'], { code: 'CONFLICT', retryable: true }],
        [['second', 'waivers'], { code: 'CONFLICT', retryable: true }],
      ]);
    } finally {
      await holder.end();
    }
  });
});

describe("the request's transaction after a statement PostgreSQL gave up to a deadlock", () => {
  // A statement failing as PostgreSQL fails the one a deadlock ends (SQLSTATE 40P01): it aborts the transaction.
  const DEADLOCKED = `DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$`;
  const transaction = () => server.running.state.connections.transaction('620702');

  it('reports that deadlock, not 25P02, for the statements and the commit that follow an error caught and gone past', async () => {
    const tx = transaction();
    await expect(tx.query(DEADLOCKED)).rejects.toMatchObject({ code: '40P01' });
    await expect(tx.query('SELECT 1 AS one')).rejects.toMatchObject({ code: '40P01' });
    // PostgreSQL would answer the COMMIT with a rollback and no error: the operation's success was false.
    await expect(tx.finish(true)).rejects.toMatchObject({ code: '40P01' });
  });

  it('reports it for statements queued together with the one that failed (Promise.all), whichever settles first', async () => {
    const tx = transaction();
    const settled = await Promise.allSettled([tx.query('SELECT 1 AS one'), tx.query(DEADLOCKED), tx.query('SELECT 2 AS two')]);
    expect(settled.map((s) => (s.status === 'rejected' ? (s.reason as { code?: string }).code : 'ran'))).toEqual(['ran', '40P01', '40P01']);
    await tx.finish(false);
  });

  it('forgets it once a savepoint rolled it back, and reports it for the RELEASE of a savepoint whose work swallowed it', async () => {
    const tx = transaction();
    await expect(tx.savepoint(() => tx.query(DEADLOCKED))).rejects.toMatchObject({ code: '40P01' });
    await expect(tx.savepoint(() => tx.query(DEADLOCKED).catch(() => []))).rejects.toMatchObject({ code: '40P01' });
    expect(await tx.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await expect(tx.finish(true)).resolves.toBe(false);
  });
});
