/**
 * `npm run schema:emit`: writes schema/schema.graphql from the type-graphql build,
 * docs/tenant-policy.schema.json from the tenant file format, and the permission matrix of
 * docs/security.md from the schema's role marks. Tests fail when any of them is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../common/config';
import { withPermissionMatrix } from '../graphql/permissions';
import { appSchema, printAppSchema } from '../server/schema';
import { printTenantJsonSchema } from '../policy-data/json-schema';
import { command, run } from './command';

const cmd = command(
  'schema:emit',
  'Rewrites schema/schema.graphql from the code, docs/tenant-policy.schema.json from the tenant file format and the permission matrix in docs/security.md (the tests fail while any is stale); then run npm run codegen.',
  ['npm run schema:emit && npm run codegen'],
);

run(cmd, () => {
  writeFileSync(join(PROJECT_ROOT, 'schema', 'schema.graphql'), printAppSchema());
  writeFileSync(join(PROJECT_ROOT, 'docs', 'tenant-policy.schema.json'), printTenantJsonSchema());
  const security = join(PROJECT_ROOT, 'docs', 'security.md');
  writeFileSync(security, withPermissionMatrix(readFileSync(security, 'utf8'), appSchema()));
  console.log('wrote schema/schema.graphql, docs/tenant-policy.schema.json and the matrix in docs/security.md');
});
