/**
 * Shared SQL for tenant-owned tables, so every migration isolates a new table the same way.
 *
 * The policy compares the row's tenant code with `app.tenant`, a setting each request transaction sets
 * with set_config(..., true). Unset, current_setting(..., true) is NULL and the comparison is never
 * true: no tenant, no rows (fail closed). FORCE makes the table owner obey it too.
 */
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
