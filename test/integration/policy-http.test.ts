/** The public policy operations over HTTP, with the notices' numbers, for all five tenants. */
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const POLICY = `query($tenant: ID!, $year: Int!) { policy(tenant: $tenant, coverageYear: $year) {
  tenant { code name } coverageYear coverageYearInferred notice { number title issuedOn }
  individualContribution fiscalSubsidy fiscalSubsidyIsMinimum fiscalShares { source name amount } fundingStandard
  collectionWindow { start end startText } coverage { start end }
  assistance { category amount full mode clause }
  targets { region { code name } target } targetTotal milestones { date share } warnings } }`;

/** What issue 22 adds to the policy query: where each value comes from, and every inference. */
const POLICY_SOURCES = `query($tenant: ID!, $year: Int!) { policy(tenant: $tenant, coverageYear: $year) {
  notice { issuers label seedFile } collectionWindow { start earliestPayment }
  fiscalShares { source amount clause inferred }
  sources { individualContribution { clause inferred } collectionWindowEarliestPayment { clause inferred } coverageYear { clause inferred } }
  inferences { path clause inferred } rules { key detail clause inferred refersTo }
  assistance { category inferences { path inferred } refersTo } } }`;

const QUOTE = `query($input: QuoteInput!) { quote(input: $input) {
  standardContribution subsidy appliedCategory mode amountDue reimbursement reimbursementMonth netCost
  fundingShares { source name amount } coverage { start end } late explanation { rule clause detail amount } } }`;

/** A quote as a careful client reads it since coverage may be null: what is complete, what is not. */
const QUOTE_KNOWN = `query($input: QuoteInput!) { quote(input: $input) {
  coverageYear noticeLabel coverageYearSource { clause inferred } amountDue reimbursement mode appliedCategory
  coverage { start end } late fundingStatus fundingNote fundingShares { source amount inferred }
  complete unknowns { path affects clause refersTo message } explanation { rule clause inferred missing } } }`;

describe('policy(tenant, coverageYear)', () => {
  it('gives 平利 2022 with its fiscal split in exact fen (三)', async () => {
    const { data } = await server.gql(POLICY, { tenant: '610926', year: 2022 });
    const p = data!.policy;
    expect(p).toMatchObject({
      tenant: { code: '610926', name: '平利县' },
      notice: { number: '平政办发〔2021〕105号', issuedOn: '2021-10-22' },
      individualContribution: '320.00',
      fiscalSubsidy: '580.00',
      fundingStandard: '900.00',
      collectionWindow: { start: '2021-10-15', end: '2021-12-25', startText: null },
      coverage: { start: '2022-01-01', end: '2022-12-31' },
      targetTotal: 210000,
      milestones: [
        { date: '2021-11-30', share: 0.8 },
        { date: '2021-12-25', share: 1 },
      ],
      warnings: [],
    });
    expect(p.fiscalShares.map((s: { amount: string }) => s.amount)).toEqual(['464.00', '58.00', '5.80', '52.20']);
    expect(p.targets).toHaveLength(11);
    expect(p.assistance.find((a: { category: string }) => a.category === 'FAMILY_PLANNING')).toMatchObject({ amount: null, mode: null });
  });

  it('gives 甘州 2023 with only a deadline and four milestones (一, 八3)', async () => {
    const p = (await server.gql(POLICY, { tenant: '620702', year: 2023 })).data!.policy;
    expect(p.collectionWindow).toEqual({ start: null, end: '2022-12-31', startText: null });
    expect(p.fiscalSubsidy).toBe('610.00');
    expect(p.fiscalShares).toEqual([]);
    expect(p.milestones.map((m: { share: number }) => m.share)).toEqual([0.35, 0.5, 0.8, 1]);
  });

  it('gives 贵阳贵安 2022 with its floor and the disagreeing total as a warning', async () => {
    const p = (await server.gql(POLICY, { tenant: '520100', year: 2022 })).data!.policy;
    expect(p).toMatchObject({
      fiscalSubsidy: '580.00',
      fiscalSubsidyIsMinimum: true,
      targetTotal: 2710466,
      collectionWindow: { start: null, startText: '2021 年 9 月底' },
    });
    expect(p.warnings[0]).toMatch(/2710466.*2710446/);
  });

  it("marks 山丹's year of cover as inferred, and leaves its fiscal subsidy null", async () => {
    const p = (await server.gql(POLICY, { tenant: '620725', year: 2022 })).data!.policy;
    expect(p.coverageYearInferred).toContain('2021年度');
    expect(p.fiscalSubsidy).toBeNull();
    expect(p.notice).toEqual({ number: null, title: '关于认真做好2021年度全县城乡居民基本医疗保险参保缴费工作的通知', issuedOn: null });
  });

  it('gives the source of each value and every inference (issue 22, 14 and Also)', async () => {
    const pl = (await server.gql(POLICY_SOURCES, { tenant: '610926', year: 2022 })).data!.policy;
    expect(pl.fiscalShares.map((s: { inferred: string | null }) => s.inferred !== null)).toEqual([false, false, true, true]);
    expect(pl.inferences.map((i: { path: string }) => i.path)).toContain('fiscalSubsidy.split[1].parts[1]');
    expect(pl.rules.find((r: { detail: string }) => r.detail === 'circumstance: LOST_CONTACT')).toMatchObject({ clause: expect.stringContaining('失联人员') });
    expect(pl.assistance.find((a: { category: string }) => a.category === 'AT_RISK_UNSTABLE_LIFTED').inferences).toHaveLength(1);
    const gz = (await server.gql(POLICY_SOURCES, { tenant: '620702', year: 2023 })).data!.policy;
    expect(gz.collectionWindow).toEqual({ start: null, earliestPayment: '2022-01-01' });
    expect(gz.sources.collectionWindowEarliestPayment.inferred).toContain('2022 campaign');
    expect(gz.sources.individualContribution.clause).toContain('350');
    const sd = (await server.gql(POLICY_SOURCES, { tenant: '620725', year: 2022 })).data!.policy;
    expect(sd.notice).toEqual({ issuers: null, label: '2021年度', seedFile: 'seeds/004_2d44c409d6b3b256.txt' });
    expect(sd.sources.coverageYear.inferred).toContain('2021年度');
    expect(sd.assistance.find((a: { category: string }) => a.category === 'DIBAO').refersTo).toBe('张医保发〔2021〕52号');
  });

  it('is null for a year without a notice', async () => {
    expect((await server.gql(POLICY, { tenant: '620702', year: 2030 })).data!.policy).toBeNull();
  });
});

