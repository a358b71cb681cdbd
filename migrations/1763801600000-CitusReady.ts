import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './tenant-isolation';
import { citusInstalled, COORDINATOR_TABLES, distributionCall, REFERENCE_TABLES, TENANT_COLOCATION } from './citus';

/**
 * The schema as Citus can hold it (issue 25), on plain PostgreSQL as well as on a Citus cluster:
 *
 * - No triggers on tenant tables. A Citus shard runs a trigger on its worker, where a transition table
 *   or a write to a table of another shard group cannot be reached, and a NOTIFY reaches no server.
 *   The daily paid counts (`paid_daily`), the national one-scheme index (`scheme_membership`), the
 *   transfers-out index (`scheme_transfer`) and the region and policy year change notices are written
 *   by the repositories in the request's own transaction instead, set-based, on both kinds of database.
 *   Published policy year versions are kept unchanged by rules instead of triggers.
 * - The national indexes are written and read through SECURITY DEFINER PL/pgSQL functions that the
 *   request role calls as statements of their own: Citus cannot plan a LANGUAGE sql function with
 *   parameters, nor run a query of another shard group from inside a statement pushed to a shard.
 *   `enrollment_status_lookup` (as migration StatusLookupAsksIndexOnDemand left it) reads the tenant
 *   only; `insured_elsewhere`, which the bank lookup calls beside it, becomes PL/pgSQL.
 * - On Citus only: `tenant` becomes a reference table, every tenant table is distributed by
 *   `tenant_code` and colocated with `region`, the national indexes by `id_number` (migrations/citus.ts).
 *   Citus cannot distribute a table that foreign keys tie to local tables, so every key is dropped
 *   first and added back afterwards, one per statement. The request role propagates its `SET LOCAL`
 *   (the tenant of row-level security) to the workers. Autovacuum analyzes the tables that bulk writes
 *   fill at a smaller share of change: on Citus the request-time statistics refresh cannot run.
 *
 * On plain PostgreSQL the effect of the earlier migrations is unchanged but for what moved out of the
 * triggers, and the data stays as it is.
 */
export class CitusReady1763801600000 implements MigrationInterface {
  name = 'CitusReady1763801600000';

  async up(q: QueryRunner): Promise<void> {
    const citus = await citusInstalled(q);
    // Before any work on distributed tables in this transaction: a key added after a parallel
    // operation on a distributed table in the same transaction is refused.
    if (citus) await q.query("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'");

    for (const [trigger, table] of TRIGGERS) await q.query(`DROP TRIGGER IF EXISTS ${trigger} ON ${table}`);
    for (const fn of TRIGGER_FUNCTIONS) await q.query(`DROP FUNCTION IF EXISTS ${fn}`);

    await defineIndexFunctions(q);
    await defineInsuredElsewhere(q);
    await keepVersionsUnchanged(q);
    // Citus runs some inserts by evaluating the row on the coordinator, identity values included: as
    // the request role, which then needs the sequences (PostgreSQL itself does not ask for it).
    await q.query(`DO $$
      DECLARE s record;
      BEGIN
        FOR s IN SELECT format('%I.%I', n.nspname, c.relname) AS seq FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  JOIN pg_depend d ON d.objid = c.oid AND d.deptype = 'i' JOIN pg_class t ON t.oid = d.refobjid
                 WHERE c.relkind = 'S' AND n.nspname = 'public' AND has_table_privilege('${APP_ROLE}', t.oid, 'INSERT') LOOP
          EXECUTE format('GRANT USAGE ON SEQUENCE %s TO ${APP_ROLE}', s.seq);
        END LOOP;
      END $$`);

    if (citus) await distribute(q);
  }

  async down(): Promise<void> {
    // The paid counts and the indexes are kept by the application from this migration on: a schema
    // with the triggers back under an application that writes them too would count twice.
    throw new Error('migration CitusReady is not reverted: restore the database from a backup taken before it, with the application of that time');
  }
}

