/**
 * Issue 21's whole cycle against running servers, with no restart: two servers on one database; 甘州
 * 2024 drafted from 2023, the errors of a half-updated draft, the draft fixed, compared, previewed and
 * priced, published by a second administrator, then quoted, enrolled and paid for on both servers.
 * Then what a start does with tenants/: a changed file becomes a new version, a bad file is refused
 * without stopping anything, and a file that differs from a version published through the API is
 * refused while the API's version stays in force.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startServer, type RunningServer } from '../../src/app';
import { loadConfig } from '../../src/common/config';
import { createLogger } from '../../src/common/logger';
import { policyYearDocument } from '../../src/cli/export-policy-year';
import { RequestContext } from '../../src/context/request-context';
import { heldService } from '../../src/domains/enrollment/held.service';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { fixed2024, GANZHOU as GZ, halfUpdated2024 } from '../helpers/drafts';
import { nameOf } from '../helpers/names';
import { startTestServer, type TestServer, type GraphQLResponse } from '../helpers/server';

let server: TestServer;
let other: RunningServer;
const ZHANG = 'admin-zhang'; // drafts
const LI = 'admin-li'; // reviews and publishes

beforeAll(async () => {
  server = await startTestServer();
  // A second server on the same database, as a county runs more than one process.
  other = await startServer(loadConfig({ ...process.env, DATABASE_URL: server.databaseUrl, PORT: '0', RATE_LIMIT_PER_MINUTE: '0' }), createLogger('silent'));
});
afterAll(async () => {
  await other?.close();
  await server?.close();
});

type Options = { as?: string; role?: 'ADMIN' | 'STAFF' | 'BANK' | 'AGENCY'; on?: 'this' | 'other'; language?: string; tenant?: string };

async function call<T = any>(query: string, variables: Record<string, unknown> = {}, options: Options = {}): Promise<GraphQLResponse<T>> {
  const tenant = options.tenant ?? GZ;
  const token = server.token(options.role ?? 'ADMIN', [tenant], options.as ?? ZHANG);
  const url = options.on === 'other' ? other.url : server.url;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'x-tenant-id': tenant,
      ...(options.language ? { 'accept-language': options.language } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { ...((await response.json()) as GraphQLResponse<T>), status: response.status };
}

async function ok<T = any>(query: string, variables: Record<string, unknown> = {}, options: Options = {}): Promise<T> {
  const res = await call<T>(query, variables, options);
  expect(res.errors).toBeUndefined();
  return res.data as T;
}

const DRAFT_FIELDS = `id coverageYear publishable author source
  errors { path line column code message clause } warnings { path line code message }
  changes { path before after kind citation label line }
  comparedWith { coverageYear version origin } replaces { version }`;
const DRAFT = `mutation($input: PolicyDraftInput!) { draftPolicyYear(input: $input) { ${DRAFT_FIELDS} } }`;
const PUBLISH = `mutation($id: ID!) { publishPolicyYear(draftId: $id) { coverageYear version publishedAt individualContribution fiscalSubsidy collectionWindow { earliestPayment end } coverage { start end } notice { number } tenant { coverageYears } } }`;
const QUOTE = `query($d: Date!) { quote(input: { tenant: "${GZ}", coverageYear: 2024, paymentDate: $d }) { amountDue standardContribution coverage { start end } } }`;

let fixedDraftId: string;

describe('甘州 2024, from a draft to payments, on two running servers', () => {
  it('starts 2024 from 2023 with every year-dependent value blanked and marked to fill', async () => {
    const { draftNextPolicyYear: draft } = await ok(
      `mutation { draftNextPolicyYear(tenant: "${GZ}", coverageYear: 2024) { ${DRAFT_FIELDS} startedFromYear startedFromVersion } }`,
      {},
      { language: 'zh-CN' },
    );
    expect(draft).toMatchObject({
      coverageYear: 2024,
      startedFromYear: 2023,
      startedFromVersion: 1,
      publishable: false,
      comparedWith: { coverageYear: 2023, version: 1, origin: 'TENANT_FILE' },
      replaces: null,
    });
    expect(draft.source).toContain('coverageYear: 2024');
    expect(draft.errors.length).toBeGreaterThan(30);
    expect(new Set(draft.errors.map((e: any) => e.code))).toEqual(new Set(['TO_FILL']));
    const deadline = draft.errors.find((e: any) => e.path === 'refunds.deadline.date');
    expect(deadline.message).toBe('待填写：按新年度的通知填写（上一年度：2022-12-30）');
    expect(draft.source.split('\n')[deadline.line - 1]).toContain('待填写 # 上一年度：2022-12-30');
  });

  it("names every half-updated value of the officer's copy, with its line, in Chinese (and in English for integrators)", async () => {
    const source = halfUpdated2024();
    const { draftPolicyYear: draft } = await ok(DRAFT, { input: { tenant: GZ, coverageYear: 2024, source } }, { language: 'zh-CN,zh;q=0.9' });
    expect(draft.publishable).toBe(false);
    const paths = draft.errors.map((e: any) => e.path);
    for (const path of [
      'notice.number',
      'notice.title',
      'notice.issuedOn',
      'collectionWindow.earliestPayment.date',
      'collectionWindow.end.date',
      'refunds.deadline.date',
      'milestones[0].date',
      'milestones[3].date',
    ]) {
      expect(paths).toContain(path);
    }
    const number = draft.errors.find((e: any) => e.path === 'notice.number');
    expect(number).toMatchObject({
      code: 'NOTICE_NUMBER_IN_USE',
      line: 8,
      message: '文号 区医保发〔2022〕69号 已是 2023 年度通知的文号：新年度的通知有自己的文号',
    });
    const windowEnd = draft.errors
      .filter((e: any) => e.path === 'collectionWindow.end.date')
      .map((e: any) => e.code)
      .sort();
    expect(windowEnd).toEqual(['DATE_NOT_MOVED', 'WINDOW_YEAR']);
    expect(source.split('\n')[draft.errors.find((e: any) => e.path === 'refunds.deadline.date').line - 1]).toContain('deadline: { date: 2022-12-30');
    // The changes it does make are named value by value.
    expect(draft.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'individualContribution.amount', before: '350.00', after: '380.00', kind: 'CHANGED', label: '个人缴费标准', line: 16 }),
      ]),
    );

    const english = await ok(DRAFT, { input: { tenant: GZ, coverageYear: 2024, source } });
    expect(english.draftPolicyYear.errors.find((e: any) => e.path === 'refunds.deadline.date').message).toBe(
      'refunds.deadline.date is still 2022-12-30, as in 2023: the year of cover moved on one year, and this date with it',
    );

    // Not publishable while it has errors, even by a second administrator.
    const refused = await call(PUBLISH, { id: draft.id }, { as: LI, language: 'zh-CN' });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'draftId', errorCount: draft.errors.length });
    expect(refused.errors?.[0].message).toMatch(/^草稿还有 \d+ 个错误，不能发布/);
  });

  it('tells a full-width colon typed on a Chinese keyboard in plain words', async () => {
    const source = fixed2024().replace('fiscalSubsidy:', 'fiscalSubsidy：');
    const { draftPolicyYear: draft } = await ok(DRAFT, { input: { tenant: GZ, coverageYear: 2024, source } }, { language: 'zh' });
    expect(draft.errors).toEqual([
      expect.objectContaining({ code: 'FULL_WIDTH_COLON', line: 17, message: expect.stringContaining('键“fiscalSubsidy”后面是全角冒号“：”') }),
    ]);
  });

  it('accepts the fixed draft and compares it with 2023 value by value', async () => {
    const { draftPolicyYear: draft } = await ok(DRAFT, { input: { tenant: GZ, coverageYear: 2024, source: fixed2024() } }, { language: 'zh-CN' });
    expect(draft.errors).toEqual([]);
    expect(draft.warnings).toEqual([]);
    expect(draft.publishable).toBe(true);
    expect(draft.author).toBe(ZHANG);
    fixedDraftId = draft.id;
    const change = (path: string) => draft.changes.find((c: any) => c.path === path);
    expect(change('individualContribution.amount')).toMatchObject({ before: '350.00', after: '380.00', label: '个人缴费标准' });
    expect(change('fiscalSubsidy.amount')).toMatchObject({ before: '610.00', after: '640.00', label: '财政补助标准' });
    expect(change('collectionWindow.end.date')).toMatchObject({ before: '2022-12-31', after: '2023-12-31', label: '集中缴费期截止' });
    expect(change('milestones[0].date')).toMatchObject({ before: '2022-09-30', after: '2023-09-30', label: '第 1 个进度节点日期' });
    expect(change('assistance.rules[DIBAO_RURAL_1].amount')).toBeUndefined();
  });

  it('previews the standard cases on the draft beside 2023', async () => {
    const { policyDraft } = await ok(
      `query($id: ID!) { policyDraft(id: $id) { preview { comparedWith differing cases { key label differs
          draft { date outcome message amountDue subsidy reimbursement refund late coverage { start end } appliedCategory }
          before { date outcome amountDue subsidy refund late } } } } }`,
      { id: fixedDraftId },
      { as: LI, language: 'zh-CN' },
    );
    const cases = new Map<string, any>(policyDraft.preview.cases.map((c: any) => [c.key, c]));
    expect(policyDraft.preview.comparedWith).toBe(2023);
    expect(cases.get('WINDOW_OPENS')).toMatchObject({
      label: '普通居民，缴费期第一天缴费',
      differs: true,
      draft: { date: '2023-01-01', outcome: 'OK', amountDue: '380.00', late: false, coverage: { start: '2024-01-01', end: '2024-12-31' } },
      before: { date: '2022-01-01', outcome: 'OK', amountDue: '350.00' },
    });
    expect(cases.get('WINDOW_CLOSES').draft).toMatchObject({ date: '2023-12-31', amountDue: '380.00' });
    expect(cases.get('LATE').draft).toMatchObject({
      date: '2024-01-01',
      outcome: 'ENROLLMENT_CLOSED',
      message: expect.stringMatching(/^2024 年度集中缴费期已于 2023-12-31 结束/),
    });
    expect(cases.get('LATE').differs).toBe(false);
    expect(cases.get('CATEGORY_DIBAO_RURAL_1')).toMatchObject({
      draft: { amountDue: '380.00', subsidy: '250.00', reimbursement: '250.00', appliedCategory: 'DIBAO_RURAL_1' },
      before: { subsidy: '250.00' },
    });
    expect(cases.get('CATEGORY_EXTREME_POVERTY').draft).toMatchObject({ amountDue: '0.00', subsidy: '380.00' });
    expect(cases.get('REFUND_IN_WINDOW').draft).toMatchObject({ date: '2023-12-31', outcome: 'REFUND_NOT_ALLOWED' }); // after 甘州's refund deadline, 12-30
    expect(cases.get('REFUND_AFTER_COVER').draft.outcome).toBe('REFUND_NOT_ALLOWED');
    expect([...cases.keys()]).toEqual(expect.arrayContaining(['BEFORE_WINDOW', 'LATE_MID_YEAR', 'NEWBORN_IN_YEAR', 'NEWBORN_BEFORE_YEAR']));
  });

  it("prices the draft on 甘州's own roll against 2023, funding body by funding body", async () => {
    const register = async (idNumber: string, name: string) =>
      ok(`mutation($input: ResidentInput!) { registerResident(input: $input) { idNumber } }`, { input: { idNumber, name } }, { role: 'STAFF' });
    const ids = [0, 1, 2, 3].map((i) => makeResidentId(GZ, '1970-03-0' + (i + 1), 300 + i));
    for (const [i, id] of ids.entries()) await register(id, nameOf(i, '预算'));
    await ok(
      `mutation($input: AssistanceInput!) { grantAssistance(input: $input) { id } }`,
      { input: { idNumber: ids[0], category: 'DIBAO_RURAL_1', certifiedBy: '民政局', validFrom: '2020-01-01' } },
      { role: 'AGENCY' },
    );
    await ok(
      `mutation($input: AssistanceInput!) { grantAssistance(input: $input) { id } }`,
      { input: { idNumber: ids[1], category: 'EXTREME_POVERTY', certifiedBy: '民政局', validFrom: '2020-01-01' } },
      { role: 'AGENCY' },
    );
    const { policyDraft } = await ok(
      `query($id: ID!) { policyDraft(id: $id) { budget(asOf: "2023-10-01") { asOf people comparedWith total totalBefore notes
          categories { category people subsidy subsidyBefore } payers { source name amount before difference } } } }`,
      { id: fixedDraftId },
      { as: LI, language: 'zh-CN' },
    );
    const budget = policyDraft.budget;
    expect(budget).toMatchObject({ asOf: '2023-10-01', people: 4, comparedWith: 2023 });
    const category = (c: string | null) => budget.categories.find((r: any) => r.category === c);
    expect(category(null)).toEqual({ category: null, people: 2, subsidy: '0.00', subsidyBefore: '0.00' });
    expect(category('DIBAO_RURAL_1')).toEqual({ category: 'DIBAO_RURAL_1', people: 1, subsidy: '250.00', subsidyBefore: '250.00' });
    expect(category('EXTREME_POVERTY')).toEqual({ category: 'EXTREME_POVERTY', people: 1, subsidy: '380.00', subsidyBefore: '350.00' });
    const payer = (s: string) => budget.payers.find((p: any) => p.source === s);
    // Residents: two pay 380, the 低保 one 380 − 250 back; 特困 pays nothing.
    expect(payer('INDIVIDUAL')).toMatchObject({ name: '参保居民个人缴费', amount: '890.00', before: '800.00', difference: '90.00' });
    expect(payer('FISCAL')).toMatchObject({ name: '各级财政（通知未分级）', amount: '2560.00', before: '2440.00', difference: '120.00' });
    expect(payer('MEDICAL_ASSISTANCE_FUND')).toMatchObject({ amount: '630.00', before: '600.00' });
    expect(budget.total).toBe('4080.00'); // 4 × (380 + 640)
    expect(budget.totalBefore).toBe('3840.00'); // 4 × (350 + 610)

    // A death recorded since does not change the budget on a day before it; a budget after it counts three.
    await ok(
      `mutation($input: DeathInput!) { recordDeath(input: $input) { idNumber } }`,
      { input: { idNumber: ids[3], diedOn: '2024-01-15', source: '公安户籍注销' } },
      { role: 'STAFF' },
    );
    const people = async (asOf: string) =>
      (await ok(`query($id: ID!, $d: Date!) { policyDraft(id: $id) { budget(asOf: $d) { people total } } }`, { id: fixedDraftId, d: asOf }, { as: LI }))
        .policyDraft.budget;
    expect(await people('2023-10-01')).toEqual({ people: 4, total: '4080.00' });
    expect(await people('2024-02-01')).toEqual({ people: 3, total: '3060.00' });

    // Someone who left and came back counts before leaving and since returning, not while away.
    await ok(`mutation { transferOut(idNumber: "${ids[2]}", on: "2023-05-01", destination: "兰州市") { idNumber } }`, {}, { role: 'STAFF' });
    await ok(
      `mutation($input: TransferInInput!) { transferIn(input: $input) { idNumber status } }`,
      { input: { idNumber: ids[2], name: nameOf(2, '预算'), transferredInOn: '2024-01-10', from: '兰州市' } },
      { role: 'STAFF' },
    );
    expect((await people('2023-03-01')).people).toBe(4);
    expect((await people('2023-10-01')).people).toBe(3);
    expect((await people('2024-02-01')).people).toBe(3);
  });

  it('is refused to its author and published by a second administrator, in force at once on both servers', async () => {
    const byAuthor = await call(PUBLISH, { id: fixedDraftId }, { as: ZHANG, language: 'zh-CN' });
    expect(byAuthor.errors?.[0]).toMatchObject({ message: '草稿须由起草人以外的另一名管理员审核发布', extensions: { code: 'FORBIDDEN' } });
    const byStaff = await call(PUBLISH, { id: fixedDraftId }, { as: LI, role: 'STAFF' });
    expect(byStaff.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    // Before: neither server knows 2024.
    for (const on of ['this', 'other'] as const)
      expect((await call(QUOTE, { d: '2023-10-15' }, { on })).errors?.[0].extensions?.code).toBe('POLICY_NOT_CONFIGURED');

    const { publishPolicyYear: year } = await ok(PUBLISH, { id: fixedDraftId }, { as: LI });
    expect(year).toMatchObject({
      coverageYear: 2024,
      version: 1,
      individualContribution: '380.00',
      fiscalSubsidy: '640.00',
      collectionWindow: { earliestPayment: '2023-01-01', end: '2023-12-31' },
      coverage: { start: '2024-01-01', end: '2024-12-31' },
      notice: { number: '区医保发〔2023〕70号' },
      tenant: { coverageYears: [2023, 2024] },
    });
    // The server that published answers with it at once; the other within moments (NOTIFY).
    expect((await ok(QUOTE, { d: '2023-10-15' })).quote).toMatchObject({ amountDue: '380.00', coverage: { start: '2024-01-01', end: '2024-12-31' } });
    let seen: GraphQLResponse | undefined;
    for (let i = 0; i < 100; i++) {
      seen = await call(QUOTE, { d: '2023-10-15' }, { on: 'other' });
      if (!seen.errors) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen?.data?.quote).toMatchObject({ amountDue: '380.00' });
    // The complaint: a 2022 payment no longer buys 2024 cover; the real season does.
    for (const on of ['this', 'other'] as const) {
      expect((await call(QUOTE, { d: '2022-10-15' }, { on })).errors?.[0].extensions?.code).toBe('ENROLLMENT_CLOSED');
    }
    const policy = await ok(`{ policy(tenant: "${GZ}", coverageYear: 2024) { version individualContribution } }`, {}, { on: 'other' });
    expect(policy.policy).toEqual({ version: 1, individualContribution: '380.00' });

    // Published once only; the audit log says who did it.
    expect((await call(PUBLISH, { id: fixedDraftId }, { as: 'admin-wang' })).errors?.[0].extensions?.code).toBe('CONFLICT');
    const audit = await ok(`{ auditLog(filter: { operation: "publishPolicyYear", outcome: OK }) { edges { node { actor arguments } } } }`, {}, { as: LI });
    expect(audit.auditLog.edges.map((e: any) => [e.node.actor, e.node.arguments.publishPolicyYear.draftId])).toEqual([[LI, fixedDraftId]]);
  });

  it('enrols and takes payments for 2024 on both servers', async () => {
    for (const [i, on] of (['this', 'other'] as const).entries()) {
      const idNumber = makeResidentId(GZ, `1985-07-1${i}`, 400 + i);
      await ok(
        `mutation($input: ResidentInput!) { registerResident(input: $input) { idNumber } }`,
        { input: { idNumber, name: nameOf(i, '缴费') } },
        { role: 'STAFF', on },
      );
      const enrolled = await ok(
        `mutation($input: EnrollInput!) { enroll(input: $input) { status amountDue } }`,
        { input: { idNumber, coverageYear: 2024, enrolledOn: '2023-10-15' } },
        { role: 'STAFF', on },
      );
      expect(enrolled.enroll).toEqual({ status: 'UNPAID', amountDue: '380.00' });
      await ok(
        `mutation($input: PaymentInput!) { recordPayment(input: $input) { receiptNo } }`,
        { input: { idNumber, coverageYear: 2024, amount: '380.00', paidOn: '2023-10-16', channel: '农商银行', receiptNo: `GZ2024-${i}` } },
        { role: 'BANK', on },
      );
      const status = await ok(
        `query($id: String!) { enrollmentStatus(idNumber: $id, coverageYear: 2024) { status amountPaid coverage { start end } } }`,
        { id: idNumber },
        { role: 'BANK', on },
      );
      expect(status.enrollmentStatus).toEqual({ status: 'PAID', amountPaid: '380.00', coverage: { start: '2024-01-01', end: '2024-12-31' } });
      // The enrolment records the version that decided it.
      const resident = await ok(
        `query($id: String!) { resident(idNumber: $id) { enrollments { coverageYear amountDue policyVersion } } }`,
        { id: idNumber },
        { role: 'STAFF', on },
      );
      expect(resident.resident.enrollments).toEqual([{ coverageYear: 2024, amountDue: '380.00', policyVersion: 1 }]);
      if (on === 'other') {
        const refund = await ok(
          `mutation($input: RefundInput!) { requestRefund(input: $input) { amount policyVersion } }`,
          { input: { idNumber, coverageYear: 2024, reason: 'EMIGRATION', requestedOn: '2023-11-01' } },
          { role: 'STAFF', on },
        );
        expect(refund.requestRefund).toEqual({ amount: '380.00', policyVersion: 1 });
      }
    }
    expect((await ok(`query { quote(input: { tenant: "${GZ}", coverageYear: 2023, paymentDate: "2022-10-15" }) { policyVersion } }`)).quote.policyVersion).toBe(
      1,
    );
  });

  it('keeps every version, exports the one in force exactly as published, and never changes a version', async () => {
    const versions = await ok(`{ policyVersions { coverageYear version origin noticeNumber publishedBy draftedBy inForce } }`, {}, { role: 'STAFF' });
    expect(versions.policyVersions).toEqual([
      { coverageYear: 2024, version: 1, origin: 'API', noticeNumber: '区医保发〔2023〕70号', publishedBy: LI, draftedBy: ZHANG, inForce: true },
      {
        coverageYear: 2023,
        version: 1,
        origin: 'TENANT_FILE',
        noticeNumber: '区医保发〔2022〕69号',
        publishedBy: 'tenants/620702/2023.yaml',
        draftedBy: null,
        inForce: true,
      },
    ]);
    const exported = await ok(`{ policyYearDocument(coverageYear: 2024) { fileName source version { version } } }`, {}, { role: 'STAFF' });
    expect(exported.policyYearDocument).toEqual({ fileName: '620702/2024.yaml', source: fixed2024(), version: { version: 1 } });
    // Refused by the table's rules, the owner too. On Citus a statement that names one tenant is refused
    // with Citus's own error about the rewritten query (migration CitusReady); either way nothing changes.
    const refused = /never changed|missing FROM-clause entry for table "policy_year_version"/;
    await expect(server.ownerQuery(`UPDATE policy_year_version SET source = 'x' WHERE tenant_code = '${GZ}'`)).rejects.toThrow(refused);
    await expect(server.ownerQuery(`DELETE FROM policy_year_version WHERE tenant_code = '${GZ}'`)).rejects.toThrow(refused);
    await expect(server.ownerQuery(`DELETE FROM policy_year_version`)).rejects.toThrow(/never changed/);
    expect(await server.ownerQuery(`SELECT count(*)::int AS n FROM policy_year_version WHERE tenant_code = '${GZ}' AND source = 'x'`)).toEqual([{ n: 0 }]);
    // npm run policy:export asks the same through the commands' shared client.
    const byCommand = await policyYearDocument({ url: server.url, token: server.token('STAFF', [GZ], 'clerk'), tenant: GZ, coverageYear: 2024 });
    expect(byCommand).toMatchObject({ fileName: '620702/2024.yaml', source: fixed2024(), version: { version: 1, inForce: true, publishedBy: LI } });
    await expect(
      policyYearDocument({ url: server.url, token: server.token('STAFF', [GZ], 'clerk'), tenant: GZ, coverageYear: 2024, version: 9 }),
    ).rejects.toThrow(/NOT_FOUND/);
  });

  it('refuses a draft made stale by a later publication of its year, and a draft for another tenant', async () => {
    const correction = (number: string) =>
      ok(DRAFT, { input: { tenant: GZ, coverageYear: 2024, source: fixed2024().replace('区医保发〔2023〕70号', number) } });
    const first = (await correction('区医保发〔2023〕71号')).draftPolicyYear;
    const second = (await correction('区医保发〔2023〕72号')).draftPolicyYear;
    expect([first.replaces, second.replaces]).toEqual([{ version: 1 }, { version: 1 }]);
    expect(second.publishable).toBe(true);
    expect((await ok(PUBLISH, { id: first.id }, { as: LI })).publishPolicyYear.version).toBe(2);
    // Read again, the draft says it can no longer be published: version 1, which it replaces, is no longer in force.
    const reread = (await ok(`query($id: ID!) { policyDraft(id: $id) { publishable } }`, { id: second.id })).policyDraft;
    expect(reread.publishable).toBe(false);
    const stale = await call(PUBLISH, { id: second.id }, { as: LI, language: 'zh-CN' });
    expect(stale.errors?.[0]).toMatchObject({
      message: '起草之后 2024 年度又发布了第 2 版：请在它的基础上重新起草',
      extensions: { code: 'CONFLICT', version: 2 },
    });
    const wrongTenant = await call(DRAFT, { input: { tenant: '620721', coverageYear: 2024, source: fixed2024() } });
    expect(wrongTenant.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tenant' });
  });
});

describe('what waited for a value the notice left unstated', () => {
  it("is computed once a published version states it, with no restart (issue 20's step, taken on publication)", async () => {
    const SD = '620725'; // 山丹 2022: 低保's amount is in 张医保发〔2021〕52号, which the notice does not quote
    const idNumber = makeResidentId(SD, '1966-05-05', 501);
    await ok(
      `mutation($input: ResidentInput!) { registerResident(input: $input) { idNumber } }`,
      { input: { idNumber, name: '低保户' } },
      { role: 'STAFF', tenant: SD },
    );
    await ok(
      `mutation($input: AssistanceInput!) { grantAssistance(input: $input) { id } }`,
      { input: { idNumber, category: 'DIBAO', certifiedBy: '民政局', validFrom: '2021-01-01' } },
      { role: 'AGENCY', tenant: SD },
    );
    await ok(
      `mutation($input: PaymentInput!) { recordPayment(input: $input) { receiptNo } }`,
      { input: { idNumber, coverageYear: 2022, amount: '320.00', paidOn: '2021-10-10', channel: '农商银行', receiptNo: 'SD-HELD-1' } },
      { role: 'BANK', tenant: SD },
    );
    const waiting = (status: string) =>
      ok(
        `query($s: WaitStatus!) { waitingValues(coverageYear: 2022, status: $s) { totalCount edges { node { missing resolution } } } }`,
        { s: status },
        { role: 'STAFF', tenant: SD },
      );
    expect((await waiting('WAITING')).waitingValues.edges.map((e: any) => e.node.missing)).toEqual(['assistance.DIBAO.amount']);

    // A corrected 2022 that states the amount (made up here: no seed quotes 张医保发〔2021〕52号).
    const source = readFileSync(join(__dirname, '..', '..', 'tenants', SD, '2022.yaml'), 'utf8').replace(
      '      category: DIBAO\n      full: false\n',
      '      category: DIBAO\n      full: false\n      amount: "100.00"\n',
    );
    const draft = (await ok(DRAFT, { input: { tenant: SD, coverageYear: 2022, source } }, { tenant: SD })).draftPolicyYear;
    expect(draft.errors).toEqual([]);
    expect(draft.replaces).toEqual({ version: 1 });
    expect((await ok(PUBLISH, { id: draft.id }, { as: LI, tenant: SD })).publishPolicyYear.version).toBe(2);
    expect((await waiting('WAITING')).waitingValues.totalCount).toBe(0);
    expect((await waiting('RESOLVED')).waitingValues.edges).toEqual([
      { node: expect.objectContaining({ missing: 'assistance.DIBAO.amount', resolution: expect.objectContaining({ subsidy: expect.anything() }) }) },
    ]);
    // The enrolment and its grant record the version that decided them: the subsidy came with version 2.
    const resident = await ok(
      `query($id: String!) { resident(idNumber: $id) { enrollments { policyVersion subsidy subsidies { amount policyVersion } } } }`,
      { id: idNumber },
      { role: 'STAFF', tenant: SD },
    );
    expect(resident.resident.enrollments).toEqual([{ policyVersion: 2, subsidy: '100.00', subsidies: [{ amount: '100.00', policyVersion: 2 }] }]);
  });

  it('keeps waiting while a refund of the enrolment is pending, and is computed once the refund is rejected', async () => {
    const SD = '620725';
    const idNumber = makeResidentId(SD, '1967-06-06', 502);
    await ok(
      `mutation($input: ResidentInput!) { registerResident(input: $input) { idNumber } }`,
      { input: { idNumber, name: '脱贫户' } },
      { role: 'STAFF', tenant: SD },
    );
    await ok(
      `mutation($input: AssistanceInput!) { grantAssistance(input: $input) { id } }`,
      { input: { idNumber, category: 'LIFTED_OUT_OF_POVERTY', certifiedBy: '乡村振兴局', validFrom: '2021-01-01' } },
      { role: 'AGENCY', tenant: SD },
    );
    // Made up for the test, as above: a 2022 that states a refund reason, and then 脱贫's amount too.
    const year = readFileSync(join(__dirname, '..', '..', 'tenants', SD, '2022.yaml'), 'utf8').replace(
      /(refunds:\n {2}clause: [^\n]*\n)/,
      '$1  reasons:\n    - { reason: OTHER_POOL, clause: 三（三） "test" }\n',
    );
    const publish = async (source: string) => {
      const draft = (await ok(DRAFT, { input: { tenant: SD, coverageYear: 2022, source } }, { tenant: SD })).draftPolicyYear;
      expect(draft.errors).toEqual([]);
      await ok(PUBLISH, { id: draft.id }, { as: LI, tenant: SD });
    };
    await publish(year);
    await ok(
      `mutation($input: PaymentInput!) { recordPayment(input: $input) { receiptNo } }`,
      { input: { idNumber, coverageYear: 2022, amount: '320.00', paidOn: '2021-10-11', channel: '农商银行', receiptNo: 'SD-HELD-2' } },
      { role: 'BANK', tenant: SD },
    );
    await ok(
      `mutation { requestRefund(input: { idNumber: "${idNumber}", coverageYear: 2022, reason: OTHER_POOL, requestedOn: "2021-10-20" }) { status } }`,
      {},
      { tenant: SD },
    );
    await publish(year.replace('category: LIFTED_OUT_OF_POVERTY, clause:', 'category: LIFTED_OUT_OF_POVERTY, amount: "100.00", clause:'));
    const waits = async () => {
      const all = [];
      for (const status of ['WAITING', 'RESOLVED', 'CANCELLED']) {
        const page = await ok(
          `query($s: WaitStatus!) { waitingValues(coverageYear: 2022, status: $s) { edges { node { idNumber missing status } } } }`,
          { s: status },
          { role: 'STAFF', tenant: SD },
        );
        all.push(...page.waitingValues.edges.map((e: any) => e.node).filter((n: any) => n.idNumber === idNumber));
      }
      return all.map(({ missing, status }) => ({ missing, status }));
    };
    expect(await waits()).toEqual([{ missing: 'assistance.LIFTED_OUT_OF_POVERTY.amount', status: 'WAITING' }]);
    await ok(`mutation { rejectRefund(idNumber: "${idNumber}", coverageYear: 2022) { status } }`, {}, { as: LI, tenant: SD });
    await ok(`mutation { releaseHeld { resolved } }`, {}, { tenant: SD });
    expect(await waits()).toEqual([{ missing: 'assistance.LIFTED_OUT_OF_POVERTY.amount', status: 'RESOLVED' }]);
  });
});

/** A server of a describe's own, asked as a role of `tenant`; `done` gives an answer's data, with no errors. */
function onServer(server: TestServer, tenant: string) {
  const as = (role: 'ADMIN' | 'STAFF' | 'BANK' | 'AGENCY', sub = `${role.toLowerCase()}-1`) => ({ token: server.token(role, [tenant], sub), tenant });
  const done = async (res: Promise<GraphQLResponse<any>>): Promise<any> => {
    const answer = await res;
    expect(answer.errors).toBeUndefined();
    return answer.data;
  };
  return { as, done };
}

