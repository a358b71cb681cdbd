import { join } from 'node:path';
import { loadTenants } from '../../src/policy-data/loader';
import type { TenantCatalog } from '../../src/policy-data/model';

let cached: TenantCatalog | undefined;

/** The real tenants/ folder, loaded once per test file. */
export function tenantCatalog(): TenantCatalog {
  cached ??= loadTenants(join(__dirname, '..', '..', 'tenants')).catalog;
  return cached;
}
