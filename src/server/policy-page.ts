/**
 * The officer's page for policy years (年度参保政策) at GET /policy-years: paste or upload a year document,
 * or start next year from this one, and see every error with its line, the changes against the year
 * before, the standard cases and the budget on the county's roll; a second administrator publishes it.
 * A static page, its script and stylesheet from public/policy-years/, its GraphQL operations from
 * schema/operations/policy-years.graphql; it holds no data (the browser calls /graphql with the user's
 * own token). A product page for the bureau, so it is served in production too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../common/config';
import { asset, operationsOf, pageApiScript, type PageAssets } from './static-pages';

/** URL path → file, read once at start (a missing file stops the start, not an officer's first visit). */
export function loadPolicyPageAssets(): PageAssets {
  const dir = join(PROJECT_ROOT, 'public', 'policy-years');
  const page = asset('text/html', readFileSync(join(dir, 'index.html')));
  return {
    '/policy-years': page,
    '/policy-years/': page,
    '/policy-years/api.js': pageApiScript(),
    '/policy-years/policy-years.js': asset('text/javascript', readFileSync(join(dir, 'policy-years.js'))),
    '/policy-years/policy-years.css': asset('text/css', readFileSync(join(dir, 'policy-years.css'))),
    '/policy-years/operations.json': asset('application/json', JSON.stringify(operationsOf('schema/operations/policy-years.graphql', 'the policy years page'))),
  };
}
