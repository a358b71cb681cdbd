/**
 * The backfills of migrations RefundsNumbered, ReimbursementsOfEndedEnrolments and TargetsKeptWithTheirDays, run again on a
 * database where the running code made the marks: cleared, then the migrations' statements (their DDL
 * left out: it has run) give the same marks, and a reimbursement left SCHEDULED in a paid month
 * becomes DUE. The runner answers as TypeORM's does (rows, or { records, affected } when structured).
 * The key of live grants (OneLiveGrant) is taken off while marks are cleared, and made again after.
 */
import pg from 'pg';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { RefundsNumbered1763802700000 } from '../../migrations/1763802700000-RefundsNumbered';
import { ReimbursementsOfEndedEnrolments1763802800000 } from '../../migrations/1763802800000-ReimbursementsOfEndedEnrolments';
import { OneLiveGrant1763803100000 } from '../../migrations/1763803100000-OneLiveGrant';
import { TargetsKeptWithTheirDays1763803200000 } from '../../migrations/1763803200000-TargetsKeptWithTheirDays';
import { BatchOutcomesPerCall1763803900000 } from '../../migrations/1763803900000-BatchOutcomesPerCall';
import { batchRowsAsTheyStand } from '../../src/domains/enrollment/held.repository';
import { isCitus } from '../helpers/test-databases';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());
const GZ = '620702';
let n = 0;
async function ok(q: string, v: Record<string, unknown>, as: 'STAFF' | 'AGENCY' | 'BANK' | 'ADMIN') {
  const r = await server.gql(q, v, { as, tenant: GZ });
  expect(r.errors).toBeUndefined();
  return r.data!;
}

/** A runner on `client` as TypeORM's answers, leaving out the statements that match `skip` (DDL that has run). */
function runnerOn(client: pg.Client, skip: RegExp) {
  return {
    query: async (sql: string, params: unknown[] = [], structured = false) => {
      if (skip.test(sql)) return structured ? { records: [], affected: 0 } : [];
      const r = await client.query(sql, params);
      return structured ? { records: r.rows, affected: r.rowCount } : r.rows;
    },
  };
}

/** OneLiveGrant again on `client`, its column left out (it is there). */
const keyLiveGrants = (client: pg.Client) => new OneLiveGrant1763803100000().up(runnerOn(client, /ADD COLUMN/) as any);
async function person(): Promise<string> {
  const id = makeResidentId(GZ, '1970-01-01', 300 + n++);
  await ok(`mutation($i: ResidentInput!) { registerResident(input: $i) { idNumber } }`, { i: { idNumber: id, name: '甲' } }, 'STAFF');
  await ok(
    `mutation($i: AssistanceInput!) { grantAssistance(input: $i) { id } }`,
    { i: { idNumber: id, category: 'DIBAO_RURAL_1', certifiedBy: '民政局', validFrom: '2022-01-01' } },
    'AGENCY',
  );
  return id;
}
const pay = (id: string, paidOn: string, receiptNo: string) =>
  ok(
    `mutation($i: PaymentInput!) { recordPayment(input: $i) { receiptNo } }`,
    { i: { idNumber: id, coverageYear: 2023, amount: '350.00', paidOn, channel: '银行', receiptNo } },
    'BANK',
  );
const req = (id: string, on: string) =>
  ok(
    `mutation($i: RefundInput!) { requestRefund(input: $i) { amount } }`,
    { i: { idNumber: id, coverageYear: 2023, reason: 'OTHER_POOL', requestedOn: on } },
    'STAFF',
  );

