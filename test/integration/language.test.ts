/**
 * Messages follow Accept-Language (CONTRACT.md, "Language"): the same error asked for twice, once
 * without the header (English, as integrators' scripts expect) and once with `accept-language: zh-CN`
 * (Chinese, for the clerks), has the same status and the same extensions, code included; only the
 * message changes.
 */
import pg from 'pg';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { startTestServer, type TestServer } from '../helpers/server';

const GZ = '620702';
const SN = '620721';
const PL = '610926';
const QUOTE = `query($input: QuoteInput!) { quote(input: $input) { amountDue fundingNote explanation { rule detail } unknowns { path message } } }`;
const ZH = { 'accept-language': 'zh-CN' };
const CHINESE = /[\u4e00-\u9fff]/;
/** A resident ID number with its check character wrong. */
const BROKEN_ID = ((good: string) => `${good.slice(0, 17)}${good.endsWith('1') ? '2' : '1'}`)(makeResidentId(GZ, '1980-05-05', 509));

interface Answer {
  status: number;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** The same request without and with `accept-language: zh-CN`. */
async function inBothLanguages(send: (headers: Record<string, string>) => Promise<Answer>): Promise<{ en: Answer; zh: Answer }> {
  return { en: await send({}), zh: await send(ZH) };
}

/** The first error of each answer: same status and extensions, the English message as before, a Chinese one in Chinese. */
function expectSameError(answers: { en: Answer; zh: Answer }, code: string, en: string | RegExp, zh: string | RegExp): void {
  const [enError, zhError] = [answers.en.errors?.[0], answers.zh.errors?.[0]];
  expect(enError?.extensions?.code).toBe(code);
  expect(zhError?.extensions).toEqual(enError?.extensions);
  expect(answers.zh.status).toBe(answers.en.status);
  expect(enError?.message).toMatch(en);
  expect(zhError?.message).toMatch(zh);
  expect(zhError?.message).toMatch(CHINESE);
  expect(zhError?.message).not.toBe(enError?.message);
}

async function post(server: TestServer, body: unknown, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, ...((await res.json()) as Omit<Answer, 'status'>) };
}

