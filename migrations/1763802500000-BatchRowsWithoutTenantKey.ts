import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An import's row outcomes (`payment_batch_row`, one row per imported payment) lose their
 * `tenant_code → tenant` foreign key, as the other tables written per imported row did in migration
 * ImportThroughput. The key was checked once per row: a `FOR KEY SHARE` lock on the tenant's one row,
 * 1,000,108 checks taking 4.3 s of PostgreSQL's time in an import of 1,000,000 payments into 3,000,000
 * residents (pg_stat_statements), and a lock shared by every import in flight.
 *
 * Nothing else changes. A batch row is written only under a request of its tenant (the row-level
 * security policy checks `tenant_code` against the request's tenant, which the server has loaded), and
 * a tenant is never deleted.
 */
export class BatchRowsWithoutTenantKey1763802500000 implements MigrationInterface {
  name = 'BatchRowsWithoutTenantKey1763802500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE payment_batch_row DROP CONSTRAINT payment_batch_row_tenant_code_fkey');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE payment_batch_row ADD CONSTRAINT payment_batch_row_tenant_code_fkey FOREIGN KEY (tenant_code) REFERENCES tenant (tenant_code)');
  }
}
