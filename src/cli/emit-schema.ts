/**
 * `npm run schema:emit`: writes schema/schema.graphql from the type-graphql build and
 * docs/tenant-policy.schema.json from the tenant file format. Tests fail when either is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../config/config';
import { printAppSchema } from '../graphql/schema';
import { printTenantJsonSchema } from '../tenants/json-schema';

writeFileSync(join(PROJECT_ROOT, 'schema', 'schema.graphql'), printAppSchema());
writeFileSync(join(PROJECT_ROOT, 'docs', 'tenant-policy.schema.json'), printTenantJsonSchema());
console.log('wrote schema/schema.graphql and docs/tenant-policy.schema.json');
