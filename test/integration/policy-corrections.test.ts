/**
 * A version published to correct a year's amount after money of that year was collected: what was paid
 * while the earlier version was in force, and was what it asked, is still taken as paid (under that
 * version); what the correction asks is taken too; any other amount is refused with both amounts.
 * The correction here (平利 2022's 320.00 made 330.00) is made up: no seed corrects a notice.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { startTestServer, type TestServer } from '../helpers/server';

const PL = '610926';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

async function ok<T = any>(query: string, variables: Record<string, unknown>, token: string, tenant = PL): Promise<T> {
  const res = await server.gql<T>(query, variables, { token, tenant });
  expect(res.errors).toBeUndefined();
  return res.data as T;
}

const RECORD = `mutation($input: PaymentInput!) { recordPayment(input: $input) { receiptNo amount } }`;
const ENROLMENT = `query($id: String!) { resident(idNumber: $id) { enrollments { coverageYear status amountPaid policyVersion } } }`;

describe('a correction of the amount published after payments of its year', () => {
  it('takes what was due under the version in force on the day paid, and what the correction asks', async () => {
    const staff = server.token('STAFF', [PL]);
    const bank = server.token('BANK', [PL]);
    const [paidBefore, paidCorrected, paidWrong] = [1, 2, 3].map((n) => makeResidentId(PL, '1970-03-03', 700 + n));
    for (const idNumber of [paidBefore, paidCorrected, paidWrong]) {
      await ok(
        `mutation($input: ResidentInput!) { registerResident(input: $input) { idNumber } }`,
        { input: { idNumber, name: '更正前缴费', hukouPlace: '610926' } },
        staff,
      );
    }

    const source = readFileSync(join(__dirname, '..', '..', 'tenants', PL, '2022.yaml'), 'utf8').replace(
      'individualContribution: { amount: "320.00"',
      'individualContribution: { amount: "330.00"',
    );
    expect(source).toContain('"330.00"');
    const draft = (
      await ok(
        `mutation($input: PolicyDraftInput!) { draftPolicyYear(input: $input) { id errors { path message } replaces { version } } }`,
        { input: { tenant: PL, coverageYear: 2022, source } },
        server.token('ADMIN', [PL], 'admin-zhang'),
      )
    ).draftPolicyYear;
    expect(draft.errors).toEqual([]);
    expect(draft.replaces).toEqual({ version: 1 });
    const published = await ok(
      `mutation($id: ID!) { publishPolicyYear(draftId: $id) { version individualContribution } }`,
      { id: draft.id },
      server.token('ADMIN', [PL], 'admin-li'),
    );
    expect(published.publishPolicyYear).toEqual({ version: 2, individualContribution: '330.00' });

    // Paid on 2021-11-01, when version 1 (320.00) was in force: taken as paid under version 1.
    const payment = (idNumber: string, amount: string, receiptNo: string) => ({
      input: { idNumber, coverageYear: 2022, amount, paidOn: '2021-11-01', channel: '农商银行', receiptNo },
    });
    await ok(RECORD, payment(paidBefore, '320.00', 'PL-CORR-1'), bank);
    expect((await ok(ENROLMENT, { id: paidBefore }, staff)).resident.enrollments).toEqual([
      { coverageYear: 2022, status: 'PAID', amountPaid: '320.00', policyVersion: 1 },
    ]);
    // What the correction asks is taken too, under version 2.
    await ok(RECORD, payment(paidCorrected, '330.00', 'PL-CORR-2'), bank);
    expect((await ok(ENROLMENT, { id: paidCorrected }, staff)).resident.enrollments).toEqual([
      { coverageYear: 2022, status: 'PAID', amountPaid: '330.00', policyVersion: 2 },
    ]);
    // Anything else is refused with the amount due now and the one asked that day, in Chinese for the clerk.
    const wrong = await server.gql(RECORD, payment(paidWrong, '325.00', 'PL-CORR-3'), {
      token: bank,
      tenant: PL,
      headers: { 'accept-language': 'zh' },
    });
    expect(wrong.errors?.[0]).toMatchObject({
      message: '2021-11-01 缴费按现行第 2 版应缴 330.00 元，按当日有效的第 1 版应缴 320.00 元（两者均可收取），不是 325.00 元',
      extensions: { code: 'BAD_USER_INPUT', field: 'amount', amountDue: '330.00', amountDueThen: '320.00', policyVersionThen: 1 },
    });
    expect((await ok(ENROLMENT, { id: paidWrong }, staff)).resident.enrollments).toEqual([]);
  });
});

describe('a correction that refuses what the version in force that day took', () => {
  it('takes the payment under the earlier version when the latest refuses it outright', async () => {
    const staff = server.token('STAFF', [PL]);
    const bank = server.token('BANK', [PL]);
    const idNumber = makeResidentId(PL, '1970-03-03', 711);
    await ok(
      `mutation($input: ResidentInput!) { registerResident(input: $input) { idNumber } }`,
      { input: { idNumber, name: '窗口内缴费', hukouPlace: '610926' } },
      staff,
    );

    // Made up, as above: a correction that ends the collection window (and its last milestone) on 12-15
    // instead of 12-25, at the same 320.00; no one may pay late (四（一）).
    const source = readFileSync(join(__dirname, '..', '..', 'tenants', PL, '2022.yaml'), 'utf8')
      .replace('  end: { date: 2021-12-25,', '  end: { date: 2021-12-15,')
      .replace('- { date: 2021-12-25, share: 1.00,', '- { date: 2021-12-15, share: 1.00,');
    expect(source).toContain('end: { date: 2021-12-15,');
    const draft = (
      await ok(
        `mutation($input: PolicyDraftInput!) { draftPolicyYear(input: $input) { id errors { path message } } }`,
        { input: { tenant: PL, coverageYear: 2022, source } },
        server.token('ADMIN', [PL], 'admin-zhang'),
      )
    ).draftPolicyYear;
    expect(draft.errors).toEqual([]);
    const published = (
      await ok(
        `mutation($id: ID!) { publishPolicyYear(draftId: $id) { version individualContribution collectionWindow { end } } }`,
        { id: draft.id },
        server.token('ADMIN', [PL], 'admin-li'),
      )
    ).publishPolicyYear;
    expect(published).toMatchObject({ individualContribution: '320.00', collectionWindow: { end: '2021-12-15' } });
    expect(published.version).toBeGreaterThan(1);

    // The version in force now refuses a payment of 12-20 outright: the window it states is closed.
    const quote = await server.gql(
      `query { quote(input: { tenant: "${PL}", coverageYear: 2022, paymentDate: "2021-12-20" }) { amountDue } }`,
      {},
      { token: staff, tenant: PL },
    );
    expect(quote.errors?.[0].extensions).toMatchObject({ code: 'ENROLLMENT_CLOSED' });

    // Version 1, in force on 12-20 (its window ran to 12-25), asked 320.00: the money is paid under it.
    await ok(RECORD, { input: { idNumber, coverageYear: 2022, amount: '320.00', paidOn: '2021-12-20', channel: '农商银行', receiptNo: 'PL-CORR-11' } }, bank);
    expect((await ok(ENROLMENT, { id: idNumber }, staff)).resident.enrollments).toEqual([
      { coverageYear: 2022, status: 'PAID', amountPaid: '320.00', policyVersion: 1 },
    ]);
  });
});

describe('what waited for a value, for money taken under a version that asked another amount than the latest', () => {
  it('is computed once a version states the value, whatever the latest asks now', async () => {
    const SD = '620725'; // 山丹 2022: 低保's amount is in 张医保发〔2021〕52号, which the notice does not quote
    const staff = server.token('STAFF', [SD]);
    const bank = server.token('BANK', [SD]);
    const [paidFirst, paidAfter, netLater] = [1, 2, 3].map((n) => makeResidentId(SD, '1966-05-05', 720 + n));
    for (const [idNumber, category] of [
      [paidFirst, 'DIBAO'],
      [paidAfter, 'DIBAO'],
      [netLater, 'RETURNED_TO_POVERTY'],
    ]) {
      await ok(`mutation($input: ResidentInput!) { registerResident(input: $input) { idNumber } }`, { input: { idNumber, name: '低保户' } }, staff, SD);
      await ok(
        `mutation($input: AssistanceInput!) { grantAssistance(input: $input) { id } }`,
        { input: { idNumber, category, certifiedBy: '民政局', validFrom: '2021-01-01' } },
        server.token('AGENCY', [SD]),
        SD,
      );
    }
    const publish = async (source: string): Promise<number> => {
      const draft = (
        await ok(
          `mutation($input: PolicyDraftInput!) { draftPolicyYear(input: $input) { id errors { path message } } }`,
          { input: { tenant: SD, coverageYear: 2022, source } },
          server.token('ADMIN', [SD], 'admin-zhang'),
          SD,
        )
      ).draftPolicyYear;
      expect(draft.errors).toEqual([]);
      return (await ok(`mutation($id: ID!) { publishPolicyYear(draftId: $id) { version } }`, { id: draft.id }, server.token('ADMIN', [SD], 'admin-li'), SD))
        .publishPolicyYear.version;
    };
    const pay = (idNumber: string, receiptNo: string) =>
      ok(RECORD, { input: { idNumber, coverageYear: 2022, amount: '320.00', paidOn: '2021-10-10', channel: '农商银行', receiptNo } }, bank, SD);
    const who = new Map([
      [paidFirst, 'first'],
      [paidAfter, 'after'],
      [netLater, 'net'],
    ]);
    const waits = async () => {
      const all: Array<{ idNumber: string; missing: string; status: string }> = [];
      for (const status of ['WAITING', 'RESOLVED', 'CANCELLED']) {
        const page = await ok(
          `query($s: WaitStatus!) { waitingValues(coverageYear: 2022, status: $s) { edges { node { idNumber missing status } } } }`,
          { s: status },
          staff,
          SD,
        );
        all.push(...page.waitingValues.edges.map((e: any) => e.node).filter((n: any) => who.has(n.idNumber)));
      }
      return all.map(({ idNumber, missing, status }) => ({ who: who.get(idNumber), missing, status }));
    };
    const enrolment = async (idNumber: string) =>
      (
        await ok(
          `query($id: String!) { resident(idNumber: $id) { enrollments { status amountPaid policyVersion subsidy subsidies { amount policyVersion } } } }`,
          { id: idNumber },
          staff,
          SD,
        )
      ).resident.enrollments;

    // Made up: a correction of 320.00 to 330.00 that still leaves the amounts of 52号 unstated, then one
    // that states 低保's (先缴后补 as before) and 返贫致贫's, made 差额征缴: that one is taken off at payment.
    const seed = readFileSync(join(__dirname, '..', '..', 'tenants', SD, '2022.yaml'), 'utf8');
    const corrected = seed.replace('individualContribution: { amount: "320.00"', 'individualContribution: { amount: "330.00"');
    const stated = corrected
      .replace('      category: DIBAO\n      full: false\n', '      category: DIBAO\n      full: false\n      amount: "100.00"\n')
      .replace('{ <<: *by52, category: RETURNED_TO_POVERTY,', '{ <<: *by52, amount: "100.00", mode: NET_COLLECTION, category: RETURNED_TO_POVERTY,');
    expect(corrected).not.toBe(seed);
    expect(stated.match(/amount: "100.00"/g)).toHaveLength(2);

    // Paid while version 1 (320.00) was in force and the latest; then paid at 320.00 after the correction,
    // taken under version 1, in force on the day paid. Each pays 先缴后补 and waits for its amount.
    await pay(paidFirst, 'SD-CORR-1');
    expect(await publish(corrected)).toBe(2);
    await pay(paidAfter, 'SD-CORR-2');
    await pay(netLater, 'SD-CORR-3');
    for (const idNumber of who.keys())
      expect(await enrolment(idNumber)).toEqual([{ status: 'PAID', amountPaid: '320.00', policyVersion: 1, subsidy: '0.00', subsidies: [] }]);
    expect(await waits()).toEqual([
      { who: 'first', missing: 'assistance.DIBAO.amount', status: 'WAITING' },
      { who: 'after', missing: 'assistance.DIBAO.amount', status: 'WAITING' },
      { who: 'net', missing: 'assistance.RETURNED_TO_POVERTY.amount', status: 'WAITING' },
    ]);

    // Version 3 states them and still asks 330.00. 低保 is still paid in full first (先缴后补), as the two
    // paid the 320.00 of version 1: the 330.00 is the correction's doing, not the value's, and both are
    // computed. 返贫致贫 would now pay 100.00 less at payment: that value changes what was due, and waits.
    expect(await publish(stated)).toBe(3);
    const due = async (category: string) =>
      (
        await ok(
          `query { quote(input: { tenant: "${SD}", coverageYear: 2022, paymentDate: "2021-10-10", categories: [${category}] }) { amountDue subsidy } }`,
          {},
          staff,
          SD,
        )
      ).quote;
    expect(await due('DIBAO')).toEqual({ amountDue: '330.00', subsidy: '100.00' });
    expect(await due('RETURNED_TO_POVERTY')).toEqual({ amountDue: '230.00', subsidy: '100.00' });
    expect(await waits()).toEqual([
      { who: 'net', missing: 'assistance.RETURNED_TO_POVERTY.amount', status: 'WAITING' },
      { who: 'first', missing: 'assistance.DIBAO.amount', status: 'RESOLVED' },
      { who: 'after', missing: 'assistance.DIBAO.amount', status: 'RESOLVED' },
    ]);
    for (const idNumber of [paidFirst, paidAfter])
      expect(await enrolment(idNumber)).toEqual([
        { status: 'PAID', amountPaid: '320.00', policyVersion: 3, subsidy: '100.00', subsidies: [{ amount: '100.00', policyVersion: 3 }] },
      ]);
    expect(await enrolment(netLater)).toEqual([{ status: 'PAID', amountPaid: '320.00', policyVersion: 1, subsidy: '0.00', subsidies: [] }]);
  });
});

describe("an import's rows after a correction of the amount", () => {
  it('say which version each payment was taken under: the earlier one in force on the day paid, or the latest', async () => {
    const SN = '620721'; // 肃南 2024: 380.00, made 390.00 here (made up, as above)
    const [underFirst, underLatest, heldFor] = [1, 2, 3].map((n) => makeResidentId(SN, '1975-04-04', 730 + n));
    const paidOnReplay = makeResidentId(SN, '2000-05-05', 734);
    await ok(
      `mutation($input: HouseholdInput!) { registerHousehold(input: $input) { id } }`,
      {
        input: {
          bookletNo: 'SN-CORR-1',
          region: '620721-01',
          registeredOn: '2020-01-01',
          members: [
            { idNumber: underFirst, name: '更正前', relationship: '户主' },
            { idNumber: underLatest, name: '更正后', relationship: '配偶' },
            { idNumber: paidOnReplay, name: '重发时缴', relationship: '子女' },
          ],
        },
      },
      server.token('STAFF', [SN]),
      SN,
    );
    const source = readFileSync(join(__dirname, '..', '..', 'tenants', SN, '2024.yaml'), 'utf8').replace(
      'individualContribution: { amount: "380.00"',
      'individualContribution: { amount: "390.00"',
    );
    expect(source).toContain('"390.00"');
    const draft = (
      await ok(
        `mutation($input: PolicyDraftInput!) { draftPolicyYear(input: $input) { id errors { path message } } }`,
        { input: { tenant: SN, coverageYear: 2024, source } },
        server.token('ADMIN', [SN], 'admin-zhang'),
        SN,
      )
    ).draftPolicyYear;
    expect(draft.errors).toEqual([]);
    expect(
      (await ok(`mutation($id: ID!) { publishPolicyYear(draftId: $id) { version } }`, { id: draft.id }, server.token('ADMIN', [SN], 'admin-li'), SN))
        .publishPolicyYear,
    ).toEqual({ version: 2 });

    const IMPORT = `mutation($payments: [PaymentInput!]!) { importPayments(batchId: "SN-CORR-TAX", payments: $payments) {
      rows { index status held code policyVersion } } }`;
    const row = (idNumber: string, amount: string, receiptNo: string) => ({
      idNumber,
      coverageYear: 2024,
      amount,
      paidOn: '2023-10-10',
      channel: '税务代征',
      receiptNo,
    });
    const payments = [
      row(underFirst, '380.00', 'SN-CORR-T1'), // what version 1, in force on 10-10, asked
      row(underLatest, '390.00', 'SN-CORR-T2'), // what the correction asks
      row(heldFor, '390.00', 'SN-CORR-T3'), // not registered here: held
      row(underLatest, '385.00', 'SN-CORR-T4'), // paid already in this batch: rejected
    ];
    const tax = server.token('TAX', [SN]);
    const answered = (await ok(IMPORT, { payments }, tax, SN)).importPayments.rows;
    expect(answered).toEqual([
      { index: 0, status: 'ACCEPTED', held: false, code: null, policyVersion: 1 },
      { index: 1, status: 'ACCEPTED', held: false, code: null, policyVersion: 2 },
      { index: 2, status: 'ACCEPTED', held: true, code: 'NOT_FOUND', policyVersion: null },
      { index: 3, status: 'REJECTED', held: false, code: 'CONFLICT', policyVersion: null },
    ]);
    // Read back for reconciliation (对账), the batch says what the import answered, version included.
    const READ_BACK = `{ paymentBatch(batchId: "SN-CORR-TAX") { results { nodes { index status held code policyVersion } } } }`;
    const readBack = async () => (await ok(READ_BACK, {}, tax, SN)).paymentBatch.results.nodes;
    expect(await readBack()).toEqual(answered);
    // The enrolment says the same version as the row that paid it.
    expect((await ok(ENROLMENT, { id: underFirst }, server.token('STAFF', [SN]), SN)).resident.enrollments).toEqual([
      { coverageYear: 2024, status: 'PAID', amountPaid: '380.00', policyVersion: 1 },
    ]);
    // Sent again: what was taken is a duplicate now, without a version (this call took nothing).
    expect(
      (await ok(IMPORT, { payments }, tax, SN)).importPayments.rows.map((r: { status: string; policyVersion: number | null }) => [r.status, r.policyVersion]),
    ).toEqual([
      ['DUPLICATE', null],
      ['DUPLICATE', null],
      ['DUPLICATE', null],
      ['REJECTED', null],
    ]);
    // The batch keeps each row's first acceptance, with the version that took it.
    expect(await readBack()).toEqual(answered);
    // Sent again with its refused row made good: the replay takes it under the version in force on the
    // day paid, and the batch row it replaces says so.
    const mended = [...payments.slice(0, 3), row(paidOnReplay, '380.00', 'SN-CORR-T5')];
    expect((await ok(IMPORT, { payments: mended }, tax, SN)).importPayments.rows[3]).toEqual({
      index: 3,
      status: 'ACCEPTED',
      held: false,
      code: null,
      policyVersion: 1,
    });
    expect(await readBack()).toEqual([...answered.slice(0, 3), { index: 3, status: 'ACCEPTED', held: false, code: null, policyVersion: 1 }]);
  });
});

describe('what waited for a 先缴后补 subsidy, for money taken under a version whose standard a correction changed', () => {
  const SD = '620725'; // 山丹 2022, as above: the amounts of 张医保发〔2021〕52号 are not in the notice
  let fresh: TestServer;
  beforeAll(async () => {
    fresh = await startTestServer();
  });
  afterAll(async () => fresh?.close());

  const call = async (query: string, variables: Record<string, unknown>, role: 'STAFF' | 'BANK' | 'AGENCY' | 'ADMIN', sub?: string) => {
    const res = await fresh.gql(query, variables, { token: fresh.token(role, [SD], sub), tenant: SD });
    expect(res.errors).toBeUndefined();
    return res.data as any;
  };
  const seed = () => readFileSync(join(__dirname, '..', '..', 'tenants', SD, '2022.yaml'), 'utf8');
  const corrected = () => seed().replace('individualContribution: { amount: "320.00"', 'individualContribution: { amount: "330.00"');
  const publish = async (source: string): Promise<number> => {
    const draft = (
      await call(
        `mutation($input: PolicyDraftInput!) { draftPolicyYear(input: $input) { id errors { path message } } }`,
        { input: { tenant: SD, coverageYear: 2022, source } },
        'ADMIN',
        'admin-zhang',
      )
    ).draftPolicyYear;
    expect(draft.errors).toEqual([]);
    return (await call(`mutation($id: ID!) { publishPolicyYear(draftId: $id) { version } }`, { id: draft.id }, 'ADMIN', 'admin-li')).publishPolicyYear.version;
  };
  /** Registered, certified for each category from 2021-01-01 (the certifications' ids), and paid 320.00 on 2021-10-10. */
  const paidPerson = async (n: number, categories: string[]): Promise<{ idNumber: string; certifications: string[] }> => {
    const idNumber = makeResidentId(SD, '1968-07-07', 740 + n);
    await call(`mutation($input: ResidentInput!) { registerResident(input: $input) { idNumber } }`, { input: { idNumber, name: '先缴后补' } }, 'STAFF');
    const certifications: string[] = [];
    for (const category of categories)
      certifications.push(
        (
          await call(
            `mutation($input: AssistanceInput!) { grantAssistance(input: $input) { id } }`,
            { input: { idNumber, category, certifiedBy: '民政局', validFrom: '2021-01-01' } },
            'AGENCY',
          )
        ).grantAssistance.id,
      );
    await call(
      RECORD,
      { input: { idNumber, coverageYear: 2022, amount: '320.00', paidOn: '2021-10-10', channel: '农商银行', receiptNo: `SD-REIMB-${n}` } },
      'BANK',
    );
    return { idNumber, certifications };
  };
  const waits = async (idNumber: string) => {
    const all: Array<{ missing: string; status: string }> = [];
    for (const status of ['WAITING', 'RESOLVED', 'CANCELLED']) {
      const page = await call(
        `query($s: WaitStatus!) { waitingValues(coverageYear: 2022, status: $s) { edges { node { idNumber missing status } } } }`,
        { s: status },
        'STAFF',
      );
      all.push(...page.waitingValues.edges.map((e: any) => e.node).filter((w: any) => w.idNumber === idNumber));
    }
    return all.map(({ missing, status }) => ({ missing, status })).sort((a, b) => a.missing.localeCompare(b.missing));
  };
  const enrolment = async (idNumber: string) =>
    (
      await call(
        `query($id: String!) { resident(idNumber: $id) { enrollments { status amountPaid policyVersion subsidies { amount policyVersion } } } }`,
        { id: idNumber },
        'STAFF',
      )
    ).resident.enrollments;

  it('is computed only where the latest version would pay back as much on the standard that was paid', async () => {
    // Made up: the correction of 320.00 to 330.00; then a version that states 52号's amounts, all 先缴后补
    // as before: 低保 in full (330.00 now), 脱贫 325.00, 返贫致贫 100.00.
    expect(await publish(corrected())).toBe(2);
    const [full, between, fixed] = [
      await paidPerson(1, ['DIBAO']),
      await paidPerson(2, ['LIFTED_OUT_OF_POVERTY']),
      await paidPerson(3, ['RETURNED_TO_POVERTY']),
    ].map((p) => p.idNumber);
    const stated = corrected()
      .replace('      category: DIBAO\n      full: false\n', '      category: DIBAO\n      full: true\n')
      .replace('{ <<: *by52, category: LIFTED_OUT_OF_POVERTY,', '{ <<: *by52, full: false, amount: "325.00", category: LIFTED_OUT_OF_POVERTY,')
      .replace('{ <<: *by52, category: RETURNED_TO_POVERTY,', '{ <<: *by52, full: false, amount: "100.00", category: RETURNED_TO_POVERTY,');
    expect(stated.match(/full: false, amount:/g)).toHaveLength(2);
    expect(await publish(stated)).toBe(3);

    // Each paid the 320.00 of version 1. Version 3 would pay back 330.00 and 325.00 of the first two, more
    // than was paid and than version 1's standard allows: they wait. 100.00 is paid back on either standard.
    expect(await waits(full)).toEqual([{ missing: 'assistance.DIBAO.amount', status: 'WAITING' }]);
    expect(await waits(between)).toEqual([{ missing: 'assistance.LIFTED_OUT_OF_POVERTY.amount', status: 'WAITING' }]);
    expect(await waits(fixed)).toEqual([{ missing: 'assistance.RETURNED_TO_POVERTY.amount', status: 'RESOLVED' }]);
    // A clerk who sees the value configured is told why it was not computed, in Chinese or English.
    const stillOpen = async (idNumber: string, language: string) => {
      const res = await fresh.gql(
        `query { waitingValues(coverageYear: 2022, status: WAITING) { edges { node { idNumber stillOpenBecause } } } }`,
        {},
        { token: fresh.token('STAFF', [SD]), tenant: SD, headers: { 'accept-language': language } },
      );
      expect(res.errors).toBeUndefined();
      return (res.data as any).waitingValues.edges.map((e: any) => e.node).find((w: any) => w.idNumber === idNumber)?.stillOpenBecause;
    };
    expect(await stillOpen(full, 'zh-CN')).toBe(
      '所缺的值已由第 3 版配置，但未按该版计算：该版标准 330.00 元、应缴 330.00 元、返还 330.00 元，与缴费时第 1 版的标准 320.00 元、应缴 320.00 元不一致。已缴的钱不变；本项等待与缴费时一致的政策版本。',
    );
    expect(await stillOpen(between, 'en')).toBe(
      "the value is configured in version 3 but not computed under it: that version's standard is 330.00, 330.00 due, 325.00 paid back, where the payment was taken under version 1 with a standard of 320.00 and 320.00 due. The money paid stays as it is; this waits for a version that agrees with it.",
    );
    for (const idNumber of [full, between])
      expect(await enrolment(idNumber)).toEqual([{ status: 'PAID', amountPaid: '320.00', policyVersion: 1, subsidies: [] }]);
    expect(await enrolment(fixed)).toEqual([{ status: 'PAID', amountPaid: '320.00', policyVersion: 3, subsidies: [{ amount: '100.00', policyVersion: 3 }] }]);
  });

  it('is judged by the version that took the money, after another wait of the enrolment was computed under a later one', async () => {
    // A later version (made up): 330.00; 返贫致贫 100.00 先缴后补, 脱贫 still unstated (52号).
    const latest = await publish(
      corrected().replace('{ <<: *by52, category: RETURNED_TO_POVERTY,', '{ <<: *by52, amount: "100.00", category: RETURNED_TO_POVERTY,'),
    );
    expect(latest).toBeGreaterThan(1);
    // Certified for both, paid 320.00 on a day version 1 was in force: taken under version 1. The latest
    // computes the wait for 返贫致贫's amount; 脱贫's, which could be higher, waits on.
    const { idNumber, certifications } = await paidPerson(4, ['RETURNED_TO_POVERTY', 'LIFTED_OUT_OF_POVERTY']);
    await call(`mutation { releaseHeld { resolved } }`, {}, 'ADMIN');
    const before = await waits(idNumber);
    expect(before).toContainEqual({ missing: 'assistance.RETURNED_TO_POVERTY.amount', status: 'RESOLVED' });
    expect(before).toContainEqual({ missing: 'assistance.LIFTED_OUT_OF_POVERTY.amount', status: 'WAITING' });
    expect(await enrolment(idNumber)).toEqual([{ status: 'PAID', amountPaid: '320.00', policyVersion: latest, subsidies: [] }]);

    // 脱贫 was certified in error: revoked, only 返贫致贫's 100.00 is left, which the latest states. The
    // standard paid is still version 1's, although the enrolment now names the latest, which computed the first wait.
    await call(`mutation($id: ID!) { revokeCertification(id: $id, reason: "误认定") { id } }`, { id: certifications[1] }, 'ADMIN');
    await call(`mutation { releaseHeld { resolved } }`, {}, 'ADMIN');
    expect((await waits(idNumber)).filter((w) => w.status !== 'RESOLVED')).toEqual([]);
    expect(await enrolment(idNumber)).toEqual([
      { status: 'PAID', amountPaid: '320.00', policyVersion: latest, subsidies: [{ amount: '100.00', policyVersion: latest }] },
    ]);
  });

  it('is judged so too for an enrolment paid before the version of its amounts was kept', async () => {
    // As the last test, on a row as migration AmountsVersionKept found it: only policy_version names version 1.
    const { idNumber, certifications } = await paidPerson(5, ['RETURNED_TO_POVERTY', 'LIFTED_OUT_OF_POVERTY']);
    await fresh.ownerQuery('UPDATE enrollment SET amounts_version = NULL WHERE tenant_code = $1 AND id_number = $2', [SD, idNumber]);
    await call(`mutation { releaseHeld { resolved } }`, {}, 'ADMIN');
    expect(await waits(idNumber)).toContainEqual({ missing: 'assistance.LIFTED_OUT_OF_POVERTY.amount', status: 'WAITING' });
    const [{ policyVersion: latest }] = await enrolment(idNumber);
    expect(latest).toBeGreaterThan(1);
    await call(`mutation($id: ID!) { revokeCertification(id: $id, reason: "误认定") { id } }`, { id: certifications[1] }, 'ADMIN');
    await call(`mutation { releaseHeld { resolved } }`, {}, 'ADMIN');
    expect((await waits(idNumber)).filter((w) => w.status !== 'RESOLVED')).toEqual([]);
    expect(await enrolment(idNumber)).toEqual([
      { status: 'PAID', amountPaid: '320.00', policyVersion: latest, subsidies: [{ amount: '100.00', policyVersion: latest }] },
    ]);
  });
});

