/**
 * The bureau dashboard (GET /dashboard) in a real browser: headless Chromium (Debian's package) driven
 * by playwright-core loads it from a test server holding a county's campaign at its real scale (平利县,
 * year of cover 2022, whose notice sets a target for each of its 11 towns and the milestones 80% by
 * 11-30 and 100% by 12-25), written beneath the API in a few set-based statements. A STAFF token is
 * entered in the page's form; the charts must show the numbers the API answers, no request may leave
 * for another origin, and the strict Content-Security-Policy must hold (no violation). A BANK token
 * gets the API's refusal in Chinese. The screenshot goes into the run's own folder; set
 * DASHBOARD_SCREENSHOT=docs/dashboard.png to refresh the one in docs/. Without Chromium the browser
 * cases say so and are skipped; the HTTP cases run everywhere.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kind, parse, print } from 'graphql';
import type { Browser, Page } from 'playwright-core';
import { DASHBOARD_CSP } from '../../src/server/dashboard';
import { chromiumAvailable, launchChromium } from '../helpers/browser';
import { residentIds, seedResidents } from '../helpers/seed';
import { startTestServer, type TestServer } from '../helpers/server';
import { tenantCatalog } from '../helpers/tenants';

const available = chromiumAvailable('Dashboard browser test');

const TENANT = '610926';
const YEAR = 2022;
const AS_OF = '2021-12-01';
const CAMPAIGN_START = '2021-10-15'; // 四: 集中缴费期 10 月 15 日至 12 月 25 日
const CONTRIBUTION_FEN = 32000; // 320 元 for 2022
const CHANNELS = ['税务代征', '农商银行', '微信缴费', '邮储银行'];
/** Share of each town's target paid by AS_OF, and share still to chase (paid for 2021, not yet for 2022). */
const PAID_SHARE = [0.86, 0.78, 0.91, 0.69, 0.83, 0.74, 0.88, 0.66, 0.81, 0.72, 0.95];
const FOLLOW_UP_SHARE = [0.11, 0.09, 0.04, 0.12, 0.06, 0.1, 0.05, 0.13, 0.07, 0.1, 0.02];

const count = new Intl.NumberFormat('zh-CN');
const DAY_MS = 86_400_000;
const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

interface Town {
  code: string;
  name: string;
  target: number;
  paid: number;
  followUps: number;
}

/** The towns as the notice's data gives them, with what this test writes for each. */
function towns(): Town[] {
  const tenant = tenantCatalog().get(TENANT)!;
  const targets = tenant.policies.get(YEAR)!.data.targets!.regions;
  return tenant.regions.map((region, i) => {
    const target = targets.find((t) => t.region === region.code)!.target;
    return { code: region.code, name: region.name, target, paid: Math.round(target * PAID_SHARE[i]), followUps: Math.round(target * FOLLOW_UP_SHARE[i]) };
  });
}

/**
 * A county's campaign as it stands on AS_OF, in set-based statements beneath the API: each town's
 * payers paid between the campaign's start and AS_OF, more of them each day (the k-th of n on day
 * ⌊47·√(k/n)⌋), through four channels; the follow-up people each have a household in their town.
 */