describe('quote(input) for all five tenants', () => {
  it.each([
    [
      '甘州 低保一类 先缴后补',
      { tenant: '620702', coverageYear: 2023, paymentDate: '2022-10-15', categories: ['DIBAO_RURAL_1'] },
      { amountDue: '350.00', reimbursement: '250.00', netCost: '100.00', reimbursementMonth: '2022-11', mode: 'REIMBURSEMENT' },
    ],
    [
      '肃南 低保三类 差额征缴',
      { tenant: '620721', coverageYear: 2024, paymentDate: '2023-10-08', categories: ['DIBAO_RURAL_3'] },
      { amountDue: '130.00', subsidy: '250.00', mode: 'NET_COLLECTION' },
    ],
    [
      '平利 特困 全额资助',
      { tenant: '610926', coverageYear: 2022, paymentDate: '2021-11-01', categories: ['EXTREME_POVERTY'] },
      { amountDue: '0.00', subsidy: '320.00', mode: 'FULL_SPONSORSHIP' },
    ],
    [
      '贵阳 低保 in 贵安新区',
      { tenant: '520100', coverageYear: 2022, paymentDate: '2022-02-01', categories: ['DIBAO'], region: '520100-GA-02' },
      {
        amountDue: '0.00',
        fundingShares: [
          { source: 'MEDICAL_ASSISTANCE_FUND', name: '医疗救助资金', amount: '140.00' },
          { source: 'GUIAN_FISCAL', name: '贵安新区本级财政', amount: '180.00' },
        ],
      },
    ],
    [
      '山丹 newborn',
      { tenant: '620725', coverageYear: 2022, paymentDate: '2022-04-01', birthDate: '2022-02-10' },
      { amountDue: '320.00', coverage: { start: '2022-02-10', end: '2022-12-31' }, late: true },
    ],
  ])('%s', async (_case, input, expected) => {
    const res = await server.gql(QUOTE, { input });
    expect(res.errors).toBeUndefined();
    expect(res.data!.quote).toMatchObject(expected);
    expect(res.data!.quote.explanation.length).toBeGreaterThan(1);
  });

  it.each([
    ['a closed window', { tenant: '610926', coverageYear: 2022, paymentDate: '2022-01-10' }, 'ENROLLMENT_CLOSED'],
    [
      'an unstated value the answer depends on',
      { tenant: '610926', coverageYear: 2022, paymentDate: '2021-11-01', categories: ['FAMILY_PLANNING'] },
      'POLICY_NOT_CONFIGURED',
    ],
    ['an unknown tenant', { tenant: '999999', coverageYear: 2022, paymentDate: '2022-04-10' }, 'NOT_FOUND'],
    ['an unconfigured year', { tenant: '610926', coverageYear: 2031, paymentDate: '2030-11-01' }, 'POLICY_NOT_CONFIGURED'],
    ['a birth after payment', { tenant: '610926', coverageYear: 2022, paymentDate: '2022-03-01', birthDate: '2022-04-01' }, 'BAD_USER_INPUT'],
  ])('answers %s with its code', async (_case, input, code) => {
    const res = await server.gql(QUOTE, { input });
    expect(res.errors?.[0].extensions?.code).toBe(code);
  });

  it("answers 贵阳's 零星缴费 with 900.00 and coverage null, naming what is missing and where the notice sends it", async () => {
    const res = await server.gql(QUOTE_KNOWN, { input: { tenant: '520100', coverageYear: 2022, paymentDate: '2022-04-10' } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.quote).toMatchObject({
      amountDue: '900.00',
      coverage: null,
      late: true,
      complete: false,
      unknowns: [{ path: 'lateEnrollment.coverStart', affects: ['coverage'], clause: expect.stringContaining('未尽事宜'), refersTo: '黔医保发〔2021〕64号' }],
    });
    expect(res.data!.quote.explanation).toContainEqual(expect.objectContaining({ rule: 'coverage-unstated', missing: 'lateEnrollment.coverStart' }));
  });

  it("answers 山丹's 低保 with 320.00 due and the reimbursement pending on 张医保发〔2021〕52号", async () => {
    const res = await server.gql(QUOTE_KNOWN, { input: { tenant: '620725', coverageYear: 2022, paymentDate: '2021-08-01', categories: ['DIBAO'] } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.quote).toMatchObject({
      coverageYear: 2022,
      noticeLabel: '2021年度',
      coverageYearSource: { inferred: expect.stringContaining('2021年度') },
      amountDue: '320.00',
      mode: 'REIMBURSEMENT',
      appliedCategory: 'DIBAO',
      coverage: { start: '2022-01-01', end: '2022-12-31' },
      fundingStatus: 'SUBSIDY_UNKNOWN',
      complete: false,
      unknowns: [{ path: 'assistance.DIBAO.amount', affects: ['subsidy', 'reimbursement', 'netCost', 'fundingShares'], refersTo: '张医保发〔2021〕52号' }],
    });
    expect(res.data!.quote.explanation[0]).toMatchObject({ rule: 'coverage-year', inferred: expect.any(String) });
  });

  it("answers 平利's 计生 + 特困 in full: the full sponsorship decides", async () => {
    const res = await server.gql(QUOTE_KNOWN, {
      input: { tenant: '610926', coverageYear: 2022, paymentDate: '2021-11-01', categories: ['FAMILY_PLANNING', 'EXTREME_POVERTY'] },
    });
    expect(res.data!.quote).toMatchObject({ amountDue: '0.00', appliedCategory: 'EXTREME_POVERTY', complete: true, unknowns: [], fundingStatus: 'COMPLETE' });
  });

  it("says when a share's payer or a tie is a reading (issue 22, 4 and 14)", async () => {
    const res = await server.gql(QUOTE_KNOWN, {
      input: { tenant: '520100', coverageYear: 2022, paymentDate: '2022-02-01', categories: ['DIBAO', 'EXTREME_POVERTY'], region: '520102' },
    });
    expect(res.data!.quote.fundingShares).toEqual([{ source: 'MEDICAL_ASSISTANCE_FUND', amount: '320.00', inferred: expect.stringContaining('全额资助') }]);
    expect(res.data!.quote.explanation).toContainEqual(expect.objectContaining({ rule: 'tie', inferred: expect.any(String) }));
  });

  it("carries the inference behind a refusal in extensions (甘州's window from 2022-01-01)", async () => {
    const res = await server.gql(QUOTE, { input: { tenant: '620702', coverageYear: 2023, paymentDate: '2021-03-01' } });
    expect(res.errors?.[0].extensions).toMatchObject({
      code: 'ENROLLMENT_CLOSED',
      rule: 'collection-window',
      inferred: expect.stringContaining('2022 campaign'),
    });
  });

  it('refuses a date that is not a calendar date', async () => {
    const res = await server.gql(QUOTE, { input: { tenant: '610926', coverageYear: 2022, paymentDate: '2021-02-30' } });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