describe('a correction that adds the rule of the place of enrolment after the money was taken', () => {
  it('takes a payment made while the version in force did not ask it, and judges one made by then under it', async () => {
    const GY = '520100'; // 贵阳贵安 2022 states no rule of the place of enrolment
    const staff = server.token('STAFF', [GY]);
    const bank = server.token('BANK', [GY]);
    const [before, elsewhere] = [1, 2].map((n) => makeResidentId(GY, '1971-04-04', 760 + n));
    for (const idNumber of [before, elsewhere])
      await ok(
        `mutation($input: ResidentInput!) { registerResident(input: $input) { idNumber } }`,
        { input: { idNumber, name: '外地户籍', hukouPlace: PL } },
        staff,
        GY,
      );
    // Made up for the test: a version 2 with 平利 七（一）2's rule, that the place must match the hukou or
    // the residence permit.
    const source = `${readFileSync(join(__dirname, '..', '..', 'tenants', GY, '2022.yaml'), 'utf8')}
enrolment:
  placeMustMatchHukouOrResidencePermit:
    clause: 测试 "参保地必须至少与户籍地或居住证地中一项相同"
`;
    const draft = (
      await ok(
        `mutation($input: PolicyDraftInput!) { draftPolicyYear(input: $input) { id errors { path message } } }`,
        { input: { tenant: GY, coverageYear: 2022, source } },
        server.token('ADMIN', [GY], 'admin-zhang'),
        GY,
      )
    ).draftPolicyYear;
    expect(draft.errors).toEqual([]);
    expect(
      (await ok(`mutation($id: ID!) { publishPolicyYear(draftId: $id) { version } }`, { id: draft.id }, server.token('ADMIN', [GY], 'admin-li'), GY))
        .publishPolicyYear.version,
    ).toBe(2);

    // Paid in the window, long before version 2: version 1, in force that day, did not ask where.
    await ok(
      RECORD,
      { input: { idNumber: before, coverageYear: 2022, amount: '320.00', paidOn: '2021-11-05', channel: '农商银行', receiptNo: 'GY-PLACE-1' } },
      bank,
      GY,
    );
    expect((await ok(ENROLMENT, { id: before }, staff, GY)).resident.enrollments).toEqual([
      { coverageYear: 2022, status: 'PAID', amountPaid: '320.00', policyVersion: 1 },
    ]);
    // The quote of version 2 for a day after its publication refuses nobody by place (a quote knows no
    // person); an enrolment asked today is judged under it.
    const enrolled = await server.gql(
      `mutation($input: EnrollInput!) { enroll(input: $input) { status } }`,
      { input: { idNumber: elsewhere, coverageYear: 2022 } },
      { token: staff, tenant: GY },
    );
    expect(enrolled.errors?.[0].extensions).toMatchObject({ code: 'ENROLLMENT_CLOSED', rule: 'place-of-enrolment' });
  });
});
