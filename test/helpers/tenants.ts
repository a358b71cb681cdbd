import { join } from 'node:path';
import { loadTenants } from '../../src/tenants/loader';
import type { TenantRegistry } from '../../src/tenants/model';

let cached: TenantRegistry | undefined;

/** The real tenants/ folder, loaded once per test file. */
export function tenantRegistry(): TenantRegistry {
  cached ??= loadTenants(join(__dirname, '..', '..', 'tenants')).registry;
  return cached;
}
