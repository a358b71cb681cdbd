import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE, isolateTenantTable } from './tenant-isolation';

/**
 * What a county needs to run its whole year (issue "A county runs its whole year, part 1"):
 *
 * - Regions added at run time beside those of tenants/<code>/tenant.yaml, renamed and retired from a
 *   date (`region_name` keeps every name with the day it took effect). Writes NOTIFY `region_changed`
 *   with the tenant code when they commit, so every server reloads that tenant's regions.
 * - Life events: death and emigration as resident statuses with their dates, transfers in, households
 *   dissolved by a merge. `scheme_transfer` is a national index like `scheme_membership`: the transfers
 *   out of every tenant, read through `scheme_transfers_out` for ID numbers the caller already holds.
 * - ID-number corrections as explicit updates of every table that holds the number, in one transaction:
 *   the foreign keys that cascaded updates become DEFERRABLE without cascade (a distributed database
 *   does not cascade across shards), checked when the correction ends.
 * - Enrolments keep the day they stopped counting (`ended_on`), and `paid_daily` becomes a ledger of
 *   those days: a payment adds one on its day, an end (transfer out, death, refund) takes one off on
 *   its own day, so the count on a past day never changes when later events happen.
 * - Waivers can be withdrawn (history kept); certifications keep their history (`certification_change`)
 *   and may wait for a person not yet registered (`pending_certification`).
 */
export class CountyYear1763801000000 implements MigrationInterface {
  name = 'CountyYear1763801000000';

