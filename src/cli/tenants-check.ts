/** `npm run tenants:check`: loads and cross-checks tenants/, prints each tenant-year, every problem and every warning. */
import { loadConfig } from '../common/config';
import { loadTenants } from '../policy-data/loader';
import { command, EXIT_FAILED, run } from './command';

const cmd = command(
  'tenants:check',
  'Loads and cross-checks the policy files of tenants/ (TENANTS_DIR), prints each tenant-year with its notice and every warning; exits 1 on an error.',
  ['npm run tenants:check', 'TENANTS_DIR=/srv/insurance/tenants npm run tenants:check'],
);

run(cmd, () => {
  const { catalog, warnings, problems } = loadTenants(loadConfig().tenantsDir);
  for (const tenant of catalog.tenants) {
    for (const policy of tenant.policies.values()) {
      console.log(`ok      ${policy.file}  ${tenant.name} ${policy.coverageYear}  ${policy.data.notice.number ?? policy.data.notice.title}`);
    }
  }
  // Every problem of a refused file, each on its line: a server would start without that year (or tenant).
  for (const problem of problems) {
    for (const issue of problem.issues) {
      console.log(
        `error   ${problem.file}${issue.line ? `:${issue.line}` : ''}  ${issue.path || '(file)'}: ${issue.message.en}${issue.clause ? ` [clause: ${issue.clause}]` : ''}`,
      );
    }
  }
  for (const warning of warnings) console.log(`warning ${warning}`);
  const errors = problems.reduce((n, p) => n + p.issues.length, 0);
  console.log(
    `${catalog.tenants.length} tenants, ${catalog.tenants.reduce((n, t) => n + t.policies.size, 0)} tenant-years, ${warnings.length} warnings${problems.length ? `, ${problems.length} files refused with ${errors} errors` : ''}`,
  );
  return problems.length > 0 ? EXIT_FAILED : 0;
});