/** The triggers that the repositories replace, with their tables. */
const TRIGGERS: ReadonlyArray<readonly [string, string]> = [
  ['enrollment_scheme_insert', 'enrollment'],
  ['enrollment_scheme_update', 'enrollment'],
  ['enrollment_scheme_delete', 'enrollment'],
  ['enrollment_paid_daily_insert', 'enrollment'],
  ['enrollment_paid_daily_update', 'enrollment'],
  ['enrollment_paid_daily_delete', 'enrollment'],
  ['resident_scheme_transfer', 'resident'],
  ['payment_reversal_ledger', 'payment_reversal'],
  ['region_changed', 'region'],
  ['region_name_changed', 'region_name'],
  ['policy_year_version_published', 'policy_year_version'],
  ['policy_year_version_immutable', 'policy_year_version'],
  ['policy_year_version_not_truncated', 'policy_year_version'],
];
const TRIGGER_FUNCTIONS = [
  'scheme_membership_sync()',
  'paid_daily_sync()',
  'paid_daily_sync_insert()',
  'paid_daily_sync_delete()',
  'scheme_transfer_sync()',
  'payment_reversal_ledger()',
  'region_changed_notify()',
  'policy_changed_notify()',
  'policy_year_version_immutable()',
];

/**
 * The national indexes' functions. The tenant is the caller's `app.tenant`: a county adds and removes
 * only its own entries, and reads only the others'.
 */
async function defineIndexFunctions(q: QueryRunner): Promise<void> {
  await q.query(`CREATE OR REPLACE FUNCTION scheme_elsewhere(p_id_numbers text[], p_year integer)
    RETURNS TABLE (id_number text, tenant_code text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    BEGIN
      RETURN QUERY SELECT m.id_number, m.tenant_code FROM scheme_membership m
       WHERE m.id_number = ANY (p_id_numbers) AND m.coverage_year = p_year
         AND m.tenant_code IS DISTINCT FROM current_setting('app.tenant', true);
    END $$`);
  await q.query(`CREATE OR REPLACE FUNCTION scheme_transfers_out(p_id_numbers text[])
    RETURNS TABLE (id_number text, tenant_code text, transferred_out_on date, destination text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    BEGIN
      RETURN QUERY SELECT t.id_number, t.tenant_code, t.transferred_out_on, t.destination FROM scheme_transfer t
       WHERE t.id_number = ANY (p_id_numbers) AND t.tenant_code IS DISTINCT FROM current_setting('app.tenant', true)
       ORDER BY t.transferred_out_on DESC;
    END $$`);
  // Enrolments that began to enrol someone (enter the index) and those that stopped (leave it).
  await q.query(`CREATE FUNCTION scheme_membership_apply(p_enrolled text[], p_enrolled_years integer[], p_ended text[], p_ended_years integer[])
    RETURNS void LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE v_tenant text := current_setting('app.tenant', true);
    BEGIN
      IF v_tenant IS NULL OR v_tenant !~ '^[0-9]{6}$' THEN RAISE EXCEPTION 'scheme_membership_apply needs app.tenant'; END IF;
      IF cardinality(p_ended) > 0 THEN
        DELETE FROM scheme_membership m
         WHERE m.id_number = ANY (p_ended) AND m.tenant_code = v_tenant
           AND (m.id_number, m.coverage_year) IN (SELECT e.id_number, e.coverage_year FROM unnest(p_ended, p_ended_years) AS e(id_number, coverage_year));
      END IF;
      IF cardinality(p_enrolled) > 0 THEN
        INSERT INTO scheme_membership (id_number, coverage_year, tenant_code)
        SELECT e.id_number, e.coverage_year, v_tenant FROM unnest(p_enrolled, p_enrolled_years) AS e(id_number, coverage_year)
         ORDER BY 1, 2
        ON CONFLICT DO NOTHING;
      END IF;
    END $$`);
  await q.query(`CREATE FUNCTION scheme_transfer_record(p_id_numbers text[], p_on date[], p_destinations text[])
    RETURNS void LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE v_tenant text := current_setting('app.tenant', true);
    BEGIN
      IF v_tenant IS NULL OR v_tenant !~ '^[0-9]{6}$' THEN RAISE EXCEPTION 'scheme_transfer_record needs app.tenant'; END IF;
      INSERT INTO scheme_transfer (id_number, tenant_code, transferred_out_on, destination)
      SELECT t.id_number, v_tenant, t.transferred_out_on, t.destination
        FROM unnest(p_id_numbers, p_on, p_destinations) AS t(id_number, transferred_out_on, destination)
       ORDER BY 1, 3
      ON CONFLICT DO NOTHING;
    END $$`);
  // A county's duplicates, from the index alone: its entries of the year, joined on the person with the
  // other counties' (on Citus one colocated join per shard, all shards at once).
  await q.query('CREATE INDEX scheme_membership_tenant ON scheme_membership (tenant_code, coverage_year, id_number)');
  await q.query(`CREATE FUNCTION scheme_duplicates(p_year integer)
    RETURNS TABLE (id_number text, elsewhere text[])
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE v_tenant text := current_setting('app.tenant', true);
    BEGIN
      RETURN QUERY SELECT m.id_number, array_agg(o.tenant_code ORDER BY o.tenant_code) FROM scheme_membership m
        JOIN scheme_membership o ON o.id_number = m.id_number AND o.coverage_year = m.coverage_year AND o.tenant_code <> m.tenant_code
       WHERE m.tenant_code = v_tenant AND m.coverage_year = p_year
       GROUP BY m.id_number;
    END $$`);
  for (const signature of [
    'scheme_membership_apply(text[], integer[], text[], integer[])',
    'scheme_transfer_record(text[], date[], text[])',
    'scheme_duplicates(integer)',
  ]) {
    await q.query(`REVOKE ALL ON FUNCTION ${signature} FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION ${signature} TO ${APP_ROLE}`);
  }
}

