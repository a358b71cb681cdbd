import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateTenantTable } from './tenant-isolation';

/**
 * Enrolment campaigns at county scale. `paid_daily` counts paid enrolments by year, region and day of
 * payment, kept by statement-level triggers on `enrollment`; progress reports add up its few thousand
 * rows instead of counting millions of enrolments. `region_target` holds the targets an administrator
 * sets where no notice states them, with their source.
 */
export class Progress1763800500000 implements MigrationInterface {
  name = 'Progress1763800500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE paid_daily (
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      coverage_year integer NOT NULL,
      region_code text NOT NULL,
      paid_on date NOT NULL,
      paid integer NOT NULL,
      PRIMARY KEY (tenant_code, coverage_year, region_code, paid_on)
    )`);
    await q.query(`CREATE TABLE region_target (
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      coverage_year integer NOT NULL,
      region_code text NOT NULL,
      target integer NOT NULL CHECK (target >= 0),
      source text NOT NULL,
      set_by text NOT NULL,
      set_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_code, coverage_year, region_code)
    )`);
    for (const table of ['paid_daily', 'region_target']) {
      for (const sql of isolateTenantTable(table)) await q.query(sql);
    }
    await q.query('CREATE INDEX payment_day ON payment (tenant_code, paid_on)');
    await q.query(
      `CREATE INDEX enrollment_unpaid_follow_up ON enrollment (tenant_code, coverage_year, id_number) WHERE status IN ('UNPAID', 'PAID', 'REFUND_PENDING')`,
    );

    // An enrolment counts as paid while PAID or REFUND_PENDING; '' stands for "no region on record".
    await q.query(`CREATE FUNCTION paid_daily_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO paid_daily AS d (tenant_code, coverage_year, region_code, paid_on, paid)
        SELECT tenant_code, coverage_year, region_code, paid_on, sum(delta)::int FROM (
          SELECT n.tenant_code, n.coverage_year, coalesce(n.region_code, '') AS region_code, n.paid_on, 1 AS delta
            FROM new_rows n WHERE n.status IN ('PAID', 'REFUND_PENDING') AND n.paid_on IS NOT NULL
          UNION ALL
          SELECT o.tenant_code, o.coverage_year, coalesce(o.region_code, ''), o.paid_on, -1
            FROM old_rows o WHERE o.status IN ('PAID', 'REFUND_PENDING') AND o.paid_on IS NOT NULL
        ) changes
        GROUP BY tenant_code, coverage_year, region_code, paid_on
        HAVING sum(delta) <> 0
        ON CONFLICT (tenant_code, coverage_year, region_code, paid_on) DO UPDATE SET paid = d.paid + EXCLUDED.paid;
        RETURN NULL;
      END $$`);
    // Inserts and deletes have only one transition table, so each gets its own function.
    await q.query(`CREATE FUNCTION paid_daily_sync_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO paid_daily AS d (tenant_code, coverage_year, region_code, paid_on, paid)
        SELECT n.tenant_code, n.coverage_year, coalesce(n.region_code, ''), n.paid_on, count(*)::int FROM new_rows n
         WHERE n.status IN ('PAID', 'REFUND_PENDING') AND n.paid_on IS NOT NULL
         GROUP BY 1, 2, 3, 4
        ON CONFLICT (tenant_code, coverage_year, region_code, paid_on) DO UPDATE SET paid = d.paid + EXCLUDED.paid;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE FUNCTION paid_daily_sync_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO paid_daily AS d (tenant_code, coverage_year, region_code, paid_on, paid)
        SELECT o.tenant_code, o.coverage_year, coalesce(o.region_code, ''), o.paid_on, -count(*)::int FROM old_rows o
         WHERE o.status IN ('PAID', 'REFUND_PENDING') AND o.paid_on IS NOT NULL
         GROUP BY 1, 2, 3, 4
        ON CONFLICT (tenant_code, coverage_year, region_code, paid_on) DO UPDATE SET paid = d.paid + EXCLUDED.paid;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER enrollment_paid_daily_insert AFTER INSERT ON enrollment
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION paid_daily_sync_insert()`);
    await q.query(`CREATE TRIGGER enrollment_paid_daily_update AFTER UPDATE ON enrollment
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION paid_daily_sync()`);
    await q.query(`CREATE TRIGGER enrollment_paid_daily_delete AFTER DELETE ON enrollment
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION paid_daily_sync_delete()`);
    // Enrolments paid before this migration.
    await q.query(`INSERT INTO paid_daily (tenant_code, coverage_year, region_code, paid_on, paid)
      SELECT tenant_code, coverage_year, coalesce(region_code, ''), paid_on, count(*) FROM enrollment
       WHERE status IN ('PAID', 'REFUND_PENDING') AND paid_on IS NOT NULL GROUP BY 1, 2, 3, 4`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['insert', 'update', 'delete']) await q.query(`DROP TRIGGER enrollment_paid_daily_${t} ON enrollment`);
    await q.query('DROP FUNCTION paid_daily_sync(), paid_daily_sync_insert(), paid_daily_sync_delete()');
    await q.query('DROP INDEX payment_day, enrollment_unpaid_follow_up');
    await q.query('DROP TABLE region_target, paid_daily');
  }
}
