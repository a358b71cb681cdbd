import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE, isolateTenantTable } from './tenant-isolation';

/**
 * Policy years as managed data (issue 21):
 *
 * - `policy_year_version`: every published version of a tenant-year, the year document exactly as
 *   published (YAML), where it came from (a file of tenants/ imported at a start, or publishPolicyYear),
 *   who drafted and who published it. Immutable: no role may change or delete a version (a trigger
 *   refuses it, the owner too); a correction is a new version. The version in force is the highest.
 *   An insert NOTIFYs `policy_changed` with the tenant code when it commits, so every server reloads
 *   that tenant's years (as `region_changed` does for regions).
 * - `policy_draft`: what an administrator submitted to be checked, kept so that another administrator
 *   can review and publish it; a draft is published at most once.
 */
export class PolicyYearVersions1763801300000 implements MigrationInterface {
  name = 'PolicyYearVersions1763801300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE policy_year_version (
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      coverage_year integer NOT NULL,
      version integer NOT NULL CHECK (version > 0),
      source text NOT NULL,
      source_sha256 text NOT NULL,
      notice_number text,
      origin text NOT NULL CHECK (origin IN ('TENANT_FILE', 'API')),
      file text,
      draft_id uuid,
      drafted_by text,
      published_by text NOT NULL,
      published_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_code, coverage_year, version),
      CHECK (origin <> 'TENANT_FILE' OR file IS NOT NULL),
      CHECK (origin <> 'API' OR draft_id IS NOT NULL)
    )`);
    for (const sql of isolateTenantTable('policy_year_version', 'SELECT, INSERT')) await q.query(sql);
    await q.query(`CREATE FUNCTION policy_year_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'a published policy year version is never changed or deleted; publish a new version instead'
          USING ERRCODE = 'integrity_constraint_violation';
      END $$`);
    await q.query(
      'CREATE TRIGGER policy_year_version_immutable BEFORE UPDATE OR DELETE ON policy_year_version FOR EACH ROW EXECUTE FUNCTION policy_year_version_immutable()',
    );
    await q.query(
      'CREATE TRIGGER policy_year_version_not_truncated BEFORE TRUNCATE ON policy_year_version FOR EACH STATEMENT EXECUTE FUNCTION policy_year_version_immutable()',
    );
    await q.query(`CREATE FUNCTION policy_changed_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('policy_changed', coalesce(current_setting('app.tenant', true), ''));
        RETURN NULL;
      END $$`);
    await q.query(
      'CREATE TRIGGER policy_year_version_published AFTER INSERT ON policy_year_version FOR EACH STATEMENT EXECUTE FUNCTION policy_changed_notify()',
    );

    await q.query(`CREATE TABLE policy_draft (
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      coverage_year integer NOT NULL,
      source text NOT NULL,
      started_from_year integer,
      started_from_version integer,
      replaces_version integer,
      error_count integer NOT NULL,
      warning_count integer NOT NULL,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      published_version integer,
      published_by text,
      published_at timestamptz,
      PRIMARY KEY (tenant_code, id),
      FOREIGN KEY (tenant_code, coverage_year, published_version) REFERENCES policy_year_version (tenant_code, coverage_year, version),
      CHECK ((published_version IS NULL) = (published_by IS NULL) AND (published_by IS NULL) = (published_at IS NULL))
    )`);
    await q.query('CREATE INDEX policy_draft_year ON policy_draft (tenant_code, coverage_year, created_at)');
    for (const sql of isolateTenantTable('policy_draft', 'SELECT, INSERT')) await q.query(sql);
    await q.query(`GRANT UPDATE (published_version, published_by, published_at) ON policy_draft TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE policy_draft');
    await q.query('DROP TABLE policy_year_version');
    await q.query('DROP FUNCTION policy_changed_notify()');
    await q.query('DROP FUNCTION policy_year_version_immutable()');
  }
}
