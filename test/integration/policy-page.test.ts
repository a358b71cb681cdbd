/**
 * The officer's page for policy years (GET /policy-years) in a real browser: headless Chromium (Debian's
 * package) driven by playwright-core. An administrator starts 甘州 2024 from 2023 and sees the blanks to
 * fill, pastes the half-updated copy of issue 21 and sees its errors with their lines (a click selects
 * the line), uploads the fixed file and sees no error, the comparison with 2023, the standard cases and
 * the budget; the author is refused publication; a second administrator opens the draft by its number
 * and publishes it, and the API serves 2024 at once. No request may leave for another origin and the
 * strict Content-Security-Policy must hold. The screenshot goes into the run's own folder (or where
 * POLICY_PAGE_SCREENSHOT says). Without Chromium the browser case says so and is skipped; the HTTP
 * cases run everywhere.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kind, parse, print } from 'graphql';
import type { Browser, Page } from 'playwright-core';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { PAGE_CSP } from '../../src/server/static-pages';
import { chromiumAvailable, launchChromium } from '../helpers/browser';
import { fixed2024, GANZHOU as GZ, halfUpdated2024 } from '../helpers/drafts';
import { startTestServer, type TestServer } from '../helpers/server';

const available = chromiumAvailable('Policy page browser test');

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());
const origin = () => new URL(server.url).origin;

describe('the policy years page over HTTP', () => {
  it('serves the page with the strict Content-Security-Policy, every file from this server', async () => {
    const res = await fetch(`${origin()}/policy-years`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(PAGE_CSP);
    const html = await res.text();
    expect(html).toContain('年度参保政策');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc="\/policy-years\/)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect([...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).every((url) => url.startsWith('/policy-years/'))).toBe(true);
    expect(PAGE_CSP).not.toContain('unsafe');
  });

  it('hands the page exactly the operations of schema/operations/policy-years.graphql', async () => {
    const served = (await (await fetch(`${origin()}/policy-years/operations.json`)).json()) as Record<string, string>;
    const document = parse(readFileSync(resolve(__dirname, '..', '..', 'schema', 'operations', 'policy-years.graphql'), 'utf8'));
    expect(served).toEqual(Object.fromEntries(document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? [[d.name!.value, print(d)]] : []))));
  });

  it('answers 404 for other paths under /policy-years and 405 for other methods', async () => {
    expect((await fetch(`${origin()}/policy-years/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${origin()}/policy-years/index.html`)).status).toBe(404);
    expect((await fetch(`${origin()}/policy-years`, { method: 'POST' })).status).toBe(405);
  });
});

(available ? describe : describe.skip)('the policy years page in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium('zh-CN');
    // Someone on 甘州's roll, so that the budget has people to count.
    const register = (idNumber: string) =>
      server.gql(
        `mutation($input: ResidentInput!) { registerResident(input: $input) { idNumber } }`,
        { input: { idNumber, name: '预算' } },
        { as: 'STAFF', tenant: GZ },
      );
    const ids = [1, 2, 3].map((i) => makeResidentId(GZ, `1975-0${i}-01`, 600 + i));
    for (const id of ids) await register(id);
    await server.gql(
      `mutation($input: AssistanceInput!) { grantAssistance(input: $input) { id } }`,
      { input: { idNumber: ids[0], category: 'DIBAO_RURAL_3', certifiedBy: '民政局', validFrom: '2020-01-01' } },
      { as: 'AGENCY', tenant: GZ },
    );
  }, 120_000);
  afterAll(async () => browser?.close());

  async function openPage(): Promise<{ page: Page; outside: string[]; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const outside: string[] = [];
    const problems: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin()) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      outside.push(url);
      return route.abort();
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' || /Content.Security.Policy/i.test(msg.text())) problems.push(`console: ${msg.text()}`);
    });
    await page.goto(`${origin()}/policy-years`);
    await page.waitForSelector('body[data-state="idle"]', { timeout: 20_000 });
    return { page, outside, problems };
  }

  /** Until the page has shown what it was asked for, or why it could not. */
  const settled = (page: Page) => page.waitForSelector('body[data-state="ready"], body[data-state="failed"], body[data-state="idle"]', { timeout: 60_000 });

  async function use(page: Page, token: string) {
    await page.fill('#token', token);
    await page.selectOption('#tenant', GZ);
    await page.fill('#year', '2024');
    await page.fill('#asOf', '2023-10-01');
    await page.click('#connect');
    await page.waitForSelector('#who:not([hidden])');
  }

  it('drafts 甘州 2024, shows its errors, comparison, preview and budget, and publishes it by a second administrator', async () => {
    const { page, outside, problems } = await openPage();
    try {
      await use(page, server.token('ADMIN', [GZ], 'admin-zhang'));
      expect(await page.locator('#who').innerText()).toBe('甘州区（620702） · 医保局管理员 · admin-zhang');

      // Next year from this one: every year-dependent value blanked.
      await page.click('#startNext');
      await settled(page);
      expect(await page.inputValue('#source')).toContain('待填写 # 上一年度：2022-12-31');
      expect(Number(await page.locator('#errorCount').innerText())).toBeGreaterThan(30);
      expect(await page.locator('#errors li').first().innerText()).toContain('待填写');

      // The officer's half-updated copy: each stale value named at its line.
      const half = halfUpdated2024();
      await page.fill('#source', half);
      await page.click('#check');
      await page.waitForFunction(() => (globalThis as any).document.getElementById('status').textContent.startsWith('已检查'));
      const errors = await page.locator('#errors li').allInnerTexts();
      const joined = errors.join('\n');
      expect(joined).toContain('文号 区医保发〔2022〕69号 已是 2023 年度通知的文号');
      expect(joined).toContain('collectionWindow.end.date：collectionWindow.end.date 仍是 2022-12-31');
      expect(joined).toContain('refunds.deadline.date');
      expect(joined).toContain('milestones[3].date');
      expect(await page.locator('#summary').innerText()).toMatch(/有 \d+ 个错误，改正并重新检查之前不能发布。/);
      expect(await page.isDisabled('#publish')).toBe(true);
      // A click on an error's line selects that line of the document.
      const deadline = page.locator('#errors li', { hasText: 'refunds.deadline.date' }).first();
      await deadline.locator('button.line').click();
      const selected = await page.evaluate(
        "(() => { const area = document.getElementById('source'); return area.value.slice(area.selectionStart, area.selectionEnd); })()",
      );
      expect(selected).toContain('deadline: { date: 2022-12-30');

      // The fixed year, uploaded as a file.
      const file = join(mkdtempSync(join(tmpdir(), 'policy-page-')), '2024.yaml');
      writeFileSync(file, fixed2024());
      await page.setInputFiles('#upload', file);
      await page.waitForFunction(() => (globalThis as any).document.getElementById('source').value.includes('区医保发〔2023〕70号'));
      await page.click('#check');
      await page.waitForFunction(() => (globalThis as any).document.getElementById('status').textContent.startsWith('已检查'));
      expect(await page.locator('#errorCount').innerText()).toBe('0');
      expect(await page.locator('#summary').innerText()).toContain('没有错误，可以交另一名管理员审核发布。');
      const draftId = await page.inputValue('#draftId');
      expect(draftId).toMatch(/^[0-9a-f-]{36}$/);

      // Compared with 2023, value by value.
      expect(await page.locator('#comparisonTitle').innerText()).toBe('与 2023 年度（第 1 版）比较');
      const standard = await page.locator('#changes tbody tr', { hasText: '个人缴费标准' }).locator('td').allInnerTexts();
      expect(standard.slice(1, 4)).toEqual(['350.00', '380.00', '修改']);

      // The standard cases beside 2023.
      const opens = await page.locator('#preview tbody tr[data-key="WINDOW_OPENS"] td').allInnerTexts();
      expect(opens[0]).toBe('普通居民，缴费期第一天缴费');
      expect(opens[1]).toContain('2023-01-01 缴费：应缴 380.00 元');
      expect(opens[2]).toContain('2022-01-01 缴费：应缴 350.00 元');
      expect(opens[3]).toBe('不同');
      expect((await page.locator('#preview tbody tr[data-key="LATE"] td').allInnerTexts())[1]).toContain('不能参保缴费（ENROLLMENT_CLOSED）');

      // The budget on 甘州's roll: three people, one of them 农村三类低保 (190 yuan).
      expect(await page.locator('#budgetSummary').innerText()).toBe('在册 3 人。按本草稿，筹资合计 3,060.00 元；按 2023 年度，2,880.00 元。');
      const dibao = await page.locator('#budgetCategories tbody tr', { hasText: '农村三类低保' }).locator('td').allInnerTexts();
      expect(dibao).toEqual(['农村三类低保', '1', '190.00', '190.00']);
      const fiscal = await page.locator('#budgetPayers tbody tr[data-source="FISCAL"] td').allInnerTexts();
      expect(fiscal).toEqual(['各级财政（通知未分级）', '1,920.00', '1,830.00', '90.00']);

      // The author may not publish.
      await page.check('#reviewed');
      await page.click('#publish');
      await page.waitForSelector('#message:not([hidden])');
      expect(await page.locator('#message').innerText()).toContain('草稿须由起草人以外的另一名管理员审核发布');
      await page.screenshot({ path: join(process.env.DATA_DIR ?? tmpdir(), 'policy-years-author-refused.png'), fullPage: true });

      // A second administrator opens the draft by its number and publishes it.
      await use(page, server.token('ADMIN', [GZ], 'admin-li'));
      await page.fill('#draftId', draftId);
      await page.click('#open');
      await page.waitForFunction(() => (globalThis as any).document.getElementById('status').textContent.startsWith('已打开草稿'));
      expect(await page.locator('#summary').innerText()).toContain('起草人 admin-zhang');
      await page.check('#reviewed');
      await page.click('#publish');
      await page.waitForFunction(() => (globalThis as any).document.getElementById('publishResult').textContent.startsWith('已发布'));
      expect(await page.locator('#publishResult').innerText()).toBe('已发布：2024 年度第 1 版，个人缴费 380.00 元，即时在所有服务器生效。');
      expect(await page.locator('#summary').innerText()).toContain('已由 admin-li 发布为第 1 版。');
      const versions = await page.locator('#versions tbody tr').first().locator('td').allInnerTexts();
      expect([versions[0], versions[1], versions[2], versions[3], versions[4], versions[5], versions[7]]).toEqual([
        '2024',
        '第 1 版',
        '本页发布',
        '区医保发〔2023〕70号',
        'admin-zhang',
        'admin-li',
        '现行',
      ]);

      // In force at once: the API quotes 2024.
      const quote = await server.gql(`{ quote(input: { tenant: "${GZ}", coverageYear: 2024, paymentDate: "2023-10-15" }) { amountDue } }`);
      expect(quote.data?.quote).toEqual({ amountDue: '380.00' });

      await page.screenshot({ path: process.env.POLICY_PAGE_SCREENSHOT ?? join(process.env.DATA_DIR ?? tmpdir(), 'policy-years.png'), fullPage: true });
      expect(outside).toEqual([]);
      expect(problems).toEqual([]);
      expect(await page.evaluate("[sessionStorage.getItem('policy-years.token') !== null, localStorage.length, document.cookie]")).toEqual([true, 0, '']);
    } finally {
      await page.close();
    }
  }, 180_000);
});