  async up(q: QueryRunner): Promise<void> {
    // Regions.
    await q.query(`ALTER TABLE region
      ADD COLUMN source text NOT NULL DEFAULT 'TENANT_FILE' CHECK (source IN ('TENANT_FILE', 'API')),
      ADD COLUMN established_on date,
      ADD COLUMN retired_on date,
      ADD COLUMN successor_code text,
      ADD COLUMN retirement_reason text,
      ADD COLUMN created_by text,
      ADD COLUMN created_at timestamptz NOT NULL DEFAULT now(),
      ADD CONSTRAINT region_successor FOREIGN KEY (tenant_code, successor_code) REFERENCES region (tenant_code, code) DEFERRABLE INITIALLY DEFERRED,
      ADD CONSTRAINT region_dates CHECK (retired_on IS NULL OR established_on IS NULL OR retired_on > established_on)`);
    await q.query(`CREATE TABLE region_name (
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      code text NOT NULL,
      name text NOT NULL,
      valid_from date NOT NULL,
      recorded_by text NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_code, code, valid_from),
      FOREIGN KEY (tenant_code, code) REFERENCES region (tenant_code, code)
    )`);
    for (const sql of isolateTenantTable('region_name', 'SELECT, INSERT')) await q.query(sql);
    await q.query(`GRANT INSERT, UPDATE ON region TO ${APP_ROLE}`);
    await q.query(`CREATE FUNCTION region_changed_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('region_changed', coalesce(current_setting('app.tenant', true), ''));
        RETURN NULL;
      END $$`);
    for (const table of ['region', 'region_name']) {
      await q.query(`CREATE TRIGGER ${table}_changed AFTER INSERT OR UPDATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION region_changed_notify()`);
    }

    // Residents: death, emigration, transfer in; households dissolved or split.
    await q.query('ALTER TABLE resident DROP CONSTRAINT resident_status_check');
    await q.query(`ALTER TABLE resident
      ADD CONSTRAINT resident_status_check CHECK (status IN ('ACTIVE', 'TRANSFERRED_OUT', 'DECEASED', 'EMIGRATED')),
      ADD COLUMN died_on date,
      ADD COLUMN death_source text,
      ADD COLUMN emigrated_on date,
      ADD COLUMN emigrated_to text,
      ADD COLUMN transferred_in_on date,
      ADD COLUMN transferred_in_from text`);
    // The last digits of an ID number, which a counter clerk types.
    await q.query('CREATE INDEX resident_id_suffix ON resident (tenant_code, reverse(id_number) text_pattern_ops)');
    await q.query(`ALTER TABLE household
      ADD COLUMN dissolved_on date,
      ADD COLUMN merged_into uuid,
      ADD COLUMN split_from uuid`);
    await q.query('CREATE INDEX household_membership_dates ON household_membership (tenant_code, id_number, joined_on)');

    // ID-number corrections: explicit updates, checked at the end of the correction.
    await q.query(`DO $$
      DECLARE c record;
      BEGIN
        FOR c IN SELECT conrelid::regclass AS tbl, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
                  WHERE contype = 'f' AND confupdtype = 'c' AND connamespace = 'public'::regnamespace LOOP
          EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', c.tbl, c.conname);
          EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s DEFERRABLE INITIALLY IMMEDIATE', c.tbl, c.conname, replace(c.def, ' ON UPDATE CASCADE', ''));
        END LOOP;
      END $$`);
    // History is never rewritten, except the number it is kept under when that number is corrected.
    await q.query(`GRANT UPDATE (id_number) ON resident_change TO ${APP_ROLE}`);

    // The national index of transfers out, beside scheme_membership (not a tenant's table).
    await q.query(`CREATE TABLE scheme_transfer (
      id_number text NOT NULL,
      tenant_code text NOT NULL,
      transferred_out_on date NOT NULL,
      destination text,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (id_number, tenant_code, transferred_out_on)
    )`);
    await q.query('REVOKE ALL ON scheme_transfer FROM PUBLIC');
    await q.query(`CREATE FUNCTION scheme_transfer_sync() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        INSERT INTO scheme_transfer (id_number, tenant_code, transferred_out_on, destination)
        SELECT n.id_number, n.tenant_code, n.transferred_out_on, n.transferred_to FROM new_rows n
          JOIN old_rows o ON o.tenant_code = n.tenant_code AND o.id_number = n.id_number
         WHERE n.status = 'TRANSFERRED_OUT' AND o.status <> 'TRANSFERRED_OUT' AND n.transferred_out_on IS NOT NULL
        ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER resident_scheme_transfer AFTER UPDATE ON resident
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION scheme_transfer_sync()`);
    await q.query(`CREATE FUNCTION scheme_transfers_out(p_id_numbers text[])
      RETURNS TABLE (id_number text, tenant_code text, transferred_out_on date, destination text)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT t.id_number, t.tenant_code, t.transferred_out_on, t.destination FROM scheme_transfer t
         WHERE t.id_number = ANY (p_id_numbers) AND t.tenant_code IS DISTINCT FROM current_setting('app.tenant', true)
         ORDER BY t.transferred_out_on DESC
      $$`);
    await q.query('REVOKE ALL ON FUNCTION scheme_transfers_out(text[]) FROM PUBLIC');
    await q.query(`GRANT EXECUTE ON FUNCTION scheme_transfers_out(text[]) TO ${APP_ROLE}`);

    // Enrolments: the day they stopped counting, and the ledger of paid counts by day.
    await q.query(`ALTER TABLE enrollment
      ADD COLUMN ended_on date,
      ADD COLUMN end_reason text CHECK (end_reason IN ('TRANSFER_OUT', 'DEATH', 'EMIGRATION', 'REFUND'))`);
    await q.query('CREATE INDEX enrollment_year_region ON enrollment (tenant_code, coverage_year, region_code, id_number)');
    await definePaidDailyLedger(q);

    // Waivers: withdrawn, never deleted; one in force per person and year.
    await q.query(`ALTER TABLE waiver
      ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY,
      ADD COLUMN signed_on date,
      ADD COLUMN withdrawn_on date,
      ADD COLUMN withdrawal_reason text,
      ADD COLUMN withdrawn_by text`);
    await q.query("UPDATE waiver SET signed_on = (recorded_at AT TIME ZONE 'Asia/Shanghai')::date");
    await q.query('ALTER TABLE waiver ALTER COLUMN signed_on SET NOT NULL, DROP CONSTRAINT waiver_pkey, ADD PRIMARY KEY (tenant_code, id)');
    await q.query('CREATE UNIQUE INDEX waiver_in_force ON waiver (tenant_code, id_number, coverage_year) WHERE withdrawn_on IS NULL');
    await q.query('CREATE INDEX waiver_person ON waiver (tenant_code, id_number)');

    // Certifications: their history, and those waiting for a person to register.
    await q.query(`CREATE TABLE certification_change (
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      id bigint GENERATED ALWAYS AS IDENTITY,
      certification_id bigint NOT NULL,
      id_number text NOT NULL,
      action text NOT NULL CHECK (action IN ('GRANT', 'ATTACH', 'END', 'CORRECT', 'REVOKE')),
      effective_on date NOT NULL,
      reason text,
      before jsonb,
      after jsonb,
      actor text NOT NULL,
      role text NOT NULL,
      at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_code, id)
    )`);
    await q.query('CREATE INDEX certification_change_person ON certification_change (tenant_code, id_number, id)');
    await q.query('CREATE INDEX certification_change_certification ON certification_change (tenant_code, certification_id, id)');
    for (const sql of isolateTenantTable('certification_change', 'SELECT, INSERT')) await q.query(sql);
    await q.query(`GRANT UPDATE (id_number) ON certification_change TO ${APP_ROLE}`);
    await q.query(`CREATE TABLE pending_certification (
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      id bigint GENERATED ALWAYS AS IDENTITY,
      id_number text NOT NULL,
      category text NOT NULL,
      certified_by text NOT NULL,
      valid_from date NOT NULL,
      valid_to date,
      recorded_by text NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_code, id),
      UNIQUE (tenant_code, id_number, category, valid_from),
      CHECK (valid_to IS NULL OR valid_to >= valid_from)
    )`);
    for (const sql of isolateTenantTable('pending_certification')) await q.query(sql);
    await q.query('CREATE INDEX assistance_identity_person ON assistance_identity (tenant_code, id_number)');

    // A household read in one statement carries the new resident columns too.
    await defineHouseholdGraph(q, true);
  }

