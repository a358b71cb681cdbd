/**
 * The bureau dashboard (征缴进度看板) at GET /dashboard: a static page, its script and stylesheet from
 * public/dashboard/, ECharts from the installed package, and the page's GraphQL operations from
 * schema/operations/dashboard.graphql. Every file comes from this server, so the page works on a
 * county's closed network. It holds no data: the browser calls /graphql with the user's own token, and
 * the API decides what that token may see. A product page for bureau staff, so it is served in
 * production too (GraphiQL is not).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../common/config';
import { asset, operationsOf, pageApiScript, PAGE_CSP, type PageAssets } from './static-pages';

/** The pages' policy (src/server/static-pages.ts): no inline script or style, nothing from another origin. */
export const DASHBOARD_CSP = PAGE_CSP;

/** URL path → file, read once at start (a missing file stops the start, not a user's first visit). */
export function loadDashboardAssets(): PageAssets {
  const dir = join(PROJECT_ROOT, 'public', 'dashboard');
  const page = asset('text/html', readFileSync(join(dir, 'index.html')));
  return {
    '/dashboard': page,
    '/dashboard/': page,
    '/dashboard/api.js': pageApiScript(),
    '/dashboard/dashboard.js': asset('text/javascript', readFileSync(join(dir, 'dashboard.js'))),
    '/dashboard/dashboard.css': asset('text/css', readFileSync(join(dir, 'dashboard.css'))),
    // The common build: bar, line, pie and scatter charts, markers, legends, tooltips, the SVG renderer.
    '/dashboard/echarts.min.js': asset('text/javascript', readFileSync(require.resolve('echarts/dist/echarts.common.min.js'))),
    '/dashboard/operations.json': asset('application/json', JSON.stringify(operationsOf('schema/operations/dashboard.graphql', 'the dashboard'))),
  };
}
