/**
 * The bureau dashboard (征缴进度看板) at GET /dashboard: a static page, its script and stylesheet from
 * public/dashboard/, ECharts from the installed package, and the page's GraphQL operations from
 * schema/operations/dashboard.graphql. Every file comes from this server, so the page works on a
 * county's closed network. It holds no data: the browser calls /graphql with the user's own token, and
 * the API decides what that token may see. A product page for bureau staff, so it is served in
 * production too (GraphiQL is not).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, print } from 'graphql';
import { PROJECT_ROOT } from '../common/config';
import { loadOperations } from '../graphql/operations';

export interface StaticAsset {
  type: string;
  body: Buffer;
  etag: string;
}

/**
 * No inline script or style, nothing from another origin; the page may only call this server. The form
 * is submitted by the script: with form-action 'none' a page whose script failed cannot put the token
 * into a URL.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const DASHBOARD_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Revalidated on every load (answered 304 while unchanged): a new release's script is never mixed with an old page.
  'cache-control': 'no-cache',
};

function asset(type: string, body: Buffer | string): StaticAsset {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return { type: `${type}; charset=utf-8`, body: bytes, etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"` };
}

/** Each operation of dashboard.graphql by name, printed alone: the page sends exactly these. */
function dashboardOperations(): Record<string, string> {
  const file = loadOperations().find((o) => o.location === 'schema/operations/dashboard.graphql');
  if (!file) throw new Error('schema/operations/dashboard.graphql is missing: the dashboard cannot run without its operations');
  return Object.fromEntries(file.document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [[d.name.value, print(d)]] : [])));
}

/** URL path → file, read once at start (a missing file stops the start, not a user's first visit). */
export function loadDashboardAssets(): DashboardAssets {
  const dir = join(PROJECT_ROOT, 'public', 'dashboard');
  const page = asset('text/html', readFileSync(join(dir, 'index.html')));
  return {
    '/dashboard': page,
    '/dashboard/': page,
    '/dashboard/dashboard.js': asset('text/javascript', readFileSync(join(dir, 'dashboard.js'))),
    '/dashboard/dashboard.css': asset('text/css', readFileSync(join(dir, 'dashboard.css'))),
    // The common build: bar, line, pie and scatter charts, markers, legends, tooltips, the SVG renderer.
    '/dashboard/echarts.min.js': asset('text/javascript', readFileSync(require.resolve('echarts/dist/echarts.common.min.js'))),
    '/dashboard/operations.json': asset('application/json', JSON.stringify(dashboardOperations())),
  };
}

export type DashboardAssets = Record<string, StaticAsset>;

/** The answer to a GET or HEAD of one of the dashboard's paths, or null when the path is not the dashboard's. */
export function dashboardResponse(
  assets: DashboardAssets,
  pathname: string,
  ifNoneMatch: string | undefined,
): { status: number; headers: Record<string, string>; body: Buffer } | null {
  const found = assets[pathname];
  if (!found) return null;
  const headers = { ...DASHBOARD_HEADERS, 'content-type': found.type, etag: found.etag };
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === found.etag)) return { status: 304, headers, body: Buffer.alloc(0) };
  return { status: 200, headers, body: found.body };
}
