/**
 * Enrolment and payments over HTTP on real PostgreSQL, with the notices' numbers: bank counters,
 * tax imports of 10,000 rows, late payers, newborns, students, household enrolment, place of
 * enrolment, full sponsorship and one scheme per person across tenants.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importPaymentsCsv } from '../../src/cli/import-payments';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { once } from '../helpers/once';
import { residentIds, seedResidents } from '../helpers/seed';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const REGISTER = `mutation($input: HouseholdInput!) { registerHousehold(input: $input) { id } }`;
const ENROLL = `mutation($input: EnrollInput!) { enroll(input: $input) { status amountDue standardContribution subsidy mode appliedCategory late } }`;
const PAY = `mutation($input: PaymentInput!) { recordPayment(input: $input) { receiptNo idNumberMasked amount paidOn channel } }`;
const STATUS = `query($id: String!, $year: Int!, $asOf: Date) { enrollmentStatus(idNumber: $id, coverageYear: $year, asOf: $asOf) {
  status amountDue amountDueNote amountPaid coverage { start end } idNumberMasked nameMasked insuredElsewhere } }`;
const GRANT = `mutation($input: AssistanceInput!) { grantAssistance(input: $input) { id category } }`;

async function household(tenant: string, booklet: string, region: string, members: Array<Record<string, unknown>>) {
  const res = await server.gql(REGISTER, { input: { bookletNo: booklet, region, registeredOn: '2015-01-01', members } }, { as: 'STAFF', tenant });
  expect(res.errors).toBeUndefined();
  return res.data!.registerHousehold.id as string;
}

async function grant(tenant: string, idNumber: string, category: string, validFrom: string) {
  const res = await server.gql(GRANT, { input: { idNumber, category, certifiedBy: '县民政局', validFrom } }, { as: 'AGENCY', tenant });
  expect(res.errors).toBeUndefined();
}

const pay = (tenant: string, input: Record<string, unknown>, role: 'BANK' | 'TAX' | 'ADMIN' = 'BANK') =>
  server.gql(PAY, { input: { channel: '农商银行柜台', ...input } }, { as: role, tenant });

describe('肃南 2024: 差额征缴 at the bank counter, by household', () => {
  const head = makeResidentId('620721', '1968-04-04', 111);
  const spouse = makeResidentId('620721', '1970-05-05', 112);

  beforeAll(async () => {
    await household('620721', 'SN-E1', '620721-02', [
      { idNumber: head, name: '杨德明', relationship: '户主' },
      { idNumber: spouse, name: '杨桂英', relationship: '配偶' },
    ]);
    await grant('620721', head, 'DIBAO_RURAL_1', '2023-01-01');
  });
  /** The head's payment at the counter, made by whichever of the tests below needs it first. */
  const headPays = once(() => pay('620721', { idNumber: head, coverageYear: 2024, amount: '70.00', paidOn: '2023-10-09', receiptNo: 'SN-R1' }));

  it('enrols at the net amount: 380 − 310 = 70.00 (二（三）2, 二（四）)', async () => {
    const res = await server.gql(ENROLL, { input: { idNumber: head, coverageYear: 2024, enrolledOn: '2023-10-08' } }, { as: 'STAFF', tenant: '620721' });
    expect(res.data!.enroll).toEqual({
      status: 'UNPAID',
      amountDue: '70.00',
      standardContribution: '380.00',
      subsidy: '310.00',
      mode: 'NET_COLLECTION',
      appliedCategory: 'DIBAO_RURAL_1',
      late: false,
    });
  });

  it('refuses a payment of another amount, saying what is due', async () => {
    const res = await pay('620721', { idNumber: head, coverageYear: 2024, amount: '380.00', paidOn: '2023-10-09', receiptNo: 'SN-R1' });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount', amountDue: '70.00' });
    expect(res.errors?.[0].message).toContain('70.00');
  });

  it('takes the payment, stores the cover, and shows the bank a masked status', async () => {
    const res = await headPays();
    expect(res.errors).toBeUndefined();
    expect(res.data!.recordPayment).toMatchObject({
      receiptNo: 'SN-R1',
      amount: '70.00',
      idNumberMasked: '6207**********1111'.slice(0, 4) + '*'.repeat(10) + head.slice(-4),
    });
    const status = await server.gql(STATUS, { id: head, year: 2024 }, { as: 'BANK', tenant: '620721' });
    expect(status.data!.enrollmentStatus).toEqual({
      status: 'PAID',
      amountDue: '70.00',
      amountDueNote: null,
      amountPaid: '70.00',
      coverage: { start: '2024-01-01', end: '2024-12-31' },
      idNumberMasked: `${head.slice(0, 4)}**********${head.slice(-4)}`,
      nameMasked: '杨**',
      insuredElsewhere: false,
    });
    expect(JSON.stringify(status.data)).not.toContain(head.slice(6, 14));
  });

  it('is idempotent by receipt: the same receipt again returns the first payment and writes nothing', async () => {
    expect((await headPays()).errors).toBeUndefined();
    const before = await server.ownerQuery('SELECT count(*)::int AS n FROM payment');
    const res = await pay('620721', { idNumber: head, coverageYear: 2024, amount: '70.00', paidOn: '2023-10-09', receiptNo: 'SN-R1' });
    expect(res.data!.recordPayment.receiptNo).toBe('SN-R1');
    expect(await server.ownerQuery('SELECT count(*)::int AS n FROM payment')).toEqual(before);
  });

  it('answers CONFLICT for the same receipt with other content, and for a second payment', async () => {
    expect((await headPays()).errors).toBeUndefined();
    const changed = await pay('620721', { idNumber: head, coverageYear: 2024, amount: '70.00', paidOn: '2023-10-10', receiptNo: 'SN-R1' });
    expect(changed.errors?.[0].extensions?.code).toBe('CONFLICT');
    const twice = await pay('620721', { idNumber: head, coverageYear: 2024, amount: '70.00', paidOn: '2023-10-10', receiptNo: 'SN-R2' });
    expect(twice.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('lists the household while a member is missing (二（一） 以户为单位参保), and not once everyone has paid', async () => {
    expect((await headPays()).errors).toBeUndefined();
    const listed = async () =>
      (
        await server.gql('{ incompleteHouseholds(coverageYear: 2024) { bookletNo members { idNumber } } }', {}, { as: 'STAFF', tenant: '620721' })
      ).data!.incompleteHouseholds.map((h: { bookletNo: string }) => h.bookletNo);
    expect(await listed()).toContain('SN-E1');
    // A person who was never enrolled pays at the bank: the payment enrols them.
    const res = await pay('620721', { idNumber: spouse, coverageYear: 2024, amount: '380.00', paidOn: '2023-11-02', receiptNo: 'SN-R3' });
    expect(res.errors).toBeUndefined();
    expect(await listed()).not.toContain('SN-E1');
  });

  it('refuses a payment before the window opens (2023-09-10)', async () => {
    const early = makeResidentId('620721', '1990-03-03', 113);
    await household('620721', 'SN-E2', '620721-03', [{ idNumber: early, name: '早缴', relationship: '户主' }]);
    const res = await pay('620721', { idNumber: early, coverageYear: 2024, amount: '380.00', paidOn: '2023-09-01', receiptNo: 'SN-R4' });
    expect(res.errors?.[0].extensions?.code).toBe('ENROLLMENT_CLOSED');
  });
});

describe('贵阳贵安 2022: a late payment costs 900.00 (三)', () => {
  const late = makeResidentId('520102', '1985-06-06', 121);
  beforeAll(async () => {
    await household('520100', 'GY-E1', '520103', [{ idNumber: late, name: '龙飞', relationship: '户主' }]);
  });

  it('asks 900.00 after 2022-03-31 and stores no cover the notice does not state', async () => {
    const wrong = await pay('520100', { idNumber: late, coverageYear: 2022, amount: '320.00', paidOn: '2022-04-10', receiptNo: 'GY-R1' });
    expect(wrong.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', amountDue: '900.00' });
    const ok = await pay('520100', { idNumber: late, coverageYear: 2022, amount: '900.00', paidOn: '2022-04-10', receiptNo: 'GY-R1' });
    expect(ok.errors).toBeUndefined();
    const status = await server.gql(STATUS, { id: late, year: 2022 }, { as: 'BANK', tenant: '520100' });
    expect(status.data!.enrollmentStatus).toMatchObject({ status: 'PAID', amountPaid: '900.00', coverage: null });
  });

  it('tells the bank what is due on a date before payment, or why not', async () => {
    const other = makeResidentId('520102', '1986-07-07', 122);
    await household('520100', 'GY-E2', '520102', [{ idNumber: other, name: '龙云', relationship: '户主' }]);
    const inWindow = await server.gql(STATUS, { id: other, year: 2022, asOf: '2022-01-15' }, { as: 'BANK', tenant: '520100' });
    expect(inWindow.data!.enrollmentStatus).toMatchObject({ status: 'NOT_ENROLLED', amountDue: '320.00' });
    const closed = await server.gql(STATUS, { id: other, year: 2022, asOf: '2023-01-15' }, { as: 'BANK', tenant: '520100' });
    expect(closed.data!.enrollmentStatus).toMatchObject({ amountDue: null, amountDueNote: expect.stringContaining('ENROLLMENT_CLOSED') });
  });
});

describe('平利 2022: place of enrolment, assistance cut-off, late payers, newborns, students', () => {
  const local = makeResidentId('610926', '1979-09-09', 131);
  const permit = makeResidentId('520102', '1981-01-01', 132);
  const outsider = makeResidentId('520102', '1982-02-02', 133);
  const dibaoEarly = makeResidentId('610926', '1960-03-03', 134);
  const dibaoLate = makeResidentId('610926', '1961-04-04', 135);
  const baby = makeResidentId('610926', '2022-03-10', 136);
  const student = makeResidentId('610926', '2002-08-08', 137);

  beforeAll(async () => {
    await household('610926', 'PL-E1', '610926-05', [
      { idNumber: local, name: '陈本地', relationship: '户主', hukouPlace: '610926105' },
      { idNumber: permit, name: '陈居住', relationship: '配偶', hukouPlace: '520102', residencePermitPlace: '610926' },
      { idNumber: dibaoEarly, name: '陈甲', relationship: '父亲', hukouPlace: '610926105' },
      { idNumber: dibaoLate, name: '陈乙', relationship: '母亲', hukouPlace: '610926105' },
      { idNumber: baby, name: '陈宝', relationship: '子女', hukouPlace: '610926105', applicantType: 'NEWBORN' },
      { idNumber: student, name: '陈学', relationship: '子女', hukouPlace: '610926105', applicantType: 'UNIVERSITY_STUDENT', school: '安康学院' },
    ]);
    await grant('610926', dibaoEarly, 'DIBAO', '2021-06-01');
    await grant('610926', dibaoLate, 'DIBAO', '2021-10-05');
  });

  it('enrols only where the hukou or the residence permit is (七（一）2)', async () => {
    const enroll = (idNumber: string) =>
      server.gql(ENROLL, { input: { idNumber, coverageYear: 2022, enrolledOn: '2021-11-01' } }, { as: 'STAFF', tenant: '610926' });
    expect((await enroll(local)).data!.enroll.status).toBe('UNPAID');
    expect((await enroll(permit)).data!.enroll.status).toBe('UNPAID');
    // Refused at registration, naming the field, rather than later at payment.
    const REGISTER_ONE = `mutation($input: ResidentInput!) { registerResident(input: $input) { idNumber hukouPlace } }`;
    const atRegistration = await server.gql(
      REGISTER_ONE,
      { input: { idNumber: outsider, name: '陈外地', hukouPlace: '520102001' } },
      { as: 'STAFF', tenant: '610926' },
    );
    expect(atRegistration.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'hukouPlace', clause: expect.stringContaining('七（一）2') });
    // Someone on record from before (an older roster) is still refused at enrolment.
    await server.ownerQuery(`INSERT INTO resident (tenant_code, id_number, name, hukou_place) VALUES ('610926', $1, '陈外地', '520102001')`, [outsider]);
    const refused = await enroll(outsider);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'ENROLLMENT_CLOSED', clause: expect.stringContaining('七（一）2') });
  });

  it('subsidises 低保 certified by 2021-09-30 and not one certified after (五（一）, 三（一）6)', async () => {
    const early = await server.gql(
      ENROLL,
      { input: { idNumber: dibaoEarly, coverageYear: 2022, enrolledOn: '2021-11-01' } },
      { as: 'STAFF', tenant: '610926' },
    );
    expect(early.data!.enroll).toMatchObject({ amountDue: '320.00', subsidy: '160.00', mode: 'REIMBURSEMENT' });
    const late = await server.gql(ENROLL, { input: { idNumber: dibaoLate, coverageYear: 2022, enrolledOn: '2021-11-01' } }, { as: 'STAFF', tenant: '610926' });
    expect(late.data!.enroll).toMatchObject({ amountDue: '320.00', subsidy: '0.00', mode: null });
  });

  it('loses assistance when paid after the window, and covers from the next month (四（三）1, 四（三）2)', async () => {
    const res = await pay('610926', { idNumber: dibaoEarly, coverageYear: 2022, amount: '320.00', paidOn: '2022-02-10', receiptNo: 'PL-R1' });
    expect(res.errors).toBeUndefined();
    const e = await server.gql(
      `query($id: String!) { resident(idNumber: $id) { enrollments { subsidy mode late coverage { start end } } } }`,
      { id: dibaoEarly },
      { as: 'STAFF', tenant: '610926' },
    );
    expect(e.data!.resident.enrollments[0]).toEqual({ subsidy: '0.00', mode: null, late: true, coverage: { start: '2022-03-01', end: '2022-12-31' } });
  });

  it('covers a newborn paid within 90 days from birth (四（二）2（1）)', async () => {
    expect((await pay('610926', { idNumber: baby, coverageYear: 2022, amount: '320.00', paidOn: '2022-05-01', receiptNo: 'PL-R2' })).errors).toBeUndefined();
    const status = await server.gql(STATUS, { id: baby, year: 2022 }, { as: 'BANK', tenant: '610926' });
    expect(status.data!.enrollmentStatus.coverage).toEqual({ start: '2022-03-10', end: '2022-12-31' });
  });

  it('covers a university student from the day of payment (四（二）3)', async () => {
    expect((await pay('610926', { idNumber: student, coverageYear: 2022, amount: '320.00', paidOn: '2021-11-05', receiptNo: 'PL-R3' })).errors).toBeUndefined();
    const status = await server.gql(STATUS, { id: student, year: 2022 }, { as: 'BANK', tenant: '610926' });
    expect(status.data!.enrollmentStatus.coverage).toEqual({ start: '2021-11-05', end: '2022-12-31' });
  });

  it('refuses an ordinary resident after 2021-12-25 (四（一）)', async () => {
    const res = await pay('610926', { idNumber: local, coverageYear: 2022, amount: '320.00', paidOn: '2022-01-05', receiptNo: 'PL-R4' });
    expect(res.errors?.[0].extensions?.code).toBe('ENROLLMENT_CLOSED');
  });
});