describe('the same error in English and in Chinese', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  const gql = (query: string, variables: Record<string, unknown>, options: Parameters<TestServer['gql']>[2]) => (headers: Record<string, string>) =>
    server.gql(query, variables, { ...options, headers: { ...options?.headers, ...headers } });

  it('UNAUTHENTICATED: no token', async () => {
    const answers = await inBothLanguages(gql('{ residents(first: 1) { nodes { idNumber } } }', {}, { tenant: GZ }));
    expectSameError(answers, 'UNAUTHENTICATED', 'this operation needs "Authorization: Bearer <token>"', /须登录/);
  });

  it('UNAUTHENTICATED: a token that is not valid', async () => {
    const answers = await inBothLanguages(gql('{ residents(first: 1) { nodes { idNumber } } }', {}, { token: 'not-a-token', tenant: GZ }));
    expectSameError(answers, 'UNAUTHENTICATED', 'the token is not valid', '令牌无效');
  });

  it('FORBIDDEN: a tenant outside the token, and a role without the right', async () => {
    const other = await inBothLanguages(gql('{ residents(first: 1) { nodes { idNumber } } }', {}, { token: server.token('STAFF', [GZ]), tenant: SN }));
    expectSameError(other, 'FORBIDDEN', `the token may not act for tenant ${SN}`, `该令牌无权办理 ${SN} 的业务`);
    const role = await inBothLanguages(gql(`mutation { markDisbursementsPaid(month: "2022-10") { paid } }`, {}, { as: 'BANK', tenant: GZ }));
    expectSameError(role, 'FORBIDDEN', /^role BANK may not do this; it needs ADMIN/, /^BANK 角色无权办理此项业务，须为 ADMIN/);
  });

  it('BAD_USER_INPUT with the field at fault', async () => {
    const answers = await inBothLanguages(gql('{ residents(first: 0) { nodes { idNumber } } }', {}, { as: 'STAFF', tenant: GZ }));
    expectSameError(answers, 'BAD_USER_INPUT', 'first must be between 1 and 500', '每页条数（first）须在 1 至 500 之间');
    expect(answers.zh.errors?.[0].extensions?.field).toBe('first');
  });

  it('NOT_FOUND: a tenant this server does not have', async () => {
    const answers = await inBothLanguages(
      gql('{ residents(first: 1) { nodes { idNumber } } }', {}, { token: server.token('STAFF', ['999999']), tenant: '999999' }),
    );
    expectSameError(answers, 'NOT_FOUND', 'no tenant 999999', '没有代码为 999999 的统筹地区');
  });

  it('NOT_FOUND, BAD_USER_INPUT, ENROLLMENT_CLOSED and POLICY_NOT_CONFIGURED from the policy engine (public quote)', async () => {
    const quote = (input: Record<string, unknown>) => gql(QUOTE, { input }, {});
    const tenant = await inBothLanguages(quote({ tenant: '999999', coverageYear: 2022, paymentDate: '2021-11-01' }));
    expectSameError(tenant, 'NOT_FOUND', 'no tenant 999999', '没有代码为 999999 的统筹地区');
    const region = await inBothLanguages(quote({ tenant: PL, coverageYear: 2022, paymentDate: '2021-11-01', region: '999999999' }));
    expectSameError(region, 'BAD_USER_INPUT', 'region 999999999 is not a region of 平利县 (610926)', '区划 999999999 不属于平利县（610926）');
    expect(region.en.errors?.[0].extensions?.field).toBe('region');
    const closed = await inBothLanguages(quote({ tenant: PL, coverageYear: 2022, paymentDate: '2022-01-10' }));
    expectSameError(
      closed,
      'ENROLLMENT_CLOSED',
      /^the collection window for 2022 ended on 2021-12-25/,
      /^2022 年度集中缴费期已于 2021-12-25 结束（四（一）.*），2022-01-10 不在缴费期内/,
    );
    const unstated = await inBothLanguages(quote({ tenant: PL, coverageYear: 2022, paymentDate: '2021-11-01', categories: ['FAMILY_PLANNING'] }));
    expectSameError(
      unstated,
      'POLICY_NOT_CONFIGURED',
      /^平政办发〔2021〕105号 does not state the subsidy for FAMILY_PLANNING/,
      /^平政办发〔2021〕105号未写明计生特殊家庭成员（三（二）.*）的资助标准$/,
    );
    expect(unstated.zh.errors?.[0].extensions).toMatchObject({
      missing: 'assistance.FAMILY_PLANNING.amount',
      alsoMissing: ['assistance.FAMILY_PLANNING.mode'],
    });
    const year = await inBothLanguages(quote({ tenant: PL, coverageYear: 2031, paymentDate: '2030-11-01' }));
    expectSameError(year, 'POLICY_NOT_CONFIGURED', '平利县 has no notice configured for the year of cover 2031', '平利县尚未配置 2031 待遇享受年度的政策通知');
  });

  it("a quote's explanation, funding note and unknowns in the request's language", async () => {
    const ask = (headers: Record<string, string>) =>
      server.gql(QUOTE, { input: { tenant: '520100', coverageYear: 2022, paymentDate: '2022-04-10' } }, { headers });
    const [en, zh] = [(await ask({})).data!.quote, (await ask(ZH)).data!.quote];
    expect(zh.amountDue).toBe(en.amountDue);
    expect(zh.explanation.map((s: { rule: string }) => s.rule)).toEqual(en.explanation.map((s: { rule: string }) => s.rule));
    expect(en.explanation.find((s: { rule: string }) => s.rule === 'late-contribution').detail).toBe('outside the window the contribution is 900.00');
    expect(zh.explanation.find((s: { rule: string }) => s.rule === 'late-contribution').detail).toBe('集中缴费期外的缴费标准为 900.00 元');
    expect(zh.unknowns).toEqual([
      { path: 'lateEnrollment.coverStart', message: expect.stringMatching(/^筑医保通〔2021〕34号未写明集中缴费期后缴费的待遇起始时间/) },
    ]);
    const note = (
      await server.gql(
        QUOTE,
        { input: { tenant: '520100', coverageYear: 2022, paymentDate: '2021-11-01', categories: ['LIFTED_OUT_OF_POVERTY'] } },
        { headers: ZH },
      )
    ).data!.quote.fundingNote;
    expect(note).toBe('已脱贫人口的资助由谁出资因区划而异（贵阳市或贵安新区，二（一）1）：请填写区划（region）');
  });

  it("REFUND_NOT_ALLOWED and CONFLICT; a refund's stored explanation answers each reader in their language, and one stored in English only still reads", async () => {
    const idNumber = makeResidentId(GZ, '1975-04-04', 401);
    const staff = { as: 'STAFF' as const, tenant: GZ };
    expect(
      (await server.gql(`mutation($input: ResidentInput!) { registerResident(input: $input) { idNumber } }`, { input: { idNumber, name: '退费人' } }, staff))
        .errors,
    ).toBeUndefined();
    const paid = await server.gql(
      `mutation($input: PaymentInput!) { recordPayment(input: $input) { receiptNo } }`,
      { input: { idNumber, coverageYear: 2023, amount: '350.00', paidOn: '2022-09-10', channel: '银行', receiptNo: `R-${idNumber}` } },
      { as: 'BANK', tenant: GZ },
    );
    expect(paid.errors).toBeUndefined();
    const REQUEST = `mutation($input: RefundInput!) { requestRefund(input: $input) { amount explanation { rule detail } } }`;
    const late = await inBothLanguages(gql(REQUEST, { input: { idNumber, coverageYear: 2023, reason: 'DEATH', requestedOn: '2022-12-31' } }, staff));
    expectSameError(late, 'REFUND_NOT_ALLOWED', /^the deadline for refunds was 2022-12-30/, /^退费申请已于 2022-12-30 截止（七/);

    const requested = await server.gql(
      REQUEST,
      { input: { idNumber, coverageYear: 2023, reason: 'OTHER_POOL', requestedOn: '2022-12-20' } },
      { ...staff, headers: ZH },
    );
    expect(requested.data!.requestRefund).toEqual({
      amount: '350.00',
      explanation: [
        { rule: 'refund-reason', detail: '在其他统筹地区参保，可以退费' },
        { rule: 'refund', detail: '退费 350.00 元' },
      ],
    });
    const again = await inBothLanguages(gql(REQUEST, { input: { idNumber, coverageYear: 2023, reason: 'OTHER_POOL', requestedOn: '2022-12-20' } }, staff));
    expect(again.en.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(again.zh.errors?.[0].extensions).toEqual(again.en.errors?.[0].extensions);

    const READ = `{ refunds(status: PENDING) { idNumberMasked explanation { rule detail } } }`;
    const read = async (headers: Record<string, string>) => (await server.gql(READ, {}, { as: 'ADMIN', tenant: GZ, headers })).data!.refunds[0].explanation;
    expect(await read({})).toEqual([
      { rule: 'refund-reason', detail: 'OTHER_POOL allows a refund' },
      { rule: 'refund', detail: 'refund 350.00' },
    ]);
    expect(await read(ZH)).toEqual([
      { rule: 'refund-reason', detail: '在其他统筹地区参保，可以退费' },
      { rule: 'refund', detail: '退费 350.00 元' },
    ]);
    // A refund recorded before details had two languages keeps its English for every reader.
    await server.ownerQuery(
      `UPDATE refund SET explanation = '[{"rule":"refund","clause":null,"detail":"refund 350.00","amount":35000}]' WHERE id_number = $1`,
      [idNumber],
    );
    expect(await read(ZH)).toEqual([{ rule: 'refund', detail: 'refund 350.00' }]);
  });

  it("names and phones at registration: the field in the clerk's words, no English left in the Chinese", async () => {
    const REGISTER = `mutation($i: ResidentInput!) { registerResident(input: $i) { idNumber } }`;
    const name = await inBothLanguages(
      gql(REGISTER, { i: { idNumber: makeResidentId(GZ, '1980-05-05', 501), name: '<b>张三</b>' } }, { as: 'STAFF', tenant: GZ }),
    );
    expectSameError(
      name,
      'BAD_USER_INPUT',
      'name holds "<" (U+003C) at character 1, which is not part of a name',
      '姓名第 1 个字符是“<”（U+003C），不能用于姓名',
    );
    expect(name.zh.errors?.[0].extensions?.field).toBe('name');
    const phone = await inBothLanguages(
      gql(REGISTER, { i: { idNumber: makeResidentId(GZ, '1980-05-05', 503), name: '张三', phone: '12800138000' } }, { as: 'STAFF', tenant: GZ }),
    );
    expectSameError(
      phone,
      'BAD_USER_INPUT',
      /^phone is neither a mobile number/,
      '联系电话既不是手机号码（11 位，1[3-9]…），也不是带区号的固定电话（0936-8221234）',
    );
    const members = [
      { idNumber: makeResidentId(SN, '1970-01-01', 505), name: '安永福', relationship: '户主' },
      { idNumber: makeResidentId(SN, '2010-01-01', 507), name: '安小明', relationship: '子女', bankAccount: '6222-0012' },
    ];
    const HOUSEHOLD = `mutation($input: HouseholdInput!) { registerHousehold(input: $input) { id } }`;
    const member = await inBothLanguages(gql(HOUSEHOLD, { input: { bookletNo: 'LANG-1', region: '620721-01', members } }, { as: 'STAFF', tenant: SN }));
    expectSameError(
      member,
      'BAD_USER_INPUT',
      'members[1].bankAccount has 8 digits; an account number has 12 to 30',
      '第 2 位成员的银行账号有 8 位数字，账号应为 12 至 30 位',
    );
    expect(member.zh.errors?.[0].extensions?.field).toBe('members[1].bankAccount');
    const id = await inBothLanguages(gql(REGISTER, { i: { idNumber: BROKEN_ID, name: '张三' } }, { as: 'STAFF', tenant: GZ }));
    expectSameError(
      id,
      'BAD_USER_INPUT',
      /^idNumber 6207\*+\d{4} is not a valid resident ID number: its check character is wrong/,
      /^身份证号码：6207\*+\d{4} 不是有效的居民身份证号码：校验码不正确$/,
    );
  });

  it("an import's rows: refused in the language of the request, and read back later in the reader's", async () => {
    const IMPORT = `mutation($b: String!, $p: [PaymentInput!]!) { importPayments(batchId: $b, payments: $p) { rows { status code error } } }`;
    const payment = { idNumber: BROKEN_ID, coverageYear: 2023, amount: '350.00', paidOn: '2022-09-10', channel: '税务', receiptNo: 'LANG-R1' };
    const rows = await inBothLanguages(async (headers) => {
      const res = await server.gql(IMPORT, { b: 'LANG-B1', p: [payment] }, { as: 'TAX', tenant: GZ, headers });
      expect(res.errors).toBeUndefined();
      return res.data!.importPayments.rows[0];
    });
    expect(rows.en).toEqual({
      status: 'REJECTED',
      code: 'BAD_USER_INPUT',
      error: expect.stringMatching(/^idNumber 6207\*+\d{4} is not a valid resident ID number: its check character is wrong/),
    });
    expect(rows.zh).toEqual({
      status: 'REJECTED',
      code: 'BAD_USER_INPUT',
      error: expect.stringMatching(/^身份证号码：6207\*+\d{4} 不是有效的居民身份证号码：校验码不正确$/),
    });
    const READ = `{ paymentBatch(batchId: "LANG-B1") { results { nodes { status code error } } } }`;
    const read = async (headers: Record<string, string>) =>
      (await server.gql(READ, {}, { as: 'TAX', tenant: GZ, headers })).data!.paymentBatch.results.nodes[0];
    expect(await read({})).toEqual(rows.en);
    expect(await read(ZH)).toEqual(rows.zh);
  });

  it('an amount of money the Money scalar refuses, in a variable and written in the query', async () => {
    const PAY = `mutation($input: PaymentInput!) { recordPayment(input: $input) { receiptNo } }`;
    const input = {
      idNumber: makeResidentId(GZ, '1980-05-05', 511),
      coverageYear: 2023,
      amount: '三百五',
      paidOn: '2022-09-10',
      channel: '银行',
      receiptNo: 'LANG-M1',
    };
    const variable = await inBothLanguages(gql(PAY, { input }, { as: 'BANK', tenant: GZ }));
    expectSameError(
      variable,
      'BAD_USER_INPUT',
      'Variable "$input" got invalid value "三百五" at "input.amount"; "三百五" is not an amount of money: give yuan with at most two decimals, e.g. "350.00"',
      '变量 $input（input.amount）的值 "三百五" 无效：“三百五”不是金额：请以元为单位填写，最多两位小数，如 "350.00"',
    );
    const literal = await inBothLanguages(
      gql(
        `mutation { recordPayment(input: { idNumber: "${input.idNumber}", coverageYear: 2023, amount: 350, paidOn: "2022-09-10", channel: "银行", receiptNo: "LANG-M2" }) { receiptNo } }`,
        {},
        { as: 'BANK', tenant: GZ },
      ),
    );
    expectSameError(
      literal,
      'BAD_USER_INPUT',
      'Money is a string of yuan with two decimals, e.g. "350.00"',
      '金额应为以元为单位、带两位小数的字符串，如 "350.00"',
    );
  });

  it("the edge's own refusals: an origin CORS_ORIGINS does not name, a body that is not JSON", async () => {
    const cors = await inBothLanguages((headers) => post(server, { query: '{ tenants { code } }' }, { origin: 'https://evil.example.com', ...headers }));
    expect(cors.en.status).toBe(403);
    expectSameError(cors, 'FORBIDDEN', 'Origin https://evil.example.com may not call this API (CORS_ORIGINS)', /https:\/\/evil\.example\.com.*无权调用本接口/);
    const json = await inBothLanguages((headers) => post(server, '{ "query": ', headers));
    expectSameError(json, 'BAD_REQUEST', 'The body is not valid JSON', '请求体不是有效的 JSON');
  });

  it("GraphQL's own request errors keep graphql-js's English, with the same code", async () => {
    const answers = await inBothLanguages(gql('{ nothingHere }', {}, {}));
    expect(answers.zh.errors?.[0]).toEqual(answers.en.errors?.[0]);
    expect(answers.en.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('follows the most preferred language: zh and zh-CN,zh;q=0.9 are Chinese, en-US,zh;q=0.5 and zh-TW are English', async () => {
    const ask = (language: string) =>
      server.gql('{ residents(first: 1) { nodes { idNumber } } }', {}, { tenant: GZ, headers: { 'accept-language': language } });
    for (const language of ['zh', 'zh-CN,zh;q=0.9,en;q=0.8']) expect((await ask(language)).errors?.[0].message).toMatch(CHINESE);
    for (const language of ['en-US,zh;q=0.5', 'zh-TW'])
      expect((await ask(language)).errors?.[0].message).toBe('this operation needs "Authorization: Bearer <token>"');
  });
});

describe("the edge's limits in English and in Chinese", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '2', REQUEST_TIMEOUT_MS: '1000', STATEMENT_TIMEOUT_MS: '20000' });
  });
  afterAll(() => server?.close());

  it("RATE_LIMITED past the token's limit", async () => {
    const token = server.token('BANK', [GZ], 'bank-language');
    const ask = (headers: Record<string, string>) => server.gql('{ viewer { sub } }', {}, { token, tenant: GZ, headers });
    for (let i = 0; i < 2; i++) expect((await ask({})).status).toBe(200);
    const answers = await inBothLanguages(ask);
    expect(answers.en.status).toBe(429);
    expectSameError(answers, 'RATE_LIMITED', /^Too many requests for this token; retry in \d+ s$/, /^该令牌请求过于频繁，请 \d+ 秒后重试$/);
  });

  it("TIMEOUT at the request's deadline", async () => {
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    await client.query('BEGIN');
    await client.query('LOCK TABLE resident IN ACCESS EXCLUSIVE MODE');
    try {
      const answers = await inBothLanguages((headers) =>
        server.gql('{ residents(first: 1) { nodes { idNumber } } }', {}, { token: server.token('STAFF', [GZ], 'staff-language'), tenant: GZ, headers }),
      );
      expect(answers.en.status).toBe(503);
      expectSameError(answers, 'TIMEOUT', 'The request took longer than 1000 ms; nothing was written', '请求处理超过 1000 毫秒，已中止，未写入任何数据');
    } finally {
      await client.query('ROLLBACK');
      await client.end();
    }
  });
});
