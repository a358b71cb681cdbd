/**
 * Assistance, subsidies and refunds over HTTP on real PostgreSQL, with the notices' numbers: the grant
 * of every subsidy mode with its funding, identity changes after payment per tenant, monthly
 * disbursements, refunds of 甘州 and 平利, and agencies' bulk lists.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { payoutFileCsv } from '../../src/cli/export-disbursements';
import { importAssistanceCsv } from '../../src/cli/import-assistance';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { todayInChina } from '../../src/common/dates';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

let seq = 0;
const GZ = '620702';
const SN = '620721';
const PL = '610926';
const GY = '520100';

/** Registers one person (in their own household where the tenant has regions) and returns the ID number. */
async function person(tenant: string, birth: string, extra: Record<string, unknown> = {}): Promise<string> {
  const idNumber = makeResidentId(tenant === GY ? '520102' : tenant, birth, 100 + seq++);
  const regions: Record<string, string> = { [SN]: '620721-01', [PL]: '610926-08', [GY]: '520111-XH' };
  const res = regions[tenant]
    ? await server.gql(
        `mutation($input: HouseholdInput!) { registerHousehold(input: $input) { id } }`,
        {
          input: {
            bookletNo: `B-${idNumber}`,
            region: regions[tenant],
            registeredOn: '2010-01-01',
            members: [{ idNumber, name: '资助对象', relationship: '户主', hukouPlace: tenant === PL ? '610926108' : null, ...extra }],
          },
        },
        { as: 'STAFF', tenant },
      )
    : await server.gql(
        `mutation($input: ResidentInput!) { registerResident(input: $input) { idNumber } }`,
        { input: { idNumber, name: '资助对象', ...extra } },
        { as: 'STAFF', tenant },
      );
  expect(res.errors).toBeUndefined();
  return idNumber;
}

async function grant(tenant: string, idNumber: string, category: string, validFrom: string) {
  const res = await server.gql(
    `mutation($input: AssistanceInput!) { grantAssistance(input: $input) { id } }`,
    { input: { idNumber, category, certifiedBy: '民政局', validFrom } },
    { as: 'AGENCY', tenant },
  );
  expect(res.errors).toBeUndefined();
}

async function pay(tenant: string, idNumber: string, year: number, amount: string, paidOn: string, receiptNo = `R-${idNumber}-${year}`) {
  const res = await server.gql(
    `mutation($input: PaymentInput!) { recordPayment(input: $input) { receiptNo } }`,
    { input: { idNumber, coverageYear: year, amount, paidOn, channel: '银行', receiptNo } },
    { as: 'BANK', tenant },
  );
  expect(res.errors).toBeUndefined();
}

/** A payment reversed by an administrator as paid twice (重复缴费). */
async function reverse(tenant: string, receiptNo: string, channel: string, reversedOn: string): Promise<void> {
  const res = await server.gql(
    `mutation($i: PaymentReversalInput!) { reversePayment(input: $i) { reversed } }`,
    { i: { receiptNo, channel, reason: '重复缴费', reversedOn } },
    { as: 'ADMIN', tenant },
  );
  expect(res.errors).toBeUndefined();
}

async function subsidies(tenant: string, idNumber: string) {
  const res = await server.gql(
    `query($id: String!) { resident(idNumber: $id) { enrollments { status subsidies { category mode kind amount grantedOn payoutMonth status funding { source amount } } } } }`,
    { id: idNumber },
    { as: 'STAFF', tenant },
  );
  return res.data!.resident.enrollments[0];
}

/** A refund (OTHER_POOL) asked for by staff and approved by an administrator today. */
async function refundApproved(tenant: string, idNumber: string, coverageYear: number, requestedOn: string): Promise<void> {
  const requested = await server.gql(
    `mutation($input: RefundInput!) { requestRefund(input: $input) { status } }`,
    { input: { idNumber, coverageYear, reason: 'OTHER_POOL', requestedOn } },
    { as: 'STAFF', tenant },
  );
  expect(requested.errors).toBeUndefined();
  const approved = await server.gql(
    `mutation($id: String!, $year: Int!) { approveRefund(idNumber: $id, coverageYear: $year) { status } }`,
    { id: idNumber, year: coverageYear },
    { as: 'ADMIN', tenant },
  );
  expect(approved.errors).toBeUndefined();
}

/** A month's payout recorded by an administrator (markDisbursementsPaid). */
async function paidOut(tenant: string, month: string): Promise<void> {
  const res = await server.gql(`mutation($m: String!) { markDisbursementsPaid(month: $m) { paid } }`, { m: month }, { as: 'ADMIN', tenant });
  expect(res.errors).toBeUndefined();
}

/** Enrolments of the year counted as paid in `paid_daily` on `day` (what the progress figures sum). */
async function paidBy(tenant: string, coverageYear: number, day: string): Promise<number> {
  const [row] = await server.ownerQuery<{ n: number }>(
    `SELECT coalesce(sum(paid), 0)::int AS n FROM paid_daily WHERE tenant_code = $1 AND coverage_year = $2 AND paid_on <= $3`,
    [tenant, coverageYear, day],
  );
  return row.n;
}

describe('a grant for every subsidy mode, with who funds it', () => {
  it('REIMBURSEMENT (甘州 农村一类低保): 250.00 scheduled for the month after payment, from the assistance fund', async () => {
    const id = await person(GZ, '1961-01-01');
    await grant(GZ, id, 'DIBAO_RURAL_1', '2022-01-01');
    await pay(GZ, id, 2023, '350.00', '2022-10-15');
    expect((await subsidies(GZ, id)).subsidies).toEqual([
      {
        category: 'DIBAO_RURAL_1',
        mode: 'REIMBURSEMENT',
        kind: 'AT_PAYMENT',
        amount: '250.00',
        grantedOn: '2022-10-15',
        payoutMonth: '2022-11',
        status: 'SCHEDULED',
        funding: [{ source: 'MEDICAL_ASSISTANCE_FUND', amount: '250.00' }],
      },
    ]);
  });

  it('NET_COLLECTION (肃南 农村三类低保): 250.00 settled at collection, the person paying 130.00', async () => {
    const id = await person(SN, '1962-02-02');
    await grant(SN, id, 'DIBAO_RURAL_3', '2023-01-01');
    await pay(SN, id, 2024, '130.00', '2023-10-20');
    expect((await subsidies(SN, id)).subsidies).toEqual([
      {
        category: 'DIBAO_RURAL_3',
        mode: 'NET_COLLECTION',
        kind: 'AT_PAYMENT',
        amount: '250.00',
        grantedOn: '2023-10-20',
        payoutMonth: null,
        status: 'SETTLED',
        funding: [],
      },
    ]);
  });

  it("FULL_SPONSORSHIP (平利 特困): the funding body's 320.00 recorded when sponsored", async () => {
    const id = await person(PL, '1935-03-03');
    await grant(PL, id, 'EXTREME_POVERTY', '2021-01-01');
    const res = await server.gql(`mutation { sponsorEnrollments(coverageYear: 2022, paidOn: "2021-11-10") { enrolled } }`, {}, { as: 'ADMIN', tenant: PL });
    expect(res.data!.sponsorEnrollments.enrolled).toBeGreaterThanOrEqual(1);
    expect((await subsidies(PL, id)).subsidies).toEqual([
      {
        category: 'EXTREME_POVERTY',
        mode: 'FULL_SPONSORSHIP',
        kind: 'AT_PAYMENT',
        amount: '320.00',
        grantedOn: '2021-11-10',
        payoutMonth: null,
        status: 'SETTLED',
        funding: [{ source: 'MEDICAL_ASSISTANCE_FUND', amount: '320.00' }],
      },
    ]);
  });

  it('does not re-open, in a later sponsorship run, a sponsored enrolment refunded since', async () => {
    const id = await person(PL, '1936-04-04');
    await grant(PL, id, 'EXTREME_POVERTY', '2021-01-01');
    const SPONSOR = `mutation($on: Date!) { sponsorEnrollments(coverageYear: 2022, paidOn: $on) { enrolled skipped { idNumberMasked code error } } }`;
    expect((await server.gql(SPONSOR, { on: '2021-11-12' }, { as: 'ADMIN', tenant: PL })).errors).toBeUndefined();
    const refund = await server.gql(
      `mutation($input: RefundInput!) { requestRefund(input: $input) { status } }`,
      { input: { idNumber: id, coverageYear: 2022, reason: 'DUPLICATE_ENROLLMENT', requestedOn: '2021-11-20' } },
      { as: 'STAFF', tenant: PL },
    );
    expect(refund.errors).toBeUndefined();
    const approved = await server.gql(
      `mutation($id: String!) { approveRefund(idNumber: $id, coverageYear: 2022, note: "已在外地参保") { status } }`,
      { id },
      { as: 'ADMIN', tenant: PL },
    );
    expect(approved.errors).toBeUndefined();
    const before = await subsidies(PL, id);
    expect(before.status).toBe('REFUNDED');
    const again = await server.gql(SPONSOR, { on: '2021-12-01' }, { as: 'ADMIN', tenant: PL });
    expect(again.errors).toBeUndefined();
    const masked = `${id.slice(0, 4)}**********${id.slice(-4)}`;
    expect(again.data!.sponsorEnrollments.skipped).toContainEqual({
      idNumberMasked: masked,
      code: 'CONFLICT',
      error: expect.stringMatching(/不重新开启|does not re-open/),
    });
    expect(await subsidies(PL, id)).toEqual(before);
  });

  it('funding by region (贵阳 低保 in 小河片区): 医疗救助 140.00, 市 72.00, 县 108.00', async () => {
    const id = await person(GY, '1963-04-04');
    await grant(GY, id, 'DIBAO', '2021-06-01');
    await pay(GY, id, 2022, '0.00', '2021-12-01');
    expect((await subsidies(GY, id)).subsidies[0].funding).toEqual([
      { source: 'MEDICAL_ASSISTANCE_FUND', amount: '140.00' },
      { source: 'CITY_FISCAL', amount: '72.00' },
      { source: 'COUNTY_FISCAL', amount: '108.00' },
    ]);
  });
});