describe('全额资助: enrolled as paid by the funding body, in bulk', () => {
  const a = makeResidentId('610926', '1940-01-01', 141);
  const b = makeResidentId('610926', '2010-02-02', 142);
  const c = makeResidentId('610926', '1950-03-03', 143);
  beforeAll(async () => {
    await household('610926', 'PL-F1', '610926-06', [
      { idNumber: a, name: '特困甲', relationship: '户主', hukouPlace: '610926106' },
      { idNumber: b, name: '孤儿乙', relationship: '孙子女', hukouPlace: '610926106' },
      { idNumber: c, name: '低保丙', relationship: '配偶', hukouPlace: '610926106' },
    ]);
    await grant('610926', a, 'EXTREME_POVERTY', '2020-01-01');
    await grant('610926', b, 'ORPHAN', '2020-01-01');
    await grant('610926', c, 'DIBAO', '2020-01-01');
  });

  it('enrols 特困 and 孤儿 as paid with no personal payment, leaves 低保 alone, and changes nothing when run again', async () => {
    const SPONSOR = `mutation { sponsorEnrollments(coverageYear: 2022, paidOn: "2021-11-15") { enrolled alreadyEnrolled skipped { code } } }`;
    const first = await server.gql(SPONSOR, {}, { as: 'ADMIN', tenant: '610926' });
    expect(first.data!.sponsorEnrollments).toMatchObject({ enrolled: 2 });
    for (const id of [a, b]) {
      const s = await server.gql(STATUS, { id, year: 2022 }, { as: 'BANK', tenant: '610926' });
      expect(s.data!.enrollmentStatus).toMatchObject({
        status: 'PAID',
        amountDue: '0.00',
        amountPaid: '0.00',
        coverage: { start: '2022-01-01', end: '2022-12-31' },
      });
    }
    expect((await server.gql(STATUS, { id: c, year: 2022 }, { as: 'BANK', tenant: '610926' })).data!.enrollmentStatus.status).toBe('NOT_ENROLLED');
    const again = await server.gql(SPONSOR, {}, { as: 'ADMIN', tenant: '610926' });
    expect(again.data!.sponsorEnrollments).toMatchObject({ enrolled: 0, alreadyEnrolled: 2 });
  });

  it("pays again a person re-enrolled after a refund on the funding body's payment on record, with no second payment or grant", async () => {
    const as = { as: 'ADMIN' as const, tenant: '610926' };
    const step = async (query: string) => {
      const res = await server.gql(query, {}, as);
      expect(res.errors).toBeUndefined();
      return res.data!;
    };
    const SPONSOR = `mutation { sponsorEnrollments(coverageYear: 2022, paidOn: "2021-12-10") { enrolled alreadyEnrolled skipped { code } } }`;
    // The person's part of a sponsored enrolment is nothing: the refund pays back nothing, and the funding
    // body's 320.00 and its grant stay on record.
    expect(
      await step(
        `mutation { requestRefund(input: { idNumber: "${a}", coverageYear: 2022, reason: DUPLICATE_ENROLLMENT, requestedOn: "2021-12-01" }) { amount } }`,
      ),
    ).toEqual({ requestRefund: { amount: '0.00' } });
    await step(`mutation { approveRefund(idNumber: "${a}", coverageYear: 2022) { status } }`);
    // An ended enrolment is not re-opened by a run over everyone certified.
    expect((await step(SPONSOR)).sponsorEnrollments).toEqual({ enrolled: 0, alreadyEnrolled: 1, skipped: [{ code: 'CONFLICT' }] });
    // Re-enrolled by a decision of its own: the next run pays it again on the payment on record.
    expect(await step(`mutation { enroll(input: { idNumber: "${a}", coverageYear: 2022, enrolledOn: "2021-12-10" }) { status amountDue } }`)).toEqual({
      enroll: { status: 'UNPAID', amountDue: '0.00' },
    });
    expect((await step(SPONSOR)).sponsorEnrollments).toEqual({ enrolled: 1, alreadyEnrolled: 1, skipped: [] });
    const RESIDENT = `query($id: String!) { resident(idNumber: $id) { enrollments { status paidOn amountPaid payments { receiptNo amount reversed } subsidies { amount status } } } }`;
    const resident = await server.gql(RESIDENT, { id: a }, as);
    expect(resident.data!.resident.enrollments).toEqual([
      {
        status: 'PAID',
        paidOn: '2021-11-15',
        amountPaid: '0.00',
        payments: [{ receiptNo: `SP-2022-${a}`, amount: '320.00', reversed: false }],
        subsidies: [{ amount: '320.00', status: 'SETTLED' }],
      },
    ]);
    expect((await step(SPONSOR)).sponsorEnrollments).toEqual({ enrolled: 0, alreadyEnrolled: 2, skipped: [] });
    // Paid again by the payment of 2021-11-15, before the refund's decision (today) ended the first
    // period: counted once.
    const paidBy = async (day: string) =>
      (await step(`{ enrollmentProgress(asOf: "${day}", coverageYear: 2022) { region { code } paid } }`)).enrollmentProgress.find(
        (r: any) => r.region.code === '610926-06',
      ).paid;
    expect(await paidBy('2021-12-31')).toBe(2);
    // That payment is the one it is paid by: reversing it puts back the enrolment as it was enrolled again.
    const reversal = await step(
      `mutation { reversePayment(input: { receiptNo: "SP-2022-${a}", channel: "资助代缴", reason: "资助对象认定有误", reversedOn: "2021-12-20" }) { reversed } }`,
    );
    expect(reversal.reversePayment.reversed).toBe(true);
    expect((await server.gql(RESIDENT, { id: a }, as)).data!.resident.enrollments).toMatchObject([{ status: 'UNPAID', paidOn: null }]);
    expect(await paidBy('2021-12-31')).toBe(2);
  });

  it('is for ADMIN only', async () => {
    const res = await server.gql(
      `mutation { sponsorEnrollments(coverageYear: 2022, paidOn: "2021-11-15") { enrolled } }`,
      {},
      { as: 'STAFF', tenant: '610926' },
    );
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('finds the sponsorship on record after an ID-number correction, and does not make it twice', async () => {
    const before = makeResidentId('610926', '1941-04-04', 144);
    const after = makeResidentId('610926', '1941-04-05', 145);
    await household('610926', 'PL-F2', '610926-06', [{ idNumber: before, name: '特困丁', relationship: '户主', hukouPlace: '610926106' }]);
    await grant('610926', before, 'EXTREME_POVERTY', '2020-01-01');
    const as = { as: 'ADMIN' as const, tenant: '610926' };
    const step = async (query: string) => {
      const res = await server.gql(query, {}, as);
      expect(res.errors).toBeUndefined();
      return res.data!;
    };
    await step(`mutation { sponsorEnrollments(coverageYear: 2022, paidOn: "2021-11-15") { enrolled } }`);
    await step(`mutation { correctIdNumber(idNumber: "${before}", newIdNumber: "${after}", reason: "户籍核对") { idNumber } }`);
    await step(
      `mutation { requestRefund(input: { idNumber: "${after}", coverageYear: 2022, reason: DUPLICATE_ENROLLMENT, requestedOn: "2021-12-01" }) { amount } }`,
    );
    await step(`mutation { approveRefund(idNumber: "${after}", coverageYear: 2022) { status } }`);
    await step(`mutation { enroll(input: { idNumber: "${after}", coverageYear: 2022, enrolledOn: "2021-12-10" }) { status } }`);
    await step(`mutation { sponsorEnrollments(coverageYear: 2022, paidOn: "2021-12-10") { enrolled } }`);
    // Paid again on the funding body's payment made under the old number: no second payment, no second grant.
    const resident = await server.gql(
      `query($id: String!) { resident(idNumber: $id) { enrollments { status payments { receiptNo amount reversed } subsidies { amount status } } } }`,
      { id: after },
      as,
    );
    expect(resident.data!.resident.enrollments).toEqual([
      {
        status: 'PAID',
        payments: [{ receiptNo: `SP-2022-${before}`, amount: '320.00', reversed: false }],
        subsidies: [{ amount: '320.00', status: 'SETTLED' }],
      },
    ]);
  });
});

describe('one scheme per person per year: money collected twice is flagged on both sides', () => {
  const twice = makeResidentId('610926', '1977-07-17', 151);
  beforeAll(async () => {
    await household('610926', 'PL-D1', '610926-07', [{ idNumber: twice, name: '重复', relationship: '户主', hukouPlace: '610926107' }]);
    await household('520100', 'GY-D1', '520112', [{ idNumber: twice, name: '重复', relationship: '户主' }]);
    expect((await pay('520100', { idNumber: twice, coverageYear: 2022, amount: '320.00', paidOn: '2021-11-20', receiptNo: 'GY-D-R1' })).errors).toBeUndefined();
  });

  it('takes a payment the tax system collected anyway, and both tenants see the duplicate', async () => {
    const res = await pay('610926', { idNumber: twice, coverageYear: 2022, amount: '320.00', paidOn: '2021-11-25', receiptNo: 'PL-D-R1' }, 'TAX');
    expect(res.errors).toBeUndefined();
    const pl = await server.gql(STATUS, { id: twice, year: 2022 }, { as: 'BANK', tenant: '610926' });
    const gy = await server.gql(STATUS, { id: twice, year: 2022 }, { as: 'BANK', tenant: '520100' });
    expect(pl.data!.enrollmentStatus.insuredElsewhere).toBe(true);
    expect(gy.data!.enrollmentStatus.insuredElsewhere).toBe(true);
    const LIST = '{ duplicateEnrollments(coverageYear: 2022) { enrollment { idNumber status } enrolledIn } }';
    expect((await server.gql(LIST, {}, { as: 'STAFF', tenant: '610926' })).data!.duplicateEnrollments).toEqual([
      { enrollment: { idNumber: twice, status: 'PAID' }, enrolledIn: ['520100'] },
    ]);
    expect((await server.gql(LIST, {}, { as: 'STAFF', tenant: '520100' })).data!.duplicateEnrollments).toEqual([
      { enrollment: { idNumber: twice, status: 'PAID' }, enrolledIn: ['610926'] },
    ]);
  });
});

describe('importPayments: 10,000 rows from the tax system', () => {
  const ids = residentIds('620702', 10_000);
  const unregistered = residentIds('620702', 10, 50_000);
  const IMPORT = `mutation($batchId: String!, $payments: [PaymentInput!]!) { importPayments(batchId: $batchId, payments: $payments) {
    batchId accepted held duplicates rejected rows { index receiptNo status held error code } } }`;
  let payments: Array<Record<string, unknown>>;
  /** The batch's first import, made by whichever of the tests below needs it first. */
  const firstImport = once(async () => {
    const started = Date.now();
    const res = await server.gql(IMPORT, { batchId: 'TAX-2022-10-01', payments }, { as: 'TAX', tenant: '620702' });
    return { res, elapsed: Date.now() - started };
  });

  beforeAll(async () => {
    await seedResidents(server, '620702', ids);
    payments = ids.map((idNumber, i) => {
      const row: Record<string, unknown> = {
        idNumber,
        coverageYear: 2023,
        amount: '350.00',
        paidOn: '2022-10-01',
        channel: '税务代征',
        receiptNo: `GZ-2022-${String(i).padStart(6, '0')}`,
      };
      if (i % 1000 === 1) row.amount = '300.00'; // wrong amount
      if (i % 1000 === 2) row.idNumber = unregistered[(i / 1000) | 0]; // not registered here
      if (i % 1000 === 3) row.idNumber = `${idNumber.slice(0, 17)}${idNumber.endsWith('1') ? '2' : '1'}`; // bad check character
      if (i % 1000 === 4) row.paidOn = '2023-01-05'; // after the deadline
      return row;
    });
    payments[5000] = { ...payments[4999] }; // the same receipt twice in one batch
  });

  it('accepts the good rows and reports each bad one by index with its code', async () => {
    const { res, elapsed } = await firstImport();
    expect(res.errors).toBeUndefined();
    const result = res.data!.importPayments;
    // The money of the 10 people not registered here is held in suspense, not rejected.
    expect(result).toMatchObject({ batchId: 'TAX-2022-10-01', accepted: 9969, held: 10, duplicates: 1, rejected: 30 });
    const byIndex = new Map(result.rows.map((r: { index: number }) => [r.index, r]));
    expect(byIndex.get(1)).toMatchObject({ status: 'REJECTED', code: 'BAD_USER_INPUT', error: expect.stringContaining('350.00') });
    expect(byIndex.get(1002)).toMatchObject({ status: 'ACCEPTED', held: true, code: 'NOT_FOUND' });
    expect(byIndex.get(2003)).toMatchObject({ status: 'REJECTED', code: 'BAD_USER_INPUT' });
    expect(byIndex.get(3004)).toMatchObject({ status: 'REJECTED', code: 'ENROLLMENT_CLOSED' });
    expect(byIndex.get(5000)).toMatchObject({ status: 'DUPLICATE', receiptNo: 'GZ-2022-004999' });
    expect(byIndex.get(0)).toMatchObject({ status: 'ACCEPTED', error: null });
    expect(res.extensions?.sqlStatements).toBeLessThanOrEqual(16);
    const [counts] = await server.ownerQuery(
      "SELECT (SELECT count(*)::int FROM payment WHERE tenant_code = '620702') AS payments, (SELECT count(*)::int FROM enrollment WHERE tenant_code = '620702' AND status = 'PAID') AS paid, (SELECT count(*)::int FROM payment_suspense WHERE tenant_code = '620702') AS held",
    );
    expect(counts).toEqual({ payments: 9959, paid: 9959, held: 10 });
    console.log(`importPayments: 10,000 rows in ${elapsed} ms, ${res.extensions?.sqlStatements} SQL statements`);
  });

  it('changes nothing when the batch is replayed, nor the figures of the batch as it came', async () => {
    expect((await firstImport()).res.errors).toBeUndefined();
    const BATCH = `{ paymentBatch(batchId: "TAX-2022-10-01") { rows accepted duplicates rejected held acceptedAmount heldAmount recordedAt } }`;
    const before = (await server.gql(BATCH, {}, { as: 'TAX', tenant: '620702' })).data!.paymentBatch;
    const res = await server.gql(IMPORT, { batchId: 'TAX-2022-10-01', payments }, { as: 'TAX', tenant: '620702' });
    expect(res.errors).toBeUndefined();
    expect(res.data!.importPayments).toMatchObject({ accepted: 0, held: 10, duplicates: 9970, rejected: 30 });
    const [counts] = await server.ownerQuery("SELECT count(*)::int AS payments FROM payment WHERE tenant_code = '620702'");
    expect(counts.payments).toBe(9959);
    expect((await server.gql(BATCH, {}, { as: 'TAX', tenant: '620702' })).data!.paymentBatch).toEqual(before);
    expect(before).toMatchObject({ accepted: 9969, held: 10 });
    // Every row came out as it stands: the replay left no recording of its own.
    const recordings = await server.ownerQuery("SELECT recording FROM payment_batch_outcome WHERE tenant_code = '620702' AND batch_id = 'TAX-2022-10-01'");
    expect(recordings).toEqual([{ recording: 1 }]);
  });

  it('reads the batch back page by page and by status, with the totals on every page, an empty one included', async () => {
    expect((await firstImport()).res.errors).toBeUndefined();
    const PAGE = `query ($status: String, $first: Int!, $after: String) { paymentBatch(batchId: "TAX-2022-10-01", status: $status, first: $first, after: $after) {
      rows accepted duplicates rejected held acceptedAmount heldAmount results { totalCount nodes { index status } pageInfo { hasNextPage endCursor } } } }`;
    const read = async (variables: Record<string, unknown>) => {
      const res = await server.gql(PAGE, variables, { as: 'TAX', tenant: '620702' });
      expect(res.errors).toBeUndefined();
      return res.data!.paymentBatch;
    };
    const totals = { rows: 10_000, accepted: 9969, duplicates: 1, rejected: 30, held: 10 };
    const indexes: number[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page += 1) {
      const batch = await read({ first: 500, after });
      expect(batch).toMatchObject(totals);
      indexes.push(...batch.results.nodes.map((n: { index: number }) => n.index));
      expect(batch.results.pageInfo.hasNextPage).toBe(page < 19);
      after = batch.results.pageInfo.endCursor;
    }
    expect(indexes).toEqual(Array.from({ length: 10_000 }, (_, k) => k));
    // Past the last row: no rows, the same totals.
    const beyond = await read({ first: 10, after });
    expect(beyond).toMatchObject(totals);
    expect(beyond.results.nodes).toEqual([]);
    const rejected = await read({ status: 'REJECTED', first: 20 });
    expect(rejected.results.totalCount).toBe(30);
    expect(rejected.results.nodes).toHaveLength(20);
    expect(rejected.results.nodes.every((n: { status: string }) => n.status === 'REJECTED')).toBe(true);
    const rest = await read({ status: 'REJECTED', first: 20, after: rejected.results.pageInfo.endCursor });
    expect(rest.results.nodes).toHaveLength(10);
    expect(rest.results.pageInfo.hasNextPage).toBe(false);
  });

  it('takes two batches in flight that share people: each person is paid once, the other row is rejected, no batch fails', async () => {
    // Batches A and B share 1,000 people. Whichever batch writes a shared person first wins; the other
    // batch loses the race inside its transaction, rolls back to its savepoint and judges its rows again.
    const people = residentIds('620702', 3000, 60_000);
    await seedResidents(server, '620702', people);
    const row = (idNumber: string, receiptNo: string) => ({
      idNumber,
      coverageYear: 2023,
      amount: '350.00',
      paidOn: '2022-10-02',
      channel: '税务代征',
      receiptNo,
    });
    const a = people.slice(0, 2000).map((id, i) => row(id, `RACE-A-${i}`));
    const b = people.slice(1000, 3000).map((id, i) => row(id, `RACE-B-${i}`));
    const [ra, rb] = await Promise.all([
      server.gql(IMPORT, { batchId: 'RACE-A', payments: a }, { as: 'TAX', tenant: '620702' }),
      server.gql(IMPORT, { batchId: 'RACE-B', payments: b }, { as: 'TAX', tenant: '620702' }),
    ]);
    expect(ra.errors).toBeUndefined();
    expect(rb.errors).toBeUndefined();
    const [x, y] = [ra.data!.importPayments, rb.data!.importPayments];
    expect(x.accepted + y.accepted).toBe(3000);
    expect(x.rejected + y.rejected).toBe(1000);
    const rejected = [...x.rows, ...y.rows].filter((r: { status: string }) => r.status === 'REJECTED');
    expect(new Set(rejected.map((r: { code: string }) => r.code))).toEqual(new Set(['CONFLICT']));
    const [counts] = await server.ownerQuery(
      `SELECT count(*)::int AS payments, count(DISTINCT id_number)::int AS people FROM payment WHERE tenant_code = '620702' AND batch_id IN ('RACE-A', 'RACE-B')`,
    );
    expect(counts).toEqual({ payments: 3000, people: 3000 });
  });

  it('refuses more than 10,000 rows, and callers other than TAX and ADMIN', async () => {
    const tooMany = await server.gql(IMPORT, { batchId: 'X', payments: Array.from({ length: 10_001 }, () => payments[0]) }, { as: 'TAX', tenant: '620702' });
    expect(tooMany.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'payments' });
    const bank = await server.gql(IMPORT, { batchId: 'X', payments: [payments[0]] }, { as: 'BANK', tenant: '620702' });
    expect(bank.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('the CSV importer (npm run import:payments)', () => {
  it('streams a file in batches, reports rejected lines and tallies; a second run adds nothing', async () => {
    const ids = residentIds('620702', 1200, 20_000);
    await seedResidents(server, '620702', ids);
    const lines = ['身份证号码,参保年度,金额,缴费日期,缴费渠道,票据号'];
    const amount = (i: number) => (i === 7 ? '35.00' : i === 8 ? '三百五十' : '350.00');
    ids.forEach((id, i) => lines.push([id, 2023, amount(i), '2022-11-11', '"微信, 城市服务"', `CSV-${i}`].join(',')));
    const dir = mkdtempSync(join(tmpdir(), 'csv-'));
    const file = join(dir, 'tax-2022-11-11.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const options = { file, url: server.url, token: server.token('TAX', ['620702']), tenant: '620702', batchSize: 500, batchPrefix: 'tax-2022-11-11' };
    const progress: number[] = [];
    const first = await importPaymentsCsv({ ...options, onProgress: (bytes) => progress.push(bytes) });
    expect(first).toMatchObject({ rows: 1200, accepted: 1198, duplicates: 0, rejected: 2 });
    // A wrong amount is refused by the server with what is due; a malformed one by the importer, alone.
    expect(first.rejections).toEqual([
      { line: 9, label: 'CSV-7', code: 'BAD_USER_INPUT', error: expect.stringContaining('350.00') },
      { line: 10, column: '金额', label: 'CSV-8', code: 'BAD_USER_INPUT', error: expect.stringContaining('三百五十') },
    ]);
    expect(progress).toHaveLength(3);
    const second = await importPaymentsCsv(options);
    expect(second).toMatchObject({ accepted: 0, duplicates: 1198, rejected: 2 });
    const [row] = await server.ownerQuery("SELECT channel FROM payment WHERE receipt_no = 'CSV-0'");
    expect(row.channel).toBe('微信, 城市服务');
  });
});
