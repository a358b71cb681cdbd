/** `npm run tenants:check`: loads and cross-checks tenants/, prints each tenant-year and every warning. */
import { loadConfig } from '../common/config';
import { loadTenants } from '../policy-data/loader';
import { command, run } from './command';

const cmd = command(
  'tenants:check',
  'Loads and cross-checks the policy files of tenants/ (TENANTS_DIR), prints each tenant-year with its notice and every warning; exits 1 on an error.',
  ['npm run tenants:check', 'TENANTS_DIR=/srv/insurance/tenants npm run tenants:check'],
);

run(cmd, () => {
  const { catalog, warnings } = loadTenants(loadConfig().tenantsDir);
  for (const tenant of catalog.tenants) {
    for (const policy of tenant.policies.values()) {
      console.log(`ok      ${policy.file}  ${tenant.name} ${policy.coverageYear}  ${policy.data.notice.number ?? policy.data.notice.title}`);
    }
  }
  for (const warning of warnings) console.log(`warning ${warning}`);
  console.log(`${catalog.tenants.length} tenants, ${catalog.tenants.reduce((n, t) => n + t.policies.size, 0)} tenant-years, ${warnings.length} warnings`);
});
