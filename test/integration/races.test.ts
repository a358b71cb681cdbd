/**
 * Races over HTTP, with real concurrency on real PostgreSQL: many requests for the same person, the same
 * month or the same file at once. Whatever the interleaving, one of them does the work, the others get
 * the same answer or CONFLICT, the audit log has one OK record per change, and nothing is doubled.
 */
import { makeResidentId } from '../../src/domains/residents/id-number';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

describe('20 concurrent enrol calls for one person', () => {
  it('enrol once: one success and one OK audit record, the other 19 CONFLICT', async () => {
    const id = makeResidentId('620721', '1971-03-04', 381);
    const registered = await server.gql(`mutation($i: ResidentInput!) { registerResident(input: $i) { idNumber } }`, { i: { idNumber: id, name: '并发' } }, { as: 'STAFF', tenant: '620721' });
    expect(registered.errors).toBeUndefined();
    const token = server.token('STAFF', ['620721'], 'clerk-race');
    const ENROLL = `mutation($input: EnrollInput!) { enroll(input: $input) { status amountDue } }`;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => server.gql(ENROLL, { input: { idNumber: id, coverageYear: 2024, enrolledOn: '2023-10-08' } }, { token, tenant: '620721' })),
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
    const [rows] = await server.ownerQuery<{ enrollments: number }>("SELECT count(*)::int AS enrollments FROM enrollment WHERE tenant_code = '620721' AND id_number = $1", [id]);
    expect(rows.enrollments).toBe(1);
  });
});

describe('10 concurrent markDisbursementsPaid for one month', () => {
  it('records the payout once; every caller gets the batch recorded', async () => {
    // 甘州 先缴后补: a 农村一类低保 person paid in October 2022 is reimbursed 250.00 in November.
    const id = makeResidentId('620702', '1961-02-03', 571);
    const registered = await server.gql(`mutation($i: ResidentInput!) { registerResident(input: $i) { idNumber } }`, { i: { idNumber: id, name: '报销' } }, { as: 'STAFF', tenant: '620702' });
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