/**
 * A published policy year version is never changed or deleted (migration PolicyYearVersions), now
 * without its triggers: rules turn an UPDATE or DELETE into a call that refuses it, for every role, the
 * owner and superusers included. A rule is applied where the statement is planned, on the coordinator
 * on Citus, so the shards need nothing. There the refusal of a statement that names one tenant can
 * come out as Citus's own error about the rewritten query rather than this message; either way nothing
 * changes. TRUNCATE is not granted to the request role (rules cannot refuse it to the owner).
 */
async function keepVersionsUnchanged(q: QueryRunner): Promise<void> {
  await q.query(`CREATE FUNCTION policy_year_version_unchanged() RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'a published policy year version is never changed or deleted; publish a new version instead'
        USING ERRCODE = 'integrity_constraint_violation';
    END $$`);
  await q.query('CREATE RULE policy_year_version_never_updated AS ON UPDATE TO policy_year_version DO INSTEAD SELECT policy_year_version_unchanged()');
  await q.query('CREATE RULE policy_year_version_never_deleted AS ON DELETE TO policy_year_version DO INSTEAD SELECT policy_year_version_unchanged()');
}

/**
 * insured_elsewhere (migration StatusLookupAsksIndexOnDemand) in PL/pgSQL: Citus cannot plan a LANGUAGE
 * sql function with parameters over a distributed table. The bank lookup calls it beside
 * enrollment_status_lookup in a statement that reads no table itself, so on Citus both run from the
 * coordinator, each a query of its own shard group.
 */
async function defineInsuredElsewhere(q: QueryRunner): Promise<void> {
  await q.query(`CREATE OR REPLACE FUNCTION insured_elsewhere(p_id_number text, p_year integer) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    BEGIN
      RETURN EXISTS (SELECT 1 FROM scheme_membership m
                      WHERE m.id_number = p_id_number AND m.coverage_year = p_year
                        AND m.tenant_code IS DISTINCT FROM current_setting('app.tenant', true));
    END $$`);
}

/** Tables that bulk writes fill; autovacuum analyzes them after 1 % of change (plus 500 rows). */
const BULK_WRITTEN_TABLES = ['enrollment', 'payment', 'resident', 'household', 'assistance_identity', 'household_membership', 'subsidy_grant'];