  async down(q: QueryRunner): Promise<void> {
    await defineHouseholdGraph(q, false);
    await q.query('DROP TABLE pending_certification, certification_change');
    await q.query('DROP INDEX assistance_identity_person');
    await q.query('DELETE FROM waiver WHERE withdrawn_on IS NOT NULL');
    await q.query('DROP INDEX waiver_in_force, waiver_person');
    await q.query('ALTER TABLE waiver DROP CONSTRAINT waiver_pkey, ADD PRIMARY KEY (tenant_code, id_number, coverage_year)');
    await q.query(
      'ALTER TABLE waiver DROP COLUMN id, DROP COLUMN signed_on, DROP COLUMN withdrawn_on, DROP COLUMN withdrawal_reason, DROP COLUMN withdrawn_by',
    );
    await q.query('DROP INDEX enrollment_year_region');
    await q.query('ALTER TABLE enrollment DROP COLUMN ended_on, DROP COLUMN end_reason');
    await q.query('DROP TRIGGER resident_scheme_transfer ON resident');
    await q.query('DROP FUNCTION scheme_transfers_out(text[]), scheme_transfer_sync()');
    await q.query('DROP TABLE scheme_transfer');
    await q.query(`REVOKE UPDATE (id_number) ON resident_change FROM ${APP_ROLE}`);
    await q.query(`DO $$
      DECLARE c record;
      BEGIN
        FOR c IN SELECT conrelid::regclass AS tbl, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
                  WHERE contype = 'f' AND condeferrable AND connamespace = 'public'::regnamespace AND conname <> 'region_successor' AND pg_get_constraintdef(oid) LIKE '%id_number%' LOOP
          EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', c.tbl, c.conname);
          EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s ON UPDATE CASCADE', c.tbl, c.conname, replace(c.def, ' DEFERRABLE', ''));
        END LOOP;
      END $$`);
    await q.query('DROP INDEX household_membership_dates, resident_id_suffix');
    await q.query('ALTER TABLE household DROP COLUMN dissolved_on, DROP COLUMN merged_into, DROP COLUMN split_from');
    await q.query(`ALTER TABLE resident DROP CONSTRAINT resident_status_check, DROP COLUMN died_on, DROP COLUMN death_source, DROP COLUMN emigrated_on,
      DROP COLUMN emigrated_to, DROP COLUMN transferred_in_on, DROP COLUMN transferred_in_from`);
    await q.query(`ALTER TABLE resident ADD CONSTRAINT resident_status_check CHECK (status IN ('ACTIVE', 'TRANSFERRED_OUT'))`);
    for (const table of ['region', 'region_name']) await q.query(`DROP TRIGGER ${table}_changed ON ${table}`);
    await q.query('DROP FUNCTION region_changed_notify()');
    await q.query(`REVOKE INSERT, UPDATE ON region FROM ${APP_ROLE}`);
    await q.query('DROP TABLE region_name');
    await q.query(`ALTER TABLE region DROP CONSTRAINT region_successor, DROP CONSTRAINT region_dates, DROP COLUMN source, DROP COLUMN established_on,
      DROP COLUMN retired_on, DROP COLUMN successor_code, DROP COLUMN retirement_reason, DROP COLUMN created_by, DROP COLUMN created_at`);
  }
}

