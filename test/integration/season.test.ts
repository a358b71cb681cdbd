/**
 * One season per payment model, from enrolment to payout and reports, over HTTP on real PostgreSQL:
 * 先缴后补 in 甘州区 (区医保发〔2022〕69号), 差额征缴 in 肃南县 (肃医保〔2023〕48号), and 山丹县 (2021年度 notice), whose
 * 低保 reimbursement waits for 张医保发〔2021〕52号. Each ends with the money balanced to the fen, through the
 * API and in SQL beneath it: collected = payments − reversals − refunds, and the subsidies by funding
 * source add up to the grants.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/app';
import { loadConfig } from '../../src/common/config';
import { createLogger } from '../../src/common/logger';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

let seq = 0;
const GZ = '620702';
const SN = '620721';
const SD = '620725';

async function ok<T = Record<string, any>>(
  query: string,
  variables: Record<string, unknown>,
  as: 'ADMIN' | 'STAFF' | 'BANK' | 'TAX' | 'AGENCY',
  tenant: string,
  url?: string,
): Promise<T> {
  const res = url ? await gqlAt(url, query, variables, as, tenant) : await server.gql<T>(query, variables, { as, tenant });
  expect(res.errors).toBeUndefined();
  return res.data as T;
}

async function gqlAt(url: string, query: string, variables: Record<string, unknown>, as: 'ADMIN' | 'STAFF' | 'BANK' | 'TAX' | 'AGENCY', tenant: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token(as, [tenant])}`, 'x-tenant-id': tenant },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

async function person(tenant: string, birth: string, name: string): Promise<string> {
  const idNumber = makeResidentId(tenant, birth, 300 + seq++);
  await ok(`mutation($i: ResidentInput!) { registerResident(input: $i) { idNumber } }`, { i: { idNumber, name } }, 'STAFF', tenant);
  return idNumber;
}

async function certify(tenant: string, idNumber: string, category: string, validFrom: string) {
  await ok(
    `mutation($i: AssistanceInput!) { grantAssistance(input: $i) { id } }`,
    { i: { idNumber, category, certifiedBy: '民政局', validFrom } },
    'AGENCY',
    tenant,
  );
}

const PAY = `mutation($i: PaymentInput!) { recordPayment(input: $i) { receiptNo channel amount payer payerKind reversed } }`;
const pay = (tenant: string, i: Record<string, unknown>) => ok(PAY, { i: { channel: '农商银行', ...i } }, 'BANK', tenant);
const REVERSE = `mutation($i: PaymentReversalInput!) { reversePayment(input: $i) { receiptNo channel amount reversed reversedOn reversalReason } }`;
const BALANCE = `query($y: Int!) { collectionBalance(coverageYear: $y) {
  payments { count amount fundingBodyAmount } reversals { count amount } refunds { count amount paidOut } collected heldInSuspense { count amount } enrolledUnpaid { count amount } } }`;
const TOTALS = `query($y: Int!) { subsidyTotals(coverageYear: $y) { total paidOut owed byCategory { category mode people amount } bySource { source amount } } }`;
const STATUS = `query($id: String!, $y: Int!) { enrollmentStatus(idNumber: $id, coverageYear: $y) { status amountDue amountPaid } }`;

const yuan = (text: string) => Math.round(Number(text) * 100);

/** The same balance beneath the API, in SQL as the owner. */
async function sqlBalance(tenant: string, year: number) {
  const [row] = await server.ownerQuery(
    `SELECT (SELECT coalesce(sum(amount), 0)::bigint FROM payment WHERE tenant_code = $1 AND coverage_year = $2) AS payments,
            (SELECT coalesce(sum(amount), 0)::bigint FROM payment_reversal WHERE tenant_code = $1 AND coverage_year = $2) AS reversals,
            (SELECT coalesce(sum(amount), 0)::bigint FROM refund WHERE tenant_code = $1 AND coverage_year = $2 AND status = 'APPROVED') AS refunds,
            (SELECT coalesce(sum(amount), 0)::bigint FROM subsidy_grant WHERE tenant_code = $1 AND coverage_year = $2 AND status NOT IN ('CANCELLED', 'REISSUED')) AS grants,
            (SELECT coalesce(sum((f ->> 'amount')::bigint), 0)::bigint FROM subsidy_grant g, jsonb_array_elements(g.funding) f
              WHERE g.tenant_code = $1 AND g.coverage_year = $2 AND g.status NOT IN ('CANCELLED', 'REISSUED')) AS funded,
            (SELECT count(*)::int FROM enrollment e WHERE e.tenant_code = $1 AND e.coverage_year = $2 AND e.status = 'PAID'
               AND NOT EXISTS (SELECT 1 FROM payment p WHERE p.tenant_code = e.tenant_code AND p.id_number = e.id_number AND p.coverage_year = e.coverage_year
                                 AND NOT EXISTS (SELECT 1 FROM payment_reversal r WHERE r.tenant_code = p.tenant_code AND r.channel = p.channel AND r.receipt_no = p.receipt_no))) AS paid_without_money`,
    [tenant, year],
  );
  return {
    payments: Number(row.payments),
    reversals: Number(row.reversals),
    refunds: Number(row.refunds),
    grants: Number(row.grants),
    funded: Number(row.funded),
    paid_without_money: Number(row.paid_without_money),
  };
}

