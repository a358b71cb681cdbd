/**
 * The backfills of migrations RefundsNumbered, ReimbursementsOfEndedEnrolments and TargetsKeptWithTheirDays, run again on a
 * database where the running code made the marks: cleared, then the migrations' statements (their DDL
 * left out: it has run) give the same marks, and a reimbursement left SCHEDULED in a paid month
 * becomes DUE. The runner answers as TypeORM's does (rows, or { records, affected } when structured).
 */
import pg from 'pg';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { RefundsNumbered1763802700000 } from '../../migrations/1763802700000-RefundsNumbered';
import { ReimbursementsOfEndedEnrolments1763802800000 } from '../../migrations/1763802800000-ReimbursementsOfEndedEnrolments';
import { TargetsKeptWithTheirDays1763803200000 } from '../../migrations/1763803200000-TargetsKeptWithTheirDays';
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
  await server.ownerQuery(`UPDATE subsidy_grant SET deducted_by_refund = NULL, ended_by_refund = NULL WHERE id_number = ANY($1)`, [ids]);
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  const skip = /ADD COLUMN|DROP DEFAULT|ADD CONSTRAINT|DROP CONSTRAINT|CREATE UNIQUE INDEX/;
  // The DDL of the migrations has run already; their data statements run again.
  const runner = {
    query: async (sql: string, params: unknown[] = [], structured = false) => {
      if (skip.test(sql)) return structured ? { records: [], affected: 0 } : [];
      const r = await client.query(sql, params);
      return structured ? { records: r.rows, affected: r.rowCount } : r.rows;
    },
  };
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