it('give the marks the running code gives: a pending refund whose payout came back, approved ones (one re-issued after), a rejected one', async () => {
  const [a, b, c, d] = [await person(), await person(), await person(), await person()];
  await pay(a, '2022-06-10', 'A1');
  await pay(c, '2022-06-11', 'C1');
  await ok(`mutation { markDisbursementsPaid(month: "2022-07") { paid } }`, {}, 'ADMIN');
  await req(a, '2022-07-20');
  await req(c, '2022-07-20');
  await ok(
    `mutation($r: [PayoutResultInput!]!) { recordPayoutResults(month: "2022-07", results: $r) { reissued } }`,
    { r: [{ idNumber: a, coverageYear: 2023, amount: '250.00', result: 'RETURNED', resultOn: '2022-07-25' }] },
    'ADMIN',
  );
  await ok(`mutation { rejectRefund(idNumber: "${c}", coverageYear: 2023) { status } }`, {}, 'ADMIN');
  await pay(b, '2022-08-10', 'B1');
  await pay(d, '2022-08-11', 'D1');
  await ok(`mutation { markDisbursementsPaid(month: "2022-09") { paid } }`, {}, 'ADMIN');
  await req(b, '2022-09-12');
  await req(d, '2022-09-12');
  await ok(`mutation { approveRefund(idNumber: "${b}", coverageYear: 2023) { status } }`, {}, 'ADMIN');
  await ok(`mutation { approveRefund(idNumber: "${d}", coverageYear: 2023) { status } }`, {}, 'ADMIN');
  // d's payout comes back after the approval: a re-issue created after the decision.
  await ok(
    `mutation($r: [PayoutResultInput!]!) { recordPayoutResults(month: "2022-09", results: $r) { reissued } }`,
    { r: [{ idNumber: d, coverageYear: 2023, amount: '250.00', result: 'RETURNED', resultOn: '2022-09-25' }] },
    'ADMIN',
  );
  await pay(b, '2022-09-20', 'B2');
  const ids = [a, b, c, d];
  const marks = () =>
    server.ownerQuery(`SELECT id_number, id, status, deducted_by_refund, ended_by_refund FROM subsidy_grant WHERE id_number = ANY($1) ORDER BY id`, [ids]);
  const live = await marks();
  // Without its marks, b's refunded period would be live beside its new one: the key comes off meanwhile.
  await server.ownerQuery('DROP INDEX subsidy_grant_one_live');
  await server.ownerQuery(`UPDATE subsidy_grant SET deducted_by_refund = NULL, ended_by_refund = NULL WHERE id_number = ANY($1)`, [ids]);
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  // The DDL of the migrations has run already; their data statements run again.
  const runner = runnerOn(client, /ADD COLUMN|DROP DEFAULT|ADD CONSTRAINT|DROP CONSTRAINT|CREATE UNIQUE INDEX/);
  try {
    await new RefundsNumbered1763802700000().up(runner as any);
    const backfilled = await marks();
    expect(backfilled).toEqual(live);
    // A reimbursement of a PAID enrolment left SCHEDULED in a paid month becomes DUE.
    await server.ownerQuery(`UPDATE subsidy_grant SET status = 'SCHEDULED', payout_month = '2022-07' WHERE id_number = $1`, [c]);
    await new ReimbursementsOfEndedEnrolments1763802800000().up(runner as any);
    expect(await server.ownerQuery(`SELECT status, payout_month FROM subsidy_grant WHERE id_number = $1`, [c])).toEqual([
      { status: 'DUE', payout_month: null },
    ]);
    // The marks given back, no enrolment has two live grants: the key is made again.
    await keyLiveGrants(client);
  } finally {
    await client.end();
  }
});

