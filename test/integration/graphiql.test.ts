/**
 * GraphiQL in a real browser: headless Chromium (Debian's package) driven by playwright-core opens
 * /graphql, runs { tenants { code } } and shows the result, with every request outside the server
 * refused, so the page is proven to need no internet. .ci/run installs Chromium; without it (a bare
 * developer machine) this test says so and is skipped.
 */
import { tmpdir } from 'node:os';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumAvailable, launchChromium } from '../helpers/browser';
import { startTestServer, type TestServer } from '../helpers/server';

const available = chromiumAvailable('GraphiQL browser test');

(available ? describe : describe.skip)('GraphiQL in headless Chromium', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it('loads offline, runs { tenants { code } } and shows the result', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      const origin = new URL(server.url).origin;
      const outside: string[] = [];
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
        outside.push(url);
        return route.abort();
      });
      await page.goto(server.url);
      await page.waitForSelector('.graphiql-container', { timeout: 20_000 });
      await page.click('.graphiql-execute-button');
      const result = page.locator('.result-window');
      await result.getByText('620702').first().waitFor({ timeout: 20_000 });
      const text = await result.innerText();
      for (const code of ['520100', '610926', '620702', '620721', '620725']) expect(text).toContain(code);
      const shots = join(__dirname, '..', '..', 'docs');
      mkdirSync(shots, { recursive: true });
      // Into this run's own folder: a fixed name in the shared temp folder may belong to another user.
      await page.screenshot({ path: process.env.GRAPHIQL_SCREENSHOT ?? join(process.env.DATA_DIR ?? tmpdir(), 'graphiql.png') });
      expect(outside).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('answers clients that ask for JSON with GraphQL, not the page', async () => {
    const res = await fetch(`${server.url}?query=${encodeURIComponent('{ tenants { code } }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': '1' },
    });
    expect(res.headers.get('content-type')).toContain('application/json');
  });
});
