/**
 * Where each table lives on a Citus cluster, and the helpers that put it there. On plain PostgreSQL
 * nothing here changes anything: every helper first asks whether the `citus` extension is installed.
 *
 * - `tenant` is a reference table (a copy on every node): every tenant table's key to it stays a key.
 * - Every table with a `tenant_code` column is distributed by it, all colocated with `region`: one
 *   county's rows of every table sit in one shard group, so a request (one tenant) is routed whole to
 *   one node, joins and keys included.
 * - The national indexes (one basic scheme per person and year, transfers out) are distributed by
 *   `id_number`: a person's entries from every county sit together, wherever the counties are.
 * - `schema_migrations` (TypeORM's own) stays a local table of the coordinator.
 *
 * A table that fits none of these must be named here before a migration creates it; the check of the
 * Citus rules (test/integration/citus-rules.test.ts) fails otherwise.
 */
import type { QueryRunner } from 'typeorm';

export const REFERENCE_TABLES = ['tenant'] as const;
/** The colocation group's first table: every tenant table is colocated with it. */
export const TENANT_COLOCATION = 'region';
/** National indexes, distributed by the person rather than the county, in their own colocation group. */
export const NATIONAL_TABLES: Readonly<Record<string, string>> = { scheme_membership: 'id_number', scheme_transfer: 'id_number' };
/** Tables that stay on the coordinator alone. */
export const COORDINATOR_TABLES = ['schema_migrations'] as const;

export async function citusInstalled(q: QueryRunner): Promise<boolean> {
  const rows = (await q.query("SELECT 1 FROM pg_extension WHERE extname = 'citus'")) as unknown[];
  return rows.length > 0;
}

/**
 * Makes a table created by a later migration a Citus table of its kind (a no-op on plain PostgreSQL).
 * Call it right after CREATE TABLE, before any foreign key that names it (add those afterwards, one
 * constraint per ALTER TABLE: Citus refuses ADD CONSTRAINT beside other subcommands).
 */
export async function distributeNewTable(q: QueryRunner, table: string): Promise<void> {
  if (!(await citusInstalled(q))) return;
  await q.query("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'");
  await q.query(distributionCall(table, await hasTenantCode(q, table)));
}

async function hasTenantCode(q: QueryRunner, table: string): Promise<boolean> {
  const rows = (await q.query("SELECT 1 FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'tenant_code' AND NOT attisdropped", [
    table,
  ])) as unknown[];
  return rows.length > 0;
}

/** The Citus call that puts `table` where it belongs. */
export function distributionCall(table: string, withTenantCode: boolean): string {
  if ((REFERENCE_TABLES as readonly string[]).includes(table)) return `SELECT create_reference_table('${table}')`;
  const nationalKey = NATIONAL_TABLES[table];
  if (nationalKey) {
    const first = Object.keys(NATIONAL_TABLES)[0];
    return `SELECT create_distributed_table('${table}', '${nationalKey}', colocate_with => '${table === first ? 'none' : first}')`;
  }
  if (!withTenantCode) {
    throw new Error(`table ${table} has no tenant_code and is not a reference, national or coordinator table: say where it lives in migrations/citus.ts`);
  }
  return `SELECT create_distributed_table('${table}', 'tenant_code', colocate_with => '${table === TENANT_COLOCATION ? 'none' : TENANT_COLOCATION}')`;
}