function expectBalanced(api: any, totals: any, sql: Awaited<ReturnType<typeof sqlBalance>>) {
  expect(yuan(api.collected)).toBe(yuan(api.payments.amount) - yuan(api.reversals.amount) - yuan(api.refunds.amount));
  expect(yuan(api.collected)).toBe(sql.payments - sql.reversals - sql.refunds);
  const bySource = totals.bySource.reduce((s: number, r: { amount: string }) => s + yuan(r.amount), 0);
  expect(bySource).toBe(yuan(totals.total));
  expect(yuan(totals.total)).toBe(sql.grants);
  expect(sql.paid_without_money).toBe(0);
}

describe('甘州区 2023: 先缴后补', () => {
  const ids: Record<string, string> = {};

  it('enrols and pays: the ordinary, the 低保 who is paid back, the 特困 whose fund pays, a tax batch with someone not yet registered', async () => {
    ids.plain = await person(GZ, '1970-01-01', '甲');
    ids.dibao = await person(GZ, '1971-01-01', '乙');
    ids.tekun = await person(GZ, '1940-01-01', '丙');
    ids.mistake = await person(GZ, '1972-01-01', '丁');
    ids.leaver = await person(GZ, '1973-01-01', '戊');
    ids.newcomer = makeResidentId(GZ, '1974-01-01', 300 + seq++);
    await certify(GZ, ids.dibao, 'DIBAO_RURAL_1', '2022-01-01');
    await certify(GZ, ids.tekun, 'EXTREME_POVERTY', '2022-01-01');

    expect(
      (await pay(GZ, { idNumber: ids.plain, coverageYear: 2023, amount: '350.00', paidOn: '2022-10-10', receiptNo: 'NS-001' })).recordPayment,
    ).toMatchObject({ payer: '本人', payerKind: 'PERSON' });
    await pay(GZ, {
      idNumber: ids.dibao,
      coverageYear: 2023,
      amount: '350.00',
      paidOn: '2022-10-15',
      receiptNo: 'NS-002',
      payerKind: 'FAMILY_MEMBER',
      payer: '乙之子',
    });
    await pay(GZ, { idNumber: ids.leaver, coverageYear: 2023, amount: '350.00', paidOn: '2022-10-20', receiptNo: 'NS-003' });
    const sponsored = await ok(`mutation { sponsorEnrollments(coverageYear: 2023, paidOn: "2022-10-01") { enrolled } }`, {}, 'ADMIN', GZ);
    expect(sponsored.sponsorEnrollments.enrolled).toBe(1);

    // The tax system's batch: the same receipt number as a bank's is another payment; a newcomer's money is held.
    const batch = await ok(
      `mutation($p: [PaymentInput!]!) { importPayments(batchId: "GZ-TAX-1", payments: $p) { accepted held rejected rows { receiptNo held code } } }`,
      {
        p: [
          { idNumber: ids.mistake, coverageYear: 2023, amount: '350.00', paidOn: '2022-10-12', channel: '税务代征', receiptNo: 'NS-001' },
          { idNumber: ids.newcomer, coverageYear: 2023, amount: '350.00', paidOn: '2022-10-12', channel: '税务代征', receiptNo: 'T-002' },
        ],
      },
      'TAX',
      GZ,
    );
    expect(batch.importPayments).toMatchObject({ accepted: 2, held: 1, rejected: 0 });
    const held = await ok(`{ heldPayments(coverageYear: 2023) { totalCount total nodes { receiptNo code received } } }`, {}, 'TAX', GZ);
    expect(held.heldPayments).toMatchObject({
      totalCount: 1,
      total: '350.00',
      nodes: [{ receiptNo: 'T-002', code: 'NOT_FOUND', received: expect.objectContaining({ receiptNo: 'T-002' }) }],
    });
    // Registering the newcomer matches the held money in the same transaction.
    await ok(`mutation($i: ResidentInput!) { registerResident(input: $i) { idNumber } }`, { i: { idNumber: ids.newcomer, name: '己' } }, 'STAFF', GZ);
    expect((await ok(STATUS, { id: ids.newcomer, y: 2023 }, 'STAFF', GZ)).enrollmentStatus).toMatchObject({ status: 'PAID', amountPaid: '350.00' });
    const back = await ok(
      `{ paymentBatch(batchId: "GZ-TAX-1") { rows accepted held acceptedAmount heldAmount results { nodes { receiptNo status held } } } }`,
      {},
      'TAX',
      GZ,
    );
    expect(back.paymentBatch).toMatchObject({ rows: 2, accepted: 2, held: 1, acceptedAmount: '350.00', heldAmount: '350.00' });
  });

  it("reverses the tax system's mistaken payment: nothing deleted, the enrolment is as before, twice changes nothing", async () => {
    const input = { receiptNo: 'NS-001', channel: '税务代征', reason: '身份证号码录错', reversedOn: '2022-10-13' };
    const bank = await server.gql(REVERSE, { i: input }, { as: 'BANK', tenant: GZ });
    expect(bank.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const first = await ok(REVERSE, { i: input }, 'TAX', GZ);
    expect(first.reversePayment).toMatchObject({ receiptNo: 'NS-001', channel: '税务代征', reversed: true, reversedOn: '2022-10-13' });
    expect((await ok(REVERSE, { i: { ...input, reason: '再次' } }, 'TAX', GZ)).reversePayment).toMatchObject({ reversalReason: '身份证号码录错' });
    expect((await ok(STATUS, { id: ids.mistake, y: 2023 }, 'STAFF', GZ)).enrollmentStatus.status).toBe('NOT_ENROLLED');
    // The bank's NS-001 is another payment and stands.
    expect((await ok(STATUS, { id: ids.plain, y: 2023 }, 'STAFF', GZ)).enrollmentStatus.status).toBe('PAID');
  });

  it("refunds the one who joined employee insurance, and records the refund's payout", async () => {
    await ok(
      `mutation { requestRefund(input: { idNumber: "${ids.leaver}", coverageYear: 2023, reason: EMPLOYEE_INSURANCE, requestedOn: "2022-11-02" }) { status } }`,
      {},
      'STAFF',
      GZ,
    );
    await ok(`mutation { approveRefund(idNumber: "${ids.leaver}", coverageYear: 2023) { status } }`, {}, 'ADMIN', GZ);
    const paid = await ok(
      `mutation { recordRefundPayout(idNumber: "${ids.leaver}", coverageYear: 2023, paidOn: "2022-11-20", reference: "BK-77") { amount paidOn } }`,
      {},
      'ADMIN',
      GZ,
    );
    expect(paid.recordRefundPayout).toEqual({ amount: '350.00', paidOn: '2022-11-20' });
  });

  it("pays the 低保 reimbursement in November into 一卡通, and records the bank's result", async () => {
    const batch = await ok(`mutation { markDisbursementsPaid(month: "2022-11") { count total items { idNumber amount } } }`, {}, 'ADMIN', GZ);
    expect(batch.markDisbursementsPaid).toMatchObject({ count: 1, total: '250.00' });
    const results = await ok(
      `mutation($r: [PayoutResultInput!]!) { recordPayoutResults(month: "2022-11", results: $r) { accepted rejected } }`,
      { r: [{ idNumber: ids.dibao, coverageYear: 2023, amount: '250.00', result: 'PAID', resultOn: '2022-11-25' }] },
      'ADMIN',
      GZ,
    );
    expect(results.recordPayoutResults).toEqual({ accepted: 1, rejected: 0 });
  });

  it('reports: the 全额资助对象花名册, the 预征清册 with a TAX token, and the money balanced to the fen', async () => {
    const roster = await ok(
      `{ fullSponsorshipRoster(coverageYear: 2023, asOf: "2022-10-01") { totalCount nodes { idNumber category amountDue fundingBody enrollmentStatus } } }`,
      {},
      'STAFF',
      GZ,
    );
    expect(roster.fullSponsorshipRoster.nodes).toEqual([
      { idNumber: ids.tekun, category: 'EXTREME_POVERTY', amountDue: '0.00', fundingBody: '医疗救助资金', enrollmentStatus: 'PAID' },
    ]);
    const pre = await ok(
      `{ preCollectionRoster(coverageYear: 2023, asOf: "2022-10-01") { totalCount nodes { idNumber mode amountDue subsidy } } }`,
      {},
      'TAX',
      GZ,
    );
    expect(pre.preCollectionRoster.totalCount).toBe(2);
    const api = (await ok(BALANCE, { y: 2023 }, 'ADMIN', GZ)).collectionBalance;
    // 甲 350, 乙 350, 戊 350, 丙's fund 350, 丁 350 (reversed), 己 350 matched from suspense.
    expect(api).toMatchObject({
      payments: { count: 6, amount: '2100.00', fundingBodyAmount: '350.00' },
      reversals: { count: 1, amount: '350.00' },
      refunds: { count: 1, amount: '350.00', paidOut: '350.00' },
      collected: '1400.00',
      heldInSuspense: { count: 0 },
    });
    const totals = (await ok(TOTALS, { y: 2023 }, 'ADMIN', GZ)).subsidyTotals;
    expect(totals).toMatchObject({ total: '600.00', paidOut: '250.00', bySource: [{ source: 'MEDICAL_ASSISTANCE_FUND', amount: '600.00' }] });
    expectBalanced(api, totals, await sqlBalance(GZ, 2023));
  });
});

describe('肃南县 2024: 差额征缴', () => {
  const ids: Record<string, string> = {};

  it('collects the difference, sponsors 特困 in full, and pays a newly certified person back the month after', async () => {
    ids.dibao = await person(SN, '1960-02-02', '一类低保');
    ids.plain = await person(SN, '1961-02-02', '普通');
    ids.tekun = await person(SN, '1939-02-02', '特困');
    ids.wrong = await person(SN, '1962-02-02', '错缴');
    ids.later = await person(SN, '1963-02-02', '后认定');
    await certify(SN, ids.dibao, 'DIBAO_RURAL_1', '2023-01-01');
    await certify(SN, ids.tekun, 'EXTREME_POVERTY', '2023-01-01');
    await pay(SN, { idNumber: ids.dibao, coverageYear: 2024, amount: '70.00', paidOn: '2023-10-09', receiptNo: 'SN-1' });
    await pay(SN, { idNumber: ids.plain, coverageYear: 2024, amount: '380.00', paidOn: '2023-10-09', receiptNo: 'SN-2' });
    await pay(SN, { idNumber: ids.wrong, coverageYear: 2024, amount: '380.00', paidOn: '2023-10-10', receiptNo: 'SN-3' });
    await pay(SN, { idNumber: ids.later, coverageYear: 2024, amount: '380.00', paidOn: '2023-10-10', receiptNo: 'SN-4' });
    await ok(`mutation { sponsorEnrollments(coverageYear: 2024, paidOn: "2023-10-01") { enrolled } }`, {}, 'ADMIN', SN);
    const funded = await ok(
      `query($id: String!) { resident(idNumber: $id) { enrollments { payments { amount payer payerKind channel } } } }`,
      { id: ids.tekun },
      'STAFF',
      SN,
    );
    expect(funded.resident.enrollments[0].payments).toEqual([
      { amount: '380.00', payer: '资助部门（通知未写明资金来源）', payerKind: 'FUNDING_BODY', channel: '资助代缴' },
    ]);
    // 三（二）: certified after paying in full, paid the subsidy into 一卡通 the month after.
    await certify(SN, ids.later, 'DIBAO_RURAL_3', '2023-11-05');
  });

  it("a bank reverses its own mistake before cover; after cover begins it is a refund's business", async () => {
    const reversed = await ok(REVERSE, { i: { receiptNo: 'SN-3', channel: '农商银行', reason: '重复扣款', reversedOn: '2023-10-11' } }, 'BANK', SN);
    expect(reversed.reversePayment.reversed).toBe(true);
    const late = await server.gql(
      REVERSE,
      { i: { receiptNo: 'SN-2', channel: '农商银行', reason: '误缴', reversedOn: '2024-01-02' } },
      { as: 'BANK', tenant: SN },
    );
    expect(late.errors?.[0].extensions?.code).toBe('REFUND_NOT_ALLOWED');
  });

  it('pays December, the bank returns a payout, it is re-issued and scheduled again', async () => {
    const december = await ok(`mutation { markDisbursementsPaid(month: "2023-12") { count total } }`, {}, 'ADMIN', SN);
    expect(december.markDisbursementsPaid).toMatchObject({ count: 1, total: '250.00' });
    const file = await ok(`mutation { exportPayoutFile(month: "2023-12") { count total withoutAccount lines { idNumber amount } } }`, {}, 'ADMIN', SN);
    expect(file.exportPayoutFile).toMatchObject({ count: 1, total: '250.00' });
    const results = await ok(
      `mutation($r: [PayoutResultInput!]!) { recordPayoutResults(month: "2023-12", results: $r) { accepted reissued } }`,
      { r: [{ idNumber: ids.later, coverageYear: 2024, amount: '250.00', result: 'RETURNED', resultOn: '2023-12-20', note: '账户已销户' }] },
      'ADMIN',
      SN,
    );
    expect(results.recordPayoutResults).toEqual({ accepted: 1, reissued: 1 });
    expect((await ok(`{ dueReimbursements(coverageYear: 2024) { totalCount total } }`, {}, 'ADMIN', SN)).dueReimbursements).toEqual({
      totalCount: 1,
      total: '250.00',
    });
    const scheduled = await ok(`mutation { scheduleReimbursements(month: "2024-02", coverageYear: 2024) { count total remaining } }`, {}, 'ADMIN', SN);
    expect(scheduled.scheduleReimbursements).toEqual({ count: 1, total: '250.00', remaining: 0 });
  });

  it("balances: 70 + 380 + 380 (reversed) + 380 + the fund's 380; subsidies 310 + 250 + 380, unstated payers named so", async () => {
    const api = (await ok(BALANCE, { y: 2024 }, 'ADMIN', SN)).collectionBalance;
    expect(api).toMatchObject({
      payments: { count: 5, amount: '1590.00', fundingBodyAmount: '380.00' },
      reversals: { amount: '380.00' },
      refunds: { amount: '0.00' },
      collected: '1210.00',
    });
    const totals = (await ok(TOTALS, { y: 2024 }, 'ADMIN', SN)).subsidyTotals;
    expect(totals).toMatchObject({ total: '940.00', bySource: [{ source: 'NOT_STATED', amount: '940.00' }] });
    expectBalanced(api, totals, await sqlBalance(SN, 2024));
  });
});

describe('山丹县 2022: the 低保 reimbursement the notice leaves to 张医保发〔2021〕52号', () => {
  const ids: Record<string, string> = {};

  it('the 低保 person pays 320.00 and the reimbursement waits, listed for the bureau', async () => {
    ids.dibao = await person(SD, '1958-03-03', '低保');
    ids.tekun = await person(SD, '1938-03-03', '特困');
    ids.plain = await person(SD, '1965-03-03', '普通');
    await certify(SD, ids.dibao, 'DIBAO', '2021-01-01');
    await certify(SD, ids.tekun, 'EXTREME_POVERTY', '2021-01-01');
    await pay(SD, { idNumber: ids.dibao, coverageYear: 2022, amount: '320.00', paidOn: '2021-08-01', receiptNo: 'SD-1' });
    await pay(SD, { idNumber: ids.plain, coverageYear: 2022, amount: '320.00', paidOn: '2021-08-02', receiptNo: 'SD-2' });
    await ok(`mutation { sponsorEnrollments(coverageYear: 2022, paidOn: "2021-07-15") { enrolled } }`, {}, 'ADMIN', SD);
    const waiting = await ok(
      `{ waitingValues(coverageYear: 2022) { totalCount nodes { idNumber missing affects refersTo since status } } waitingSummary(coverageYear: 2022) { missing people since } }`,
      {},
      'STAFF',
      SD,
    );
    expect(waiting.waitingValues.nodes).toEqual([
      {
        idNumber: ids.dibao,
        missing: 'assistance.DIBAO.amount',
        affects: ['subsidy', 'reimbursement', 'netCost', 'fundingShares'],
        refersTo: '张医保发〔2021〕52号',
        since: '2021-08-01',
        status: 'WAITING',
      },
    ]);
    expect(waiting.waitingSummary).toEqual([{ missing: 'assistance.DIBAO.amount', people: 1, since: '2021-08-01' }]);
    expect((await ok(TOTALS, { y: 2022 }, 'ADMIN', SD)).subsidyTotals.total).toBe('320.00');
  });

  it('once 52号 is configured, the next start computes the reimbursement and it is paid out the month after payment', async () => {
    // A copy of tenants/ with the amount that 张医保发〔2021〕52号 would give (a test fixture, not the notice's).
    const dir = mkdtempSync(join(tmpdir(), 'tenants-52-'));
    cpSync(join(__dirname, '..', '..', 'tenants'), dir, { recursive: true });
    const file = join(dir, SD, '2022.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('      refersTo: 张医保发〔2021〕52号\n', '      refersTo: 张医保发〔2021〕52号\n      amount: "100.00"\n'),
    );
    const restarted = await startServer(loadConfig({ ...process.env, DATABASE_URL: server.databaseUrl, PORT: '0', TENANTS_DIR: dir }), createLogger('silent'));
    try {
      const waiting = await ok(
        `{ waitingValues(coverageYear: 2022, status: RESOLVED) { nodes { idNumber status resolution } } }`,
        {},
        'STAFF',
        SD,
        restarted.url,
      );
      expect(waiting.waitingValues.nodes).toEqual([
        { idNumber: ids.dibao, status: 'RESOLVED', resolution: expect.objectContaining({ subsidy: 10000, reimbursementMonth: '2021-09' }) },
      ]);
      const september = await ok(
        `mutation { markDisbursementsPaid(month: "2021-09") { count total bySource { source amount } } }`,
        {},
        'ADMIN',
        SD,
        restarted.url,
      );
      expect(september.markDisbursementsPaid).toMatchObject({ count: 1, total: '100.00' });
      const api = (await ok(BALANCE, { y: 2022 }, 'ADMIN', SD, restarted.url)).collectionBalance;
      expect(api).toMatchObject({ payments: { count: 3, amount: '960.00', fundingBodyAmount: '320.00' }, collected: '960.00' });
      const totals = (await ok(TOTALS, { y: 2022 }, 'ADMIN', SD, restarted.url)).subsidyTotals;
      expect(totals).toMatchObject({ total: '420.00', paidOut: '100.00' });
      expectBalanced(api, totals, await sqlBalance(SD, 2022));
    } finally {
      await restarted.close();
    }
  });
});