describe('identities certified after payment', () => {
  it('甘州 tops up to a higher category and never claws back (四（二）4)', async () => {
    const id = await person(GZ, '1964-05-05');
    await grant(GZ, id, 'LIFTED_OUT_OF_POVERTY', '2022-01-01');
    await pay(GZ, id, 2023, '350.00', '2022-10-15');
    await grant(GZ, id, 'DIBAO_RURAL_1', '2023-02-10'); // 250 > 100: top up 150.00 in March
    await grant(GZ, id, 'AT_RISK_OF_POVERTY', '2023-04-01'); // 150 < 250: nothing, and nothing taken back
    const grants = (await subsidies(GZ, id)).subsidies.map((g: { kind: string; amount: string; payoutMonth: string }) => [g.kind, g.amount, g.payoutMonth]);
    expect(grants).toEqual([
      ['AT_PAYMENT', '100.00', '2022-11'],
      ['TOP_UP', '150.00', '2023-03'],
    ]);
  });

  it('甘州 pays a newly certified full subsidy to someone who paid in full (四（二）1, 四（二）3)', async () => {
    const id = await person(GZ, '1940-06-06');
    await pay(GZ, id, 2023, '350.00', '2022-11-01');
    await grant(GZ, id, 'EXTREME_POVERTY', '2023-03-05');
    expect((await subsidies(GZ, id)).subsidies).toEqual([
      expect.objectContaining({
        category: 'EXTREME_POVERTY',
        kind: 'NEWLY_CERTIFIED',
        mode: 'REIMBURSEMENT',
        amount: '350.00',
        payoutMonth: '2023-04',
        status: 'SCHEDULED',
      }),
    ]);
  });

  it('肃南 changes nothing for someone already subsidised, but pays the newly certified the month after (三（二）)', async () => {
    const subsidised = await person(SN, '1965-07-07');
    await grant(SN, subsidised, 'DIBAO_RURAL_3', '2023-01-01');
    await pay(SN, subsidised, 2024, '130.00', '2023-10-20');
    await grant(SN, subsidised, 'DIBAO_RURAL_1', '2024-02-01');
    expect((await subsidies(SN, subsidised)).subsidies).toHaveLength(1);

    const fullPayer = await person(SN, '1966-08-08');
    await pay(SN, fullPayer, 2024, '380.00', '2023-10-20');
    await grant(SN, fullPayer, 'DIBAO_MARGINAL', '2024-02-01');
    expect((await subsidies(SN, fullPayer)).subsidies).toEqual([
      expect.objectContaining({ category: 'DIBAO_MARGINAL', kind: 'NEWLY_CERTIFIED', amount: '100.00', payoutMonth: '2024-03' }),
    ]);
  });

  it('甘州 counts a re-issued reimbursement once when it tops up (四（二）4)', async () => {
    const id = await person(GZ, '1962-03-03');
    await grant(GZ, id, 'LIFTED_OUT_OF_POVERTY', '2022-01-01');
    await pay(GZ, id, 2023, '350.00', '2022-03-05'); // 100.00 in April
    const april = await server.gql(`mutation { markDisbursementsPaid(month: "2022-04") { count total } }`, {}, { as: 'ADMIN', tenant: GZ });
    expect(april.data!.markDisbursementsPaid).toEqual({ count: 1, total: '100.00' });
    const returned = await server.gql(
      `mutation($r: [PayoutResultInput!]!) { recordPayoutResults(month: "2022-04", results: $r) { accepted reissued } }`,
      { r: [{ idNumber: id, coverageYear: 2023, amount: '100.00', result: 'RETURNED', resultOn: '2022-04-20', note: '账户已销户' }] },
      { as: 'ADMIN', tenant: GZ },
    );
    expect(returned.data!.recordPayoutResults).toEqual({ accepted: 1, reissued: 1 });
    // Owed so far: the 100.00 re-issued as DUE (the returned payout is not money paid twice). 250 − 100 = 150.00.
    await grant(GZ, id, 'DIBAO_RURAL_1', '2023-02-10');
    const grants = (await subsidies(GZ, id)).subsidies.map((g: { kind: string; amount: string; status: string }) => [g.kind, g.amount, g.status]);
    expect(grants).toEqual([
      ['AT_PAYMENT', '100.00', 'REISSUED'],
      ['AT_PAYMENT', '100.00', 'DUE'],
      ['TOP_UP', '150.00', 'SCHEDULED'],
    ]);
  });

  it('甘州: a certificate dated back to a month already paid out makes the reimbursement DUE, not scheduled into that month', async () => {
    const id = await person(GZ, '1963-04-04');
    await pay(GZ, id, 2023, '350.00', '2022-05-05');
    const june = await server.gql(`mutation { markDisbursementsPaid(month: "2022-06") { count total } }`, {}, { as: 'ADMIN', tenant: GZ });
    expect(june.errors).toBeUndefined();
    await grant(GZ, id, 'EXTREME_POVERTY', '2022-05-20'); // the month after is June, already paid out
    expect((await subsidies(GZ, id)).subsidies).toEqual([
      expect.objectContaining({ kind: 'NEWLY_CERTIFIED', amount: '350.00', payoutMonth: null, status: 'DUE' }),
    ]);
    const again = await server.gql(`{ disbursements(month: "2022-06") { count total } }`, {}, { as: 'ADMIN', tenant: GZ });
    expect(again.data!.disbursements).toEqual(june.data!.markDisbursementsPaid);
  });

  it('甘州: a certificate dated before the payment is paid the month after the payment, not in a month before it', async () => {
    const id = await person(GZ, '1961-02-02');
    await pay(GZ, id, 2023, '350.00', '2022-10-15');
    await grant(GZ, id, 'EXTREME_POVERTY', '2022-01-01'); // certified since January, recorded after the payment
    expect((await subsidies(GZ, id)).subsidies).toEqual([
      expect.objectContaining({ kind: 'NEWLY_CERTIFIED', amount: '350.00', payoutMonth: '2022-11', status: 'SCHEDULED' }),
    ]);
  });

  it('平利 applies a new identity from the next year only (三（一）6)', async () => {
    const id = await person(PL, '1967-09-09');
    await pay(PL, id, 2022, '320.00', '2021-11-15');
    await grant(PL, id, 'DIBAO', '2022-02-01');
    expect((await subsidies(PL, id)).subsidies).toEqual([]);
  });
});