/** On Citus: every key dropped, every table put where migrations/citus.ts says, the keys added back. */
async function distribute(q: QueryRunner): Promise<void> {
  const keys = (await q.query(
    `SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint
      WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY conrelid::regclass::text, conname`,
  )) as Array<{ table_name: string; conname: string; definition: string }>;
  for (const key of keys) await q.query(`ALTER TABLE ${key.table_name} DROP CONSTRAINT ${quoteIdent(key.conname)}`);

  const tables = (await q.query(
    `SELECT c.relname AS name, EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_code' AND NOT a.attisdropped) AS tenant_code
       FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid)
      ORDER BY c.relname`,
  )) as Array<{ name: string; tenant_code: boolean }>;
  const placed = tables.filter((t) => !(COORDINATOR_TABLES as readonly string[]).includes(t.name));
  // The reference table, then the colocation group's first table, then the rest.
  const rank = (name: string) => ((REFERENCE_TABLES as readonly string[]).includes(name) ? 0 : name === TENANT_COLOCATION ? 1 : 2);
  placed.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
  for (const table of placed) await q.query(distributionCall(table.name, table.tenant_code));

  for (const key of keys) await q.query(`ALTER TABLE ${key.table_name} ADD CONSTRAINT ${quoteIdent(key.conname)} ${key.definition}`);

  for (const table of BULK_WRITTEN_TABLES) {
    await q.query(`ALTER TABLE ${table} SET (autovacuum_analyze_scale_factor = 0.01, autovacuum_analyze_threshold = 500)`);
  }
  await defineCitusStatisticsRefresh(q);
  // The tenant of row-level security is set with SET LOCAL; Citus sends it to the workers only so.
  await q.query(
    `DO $$ BEGIN EXECUTE format('ALTER ROLE ${APP_ROLE} IN DATABASE %I SET citus.propagate_set_commands = %L', current_database(), 'local'); END $$`,
  );
}

/**
 * refresh_statistics_after_bulk_write (migrations BulkWriteStatistics, StatisticsForRosters) on Citus.
 * The coordinator's table holds no rows, so its statistics say nothing: the function looks at the one
 * shard that holds the caller's tenant, on its worker, and ANALYZEs that shard alone when it knows of
 * fewer rows than were just written. It does so on a connection of its own (master_run_on_worker): the
 * request's connections to that shard belong to the request role, and Citus refuses another user on
 * placements the transaction has modified. That ANALYZE does not see the request's own uncommitted
 * rows, and leaves the catalog as it was when it finds what it found before; the reloption set again
 * makes the shard's cached plans invalid all the same: its key checks are planned again with the
 * table's real size in pages (on the cluster, 5,000 payments checked against enrolments written just
 * before: 1,059 ms with the plan kept from when the table was small, 130 ms after this). A shard that
 * has never held a committed row stays without column statistics: see docs/scale.md.
 */
async function defineCitusStatisticsRefresh(q: QueryRunner): Promise<void> {
  await q.query(`CREATE OR REPLACE FUNCTION refresh_statistics_after_bulk_write(p_table text, p_rows bigint) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE v_shard bigint; v_shard_name text; v_node text; v_port integer; v_ok boolean; v_result text;
    BEGIN
      IF p_table NOT IN ('enrollment', 'payment', 'resident', 'assistance_identity', 'household') THEN
        RAISE EXCEPTION 'no statistics refresh for %', p_table;
      END IF;
      v_shard := get_shard_id_for_distribution_column(p_table, current_setting('app.tenant'));
      v_shard_name := shard_name(p_table::regclass, v_shard);
      SELECT n.nodename, n.nodeport INTO v_node, v_port FROM pg_dist_placement p JOIN pg_dist_node n ON n.groupid = p.groupid
       WHERE p.shardid = v_shard AND n.noderole = 'primary' AND n.isactive LIMIT 1;
      SELECT success, result INTO v_ok, v_result FROM master_run_on_worker(ARRAY[v_node], ARRAY[v_port],
        ARRAY[format('SELECT reltuples FROM pg_class WHERE oid = %L::regclass', v_shard_name)], false);
      IF v_ok AND v_result::real >= p_rows THEN RETURN false; END IF;
      -- The reloption is the one the table has: setting it again changes nothing but makes the shard's
      -- plans invalid, even when ANALYZE finds what it found before (this transaction's rows unseen).
      SELECT success, result INTO v_ok, v_result FROM master_run_on_worker(ARRAY[v_node], ARRAY[v_port],
        ARRAY[format('ANALYZE %s; ALTER TABLE %s SET (autovacuum_analyze_threshold = 500)', v_shard_name, v_shard_name)], false);
      IF NOT v_ok THEN RAISE WARNING 'ANALYZE % on %:% failed: %', v_shard_name, v_node, v_port, v_result; END IF;
      RETURN v_ok;
    END $$`);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