describe('a late payment whose assistance the notice leaves unstated', () => {
  let fresh: TestServer;
  beforeAll(async () => {
    fresh = await startTestServer();
  });
  afterAll(async () => fresh?.close());

  it('is taken at the standard, and only its subsidy waits until a version says whether assistance applies late', async () => {
    const { as, done } = onServer(fresh, GZ);
    const publish = async (source: string) => {
      const draft = (await done(fresh.gql(DRAFT, { input: { tenant: GZ, coverageYear: 2023, source } }, as('ADMIN', ZHANG)))).draftPolicyYear;
      expect(draft.errors).toEqual([]);
      return (await done(fresh.gql(PUBLISH, { id: draft.id }, as('ADMIN', LI)))).publishPolicyYear.version;
    };
    // 甘州 2023 lets no one pay after 2022-12-31 and says nothing of assistance then. Made up here: a
    // version that lets everyone pay late, still silent on whether their assistance applies.
    const seed = readFileSync(join(__dirname, '..', '..', 'tenants', GZ, '2023.yaml'), 'utf8');
    const late = seed.replace('  general:\n    allowed: false\n', '  general:\n    allowed: true\n');
    expect(late).not.toBe(seed);
    expect(await publish(late)).toBe(2);

    const idNumber = makeResidentId(GZ, '1970-03-03', 503);
    await done(
      fresh.gql(`mutation($input: ResidentInput!) { registerResident(input: $input) { idNumber } }`, { input: { idNumber, name: '低保户' } }, as('STAFF')),
    );
    await done(
      fresh.gql(
        `mutation($input: AssistanceInput!) { grantAssistance(input: $input) { id } }`,
        { input: { idNumber, category: 'DIBAO_RURAL_1', certifiedBy: '民政局', validFrom: '2022-01-01' } },
        as('AGENCY'),
      ),
    );
    // 一类低保 is paid 先缴后补 (四（二）2): the standard is due whether or not the assistance applies.
    const quote = await done(
      fresh.gql(
        `query { quote(input: { tenant: "${GZ}", coverageYear: 2023, paymentDate: "2023-02-01", categories: [DIBAO_RURAL_1] }) { amountDue subsidy fundingStatus unknowns { path affects } } }`,
        {},
        as('STAFF'),
      ),
    );
    expect(quote.quote).toMatchObject({ amountDue: '350.00', subsidy: '0.00', fundingStatus: 'SUBSIDY_UNKNOWN' });
    expect(quote.quote.unknowns.map((u: any) => u.path)).toEqual(['lateEnrollment.assistance', 'lateEnrollment.coverStart']);
    await done(
      fresh.gql(
        `mutation($input: PaymentInput!) { recordPayment(input: $input) { receiptNo } }`,
        { input: { idNumber, coverageYear: 2023, amount: '350.00', paidOn: '2023-02-01', channel: '农商银行', receiptNo: 'GZ-LATE-1' } },
        as('BANK'),
      ),
    );
    const waiting = async (status: string) =>
      (
        await done(
          fresh.gql(
            `query($s: WaitStatus!) { waitingValues(coverageYear: 2023, status: $s) { edges { node { missing resolution } } } }`,
            { s: status },
            as('STAFF'),
          ),
        )
      ).waitingValues.edges.map((e: any) => e.node);
    expect((await waiting('WAITING')).map((w: any) => w.missing).sort()).toEqual(['lateEnrollment.assistance', 'lateEnrollment.coverStart']);

    // A later version says the assistance applies late (made up): the subsidy is computed, cover still waits.
    const kept = late.replace('  general:\n    allowed: true\n', '  assistance:\n    rule: KEPT\n    clause: 一、缴费期限\n  general:\n    allowed: true\n');
    expect(await publish(kept)).toBe(3);
    expect((await waiting('WAITING')).map((w: any) => w.missing)).toEqual(['lateEnrollment.coverStart']);
    expect(await waiting('RESOLVED')).toEqual([
      expect.objectContaining({
        missing: 'lateEnrollment.assistance',
        resolution: expect.objectContaining({ subsidy: 25000, appliedCategory: 'DIBAO_RURAL_1' }),
      }),
    ]);
    const resident = await done(
      fresh.gql(
        `query($id: String!) { resident(idNumber: $id) { enrollments { status amountDue policyVersion subsidy subsidies { amount policyVersion } } } }`,
        { id: idNumber },
        as('STAFF'),
      ),
    );
    expect(resident.resident.enrollments).toEqual([
      { status: 'PAID', amountDue: '350.00', policyVersion: 3, subsidy: '250.00', subsidies: [{ amount: '250.00', policyVersion: 3 }] },
    ]);
  });
});