async function seedCampaign(server: TestServer, plan: Town[]): Promise<{ onAsOf: number }> {
  const days = (Date.parse(`${AS_OF}T00:00:00Z`) - Date.parse(`${CAMPAIGN_START}T00:00:00Z`)) / DAY_MS + 1;
  const payers = { ids: [] as string[], regions: [] as string[], paidOn: [] as string[], channels: [] as string[] };
  const chase = { ids: [] as string[], regions: [] as string[] };
  let offset = 0;
  for (const town of plan) {
    const ids = residentIds(TENANT, town.paid + town.followUps, offset);
    offset += ids.length;
    ids.slice(0, town.paid).forEach((id, k) => {
      payers.ids.push(id);
      payers.regions.push(town.code);
      payers.paidOn.push(addDays(CAMPAIGN_START, Math.min(days - 1, Math.floor(days * Math.sqrt((k + 0.5) / town.paid)))));
      payers.channels.push(CHANNELS[[0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3][k % 20]]);
    });
    for (const id of ids.slice(town.paid)) {
      chase.ids.push(id);
      chase.regions.push(town.code);
    }
  }
  await seedResidents(server, TENANT, [...payers.ids, ...chase.ids]);
  await server.ownerQuery(
    `INSERT INTO enrollment (tenant_code, id_number, coverage_year, status, enrolled_on, region_code, standard_contribution, amount_due, paid_on, amount_paid, cover_start, cover_end)
     SELECT $1, id, $2, 'PAID', paid_on, region, $3, $3, paid_on, $3, '2022-01-01', '2022-12-31'
       FROM UNNEST($4::text[], $5::text[], $6::date[]) AS t(id, region, paid_on)`,
    [TENANT, YEAR, CONTRIBUTION_FEN, payers.ids, payers.regions, payers.paidOn],
  );
  await server.ownerQuery(
    `INSERT INTO payment (tenant_code, receipt_no, id_number, coverage_year, amount, paid_on, channel, recorded_by)
     SELECT $1, 'DASH-' || n, id, $2, $3, paid_on, channel, 'dashboard-test'
       FROM UNNEST($4::text[], $5::date[], $6::text[]) WITH ORDINALITY AS t(id, paid_on, channel, n)`,
    [TENANT, YEAR, CONTRIBUTION_FEN, payers.ids, payers.paidOn, payers.channels],
  );
  await server.ownerQuery(
    `INSERT INTO household (tenant_code, booklet_no, region_code) SELECT $1, 'DASH-' || id, region FROM UNNEST($2::text[], $3::text[]) AS t(id, region)`,
    [TENANT, chase.ids, chase.regions],
  );
  await server.ownerQuery(
    `UPDATE resident r SET household_id = h.id, relationship = '户主' FROM household h
      WHERE r.tenant_code = $1 AND h.tenant_code = $1 AND h.booklet_no = 'DASH-' || r.id_number AND r.id_number = ANY ($2::text[])`,
    [TENANT, chase.ids],
  );
  // Their memberships, as registration writes them: a follow-up list as of a day places people by them.
  await server.ownerQuery(
    `INSERT INTO household_membership (tenant_code, household_id, id_number, relationship, joined_on)
     SELECT $1, r.household_id, r.id_number, '户主', '2020-01-01' FROM resident r WHERE r.tenant_code = $1 AND r.id_number = ANY ($2::text[])`,
    [TENANT, chase.ids],
  );
  await server.ownerQuery(
    `INSERT INTO enrollment (tenant_code, id_number, coverage_year, status, enrolled_on, region_code, standard_contribution, amount_due, paid_on, amount_paid)
     SELECT $1, id, $2 - 1, 'PAID', '2020-11-01', region, 28000, 28000, '2020-11-01', 28000 FROM UNNEST($3::text[], $4::text[]) AS t(id, region)`,
    [TENANT, YEAR, chase.ids, chase.regions],
  );
  // The daily paid counts that the API's own writes of these enrolments would have kept.
  await server.ownerQuery(
    `INSERT INTO paid_daily (tenant_code, coverage_year, region_code, paid_on, paid)
     SELECT tenant_code, coverage_year, coalesce(region_code, ''), paid_on, count(*) FROM enrollment
      WHERE tenant_code = $1 AND status = 'PAID' GROUP BY 1, 2, 3, 4`,
    [TENANT],
  );
  // What autovacuum does after a load like this one; without statistics the planner takes these tables for empty.
  await server.ownerQuery('ANALYZE resident, household, enrollment, payment, paid_daily');
  return { onAsOf: payers.paidOn.filter((d) => d === AS_OF).length };
}

