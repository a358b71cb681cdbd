/**
 * Shared SQL for tenant-owned tables, so every migration isolates a new table the same way.
 *
 * The policy compares the row's tenant code with `app.tenant`, a setting each request transaction sets
 * with set_config(..., true). Unset, current_setting(..., true) is NULL and the comparison is never
 * true: no tenant, no rows (fail closed). FORCE makes the table owner obey it too.
 */
import type { QueryRunner } from 'typeorm';

export const APP_ROLE = 'insurance_app';

export function isolateTenantTable(table: string, privileges = 'SELECT, INSERT, UPDATE, DELETE'): string[] {
  return [
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY tenant_isolation ON ${table}
       USING (tenant_code = current_setting('app.tenant', true))
       WITH CHECK (tenant_code = current_setting('app.tenant', true))`,
    `GRANT ${privileges} ON ${table} TO ${APP_ROLE}`,
  ];
}

/**
 * Runs `work`, statements over every tenant, with the owner stepping out of these tables' forced
 * row-level security (which it obeys otherwise); FORCE is back before the migration's transaction ends.
 */
export async function overEveryTenant<T>(q: QueryRunner, tables: readonly string[], work: () => Promise<T>): Promise<T> {
  for (const table of tables) await q.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
  const result = await work();
  for (const table of tables) await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
  return result;
}