describe('two releases of what is held at once', () => {
  let fresh: TestServer;
  beforeAll(async () => {
    fresh = await startTestServer();
  });
  afterAll(async () => fresh?.close());

  it("take turns: a publication's release and an administrator's grant what a wait resolves once", async () => {
    const SD = '620725';
    const idNumber = makeResidentId(SD, '1967-06-06', 502);
    const { as, done } = onServer(fresh, SD);
    await done(
      fresh.gql(`mutation($input: ResidentInput!) { registerResident(input: $input) { idNumber } }`, { input: { idNumber, name: '低保户' } }, as('STAFF')),
    );
    await done(
      fresh.gql(
        `mutation($input: AssistanceInput!) { grantAssistance(input: $input) { id } }`,
        { input: { idNumber, category: 'DIBAO', certifiedBy: '民政局', validFrom: '2021-01-01' } },
        as('AGENCY'),
      ),
    );
    await done(
      fresh.gql(
        `mutation($input: PaymentInput!) { recordPayment(input: $input) { receiptNo } }`,
        { input: { idNumber, coverageYear: 2022, amount: '320.00', paidOn: '2021-10-10', channel: '农商银行', receiptNo: 'SD-TURNS-1' } },
        as('BANK'),
      ),
    );
    const source = readFileSync(join(__dirname, '..', '..', 'tenants', SD, '2022.yaml'), 'utf8').replace(
      '      category: DIBAO\n      full: false\n',
      '      category: DIBAO\n      full: false\n      amount: "100.00"\n',
    );
    const draft = (await done(fresh.gql(DRAFT, { input: { tenant: SD, coverageYear: 2022, source } }, as('ADMIN', ZHANG)))).draftPolicyYear;
    expect(draft.errors).toEqual([]);

    // The grants table held by another session: both releases stop at their grant, having read the wait.
    const holder = new pg.Client({ connectionString: fresh.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE subsidy_grant IN EXCLUSIVE MODE');
      const waiting = async (n: number) => {
        const count = async () =>
          (
            await fresh.ownerQuery<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND usename = 'insurance_app' AND wait_event_type = 'Lock'`,
            )
          )[0].n;
        for (let i = 0; i < 400 && (await count()) < n; i++) await new Promise((r) => setTimeout(r, 50));
        return count();
      };
      // The publication commits, and its release of what is held stops at the grant ...
      const published = fresh.gql(PUBLISH, { id: draft.id }, as('ADMIN', LI));
      expect(await waiting(1)).toBe(1);
      // ... while an administrator's release begins, with the wait still open.
      const released = fresh.gql(`mutation { releaseHeld { resolved } }`, {}, as('ADMIN', LI));
      expect(await waiting(2)).toBe(2);
      await holder.query('COMMIT');
      await done(published);
      await done(released);
    } finally {
      await holder.end();
    }
    const resident = await done(
      fresh.gql(`query($id: String!) { resident(idNumber: $id) { enrollments { subsidies { amount kind } } } }`, { id: idNumber }, as('STAFF')),
    );
    expect(resident.resident.enrollments).toEqual([{ subsidies: [{ amount: '100.00', kind: 'AT_PAYMENT' }] }]);
  });
});

describe('more waits than a run judges at once', () => {
  let fresh: TestServer;
  beforeAll(async () => {
    fresh = await startTestServer();
  });
  afterAll(async () => fresh?.close());

  it('are all reached: the first page still unstated, a wait on a later page is computed', async () => {
    const SD = '620725';
    const { as, done } = onServer(fresh, SD);
    const publish = async (source: string) => {
      const draft = (await done(fresh.gql(DRAFT, { input: { tenant: SD, coverageYear: 2022, source } }, as('ADMIN', ZHANG)))).draftPolicyYear;
      expect(draft.errors).toEqual([]);
      await done(fresh.gql(PUBLISH, { id: draft.id }, as('ADMIN', LI)));
    };
    // Made up, as above: a 2022 that states a refund reason, so that a refund can hold one wait past the
    // publication's own release; then 低保's amount too.
    const year = readFileSync(join(__dirname, '..', '..', 'tenants', SD, '2022.yaml'), 'utf8').replace(
      /(refunds:\n {2}clause: [^\n]*\n)/,
      '$1  reasons:\n    - { reason: OTHER_POOL, clause: 三（三） "test" }\n',
    );
    await publish(year);
    // Two 低保户, whose amount no version states, first (by ID number and by id); then a 脱贫户.
    const people = [
      { idNumber: makeResidentId(SD, '1950-01-01', 601), category: 'DIBAO' },
      { idNumber: makeResidentId(SD, '1950-01-02', 602), category: 'DIBAO' },
      { idNumber: makeResidentId(SD, '1990-01-03', 603), category: 'LIFTED_OUT_OF_POVERTY' },
    ];
    for (const [i, { idNumber, category }] of people.entries()) {
      await done(
        fresh.gql(`mutation($input: ResidentInput!) { registerResident(input: $input) { idNumber } }`, { input: { idNumber, name: nameOf(i) } }, as('STAFF')),
      );
      await done(
        fresh.gql(
          `mutation($input: AssistanceInput!) { grantAssistance(input: $input) { id } }`,
          { input: { idNumber, category, certifiedBy: '民政局', validFrom: '2021-01-01' } },
          as('AGENCY'),
        ),
      );
      await done(
        fresh.gql(
          `mutation($input: PaymentInput!) { recordPayment(input: $input) { receiptNo } }`,
          { input: { idNumber, coverageYear: 2022, amount: '320.00', paidOn: '2021-10-10', channel: '农商银行', receiptNo: `SD-PAGE-${i}` } },
          as('BANK'),
        ),
      );
    }
    const lifted = people[2].idNumber;
    await done(
      fresh.gql(
        `mutation { requestRefund(input: { idNumber: "${lifted}", coverageYear: 2022, reason: OTHER_POOL, requestedOn: "2021-10-20" }) { status } }`,
        {},
        as('ADMIN', ZHANG),
      ),
    );
    // 脱贫's amount stated: the publication's release leaves the 脱贫户's wait to the refund pending.
    await publish(year.replace('category: LIFTED_OUT_OF_POVERTY, clause:', 'category: LIFTED_OUT_OF_POVERTY, amount: "100.00", clause:'));
    await done(fresh.gql(`mutation { rejectRefund(idNumber: "${lifted}", coverageYear: 2022) { status } }`, {}, as('ADMIN', LI)));
    const statuses = async () =>
      (
        await fresh.ownerQuery<{ id_number: string; status: string }>(
          `SELECT id_number, status FROM waiting_value WHERE tenant_code = $1 AND coverage_year = 2022 ORDER BY id`,
          [SD],
        )
      ).map((w) => [w.id_number, w.status]);
    expect(await statuses()).toEqual(people.map((p) => [p.idNumber, 'WAITING']));

    // A run in pages of two: the first page's two cannot be computed, the 脱贫户's, on the second page, is.
    const ctx = RequestContext.system(fresh.running.state, SD, 'test');
    const result = await heldService.releaseHeld(ctx, 2);
    await ctx.finish(true);
    expect(await statuses()).toEqual([
      [people[0].idNumber, 'WAITING'],
      [people[1].idNumber, 'WAITING'],
      [lifted, 'RESOLVED'],
    ]);
    expect(result).toMatchObject({ resolved: 1, stillWaiting: 2 });
    const resident = await done(
      fresh.gql(`query($id: String!) { resident(idNumber: $id) { enrollments { subsidies { amount } } } }`, { id: lifted }, as('STAFF')),
    );
    expect(resident.resident.enrollments).toEqual([{ subsidies: [{ amount: '100.00' }] }]);
  });
});

describe('tenants/ at a start', () => {
  it('publishes a changed file as a new version, refuses a bad one without stopping, and refuses a file that differs from a version published through the API', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenants-'));
    cpSync(join(__dirname, '..', '..', 'tenants'), dir, { recursive: true });
    // 肃南 2024 edited in the repository (a reviewed change): a new version at start.
    const sunan = join(dir, '620721', '2024.yaml');
    writeFileSync(sunan, `${readFileSync(sunan, 'utf8')}\n# reviewed again\n`);
    // 甘州 2024 as the half-updated copy: refused, while 甘州 2023 and 2024 (from the database) are served.
    writeFileSync(join(dir, GZ, '2024.yaml'), halfUpdated2024());
    const third = await startServer(loadConfig({ ...process.env, DATABASE_URL: server.databaseUrl, PORT: '0', TENANTS_DIR: dir }), createLogger('silent'));
    try {
      const versions = await ok(`{ policyVersions(coverageYear: 2024) { version origin inForce } }`, {}, { tenant: '620721', role: 'STAFF' });
      expect(versions.policyVersions).toEqual([
        { version: 2, origin: 'TENANT_FILE', inForce: true },
        { version: 1, origin: 'TENANT_FILE', inForce: false },
      ]);
      const gz: any = await (
        await fetch(third.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: `{ policy(tenant: "${GZ}", coverageYear: 2024) { version individualContribution } tenants { code } }` }),
        })
      ).json();
      expect(gz.data.policy).toEqual({ version: 2, individualContribution: '380.00' });
      expect(gz.data.tenants).toHaveLength(5);

      // The exported text of the version in force, now in the file: it agrees, nothing is refused or added.
      const exported = await ok(`{ policyYearDocument(coverageYear: 2024) { source } }`, {}, { role: 'STAFF' });
      writeFileSync(join(dir, GZ, '2024.yaml'), exported.policyYearDocument.source);
      const fourth = await startServer(loadConfig({ ...process.env, DATABASE_URL: server.databaseUrl, PORT: '0', TENANTS_DIR: dir }), createLogger('silent'));
      await fourth.close();
      const after = await ok(`{ policyVersions(coverageYear: 2024) { version origin } }`, {}, { role: 'STAFF' });
      expect(after.policyVersions.map((v: any) => v.version)).toEqual([2, 1]);

      // A file that differs from the API's version is refused: the API's version stays in force.
      writeFileSync(join(dir, GZ, '2024.yaml'), fixed2024());
      const fifth = await startServer(loadConfig({ ...process.env, DATABASE_URL: server.databaseUrl, PORT: '0', TENANTS_DIR: dir }), createLogger('silent'));
      try {
        const still: any = await (
          await fetch(fifth.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: `{ policy(tenant: "${GZ}", coverageYear: 2024) { version } }` }),
          })
        ).json();
        expect(still.data.policy).toEqual({ version: 2 });
      } finally {
        await fifth.close();
      }

      // 肃南 2024 back at the text of version 1, as a server of the previous release has it: refused, and
      // version 2 stays in force instead of the two releases publishing over each other.
      cpSync(join(__dirname, '..', '..', 'tenants', '620721', '2024.yaml'), sunan);
      const older = await startServer(loadConfig({ ...process.env, DATABASE_URL: server.databaseUrl, PORT: '0', TENANTS_DIR: dir }), createLogger('silent'));
      await older.close();
      const kept = await ok(`{ policyVersions(coverageYear: 2024) { version inForce } }`, {}, { tenant: '620721', role: 'STAFF' });
      expect(kept.policyVersions).toEqual([
        { version: 2, inForce: true },
        { version: 1, inForce: false },
      ]);
    } finally {
      await third.close();
    }
  });
});