it('OneLiveGrant stops, changing nothing of the key, on enrolments with two live grants, names them, and keys the rest once resolved', async () => {
  const [paidTwice, movedOut] = [await person(), await person()];
  await pay(paidTwice, '2022-10-10', 'P1');
  await pay(movedOut, '2022-10-11', 'M1');
  await ok(`mutation { transferOut(idNumber: "${movedOut}", on: "2022-10-20", destination: "山丹县") { status } }`, {}, 'STAFF');
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  try {
    // A database from before the key: a grant written twice, and the grant of an ended enrolment unmarked.
    await client.query('DROP INDEX subsidy_grant_one_live');
    const [twice] = (
      await client.query(
        `INSERT INTO subsidy_grant (tenant_code, id_number, coverage_year, category, mode, kind, amount, granted_on, payout_month, status, funding, clause)
         SELECT tenant_code, id_number, coverage_year, category, mode, kind, amount, granted_on, payout_month, status, funding, clause
           FROM subsidy_grant WHERE id_number = $1 RETURNING id`,
        [paidTwice],
      )
    ).rows;
    await client.query('UPDATE subsidy_grant SET period_ended_on = NULL WHERE id_number = $1', [movedOut]);

    const refused = await keyLiveGrants(client).then(
      () => null,
      (err: Error) => err.message,
    );
    expect(refused).toMatch(/^subsidy_grant: 有 1 个参保记录存在一笔以上有效的参保资助.*\(1 enrolment\(s\) have more than one live grant/);
    expect(refused).toContain(`620702 2023: `);
    expect(refused).toContain(`, ${twice.id}`);
    expect(refused).not.toContain(paidTwice);
    expect((await client.query(`SELECT 1 FROM pg_indexes WHERE indexname = 'subsidy_grant_one_live'`)).rows).toEqual([]);

    // The bureau cancels the grant not owed; the migration then marks the ended period and makes the key.
    await client.query(`UPDATE subsidy_grant SET status = 'CANCELLED' WHERE id = $1`, [twice.id]);
    await keyLiveGrants(client);
    expect((await client.query(`SELECT 1 FROM pg_indexes WHERE indexname = 'subsidy_grant_one_live'`)).rows).toHaveLength(1);
    expect((await client.query(`SELECT period_ended_on::text AS on FROM subsidy_grant WHERE id_number = $1`, [movedOut])).rows).toEqual([{ on: '2022-10-20' }]);
    await expect(client.query(`UPDATE subsidy_grant SET status = 'SCHEDULED' WHERE id = $1`, [twice.id])).rejects.toMatchObject({
      code: '23505',
      constraint: 'subsidy_grant_one_live',
    });
  } finally {
    await client.end();
  }
});

it('OneLiveGrant marks the grants of the period before a re-opening as of that period: all but the latest where the new one is paid', async () => {
  const [reopenedPaid, reopenedUnpaid] = [await person(), await person()];
  await pay(reopenedPaid, '2022-10-12', 'R1');
  await pay(reopenedUnpaid, '2022-10-13', 'R2');
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  try {
    // A database from before the key: each enrolment re-opened after a period that ended on 10-20 (as a
    // transfer out and back would leave it), the first paid again and granted again, the second not yet.
    await client.query('DROP INDEX subsidy_grant_one_live');
    const [again] = (
      await client.query(
        `INSERT INTO subsidy_grant (tenant_code, id_number, coverage_year, category, mode, kind, amount, granted_on, payout_month, status, funding, clause)
         SELECT tenant_code, id_number, coverage_year, category, mode, kind, amount, '2022-10-15', payout_month, status, funding, clause
           FROM subsidy_grant WHERE id_number = $1 RETURNING id`,
        [reopenedPaid],
      )
    ).rows;
    await client.query(`UPDATE enrollment SET reopened_after = '2022-10-20' WHERE id_number = ANY($1)`, [[reopenedPaid, reopenedUnpaid]]);
    await client.query(`UPDATE enrollment SET status = 'UNPAID' WHERE id_number = $1`, [reopenedUnpaid]);
    await keyLiveGrants(client);
    const marked = await client.query(`SELECT id_number, id, period_ended_on::text AS ended FROM subsidy_grant WHERE id_number = ANY($1) ORDER BY id`, [
      [reopenedPaid, reopenedUnpaid],
    ]);
    expect(marked.rows.map((r) => [r.id_number === reopenedPaid ? 'paid' : 'unpaid', r.id === again.id ? 'again' : 'first', r.ended])).toEqual([
      ['paid', 'first', '2022-10-20'],
      ['unpaid', 'first', '2022-10-20'],
      ['paid', 'again', null],
    ]);
  } finally {
    await client.end();
  }
});

it('make each target set before the history was kept its first entry, at the time it was last set, by whom', async () => {
  const set = (target: number) =>
    ok(
      `mutation($t: Int!) { setRegionTargets(coverageYear: 2023, targets: [{ region: "${GZ}", target: $t }], source: "任务分解表") { target } }`,
      { t: target },
      'ADMIN',
    );
  await set(100);
  await set(120);
  const history = () =>
    server.ownerQuery(
      `SELECT region_code, target, source, set_by, set_at FROM region_target_history WHERE tenant_code = $1 AND coverage_year = 2023 ORDER BY set_at`,
      [GZ],
    );
  const live = await history();
  expect(live.map((r) => r.target)).toEqual([100, 120]);
  // Before the migration only the current row was kept.
  await server.ownerQuery('DELETE FROM region_target_history WHERE tenant_code = $1', [GZ]);
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  const skip = /CREATE TABLE|ADD CONSTRAINT|CREATE POLICY/;
  const runner = { query: async (sql: string, params: unknown[] = []) => (skip.test(sql) ? [] : (await client.query(sql, params)).rows) };
  try {
    await new TargetsKeptWithTheirDays1763803200000().up(runner as any);
  } finally {
    await client.end();
  }
  expect(await history()).toEqual([live[1]]);
});

describe('BatchOutcomesPerCall', () => {
  const IMPORT = `mutation($b: String!, $p: [PaymentInput!]!) { importPayments(batchId: $b, payments: $p) { accepted duplicates rejected held } }`;
  const row = (idNumber: string, receiptNo: string, amount: string) => ({
    idNumber,
    coverageYear: 2023,
    amount,
    paidOn: '2022-10-08',
    channel: '税务代征',
    receiptNo,
  });
  const standing = (client: pg.Client) =>
    client
      .query(
        `SELECT row_index, receipt_no, channel, id_number, coverage_year, amount::text, paid_on::text, status, held, code, error, error_zh, policy_version, recorded_at
           FROM (${batchRowsAsTheyStand("o.tenant_code = '620702' AND o.batch_id = 'MOVED-1'")}) b ORDER BY row_index`,
      )
      .then((r) => r.rows);

  it('moves the rows of payment_batch_row into one row per call and back, each row reading as it did', async () => {
    if (await isCitus(server.databaseUrl)) return;
    const paid = await person();
    const unknown = makeResidentId(GZ, '1971-01-01', 990);
    const first = await server.gql(
      IMPORT,
      { b: 'MOVED-1', p: [row(paid, 'MV-1', '350.00'), row(unknown, 'MV-2', '350.00'), row(await person(), 'MV-3', '1.00')] },
      { as: 'TAX', tenant: GZ },
    );
    expect(first.data!.importPayments).toEqual({ accepted: 2, duplicates: 0, rejected: 1, held: 1 });
    // The replay: the first row is a duplicate of itself (it stays ACCEPTED), the third is corrected.
    const [{ id }] = await server.ownerQuery<{ id: string }>(
      "SELECT u.id_number AS id FROM payment_batch_outcome o, unnest(o.row_index, o.id_number) AS u(i, id_number) WHERE o.batch_id = 'MOVED-1' AND u.i = 2",
    );
    const again = await server.gql(
      IMPORT,
      { b: 'MOVED-1', p: [row(paid, 'MV-1', '350.00'), row(unknown, 'MV-2', '350.00'), row(id, 'MV-3b', '350.00')] },
      { as: 'TAX', tenant: GZ },
    );
    expect(again.data!.importPayments).toEqual({ accepted: 1, duplicates: 2, rejected: 0, held: 1 });

    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    try {
      await client.query('BEGIN');
      const before = await standing(client);
      expect(before.map((r) => [r.row_index, r.receipt_no, r.status, r.held])).toEqual([
        [0, 'MV-1', 'ACCEPTED', false],
        [1, 'MV-2', 'ACCEPTED', true],
        [2, 'MV-3b', 'ACCEPTED', false],
      ]);
      const migration = new BatchOutcomesPerCall1763803900000();
      const runner = runnerOn(client, /^$/);
      await migration.down(runner as any);
      const rows = await client.query(
        `SELECT row_index, receipt_no, channel, id_number, coverage_year, amount::text, paid_on::text, status, held, code, error, error_zh, policy_version, recorded_at
           FROM payment_batch_row WHERE tenant_code = '620702' AND batch_id = 'MOVED-1' ORDER BY row_index`,
      );
      expect(rows.rows).toEqual(before.map(({ tenant_code: _t, batch_id: _b, ...r }) => r));
      await migration.up(runner as any);
      expect(await standing(client)).toEqual(before);
      const recordings = await client.query("SELECT recording, row_index FROM payment_batch_outcome WHERE batch_id = 'MOVED-1' ORDER BY recording");
      expect(recordings.rows).toEqual([
        { recording: 1, row_index: [0, 1] },
        { recording: 2, row_index: [2] },
      ]);
    } finally {
      await client.query('ROLLBACK');
      await client.end();
    }
  });
});