/**
 * What an enrolment row adds to the daily paid counts, times `sign`: one on the day it was paid, while
 * it is paid, or when it ended on a known day (then minus one on that day, never before the payment).
 */
function contributions(rows: string, sign: '' | '-'): string {
  const paidOnce = `${rows}.paid_on IS NOT NULL AND (${rows}.status IN ('PAID', 'REFUND_PENDING') OR (${rows}.status IN ('REFUNDED', 'TERMINATED') AND ${rows}.ended_on IS NOT NULL))`;
  return `SELECT ${rows}.tenant_code, ${rows}.coverage_year, coalesce(${rows}.region_code, '') AS region_code, ${rows}.paid_on AS day, ${sign}1 AS delta FROM ${rows} WHERE ${paidOnce}
          UNION ALL
          SELECT ${rows}.tenant_code, ${rows}.coverage_year, coalesce(${rows}.region_code, ''), greatest(${rows}.ended_on, ${rows}.paid_on), ${sign === '-' ? '' : '-'}1 FROM ${rows}
           WHERE ${rows}.paid_on IS NOT NULL AND ${rows}.status IN ('REFUNDED', 'TERMINATED') AND ${rows}.ended_on IS NOT NULL`;
}

const UPSERT = `ON CONFLICT (tenant_code, coverage_year, region_code, paid_on) DO UPDATE SET paid = d.paid + EXCLUDED.paid`;

/**
 * The three trigger functions of `paid_daily` (migrations Progress and ImportThroughput) as a ledger.
 * An enrolment re-opened after it ended (enrolled or paid anew) keeps the period it had in the ledger:
 * its old row's part is not taken back. Keys in order, so concurrent imports do not deadlock.
 */
