/**
 * Messages follow Accept-Language (CONTRACT.md, "Language"): the same error asked for twice, once
 * without the header (English, as integrators' scripts expect) and once with `accept-language: zh-CN`
 * (Chinese, for the clerks), has the same status and the same extensions, code included; only the
 * message changes.
 */
import pg from 'pg';
import { startTestServer, type TestServer } from '../helpers/server';

const GZ = '620702';
const SN = '620721';
const ZH = { 'accept-language': 'zh-CN' };
const CHINESE = /[\u4e00-\u9fff]/;

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
  const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
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
    expectSameError(answers, 'BAD_USER_INPUT', 'first must be between 1 and 500', 'first 须在 1 至 500 之间');
    expect(answers.zh.errors?.[0].extensions?.field).toBe('first');
  });

  it('NOT_FOUND: a tenant this server does not have', async () => {
    const answers = await inBothLanguages(gql('{ residents(first: 1) { nodes { idNumber } } }', {}, { token: server.token('STAFF', ['999999']), tenant: '999999' }));
    expectSameError(answers, 'NOT_FOUND', 'no tenant 999999', '没有代码为 999999 的统筹地区');
  });

  it('the edge\'s own refusals: an origin CORS_ORIGINS does not name, a body that is not JSON', async () => {
    const cors = await inBothLanguages((headers) => post(server, { query: '{ tenants { code } }' }, { origin: 'https://evil.example.com', ...headers }));
    expect(cors.en.status).toBe(403);
    expectSameError(cors, 'FORBIDDEN', 'Origin https://evil.example.com may not call this API (CORS_ORIGINS)', /https:\/\/evil\.example\.com.*无权调用本接口/);
    const json = await inBothLanguages((headers) => post(server, '{ "query": ', headers));
    expectSameError(json, 'BAD_REQUEST', 'The body is not valid JSON', '请求体不是有效的 JSON');
  });

  it('GraphQL\'s own request errors keep graphql-js\'s English, with the same code', async () => {
    const answers = await inBothLanguages(gql('{ nothingHere }', {}, {}));
    expect(answers.zh.errors?.[0]).toEqual(answers.en.errors?.[0]);
    expect(answers.en.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('follows the most preferred language: zh and zh-CN,zh;q=0.9 are Chinese, en-US,zh;q=0.5 and zh-TW are English', async () => {
    const ask = (language: string) => server.gql('{ residents(first: 1) { nodes { idNumber } } }', {}, { tenant: GZ, headers: { 'accept-language': language } });
    for (const language of ['zh', 'zh-CN,zh;q=0.9,en;q=0.8']) expect((await ask(language)).errors?.[0].message).toMatch(CHINESE);
    for (const language of ['en-US,zh;q=0.5', 'zh-TW']) expect((await ask(language)).errors?.[0].message).toBe('this operation needs "Authorization: Bearer <token>"');
  });
});

describe('the edge\'s limits in English and in Chinese', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '2', REQUEST_TIMEOUT_MS: '1000', STATEMENT_TIMEOUT_MS: '20000' });
  });
  afterAll(() => server?.close());

  it('RATE_LIMITED past the token\'s limit', async () => {
    const token = server.token('BANK', [GZ], 'bank-language');
    const ask = (headers: Record<string, string>) => server.gql('{ viewer { sub } }', {}, { token, tenant: GZ, headers });
    for (let i = 0; i < 2; i++) expect((await ask({})).status).toBe(200);
    const answers = await inBothLanguages(ask);
    expect(answers.en.status).toBe(429);
    expectSameError(answers, 'RATE_LIMITED', /^Too many requests for this token; retry in \d+ s$/, /^该令牌请求过于频繁，请 \d+ 秒后重试$/);
  });

  it('TIMEOUT at the request\'s deadline', async () => {
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    await client.query('BEGIN');
    await client.query('LOCK TABLE resident IN ACCESS EXCLUSIVE MODE');
    try {
      const answers = await inBothLanguages((headers) => server.gql('{ residents(first: 1) { nodes { idNumber } } }', {}, { token: server.token('STAFF', [GZ], 'staff-language'), tenant: GZ, headers }));
      expect(answers.en.status).toBe(503);
      expectSameError(answers, 'TIMEOUT', 'The request took longer than 1000 ms; nothing was written', '请求处理超过 1000 毫秒，已中止，未写入任何数据');
    } finally {
      await client.query('ROLLBACK');
      await client.end();
    }
  });
});
