import type { MigrationInterface, QueryRunner } from 'typeorm';
import { distributeNewTable } from './citus';
import { isolateTenantTable, overEveryTenant } from './tenant-isolation';

/**
 * Progress for a past day is read against the targets as they stood at the end of that day, and figures
 * for a past day never change when later things happen. `region_target` keeps one row per region and
 * year, overwritten by each setting; `region_target_history` keeps every setting with when it was made
 * and by whom, so that the target in force on any day can be read back. The current value is the
 * latest entry (and still the row of `region_target`, which the code keeps writing beside it).
 *
 * The rows of `region_target` become the first entries, each at the time it was last set: what was set
 * before that was overwritten and cannot be recovered.
 *
 * The request role inserts entries and, only for a region set twice in one transaction (two settings at
 * the same instant), replaces the entry of that transaction; it deletes none.
 */
export class TargetsKeptWithTheirDays1763803200000 implements MigrationInterface {
  name = 'TargetsKeptWithTheirDays1763803200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE region_target_history (
      tenant_code text NOT NULL,
      coverage_year integer NOT NULL,
      region_code text NOT NULL,
      set_at timestamptz NOT NULL DEFAULT now(),
      target integer NOT NULL,
      source text NOT NULL,
      set_by text NOT NULL,
      CONSTRAINT region_target_history_pkey PRIMARY KEY (tenant_code, coverage_year, region_code, set_at),
      CONSTRAINT region_target_history_target_check CHECK (target >= 0)
    )`);
    await distributeNewTable(q, 'region_target_history');
    await q.query(
      'ALTER TABLE region_target_history ADD CONSTRAINT region_target_history_tenant_fkey FOREIGN KEY (tenant_code) REFERENCES tenant (tenant_code)',
    );
    for (const sql of isolateTenantTable('region_target_history', 'SELECT, INSERT, UPDATE')) await q.query(sql);
    await overEveryTenant(q, ['region_target', 'region_target_history'], async () => {
      await q.query(`INSERT INTO region_target_history (tenant_code, coverage_year, region_code, set_at, target, source, set_by)
        SELECT tenant_code, coverage_year, region_code, set_at, target, source, set_by FROM region_target
        ON CONFLICT DO NOTHING`);
    });
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE region_target_history');
  }
}