async function definePaidDailyLedger(q: QueryRunner): Promise<void> {
  await q.query(`CREATE OR REPLACE FUNCTION paid_daily_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      WITH kept_old AS (
        SELECT o.* FROM old_rows o
         WHERE NOT (o.status IN ('REFUNDED', 'TERMINATED') AND EXISTS (
           SELECT 1 FROM new_rows n WHERE n.tenant_code = o.tenant_code AND n.id_number = o.id_number AND n.coverage_year = o.coverage_year
              AND n.status IN ('UNPAID', 'PAID', 'REFUND_PENDING'))))
      INSERT INTO paid_daily AS d (tenant_code, coverage_year, region_code, paid_on, paid)
      SELECT tenant_code, coverage_year, region_code, day, sum(delta)::int FROM (
        ${contributions('new_rows', '')}
        UNION ALL
        ${contributions('kept_old', '-')}
      ) changes
      GROUP BY tenant_code, coverage_year, region_code, day
      HAVING sum(delta) <> 0 ORDER BY 1, 2, 3, 4
      ${UPSERT};
      RETURN NULL;
    END $$`);
  for (const [name, rows, sign] of [
    ['paid_daily_sync_insert', 'new_rows', ''],
    ['paid_daily_sync_delete', 'old_rows', '-'],
  ] as const) {
    await q.query(`CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO paid_daily AS d (tenant_code, coverage_year, region_code, paid_on, paid)
        SELECT tenant_code, coverage_year, region_code, day, sum(delta)::int FROM (${contributions(rows, sign)}) changes
         GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3, 4
        ${UPSERT};
        RETURN NULL;
      END $$`);
  }
  // The counts rebuilt from the enrolments as they are (ended ones have no day yet, as before). The owner
  // steps outside its forced row-level security for this one statement pair.
  await q.query('ALTER TABLE paid_daily NO FORCE ROW LEVEL SECURITY');
  await q.query('ALTER TABLE enrollment NO FORCE ROW LEVEL SECURITY');
  await q.query('DELETE FROM paid_daily');
  await q.query(`WITH e AS (SELECT * FROM enrollment)
    INSERT INTO paid_daily (tenant_code, coverage_year, region_code, paid_on, paid)
    SELECT tenant_code, coverage_year, region_code, day, sum(delta)::int FROM (${contributions('e', '')}) c GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0`);
  await q.query('ALTER TABLE paid_daily FORCE ROW LEVEL SECURITY');
  await q.query('ALTER TABLE enrollment FORCE ROW LEVEL SECURITY');
}

/** household_graph (migration HouseholdGraphFunction), its members with the columns of this migration or without. */
async function defineHouseholdGraph(q: QueryRunner, withLifeEvents: boolean): Promise<void> {
  const extra = withLifeEvents ? ', r.died_on, r.death_source, r.emigrated_on, r.emigrated_to, r.transferred_in_on, r.transferred_in_from' : '';
  await q.query(`CREATE OR REPLACE FUNCTION household_graph(p_tenant text, p_id uuid) RETURNS json
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
    DECLARE result json;
    BEGIN
      SELECT json_build_object(
        'household', json_build_object('id', h.id, 'booklet_no', h.booklet_no, 'region_code', h.region_code, 'address', h.address${withLifeEvents ? ", 'dissolved_on', h.dissolved_on" : ''}),
        'members', coalesce((
          SELECT json_agg(m ORDER BY m.relationship = '户主' DESC, m.id_number) FROM (
            SELECT r.id_number, r.id_type, r.name, r.sex, r.birth_date, r.phone, r.household_id, r.relationship, r.hukou_place,
                   r.residence_permit_place, r.applicant_type, r.school, r.status, r.transferred_out_on, r.transferred_to${extra}
              FROM resident r WHERE r.tenant_code = p_tenant AND r.household_id = p_id) m), '[]'),
        'enrollments', coalesce((
          SELECT json_agg(e ORDER BY e.id_number, e.coverage_year) FROM (
            SELECT e.id_number, e.coverage_year, e.status, e.enrolled_on, e.circumstances, e.region_code, e.standard_contribution,
                   e.subsidy, e.applied_category, e.subsidy_mode, e.amount_due, e.late, e.paid_on, e.amount_paid, e.cover_start, e.cover_end${withLifeEvents ? ', e.ended_on, e.end_reason' : ''}
              FROM resident r JOIN enrollment e ON e.tenant_code = r.tenant_code AND e.id_number = r.id_number
             WHERE r.tenant_code = p_tenant AND r.household_id = p_id) e), '[]'),
        'grants', coalesce((
          SELECT json_agg(g ORDER BY g.id) FROM (
            SELECT g.id, g.id_number, g.coverage_year, g.category, g.mode, g.kind, g.amount, g.granted_on, g.payout_month, g.status, g.funding
              FROM resident r JOIN subsidy_grant g ON g.tenant_code = r.tenant_code AND g.id_number = r.id_number
             WHERE r.tenant_code = p_tenant AND r.household_id = p_id) g), '[]'))
        INTO result
        FROM household h WHERE h.tenant_code = p_tenant AND h.id = p_id;
      RETURN result;
    END $$`);
}
