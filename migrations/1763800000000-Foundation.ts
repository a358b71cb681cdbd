import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE, isolateTenantTable } from './tenant-isolation';

/**
 * Tenants, their regions, and the registry's households and residents. Every tenant-owned table leads
 * its primary key and unique keys with tenant_code (the Citus distribution column) and is isolated by
 * row-level security. The request role `insurance_app` owns nothing and cannot bypass RLS.
 */
export class Foundation1763800000000 implements MigrationInterface {
  name = 'Foundation1763800000000';

  async up(q: QueryRunner): Promise<void> {
    // The role belongs to the cluster: another database of it, migrated at the same moment, may create it
    // between the question and the CREATE (PostgreSQL then reports pg_authid's unique index, 23505).
    await q.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
        CREATE ROLE ${APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
      END IF;
    EXCEPTION WHEN unique_violation OR duplicate_object THEN
      NULL;
    END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`);

    await q.query(`CREATE TABLE tenant (
      tenant_code text PRIMARY KEY CHECK (tenant_code ~ '^[0-9]{6}$'),
      name text NOT NULL
    )`);
    await q.query(`CREATE TABLE region (
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      code text NOT NULL,
      name text NOT NULL,
      kind text NOT NULL,
      parent_code text,
      PRIMARY KEY (tenant_code, code),
      FOREIGN KEY (tenant_code, parent_code) REFERENCES region (tenant_code, code) DEFERRABLE INITIALLY DEFERRED
    )`);
    await q.query(`CREATE TABLE household (
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      booklet_no text NOT NULL,
      region_code text NOT NULL,
      address text,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_code, id),
      UNIQUE (tenant_code, booklet_no),
      FOREIGN KEY (tenant_code, region_code) REFERENCES region (tenant_code, code)
    )`);
    await q.query(`CREATE TABLE resident (
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      id_number text NOT NULL,
      id_type text NOT NULL DEFAULT 'RESIDENT_ID_CARD',
      name text NOT NULL,
      sex text CHECK (sex IN ('MALE', 'FEMALE')),
      birth_date date,
      phone text,
      household_id uuid,
      relationship text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_code, id_number),
      FOREIGN KEY (tenant_code, household_id) REFERENCES household (tenant_code, id)
    )`);
    await q.query(`CREATE INDEX resident_household ON resident (tenant_code, household_id)`);
    await q.query(`CREATE UNIQUE INDEX resident_one_head_per_household ON resident (tenant_code, household_id) WHERE relationship = '户主'`);

    // Tenants and regions come from tenants/ and are written by the owner at start; requests only read.
    for (const sql of isolateTenantTable('tenant', 'SELECT')) await q.query(sql);
    for (const sql of isolateTenantTable('region', 'SELECT')) await q.query(sql);
    for (const table of ['household', 'resident']) {
      for (const sql of isolateTenantTable(table)) await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['resident', 'household', 'region', 'tenant']) await q.query(`DROP TABLE ${table}`);
  }
}