describe('the dashboard over HTTP', () => {
  let server: TestServer;
  let production: TestServer;
  beforeAll(async () => {
    [server, production] = await Promise.all([
      startTestServer(),
      startTestServer({ NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-for-tests-only' }),
    ]);
  });
  afterAll(async () => Promise.all([server?.close(), production?.close()]));

  const origin = (s: TestServer) => new URL(s.url).origin;

  it('serves the page with a strict Content-Security-Policy, in production too', async () => {
    for (const s of [server, production]) {
      const res = await fetch(`${origin(s)}/dashboard`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const html = await res.text();
      expect(html).toContain('征缴进度看板');
      // Every script and stylesheet is a file of this server; none is inline.
      expect(html).not.toMatch(/<script(?![^>]*\bsrc="\/dashboard\/)[^>]*>/);
      expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
      expect([...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).every((url) => url.startsWith('/dashboard/'))).toBe(true);
    }
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).not.toContain('unsafe');
  });

  it('serves ECharts from the installed package, revalidated by ETag', async () => {
    const res = await fetch(`${origin(production)}/dashboard/echarts.min.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.equals(readFileSync(require.resolve('echarts/dist/echarts.common.min.js')))).toBe(true);
    const again = await fetch(`${origin(production)}/dashboard/echarts.min.js`, { headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('hands the page exactly the operations of schema/operations/dashboard.graphql', async () => {
    const served = (await (await fetch(`${origin(server)}/dashboard/operations.json`)).json()) as Record<string, string>;
    const document = parse(readFileSync(resolve(__dirname, '..', '..', 'schema', 'operations', 'dashboard.graphql'), 'utf8'));
    const written = Object.fromEntries(document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? [[d.name!.value, print(d)]] : [])));
    expect(served).toEqual(written);
    expect(Object.keys(served).sort()).toEqual([
      'DashboardDailyCollection',
      'DashboardFollowUpCount',
      'DashboardPolicy',
      'DashboardProgress',
      'DashboardTenants',
      'DashboardViewer',
    ]);
  });

  it('answers 404 for other paths under /dashboard and 405 for other methods', async () => {
    expect((await fetch(`${origin(server)}/dashboard/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${origin(server)}/dashboard/index.html`)).status).toBe(404);
    expect((await fetch(`${origin(server)}/dashboard`, { method: 'POST' })).status).toBe(405);
  });
});

(available ? describe : describe.skip)('the dashboard in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const plan = towns();
  let onAsOf = 0;

  beforeAll(async () => {
    server = await startTestServer();
    ({ onAsOf } = await seedCampaign(server, plan));
    browser = await launchChromium('zh-CN');
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A fresh page that refuses (and records) every request outside the server, and records CSP violations and script errors. */
  async function openDashboard(): Promise<{ page: Page; outside: string[]; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const origin = new URL(server.url).origin;
    const outside: string[] = [];
    const problems: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      outside.push(url);
      return route.abort();
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' || /Content.Security.Policy/i.test(msg.text())) problems.push(`console: ${msg.text()}`);
    });
    await page.goto(`${origin}/dashboard`);
    await page.waitForSelector('body[data-state="idle"]', { timeout: 20_000 });
    return { page, outside, problems };
  }

  /** Until the page has shown what it loaded, or why it could not. */
  async function settled(page: Page) {
    await page.waitForSelector('body[data-state="ready"], body[data-state="failed"], body[data-state="forbidden"]', { timeout: 120_000 });
  }

  async function enter(page: Page, token: string) {
    await page.fill('#token', token);
    await page.selectOption('#tenant', TENANT);
    await page.selectOption('#year', String(YEAR));
    await page.fill('#asOf', AS_OF);
    await page.click('#show');
  }

  it("shows a STAFF token the towns' progress, the milestones, the daily collection and the follow-ups", async () => {
    // What the API itself answers, to compare the page with.
    const api = await server.gql(
      'query($y: Int!, $d: Date!) { enrollmentProgress(coverageYear: $y, asOf: $d) { region { code } paid required } }',
      { y: YEAR, d: AS_OF },
      { as: 'STAFF', tenant: TENANT },
    );
    const answered = Object.fromEntries(
      (api.data!.enrollmentProgress as Array<{ region: { code: string }; paid: number }>).map((r) => [r.region.code, r.paid]),
    );
    for (const town of plan) expect(answered[town.code]).toBe(town.paid);

    const { page, outside, problems } = await openDashboard();
    try {
      await enter(page, server.token('STAFF', [TENANT], 'clerk-pingli'));
      await settled(page);
      expect([await page.getAttribute('body', 'data-state'), await page.locator('#message').innerText()]).toEqual(['ready', '']);

      expect(await page.locator('#who').innerText()).toBe('平利县（610926） · 经办人员 · clerk-pingli');
      const total = plan.reduce((s, t) => s + t.paid, 0);
      expect(await page.locator('#cardPaid').innerText()).toBe(`${count.format(total)} 人`);
      expect(await page.locator('#cardTarget').innerText()).toBe('210,000 人');
      expect(await page.locator('#cardMilestone').innerText()).toBe('11月30日 · 80%');
      expect(await page.locator('#cardNext').innerText()).toBe('12月25日 · 100%');
      expect(await page.locator('#cardToday').innerText()).toBe(`${count.format(onAsOf)} 笔`);

      // The towns' chart (SVG): each town's name and its paid count as drawn, and the milestone's legend.
      const regionText = (await page.locator('#chartRegions svg text').allTextContents()).join('|');
      for (const town of plan) {
        expect(regionText).toContain(town.name);
        expect(regionText).toContain(count.format(town.paid));
      }
      expect(regionText).toContain('11月30日节点应完成（80%）');
      expect(await page.locator('#regionsTitle').innerText()).toBe(`各乡镇参保缴费进度（截至 ${AS_OF}）`);

      // The line over time: the two milestones drawn with their shares.
      const timeline = (await page.locator('#chartTimeline svg text').allTextContents()).join('|');
      expect(timeline).toContain('11月30日 80%');
      expect(timeline).toContain('12月25日 100%');
      expect(timeline).toContain('任务数 210,000');

      // Daily collection: the channels of the last 14 days.
      const daily = (await page.locator('#chartDaily svg text').allTextContents()).join('|');
      for (const channel of CHANNELS) expect(daily).toContain(channel);
      expect(daily).toContain(AS_OF.slice(5));

      // Follow-ups: each town's count, as of the day chosen (城关镇's is over 5,000).
      const followUps = (await page.locator('#chartFollowUps svg text').allTextContents()).join('|');
      for (const town of plan) expect(followUps).toContain(count.format(town.followUps));
      expect(plan[0].followUps).toBeGreaterThan(5000);

      // The table agrees, row by row.
      const rows = await page.locator('#detail tbody tr').evaluateAll((trs) => trs.map((tr) => [...(tr as any).children].map((td) => (td as any).innerText)));
      expect(rows[0]).toEqual([
        '平利县',
        '210,000',
        count.format(total),
        expect.any(String),
        '168,000',
        count.format(Math.max(168000 - total, 0)),
        '是',
        count.format(plan.reduce((s, t) => s + t.followUps, 0)),
      ]);
      const chengguan = rows.find((r) => r[0] === '城关镇')!;
      expect(chengguan).toEqual([
        '城关镇',
        '48,000',
        count.format(plan[0].paid),
        expect.any(String),
        '38,400',
        count.format(Math.max(38400 - plan[0].paid, 0)),
        '是',
        count.format(plan[0].followUps),
      ]);
      const laoxian = rows.find((r) => r[0] === '老县镇')!;
      expect(laoxian[6]).toBe('否'); // 78% of 18,800 by 11-30 is short of 15,040

      await page.screenshot({ path: process.env.DASHBOARD_SCREENSHOT ?? join(process.env.DATA_DIR ?? tmpdir(), 'dashboard.png'), fullPage: true });
      expect(outside).toEqual([]);
      expect(problems).toEqual([]);
      // The token stays in this tab's sessionStorage only.
      expect(await page.evaluate("[sessionStorage.getItem('dashboard.token') !== null, localStorage.length, document.cookie]")).toEqual([true, 0, '']);
    } finally {
      await page.close();
    }
  }, 180_000);

  it('tells a BANK token in Chinese that the server refused it', async () => {
    const { page, outside, problems } = await openDashboard();
    try {
      await enter(page, server.token('BANK', [TENANT], 'bank-counter'));
      await settled(page);
      expect(await page.getAttribute('body', 'data-state')).toBe('forbidden');
      const message = await page.locator('#message').innerText();
      expect(message).toContain('此令牌无权查看征缴进度');
      expect(message).toContain('合作银行');
      expect(message).toContain('FORBIDDEN');
      expect(await page.locator('#board').isHidden()).toBe(true);
      await page.screenshot({ path: join(process.env.DATA_DIR ?? tmpdir(), 'dashboard-forbidden.png') });
      expect(outside).toEqual([]);
      // The browser logs the refused request's status on the console only when the API answers non-200; it answers 200.
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