describe('disbursements (先缴后补, 次月资助)', () => {
  const month = '2022-12';
  const paidIds: string[] = [];

  beforeAll(async () => {
    // Three 甘州 people paid in November 2022: 250 + 190 + 100 = 540.00 due in December.
    for (const [category, birth] of [
      ['DIBAO_RURAL_2', '1970-01-01'],
      ['DIBAO_URBAN_PARTIAL', '1971-01-01'],
      ['LIFTED_OUT_OF_POVERTY', '1972-01-01'],
    ]) {
      const id = await person(GZ, birth);
      await grant(GZ, id, category, '2022-01-01');
      await pay(GZ, id, 2023, '350.00', '2022-11-20');
      paidIds.push(id);
    }
  });

  const BATCH = `query($month: String!) { disbursements(month: $month) { month count total paid bySource { source name amount } items { idNumber amount category } } }`;

  it('totals the month by funding source, and lists each payout', async () => {
    const res = await server.gql(BATCH, { month }, { as: 'ADMIN', tenant: GZ });
    expect(res.data!.disbursements).toMatchObject({
      month,
      count: 3,
      total: '540.00',
      paid: false,
      bySource: [{ source: 'MEDICAL_ASSISTANCE_FUND', name: '医疗救助资金', amount: '540.00' }],
    });
    expect(res.data!.disbursements.items.map((i: { amount: string }) => i.amount).sort()).toEqual(['100.00', '190.00', '250.00']);
  });

  it('exports a CSV for the bank that pays into 一卡通 accounts', async () => {
    const { csv, withoutAccount } = await payoutFileCsv({ url: server.url, token: server.token('ADMIN', [GZ]), tenant: GZ, month });
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('身份证号码,姓名,参保年度,资助类别,金额,银行账号,开户银行');
    expect(lines).toHaveLength(5);
    expect(lines.at(-1)).toBe('合计,3,,,540.00,,');
    expect(withoutAccount).toBe(3);
  });

  it('records the payout once, for ADMIN only; later calls return the same batch', async () => {
    const MARK = `mutation($month: String!) { markDisbursementsPaid(month: $month) { month count total paid paidBy } }`;
    expect((await server.gql(MARK, { month }, { as: 'STAFF', tenant: GZ })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const first = await server.gql(MARK, { month }, { token: server.token('ADMIN', [GZ], 'finance-officer'), tenant: GZ });
    expect(first.data!.markDisbursementsPaid).toEqual({ month, count: 3, total: '540.00', paid: true, paidBy: 'finance-officer' });
    const again = await server.gql(MARK, { month }, { as: 'ADMIN', tenant: GZ });
    expect(again.data!.markDisbursementsPaid).toMatchObject({ count: 3, total: '540.00', paid: true, paidBy: 'finance-officer' });
    expect((await subsidies(GZ, paidIds[0])).subsidies[0].status).toBe('PAID_OUT');
  });

  it('refuses a malformed month and one that has not come', async () => {
    expect((await server.gql(BATCH, { month: '2022-13' }, { as: 'ADMIN', tenant: GZ })).errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'month',
    });
    const future = await server.gql(`mutation { markDisbursementsPaid(month: "2999-01") { paid } }`, {}, { as: 'ADMIN', tenant: GZ });
    expect(future.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('refunds (退费)', () => {
  const REQUEST = `mutation($input: RefundInput!) { requestRefund(input: $input) { id status amount cancelledReimbursement explanation { rule clause } } }`;
  /** 甘州 2023: a refund asked for by staff as OTHER_POOL (参加其他统筹地区居民医保), answered with REQUEST's fields (or `fields`). */
  const askRefund = (idNumber: string, requestedOn: string, fields = REQUEST) =>
    server.gql(fields, { input: { idNumber, coverageYear: 2023, reason: 'OTHER_POOL', requestedOn } }, { as: 'STAFF', tenant: GZ });
  const STATUS = `query($id: String!, $year: Int!) { enrollmentStatus(idNumber: $id, coverageYear: $year) { status insuredElsewhere } }`;
  const WHERE = `query($id: String!, $year: Int!) { enrollmentStatus(idNumber: $id, coverageYear: $year) { status enrolledElsewhere } }`;

  it('甘州: refunds all paid and cancels a pending reimbursement; approval makes it REFUNDED', async () => {
    const id = await person(GZ, '1973-02-02');
    await grant(GZ, id, 'DIBAO_RURAL_1', '2022-01-01');
    await pay(GZ, id, 2023, '350.00', '2022-10-10');
    const res = await server.gql(
      REQUEST,
      { input: { idNumber: id, coverageYear: 2023, reason: 'DEATH', requestedOn: '2022-10-25' } },
      { as: 'STAFF', tenant: GZ },
    );
    expect(res.data!.requestRefund).toMatchObject({ status: 'PENDING', amount: '350.00', cancelledReimbursement: '250.00' });
    expect((await server.gql(STATUS, { id, year: 2023 }, { as: 'BANK', tenant: GZ })).data!.enrollmentStatus.status).toBe('REFUND_PENDING');
    // Held out of November's payout while pending.
    const nov = await server.gql(`{ disbursements(month: "2022-11") { items { idNumber } } }`, {}, { as: 'ADMIN', tenant: GZ });
    expect(nov.data!.disbursements.items.map((i: { idNumber: string }) => i.idNumber)).not.toContain(id);
    const approved = await server.gql(
      `mutation($id: String!) { approveRefund(idNumber: $id, coverageYear: 2023, note: "死亡证明已核") { status decidedBy decisionNote } }`,
      { id },
      { as: 'ADMIN', tenant: GZ },
    );
    expect(approved.data!.approveRefund).toMatchObject({ status: 'APPROVED', decisionNote: '死亡证明已核' });
    expect(await subsidies(GZ, id)).toMatchObject({ status: 'REFUNDED', subsidies: [{ status: 'CANCELLED' }] });
  });

  it('甘州: refunds only the personal part once the reimbursement was paid out (七)', async () => {
    const id = await person(GZ, '1974-03-03');
    await grant(GZ, id, 'DIBAO_RURAL_1', '2022-01-01');
    await pay(GZ, id, 2023, '350.00', '2022-09-10');
    await paidOut(GZ, '2022-10');
    const res = await askRefund(id, '2022-12-20');
    expect(res.data!.requestRefund).toMatchObject({ amount: '100.00', cancelledReimbursement: '0.00' });
    expect(res.data!.requestRefund.explanation.map((s: { clause: string | null }) => s.clause).join(' ')).toContain('只退回个人缴费部分');
  });

  it('甘州: refuses after the 2022-12-30 deadline and once cover has begun, with the clause', async () => {
    const id = await person(GZ, '1975-04-04');
    await pay(GZ, id, 2023, '350.00', '2022-09-10');
    const late = await server.gql(
      REQUEST,
      { input: { idNumber: id, coverageYear: 2023, reason: 'DEATH', requestedOn: '2022-12-31' } },
      { as: 'STAFF', tenant: GZ },
    );
    expect(late.errors?.[0].extensions).toMatchObject({ code: 'REFUND_NOT_ALLOWED', rule: 'deadline' });
    expect(late.errors?.[0].message).toContain('七');
    const covered = await server.gql(
      REQUEST,
      { input: { idNumber: id, coverageYear: 2023, reason: 'DEATH', requestedOn: '2023-02-01' } },
      { as: 'STAFF', tenant: GZ },
    );
    expect(covered.errors?.[0].extensions).toMatchObject({ code: 'REFUND_NOT_ALLOWED', rule: 'cover-started' });
    expect((await server.gql(STATUS, { id, year: 2023 }, { as: 'BANK', tenant: GZ })).data!.enrollmentStatus.status).toBe('PAID');
  });

  it('平利: resolves a duplicate enrolment by refund (七（三）), which clears the flag in both tenants', async () => {
    const id = makeResidentId('610926', '1976-05-05', 777);
    await server.gql(
      `mutation($input: HouseholdInput!) { registerHousehold(input: $input) { id } }`,
      { input: { bookletNo: 'PL-DUP', region: '610926-09', members: [{ idNumber: id, name: '两地', relationship: '户主', hukouPlace: '610926109' }] } },
      { as: 'STAFF', tenant: PL },
    );
    await server.gql(
      `mutation($input: HouseholdInput!) { registerHousehold(input: $input) { id } }`,
      { input: { bookletNo: 'GY-DUP', region: '520103', members: [{ idNumber: id, name: '两地', relationship: '户主' }] } },
      { as: 'STAFF', tenant: GY },
    );
    await pay(GY, id, 2022, '320.00', '2021-11-01');
    await pay(PL, id, 2022, '320.00', '2021-11-05');
    expect((await server.gql(WHERE, { id, year: 2022 }, { as: 'STAFF', tenant: GY })).data!.enrollmentStatus.enrolledElsewhere).toEqual([PL]);
    const req = await server.gql(
      REQUEST,
      { input: { idNumber: id, coverageYear: 2022, reason: 'DUPLICATE_ENROLLMENT', requestedOn: '2021-12-20' } },
      { as: 'TAX', tenant: PL },
    );
    expect(req.data!.requestRefund).toMatchObject({ amount: '320.00', status: 'PENDING' });
    expect(
      (await server.gql(`mutation($id: String!) { approveRefund(idNumber: $id, coverageYear: 2022) { status } }`, { id }, { as: 'ADMIN', tenant: PL })).errors,
    ).toBeUndefined();
    expect((await server.gql(WHERE, { id, year: 2022 }, { as: 'STAFF', tenant: PL })).data!.enrollmentStatus).toEqual({
      status: 'REFUNDED',
      enrolledElsewhere: [GY],
    });
    expect((await server.gql(STATUS, { id, year: 2022 }, { as: 'BANK', tenant: PL })).data!.enrollmentStatus).toEqual({
      status: 'REFUNDED',
      insuredElsewhere: true,
    });
    expect((await server.gql(WHERE, { id, year: 2022 }, { as: 'STAFF', tenant: GY })).data!.enrollmentStatus.enrolledElsewhere).toEqual([]);
    expect((await server.gql(STATUS, { id, year: 2022 }, { as: 'BANK', tenant: GY })).data!.enrollmentStatus.insuredElsewhere).toBe(false);
  });

  it('平利: refuses death (七（五） 原参保缴费不予退还) and a duplicate asked for after 12-25', async () => {
    const id = await person(PL, '1977-06-06');
    await pay(PL, id, 2022, '320.00', '2021-11-05');
    const death = await server.gql(
      REQUEST,
      { input: { idNumber: id, coverageYear: 2022, reason: 'DEATH', requestedOn: '2021-12-01' } },
      { as: 'STAFF', tenant: PL },
    );
    expect(death.errors?.[0].extensions).toMatchObject({
      code: 'REFUND_NOT_ALLOWED',
      rule: 'non-refundable-reason',
      clause: expect.stringContaining('七（五）'),
    });
    const late = await server.gql(
      REQUEST,
      { input: { idNumber: id, coverageYear: 2022, reason: 'DUPLICATE_ENROLLMENT', requestedOn: '2021-12-27' } },
      { as: 'STAFF', tenant: PL },
    );
    expect(late.errors?.[0].extensions).toMatchObject({ code: 'REFUND_NOT_ALLOWED', rule: 'deadline' });
  });

  it('answers a second request for the same enrolment with CONFLICT, and a rejection restores PAID', async () => {
    const id = await person(PL, '1978-07-07');
    await pay(PL, id, 2022, '320.00', '2021-11-05');
    const input = { idNumber: id, coverageYear: 2022, reason: 'WRONG_LOCATION', requestedOn: '2021-12-10' };
    expect((await server.gql(REQUEST, { input }, { as: 'STAFF', tenant: PL })).data!.requestRefund.amount).toBe('320.00');
    expect((await server.gql(REQUEST, { input }, { as: 'STAFF', tenant: PL })).errors?.[0].extensions?.code).toBe('CONFLICT');
    const rejected = await server.gql(
      `mutation($id: String!) { rejectRefund(idNumber: $id, coverageYear: 2022, note: "非错缴") { status } }`,
      { id },
      { as: 'ADMIN', tenant: PL },
    );
    expect(rejected.data!.rejectRefund.status).toBe('REJECTED');
    expect((await server.gql(STATUS, { id, year: 2022 }, { as: 'BANK', tenant: PL })).data!.enrollmentStatus.status).toBe('PAID');
    const list = await server.gql(`{ refunds(status: REJECTED) { idNumberMasked decisionNote } }`, {}, { as: 'ADMIN', tenant: PL });
    expect(list.data!.refunds).toContainEqual({ idNumberMasked: `${id.slice(0, 4)}**********${id.slice(-4)}`, decisionNote: '非错缴' });
    // Asked again once rejected (with the papers that were missing): a second request, numbered 2.
    const second = await server.gql(
      REQUEST.replace('{ id ', '{ id requestNo '),
      { input: { ...input, requestedOn: '2021-12-15' } },
      { as: 'STAFF', tenant: PL },
    );
    expect(second.data!.requestRefund).toMatchObject({ id: `${id}/2022/2`, requestNo: 2, status: 'PENDING', amount: '320.00' });
    const register = await server.gql(
      `query($year: Int!) { refundList(filter: { coverageYear: $year }, first: 1) { totalCount nodes { requestNo status } pageInfo { endCursor } } }`,
      { year: 2022 },
      { as: 'ADMIN', tenant: PL },
    );
    expect(register.errors).toBeUndefined();
    const mine = async (after: string | null) =>
      (
        await server.gql(
          `query($after: String) { refundList(filter: { coverageYear: 2022 }, first: 100, after: $after) { nodes { idNumber requestNo status } } }`,
          { after },
          { as: 'ADMIN', tenant: PL },
        )
      ).data!.refundList.nodes.filter((n: { idNumber: string }) => n.idNumber === id);
    expect(await mine(null)).toEqual([
      { idNumber: id, requestNo: 1, status: 'REJECTED' },
      { idNumber: id, requestNo: 2, status: 'PENDING' },
    ]);
    // A cursor given out before requests were numbered stands after all of that enrolment's requests of its day.
    const oldCursor = Buffer.from(JSON.stringify(['2021-12-10', id, '2022']), 'utf8').toString('base64url');
    expect(await mine(oldCursor)).toEqual([{ idNumber: id, requestNo: 2, status: 'PENDING' }]);
  });

  it('甘州: a reimbursement held out of a paid month by a pending refund is DUE again once the refund is rejected', async () => {
    const id = await person(GZ, '1979-08-08');
    await grant(GZ, id, 'DIBAO_RURAL_1', '2022-01-01');
    await pay(GZ, id, 2023, '350.00', '2022-07-10'); // 250.00 scheduled for August
    const requested = await askRefund(id, '2022-07-20');
    expect(requested.errors).toBeUndefined();
    const august = await server.gql(`mutation { markDisbursementsPaid(month: "2022-08") { count total } }`, {}, { as: 'ADMIN', tenant: GZ });
    expect(august.data!.markDisbursementsPaid).toEqual({ count: 0, total: '0.00' });
    const rejected = await server.gql(
      `mutation($id: String!) { rejectRefund(idNumber: $id, coverageYear: 2023, note: "未转入其他统筹地区") { status } }`,
      { id },
      { as: 'ADMIN', tenant: GZ },
    );
    expect(rejected.data!.rejectRefund.status).toBe('REJECTED');
    expect(await subsidies(GZ, id)).toMatchObject({ status: 'PAID', subsidies: [{ amount: '250.00', payoutMonth: null, status: 'DUE' }] });
    // August's figures stay as they were paid out.
    const after = await server.gql(`{ disbursements(month: "2022-08") { count total } }`, {}, { as: 'ADMIN', tenant: GZ });
    expect(after.data!.disbursements).toEqual({ count: 0, total: '0.00' });
  });

  it("甘州: a month's payout and a refund request at once never both pay and cancel the reimbursement", async () => {
    const id = await person(GZ, '1980-09-09');
    await grant(GZ, id, 'DIBAO_RURAL_1', '2022-01-01');
    await pay(GZ, id, 2023, '350.00', '2022-08-10'); // 250.00 scheduled for September
    // The refunds table held by another session: the request stops at writing itself, having read the grants.
    const holder = new pg.Client({ connectionString: server.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE refund IN EXCLUSIVE MODE');
      const waiting = async () =>
        (
          await server.ownerQuery<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND usename = 'insurance_app' AND wait_event_type = 'Lock'`,
          )
        )[0].n;
      const until = async (done: () => Promise<boolean>) => {
        for (let i = 0; i < 400 && !(await done()); i++) await new Promise((r) => setTimeout(r, 50));
      };
      const requested = askRefund(id, '2022-09-05');
      await until(async () => (await waiting()) >= 1);
      // September's payout meanwhile: it waits for the request (or, were the month not held, pays out now).
      let payoutDone = false;
      const payout = server.gql(`mutation { markDisbursementsPaid(month: "2022-09") { count total } }`, {}, { as: 'ADMIN', tenant: GZ });
      void payout.then(() => (payoutDone = true));
      await until(async () => payoutDone || (await waiting()) >= 2);
      await holder.query('COMMIT');
      const [refund, september] = await Promise.all([requested, payout]);
      expect(refund.errors).toBeUndefined();
      expect(september.errors).toBeUndefined();
      expect(refund.data!.requestRefund).toMatchObject({ amount: '350.00', cancelledReimbursement: '250.00' });
      expect(september.data!.markDisbursementsPaid).toEqual({ count: 0, total: '0.00' });
    } finally {
      await holder.end();
    }
    expect(await subsidies(GZ, id)).toMatchObject({ status: 'REFUND_PENDING', subsidies: [{ amount: '250.00', payoutMonth: '2022-09', status: 'SCHEDULED' }] });
  });

  it('甘州: reversing a payment that re-opened a refunded enrolment leaves the paid counts of past days as they were', async () => {
    const id = await person(GZ, '1981-10-10');
    await pay(GZ, id, 2023, '350.00', '2022-09-03');
    const paidOn = (day: string) => paidBy(GZ, 2023, day);
    await refundApproved(GZ, id, 2023, '2022-09-20');
    const before = [await paidOn('2022-09-03'), await paidOn('2022-11-06')];
    // Paid again (the refunded enrolment re-opens), and that payment reversed as a mistake.
    await pay(GZ, id, 2023, '350.00', '2022-11-07', `R2-${id}`);
    await reverse(GZ, `R2-${id}`, '银行', '2022-11-08');
    expect((await subsidies(GZ, id)).status).toBe('REFUNDED');
    expect([await paidOn('2022-09-03'), await paidOn('2022-11-06')]).toEqual(before);
    // The first period counts until the refund's decision (today): the payment that re-opened it, dated
    // before that, counted nobody twice, and its reversal takes nobody off.
    expect(await paidOn('2022-11-07')).toBe(before[1]);
    expect(await paidOn('2022-11-08')).toBe(before[1]);
  });

  it('甘州: a payment that re-opens a refunded enrolment, dated before the refund was decided, counts the person once', async () => {
    const id = await person(GZ, '1982-11-11');
    const paidBy2023 = (day: string) => paidBy(GZ, 2023, day);
    const today = todayInChina();
    const days = ['2022-09-02', '2022-09-04', '2022-11-07', '2022-12-31', today];
    const counts = async () => Promise.all(days.map(paidBy2023));
    const base = await counts();
    await pay(GZ, id, 2023, '350.00', '2022-09-04');
    await refundApproved(GZ, id, 2023, '2022-09-20'); // decided today: counted from 2022-09-04 until today
    expect(await counts()).toEqual([base[0], base[1] + 1, base[2] + 1, base[3] + 1, base[4]]);
    // Paid again, dated before the decision: the days it shares with the first period count the person once.
    await pay(GZ, id, 2023, '350.00', '2022-11-07', `R3-${id}`);
    expect(await counts()).toEqual([base[0], base[1] + 1, base[2] + 1, base[3] + 1, base[4] + 1]);
  });

  it('甘州: three periods (paid, re-opened by an importPayments batch then reversed, paid again) count the person at most once a day', async () => {
    const id = await person(GZ, '1983-12-12');
    const today = todayInChina();
    const days = ['2022-09-03', '2022-09-04', '2022-10-01', '2022-11-07', '2022-12-31', today];
    const counts = async () => Promise.all(days.map((day) => paidBy(GZ, 2023, day)));
    const base = await counts();
    const plus = (...added: number[]) => base.map((n, i) => n + added[i]);
    await pay(GZ, id, 2023, '350.00', '2022-09-04');
    await refundApproved(GZ, id, 2023, '2022-09-20'); // the first period counts from 2022-09-04 until today
    expect(await counts()).toEqual(plus(0, 1, 1, 1, 1, 0));
    // The tax system's batch pays it again, dated before the first period stopped counting.
    const batch = await server.gql(
      `mutation($batchId: String!, $payments: [PaymentInput!]!) { importPayments(batchId: $batchId, payments: $payments) { accepted rejected } }`,
      {
        batchId: `CHAIN-${id}`,
        payments: [{ idNumber: id, coverageYear: 2023, amount: '350.00', paidOn: '2022-10-01', channel: '税务', receiptNo: `T-${id}` }],
      },
      { as: 'TAX', tenant: GZ },
    );
    expect(batch.errors).toBeUndefined();
    expect(batch.data!.importPayments).toEqual({ accepted: 1, rejected: 0 });
    expect((await subsidies(GZ, id)).status).toBe('PAID');
    expect(await counts()).toEqual(plus(0, 1, 1, 1, 1, 1));
    // That payment reversed (REFUNDED again), then a third at the counter: still once a day, and once from today on.
    await reverse(GZ, `T-${id}`, '税务', '2022-10-15');
    expect((await subsidies(GZ, id)).status).toBe('REFUNDED');
    expect(await counts()).toEqual(plus(0, 1, 1, 1, 1, 0));
    await pay(GZ, id, 2023, '350.00', '2022-11-07', `R4-${id}`);
    expect(await counts()).toEqual(plus(0, 1, 1, 1, 1, 1));
  });

  it('甘州: an enrolment refunded, paid again and refunded again: each refund deducts only the reimbursement paid out in its own period', async () => {
    const id = await person(GZ, '1984-01-21');
    await grant(GZ, id, 'DIBAO_RURAL_1', '2022-01-01');
    const ask = (requestedOn: string) => askRefund(id, requestedOn, REQUEST.replace('{ id ', '{ id requestNo '));
    // The first period: 350.00 paid, its 250.00 reimbursed in November, then refunded: 100.00 back.
    await pay(GZ, id, 2023, '350.00', '2022-10-05', `P1-${id}`);
    await paidOut(GZ, '2022-11');
    const first = await ask('2022-11-10');
    expect(first.data!.requestRefund).toMatchObject({ id: `${id}/2023`, requestNo: 1, amount: '100.00' });
    const approve = `mutation($id: String!, $n: Int) { approveRefund(idNumber: $id, coverageYear: 2023, requestNo: $n) { id requestNo status } }`;
    expect((await server.gql(approve, { id, n: null }, { as: 'ADMIN', tenant: GZ })).data!.approveRefund).toEqual({
      id: `${id}/2023`,
      requestNo: 1,
      status: 'APPROVED',
    });
    // Paid again and that payment reversed as a mistake: November's reimbursement was settled by the
    // refund, so it does not stand in the reversal's way.
    await pay(GZ, id, 2023, '350.00', '2022-11-15', `P2-${id}`);
    await reverse(GZ, `P2-${id}`, '银行', '2022-11-16');
    // Paid a third time, its reimbursement paid out in January, and refunded again.
    await pay(GZ, id, 2023, '350.00', '2022-12-05', `P3-${id}`);
    await paidOut(GZ, '2023-01');
    const second = await ask('2022-12-20');
    expect(second.errors).toBeUndefined();
    expect(second.data!.requestRefund).toMatchObject({ id: `${id}/2023/2`, requestNo: 2, status: 'PENDING', amount: '100.00', cancelledReimbursement: '0.00' });
    const again = await ask('2022-12-21');
    expect(again.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT' } });
    expect(again.errors?.[0].message).toContain('waits for a decision');
    // The first request is decided: naming it changes nothing, and the unnamed decision is the pending one.
    const named = await server.gql(approve, { id, n: 1 }, { as: 'ADMIN', tenant: GZ });
    expect(named.errors?.[0]).toMatchObject({ message: 'the refund request was already APPROVED', extensions: { code: 'CONFLICT' } });
    const missing = await server.gql(approve, { id, n: 3 }, { as: 'ADMIN', tenant: GZ });
    expect(missing.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND', field: 'requestNo' } });
    expect((await server.gql(approve, { id, n: null }, { as: 'ADMIN', tenant: GZ })).data!.approveRefund).toMatchObject({ requestNo: 2, status: 'APPROVED' });
    // Payouts: with two approved requests an unnamed payout is refused (a retried call of an older client
    // must not record the second as paid); named, each once, and the same day again changes nothing.
    const PAYOUT = `mutation($id: String!, $n: Int, $on: Date!) { recordRefundPayout(idNumber: $id, coverageYear: 2023, requestNo: $n, paidOn: $on) { requestNo paidOn } }`;
    const payout = (n: number | null, on: string) => server.gql(PAYOUT, { id, n, on }, { as: 'ADMIN', tenant: GZ });
    expect((await payout(null, '2022-12-28')).errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'requestNo' } });
    expect((await payout(2, '2022-12-19')).errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'paidOn' } });
    expect((await payout(2, '2022-12-28')).data!.recordRefundPayout).toEqual({ requestNo: 2, paidOn: '2022-12-28' });
    expect((await payout(1, '2022-12-29')).data!.recordRefundPayout).toEqual({ requestNo: 1, paidOn: '2022-12-29' });
    expect((await payout(2, '2022-12-28')).data!.recordRefundPayout).toEqual({ requestNo: 2, paidOn: '2022-12-28' });
    const register = await server.gql(
      `query($id: String!) { resident(idNumber: $id) { refunds { id requestNo status amount paidOn } enrollments { status } } }`,
      { id },
      { as: 'STAFF', tenant: GZ },
    );
    expect(register.data!.resident).toEqual({
      refunds: [
        { id: `${id}/2023`, requestNo: 1, status: 'APPROVED', amount: '100.00', paidOn: '2022-12-29' },
        { id: `${id}/2023/2`, requestNo: 2, status: 'APPROVED', amount: '100.00', paidOn: '2022-12-28' },
      ],
      enrollments: [{ status: 'REFUNDED' }],
    });
  });

  it('甘州: a reimbursement taken off a refund and then returned by the bank stays owed to the person after the refund', async () => {
    const id = await person(GZ, '1984-02-22');
    await grant(GZ, id, 'DIBAO_RURAL_1', '2022-01-01');
    await pay(GZ, id, 2023, '350.00', '2022-06-10'); // 250.00 scheduled for July
    await paidOut(GZ, '2022-07');
    const requested = await askRefund(id, '2022-07-20');
    expect(requested.data!.requestRefund).toMatchObject({ amount: '100.00' }); // 350.00 less the 250.00 paid out
    // The bank sends July's 250.00 back while the refund waits: re-issued, DUE.
    const returned = await server.gql(
      `mutation($r: [PayoutResultInput!]!) { recordPayoutResults(month: "2022-07", results: $r) { accepted reissued } }`,
      { r: [{ idNumber: id, coverageYear: 2023, amount: '250.00', result: 'RETURNED', resultOn: '2022-07-25', note: '账户已销户' }] },
      { as: 'ADMIN', tenant: GZ },
    );
    expect(returned.data!.recordPayoutResults).toEqual({ accepted: 1, reissued: 1 });
    const approved = await server.gql(
      `mutation($id: String!) { approveRefund(idNumber: $id, coverageYear: 2023) { status } }`,
      { id },
      { as: 'ADMIN', tenant: GZ },
    );
    expect(approved.errors).toBeUndefined();
    // The refund paid back 100.00 on the ground that 250.00 was paid out: the re-issue is not cancelled, and
    // it is scheduled and paid out although the enrolment is REFUNDED.
    expect(await subsidies(GZ, id)).toMatchObject({ status: 'REFUNDED', subsidies: [{ status: 'REISSUED' }, { amount: '250.00', status: 'DUE' }] });
    // Paid again and that payment reversed: the reversal cancels the new payment's reimbursement, not the re-issue.
    await pay(GZ, id, 2023, '350.00', '2022-07-26', `R2-${id}`);
    await reverse(GZ, `R2-${id}`, '银行', '2022-07-27');
    expect((await subsidies(GZ, id)).subsidies.map((g: { status: string }) => g.status)).toEqual(['REISSUED', 'DUE', 'CANCELLED']);
    const scheduled = await server.gql(
      `mutation($ids: [String!]) { scheduleReimbursements(month: "2023-03", idNumbers: $ids) { count total } }`,
      { ids: [id] },
      { as: 'ADMIN', tenant: GZ },
    );
    expect(scheduled.data!.scheduleReimbursements).toEqual({ count: 1, total: '250.00' });
    await paidOut(GZ, '2023-03');
    const march = await server.gql(`{ disbursements(month: "2023-03") { items { idNumber amount } } }`, {}, { as: 'ADMIN', tenant: GZ });
    expect(march.data!.disbursements.items).toContainEqual({ idNumber: id, amount: '250.00' });
  });

  it('甘州: a top-up after an enrolment was refunded and paid again reckons only with the running period (四（二）4)', async () => {
    const id = await person(GZ, '1984-03-23');
    await grant(GZ, id, 'AT_RISK_OF_POVERTY', '2022-01-01');
    // The first period: 150.00 reimbursed in February, then refunded (200.00 back).
    await pay(GZ, id, 2023, '350.00', '2022-01-10', `Q1-${id}`);
    await paidOut(GZ, '2022-02');
    await refundApproved(GZ, id, 2023, '2022-02-20');
    // Paid again: 150.00 more scheduled for March; then certified 低保 (250.00): 100.00 tops this period up.
    await pay(GZ, id, 2023, '350.00', '2022-02-25', `Q2-${id}`);
    await grant(GZ, id, 'DIBAO_RURAL_1', '2022-02-26');
    const grants = (await subsidies(GZ, id)).subsidies.map((g: { kind: string; amount: string; status: string }) => [g.kind, g.amount, g.status]);
    expect(grants).toEqual([
      ['AT_PAYMENT', '150.00', 'PAID_OUT'],
      ['AT_PAYMENT', '150.00', 'SCHEDULED'],
      ['TOP_UP', '100.00', 'SCHEDULED'],
    ]);
  });

  it('甘州: a certification recorded while a refund waits is granted, cancelled with an approval and owed after a rejection', async () => {
    const [kept, refunded] = [await person(GZ, '1984-06-26'), await person(GZ, '1984-07-27')];
    for (const id of [kept, refunded]) {
      await pay(GZ, id, 2023, '350.00', '2022-10-06');
      const requested = await askRefund(id, '2022-10-20');
      expect(requested.errors).toBeUndefined();
      await grant(GZ, id, 'DIBAO_RURAL_1', '2022-10-21');
    }
    const decide = (verb: string, id: string) =>
      server.gql(`mutation($id: String!) { ${verb}(idNumber: $id, coverageYear: 2023) { status } }`, { id }, { as: 'ADMIN', tenant: GZ });
    expect((await decide('rejectRefund', kept)).errors).toBeUndefined();
    expect((await decide('approveRefund', refunded)).errors).toBeUndefined();
    const owed = (await subsidies(GZ, kept)).subsidies as Array<{ kind: string; amount: string; status: string }>;
    expect(owed.map((g) => [g.kind, g.amount])).toEqual([['NEWLY_CERTIFIED', '250.00']]);
    expect(['SCHEDULED', 'DUE']).toContain(owed[0].status);
    expect((await subsidies(GZ, refunded)).subsidies).toMatchObject([{ kind: 'NEWLY_CERTIFIED', status: 'CANCELLED' }]);

    // Reimbursed 150.00 before the request (which took it off): the certification tops that up by 100.00,
    // it is not a new 250.00 on top of it.
    const topped = await person(GZ, '1984-09-29');
    await grant(GZ, topped, 'AT_RISK_OF_POVERTY', '2022-01-01');
    await pay(GZ, topped, 2023, '350.00', '2022-02-12'); // 150.00 scheduled for March
    await paidOut(GZ, '2022-03');
    const asked = await askRefund(topped, '2022-03-20');
    expect(asked.data!.requestRefund).toMatchObject({ amount: '200.00' });
    await grant(GZ, topped, 'DIBAO_RURAL_1', '2022-03-21');
    expect((await decide('rejectRefund', topped)).errors).toBeUndefined();
    const grants = (await subsidies(GZ, topped)).subsidies.map((g: { kind: string; amount: string; status: string }) => [g.kind, g.amount, g.status]);
    expect(grants.map(([kind, amount]: string[]) => [kind, amount])).toEqual([
      ['AT_PAYMENT', '150.00'],
      ['TOP_UP', '100.00'],
    ]);
    expect(grants[0][2]).toBe('PAID_OUT');
  });

  it('甘州: the reimbursement of an enrolment ended without a refund (a transfer out) is still paid out', async () => {
    const id = await person(GZ, '1984-08-28');
    await grant(GZ, id, 'DIBAO_RURAL_1', '2022-01-01');
    await pay(GZ, id, 2023, '350.00', '2022-04-10'); // 250.00 scheduled for May
    const out = await server.gql(
      `mutation($id: String!) { transferOut(idNumber: $id, on: "2022-04-20", destination: "山丹县") { status } }`,
      { id },
      { as: 'STAFF', tenant: GZ },
    );
    expect(out.errors).toBeUndefined();
    // The contribution stays with the fund (no refund was asked for): the 250.00 of it that assistance pays is owed.
    expect(await subsidies(GZ, id)).toMatchObject({ status: 'TERMINATED', subsidies: [{ amount: '250.00', payoutMonth: '2022-05', status: 'SCHEDULED' }] });
    await paidOut(GZ, '2022-05');
    const may = await server.gql(`{ disbursements(month: "2022-05") { items { idNumber amount } } }`, {}, { as: 'ADMIN', tenant: GZ });
    expect(may.data!.disbursements.items).toContainEqual({ idNumber: id, amount: '250.00' });
    expect((await subsidies(GZ, id)).subsidies).toMatchObject([{ status: 'PAID_OUT' }]);
  });

  it('甘州: an approval takes off a reimbursement paid out after the refund was asked for (a payout already running)', async () => {
    const id = await person(GZ, '1984-10-30');
    await grant(GZ, id, 'DIBAO_RURAL_1', '2022-01-01');
    await pay(GZ, id, 2023, '350.00', '2022-09-25');
    const asked = await askRefund(id, '2022-10-02');
    expect(asked.data!.requestRefund).toMatchObject({ amount: '350.00' });
    // A month's payout whose statement began before the request committed pays the reimbursement out.
    await server.ownerQuery(`UPDATE subsidy_grant SET status = 'PAID_OUT', payout_month = '2022-10' WHERE tenant_code = $1 AND id_number = $2`, [GZ, id]);
    const approved = await server.gql(
      `mutation($id: String!) { approveRefund(idNumber: $id, coverageYear: 2023) { status amount explanation { rule amount } } }`,
      { id },
      { as: 'ADMIN', tenant: GZ },
    );
    expect(approved.errors).toBeUndefined();
    expect(approved.data!.approveRefund).toMatchObject({ status: 'APPROVED', amount: '100.00' });
    expect(approved.data!.approveRefund.explanation).toContainEqual({ rule: 'reimbursement-paid-since', amount: '250.00' });
  });

  it('甘州: a dead person is not transferred out', async () => {
    const dead = await person(GZ, '1940-05-25');
    const died = await server.gql(
      `mutation($input: DeathInput!) { recordDeath(input: $input) { status } }`,
      { input: { idNumber: dead, diedOn: '2022-10-01', source: '死亡医学证明' } },
      { as: 'STAFF', tenant: GZ },
    );
    expect(died.errors).toBeUndefined();
    const moved = await server.gql(
      `mutation($id: String!) { transferOut(idNumber: $id, on: "2022-10-25") { status } }`,
      { id: dead },
      { as: 'STAFF', tenant: GZ },
    );
    expect(moved.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT', status: 'DECEASED' } });
  });

  it('answers POLICY_NOT_CONFIGURED where the notice refers refunds elsewhere (贵阳: 黔税发〔2020〕6号)', async () => {
    const id = await person(GY, '1979-08-08');
    await pay(GY, id, 2022, '320.00', '2021-11-05');
    const res = await server.gql(
      REQUEST,
      { input: { idNumber: id, coverageYear: 2022, reason: 'DEATH', requestedOn: '2021-12-01' } },
      { as: 'STAFF', tenant: GY },
    );
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'POLICY_NOT_CONFIGURED', missing: 'refunds' });
  });
});

describe("agencies' lists in bulk", () => {
  it('imports identities with per-row results, applies them to paid enrolments, and changes nothing on replay', async () => {
    const a = await person(SN, '1980-01-01');
    const b = await person(SN, '1981-01-01');
    await pay(SN, b, 2024, '380.00', '2023-10-01');
    const rows = [
      { idNumber: a, category: 'DIBAO_RURAL_4', certifiedBy: '县民政局', validFrom: '2023-05-01' },
      { idNumber: b, category: 'AT_RISK_OF_POVERTY', certifiedBy: '县乡村振兴局', validFrom: '2024-01-15' },
      { idNumber: makeResidentId('620721', '1982-01-01', 999), category: 'DIBAO_RURAL_1', certifiedBy: '县民政局', validFrom: '2023-05-01' },
      { idNumber: a, category: 'ORPHAN', certifiedBy: ' ', validFrom: '2023-05-01' },
    ];
    const IMPORT = `mutation($rows: [AssistanceInput!]!) { importAssistance(identities: $rows) { accepted duplicates rejected rows { index status code pending } } }`;
    const first = await server.gql(IMPORT, { rows }, { as: 'AGENCY', tenant: SN });
    // The third person is not registered yet: the certification waits for them.
    expect(first.data!.importAssistance).toMatchObject({ accepted: 3, duplicates: 0, rejected: 1 });
    expect(first.data!.importAssistance.rows.map((r: { code: string | null; pending: boolean }) => [r.code, r.pending])).toEqual([
      [null, false],
      [null, false],
      [null, true],
      ['BAD_USER_INPUT', false],
    ]);
    // b paid in full and is newly certified: 250.00 in February 2024 (三（二）当月参保、次月资助).
    expect((await subsidies(SN, b)).subsidies).toEqual([expect.objectContaining({ kind: 'NEWLY_CERTIFIED', amount: '250.00', payoutMonth: '2024-02' })]);
    const again = await server.gql(IMPORT, { rows }, { as: 'AGENCY', tenant: SN });
    expect(again.data!.importAssistance).toMatchObject({ accepted: 0, duplicates: 3, rejected: 1 });
    expect((await subsidies(SN, b)).subsidies).toHaveLength(1);
  });

  it("reads a CSV list with the forms' Chinese headers (npm run import:assistance)", async () => {
    const ids = [await person(PL, '1983-01-01'), await person(PL, '1984-01-01')];
    const dir = mkdtempSync(join(tmpdir(), 'assist-'));
    const file = join(dir, 'minzheng-2021-09.csv');
    writeFileSync(
      file,
      [
        '身份证号码,资助类别,认定部门,认定日期,有效期至',
        `${ids[0]},dibao,县民政局,2021-09-01,`,
        `${ids[1]},SEVERE_DISABILITY,县残联,2021-08-01,2022-12-31`,
        `${ids[1]},NOT_A_CATEGORY,县残联,2021-08-01,`,
      ].join('\n'),
    );
    const tally = await importAssistanceCsv({ file, url: server.url, token: server.token('AGENCY', [PL]), tenant: PL, batchSize: 2, batchPrefix: 'mz' });
    // An unknown category is rejected by the importer on its line; the others still go through.
    expect(tally).toMatchObject({ rows: 3, accepted: 2, rejected: 1, rejections: [{ line: 4, column: '资助类别', code: 'BAD_USER_INPUT' }] });
    const identities = await server.gql(
      `query($id: String!) { assistanceIdentities(idNumber: $id) { category validTo } }`,
      { id: ids[1] },
      { as: 'AGENCY', tenant: PL },
    );
    expect(identities.data!.assistanceIdentities).toEqual([{ category: 'SEVERE_DISABILITY', validTo: '2022-12-31' }]);
  });
});

describe('one live grant of the subsidy per enrolment (subsidy_grant_one_live)', () => {
  type Grant = { kind: string; amount: string; status: string; category: string };
  const live = (grants: Grant[]) => grants.filter((g) => g.status !== 'CANCELLED' && g.status !== 'REISSUED');
  const fen = (amount: string) => Math.round(Number(amount) * 100);

  it('甘州: two certifications of one paid person recorded at the same moment grant the newly certified subsidy once (四（二）3)', async () => {
    const id = await person(GZ, '1985-01-31');
    await pay(GZ, id, 2023, '350.00', '2022-11-01');
    // Both certifications read the person's grants before either writes: held at the table until both wait.
    const blocker = new pg.Client({ connectionString: server.databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE subsidy_grant IN SHARE MODE');
      const certify = (category: string) =>
        server.gql(
          `mutation($input: AssistanceInput!) { grantAssistance(input: $input) { id } }`,
          { input: { idNumber: id, category, certifiedBy: '民政局', validFrom: '2023-03-05' } },
          { as: 'AGENCY', tenant: GZ },
        );
      const both = Promise.all([certify('EXTREME_POVERTY'), certify('DIBAO_RURAL_1')]);
      for (let waited = 0; ; waited += 50) {
        const [{ n }] = (await blocker.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`))
          .rows;
        if (n >= 2) break;
        if (waited > 30_000) throw new Error('the two certifications never both waited');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await blocker.query('COMMIT');
      for (const res of await both) expect(res.errors).toBeUndefined();
    } finally {
      await blocker.end();
    }
    // 就高不重复: the highest, 特困's 350.00 in full, once, whichever was recorded first; never 350.00 + 250.00.
    const grants = live((await subsidies(GZ, id)).subsidies);
    expect(grants.filter((g) => g.kind === 'NEWLY_CERTIFIED')).toHaveLength(1);
    expect(grants.reduce((sum, g) => sum + fen(g.amount), 0)).toBe(35000);
  });

  it("甘州: a refunded period's reimbursement returned by the bank is re-issued beside the grant of the enrolment paid again", async () => {
    const id = await person(GZ, '1985-02-28');
    await grant(GZ, id, 'DIBAO_RURAL_1', '2022-01-01');
    // 250.00 paid out in a month of its own: July's payout is recorded (here, if no test above did), so the
    // reimbursement is DUE and scheduled into May 2023.
    await paidOut(GZ, '2022-07');
    await pay(GZ, id, 2023, '350.00', '2022-06-10', `K1-${id}`);
    const schedule = `mutation($ids: [String!]) { scheduleReimbursements(month: "2023-05", idNumbers: $ids) { count } }`;
    expect((await server.gql(schedule, { ids: [id] }, { as: 'ADMIN', tenant: GZ })).data!.scheduleReimbursements).toEqual({ count: 1 });
    await paidOut(GZ, '2023-05');
    await refundApproved(GZ, id, 2023, '2022-07-20'); // 100.00 back: the 250.00 was paid out
    await pay(GZ, id, 2023, '350.00', '2022-07-26', `K2-${id}`); // the new period: 250.00 more
    const returned = await server.gql(
      `mutation($r: [PayoutResultInput!]!) { recordPayoutResults(month: "2023-05", results: $r) { accepted reissued } }`,
      { r: [{ idNumber: id, coverageYear: 2023, amount: '250.00', result: 'RETURNED', resultOn: '2023-05-28' }] },
      { as: 'ADMIN', tenant: GZ },
    );
    expect(returned.errors).toBeUndefined();
    expect(returned.data!.recordPayoutResults).toEqual({ accepted: 1, reissued: 1 });
    const grants = (await subsidies(GZ, id)).subsidies as Grant[];
    // The new period's grant and the re-issue, owed to the person whatever became of the refunded period.
    expect(grants.map((g) => g.status)).toEqual(['REISSUED', expect.stringMatching(/^(SCHEDULED|DUE)$/), 'DUE']);
    expect(grants.map((g) => [g.kind, g.amount])).toEqual(Array(3).fill(['AT_PAYMENT', '250.00']));
  });

  it('甘州: an enrolment ended by a transfer out, re-opened and paid again after a transfer back, is granted for its new period', async () => {
    const id = await person(GZ, '1985-03-31');
    await grant(GZ, id, 'DIBAO_RURAL_1', '2022-01-01');
    await pay(GZ, id, 2023, '350.00', '2022-04-10', `T1-${id}`); // 250.00 for May
    const staffOf = { as: 'STAFF' as const, tenant: GZ };
    const out = await server.gql(`mutation($id: String!) { transferOut(idNumber: $id, on: "2022-04-20", destination: "山丹县") { status } }`, { id }, staffOf);
    expect(out.errors).toBeUndefined();
    const back = await server.gql(
      `mutation($input: TransferInInput!) { transferIn(input: $input) { status } }`,
      { input: { idNumber: id, name: '资助对象', transferredInOn: '2022-06-01', from: '山丹县' } },
      staffOf,
    );
    expect(back.errors).toBeUndefined();
    await pay(GZ, id, 2023, '350.00', '2022-06-10', `T2-${id}`);
    // Both owed: the ended period's (paid out as any reimbursement of an ended enrolment) and the new one's.
    const grants = (await subsidies(GZ, id)) as { status: string; subsidies: Grant[] };
    expect(grants.status).toBe('PAID');
    expect(live(grants.subsidies).map((g) => [g.kind, g.amount])).toEqual([
      ['AT_PAYMENT', '250.00'],
      ['AT_PAYMENT', '250.00'],
    ]);
  });

  it('山丹 (made up): a subsidy computed once its amount is configured is not granted beside one granted to the newly certified meanwhile', async () => {
    const SD = '620725'; // 山丹 2022: 低保's amount is in 张医保发〔2021〕52号, which the notice does not quote
    const id = makeResidentId(SD, '1966-06-06', 740);
    const staff = { as: 'STAFF' as const, tenant: SD };
    expect(
      (
        await server.gql(
          `mutation($input: ResidentInput!) { registerResident(input: $input) { idNumber } }`,
          { input: { idNumber: id, name: '低保户' } },
          staff,
        )
      ).errors,
    ).toBeUndefined();
    await grant(SD, id, 'DIBAO', '2021-01-01');
    const paid = await server.gql(
      `mutation($input: PaymentInput!) { recordPayment(input: $input) { receiptNo } }`,
      { input: { idNumber: id, coverageYear: 2022, amount: '320.00', paidOn: '2021-10-10', channel: '农商银行', receiptNo: `SD-${id}` } },
      { as: 'BANK', tenant: SD },
    );
    expect(paid.errors).toBeUndefined();
    const publish = async (source: string) => {
      const draft = await server.gql(
        `mutation($input: PolicyDraftInput!) { draftPolicyYear(input: $input) { id errors { path message } } }`,
        { input: { tenant: SD, coverageYear: 2022, source } },
        { token: server.token('ADMIN', [SD], 'admin-zhang'), tenant: SD },
      );
      expect(draft.errors).toBeUndefined();
      expect(draft.data!.draftPolicyYear.errors).toEqual([]);
      const published = await server.gql(
        `mutation($id: ID!) { publishPolicyYear(draftId: $id) { version } }`,
        { id: draft.data!.draftPolicyYear.id },
        { token: server.token('ADMIN', [SD], 'admin-li'), tenant: SD },
      );
      expect(published.errors).toBeUndefined();
    };
    // Made up: a version that pays the newly certified the month after (as 甘州 四（二）3 does), 低保's amount
    // still unstated; then one that states it (100.00, 先缴后补 as before).
    const seed = readFileSync(join(__dirname, '..', '..', 'tenants', SD, '2022.yaml'), 'utf8');
    const newlyCertified = seed.replace(
      '  reimbursementTiming:\n',
      '  newlyCertifiedAfterPayment:\n    rule: REIMBURSE_NEXT_MONTH\n    clause: made up for a test\n  reimbursementTiming:\n',
    );
    const stated = newlyCertified.replace('      category: DIBAO\n      full: false\n', '      category: DIBAO\n      full: false\n      amount: "100.00"\n');
    expect(stated).not.toBe(newlyCertified);
    expect(newlyCertified).not.toBe(seed);
    await publish(newlyCertified);
    // 特困 certified after the payment: the 320.00 paid is reimbursed in full the month after, while 低保's
    // subsidy of the payment still waits for its amount.
    await grant(SD, id, 'EXTREME_POVERTY', '2021-11-01');
    expect((await subsidies(SD, id)).subsidies).toEqual([expect.objectContaining({ kind: 'NEWLY_CERTIFIED', amount: '320.00', payoutMonth: '2021-12' })]);
    await publish(stated);
    // 低保's 100.00 is not paid on top of the 320.00 already granted: the enrolment keeps its one grant, and
    // the wait says why nothing more was granted.
    const grants = live((await subsidies(SD, id)).subsidies);
    expect(grants.map((g) => [g.kind, g.amount])).toEqual([['NEWLY_CERTIFIED', '320.00']]);
    const waits = await server.gql(
      `query { waitingValues(coverageYear: 2022, status: RESOLVED) { edges { node { idNumber missing status resolution } } } }`,
      {},
      staff,
    );
    const wait = waits.data!.waitingValues.edges.map((e: any) => e.node).find((n: any) => n.idNumber === id);
    expect(wait).toMatchObject({ missing: 'assistance.DIBAO.amount', status: 'RESOLVED', resolution: { subsidy: 10000, granted: false } });
    expect(wait.resolution.grantStanding).toMatchObject({ kind: 'NEWLY_CERTIFIED', amount: 32000 });
    // The enrolment keeps the amounts of that grant, not those of the wait's value.
    const enrolment = await server.gql(`query($id: String!) { resident(idNumber: $id) { enrollments { subsidy policyVersion } } }`, { id }, staff);
    expect(enrolment.data!.resident.enrollments).toEqual([{ subsidy: '0.00', policyVersion: 1 }]);
  });
});

describe('a reimbursement of a period that ended before the enrolment was re-opened', () => {
  it('is paid out in its month although the running period was refunded since', async () => {
    const id = await person(GZ, '1962-02-02');
    await grant(GZ, id, 'DIBAO_RURAL_1', '2022-01-01');
    await pay(GZ, id, 2023, '350.00', '2022-11-10');
    // Its month's payout (and later ones) recorded by earlier tests: scheduled into a month of its own.
    const scheduled = await server.gql(
      `mutation($ids: [String!]) { scheduleReimbursements(month: "2026-11", idNumbers: $ids) { count } }`,
      { ids: [id] },
      { as: 'ADMIN', tenant: GZ },
    );
    expect(scheduled.data).toEqual({ scheduleReimbursements: { count: 1 } });
    // As a transfer out on 11-15 and an enrolment re-opened since would leave the 250.00 (its period ended;
    // the re-opening is not replayed here): then the running period is refunded.
    await server.ownerQuery(`UPDATE subsidy_grant SET period_ended_on = '2022-11-15' WHERE tenant_code = $1 AND id_number = $2`, [GZ, id]);
    await refundApproved(GZ, id, 2023, '2022-11-20');
    expect((await subsidies(GZ, id)).subsidies).toEqual([expect.objectContaining({ amount: '250.00', payoutMonth: '2026-11', status: 'SCHEDULED' })]);
    await paidOut(GZ, '2026-11');
    expect((await subsidies(GZ, id)).subsidies).toEqual([expect.objectContaining({ amount: '250.00', payoutMonth: '2026-11', status: 'PAID_OUT' })]);
  });
});
