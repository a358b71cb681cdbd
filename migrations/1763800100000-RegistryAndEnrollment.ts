import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE, isolateTenantTable } from './tenant-isolation';

/**
 * The registry as the notices' forms keep it (参保登记表, 信息变更登记表, 停保或流出登记表, 放弃参保确认书),
 * assistance identities, enrolments and payments. Money columns are bigint fen.
 *
 * `scheme_membership` is the one table that is not a tenant's: the national "one basic scheme per person
 * per year" index (不重复参保). The request role has no privilege on it; triggers on `enrollment` keep it
 * current and two SECURITY DEFINER functions answer, for ID numbers a tenant already holds, which other
 * tenants enrol them, and nothing else.
 */
export class RegistryAndEnrollment1763800100000 implements MigrationInterface {
  name = 'RegistryAndEnrollment1763800100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE resident
      ADD COLUMN hukou_place text,
      ADD COLUMN residence_permit_place text,
      ADD COLUMN applicant_type text CHECK (applicant_type IN ('NEWBORN', 'PRESCHOOL_CHILD', 'PUPIL', 'UNIVERSITY_STUDENT', 'MINOR_NOT_IN_SCHOOL', 'ADULT')),
      ADD COLUMN school text,
      ADD COLUMN status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'TRANSFERRED_OUT')),
      ADD COLUMN transferred_out_on date,
      ADD COLUMN transferred_to text,
      ADD CONSTRAINT resident_id_type CHECK (id_type IN ('RESIDENT_ID_CARD', 'PASSPORT', 'HK_MACAO_RESIDENCE_PERMIT', 'TAIWAN_RESIDENCE_PERMIT', 'FOREIGN_PERMANENT_RESIDENCE_CARD'))`);
    // Prefix searches by ID number and name whatever the database's collation.
    await q.query('CREATE INDEX resident_id_prefix ON resident (tenant_code, id_number text_pattern_ops)');
    await q.query('CREATE INDEX resident_name_prefix ON resident (tenant_code, name text_pattern_ops, id_number)');
    await q.query('CREATE INDEX household_region ON household (tenant_code, region_code)');

    await q.query(`CREATE TABLE household_membership (
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      id bigint GENERATED ALWAYS AS IDENTITY,
      household_id uuid NOT NULL,
      id_number text NOT NULL,
      relationship text NOT NULL,
      joined_on date NOT NULL,
      left_on date,
      PRIMARY KEY (tenant_code, id),
      FOREIGN KEY (tenant_code, household_id) REFERENCES household (tenant_code, id),
      FOREIGN KEY (tenant_code, id_number) REFERENCES resident (tenant_code, id_number) ON UPDATE CASCADE,
      CHECK (left_on IS NULL OR left_on >= joined_on)
    )`);
    await q.query('CREATE INDEX household_membership_person ON household_membership (tenant_code, id_number)');
    await q.query('CREATE INDEX household_membership_household ON household_membership (tenant_code, household_id)');

    await q.query(`CREATE TABLE resident_change (
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      id bigint GENERATED ALWAYS AS IDENTITY,
      id_number text NOT NULL,
      field text NOT NULL,
      key_information boolean NOT NULL,
      before text,
      after text,
      actor text NOT NULL,
      role text NOT NULL,
      changed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_code, id)
    )`);
    await q.query('CREATE INDEX resident_change_person ON resident_change (tenant_code, id_number, changed_at)');

    await q.query(`CREATE TABLE waiver (
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      id_number text NOT NULL,
      coverage_year integer NOT NULL,
      reason text NOT NULL CHECK (reason IN ('COMMERCIAL_INSURANCE', 'EMPLOYEE_INSURANCE', 'HEALTHY_STABLE_INCOME', 'OTHER')),
      reason_text text,
      recorded_by text NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_code, id_number, coverage_year),
      FOREIGN KEY (tenant_code, id_number) REFERENCES resident (tenant_code, id_number) ON UPDATE CASCADE,
      CHECK (reason <> 'OTHER' OR reason_text IS NOT NULL)
    )`);

    await q.query(`CREATE TABLE assistance_identity (
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
      FOREIGN KEY (tenant_code, id_number) REFERENCES resident (tenant_code, id_number) ON UPDATE CASCADE,
      CHECK (valid_to IS NULL OR valid_to >= valid_from)
    )`);

    await q.query(`CREATE TABLE enrollment (
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      id_number text NOT NULL,
      coverage_year integer NOT NULL,
      status text NOT NULL CHECK (status IN ('UNPAID', 'PAID', 'REFUND_PENDING', 'REFUNDED', 'TERMINATED')),
      enrolled_on date NOT NULL,
      circumstances text[] NOT NULL DEFAULT '{}',
      region_code text,
      standard_contribution bigint NOT NULL,
      subsidy bigint NOT NULL DEFAULT 0,
      applied_category text,
      subsidy_mode text,
      amount_due bigint NOT NULL CHECK (amount_due >= 0),
      late boolean NOT NULL DEFAULT false,
      paid_on date,
      amount_paid bigint,
      cover_start date,
      cover_end date,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_code, id_number, coverage_year),
      FOREIGN KEY (tenant_code, id_number) REFERENCES resident (tenant_code, id_number) ON UPDATE CASCADE
    )`);
    await q.query('CREATE INDEX enrollment_year_status ON enrollment (tenant_code, coverage_year, status)');

    await q.query(`CREATE TABLE payment (
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      receipt_no text NOT NULL,
      id_number text NOT NULL,
      coverage_year integer NOT NULL,
      amount bigint NOT NULL CHECK (amount >= 0),
      paid_on date NOT NULL,
      channel text NOT NULL,
      batch_id text,
      recorded_by text NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_code, receipt_no),
      FOREIGN KEY (tenant_code, id_number, coverage_year) REFERENCES enrollment (tenant_code, id_number, coverage_year) ON UPDATE CASCADE
    )`);
    await q.query('CREATE INDEX payment_person ON payment (tenant_code, id_number, coverage_year)');
    await q.query('CREATE INDEX payment_batch ON payment (tenant_code, batch_id) WHERE batch_id IS NOT NULL');

    for (const table of ['household_membership', 'resident_change', 'waiver', 'assistance_identity', 'enrollment', 'payment']) {
      for (const sql of isolateTenantTable(table)) await q.query(sql);
    }
    // Change records are history: the request role adds to them and never rewrites them.
    await q.query(`REVOKE UPDATE, DELETE ON resident_change FROM ${APP_ROLE}`);

    await q.query(`CREATE TABLE scheme_membership (
      id_number text NOT NULL,
      coverage_year integer NOT NULL,
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      since timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (id_number, coverage_year, tenant_code)
    )`);
    await q.query('REVOKE ALL ON scheme_membership FROM PUBLIC');
    await q.query(`CREATE FUNCTION scheme_elsewhere(p_id_numbers text[], p_year integer)
      RETURNS TABLE (id_number text, tenant_code text)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT m.id_number, m.tenant_code FROM scheme_membership m
         WHERE m.id_number = ANY (p_id_numbers) AND m.coverage_year = p_year
           AND m.tenant_code IS DISTINCT FROM current_setting('app.tenant', true)
      $$`);
    await q.query('REVOKE ALL ON FUNCTION scheme_elsewhere(text[], integer) FROM PUBLIC');
    await q.query(`GRANT EXECUTE ON FUNCTION scheme_elsewhere(text[], integer) TO ${APP_ROLE}`);
    // Statement-level triggers with transition tables: a 10,000-row import costs three statements here.
    await q.query(`CREATE FUNCTION scheme_membership_sync() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
          DELETE FROM scheme_membership m USING old_rows o
           WHERE m.id_number = o.id_number AND m.coverage_year = o.coverage_year AND m.tenant_code = o.tenant_code;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
          INSERT INTO scheme_membership (id_number, coverage_year, tenant_code)
          SELECT n.id_number, n.coverage_year, n.tenant_code FROM new_rows n
           WHERE n.status NOT IN ('REFUNDED', 'TERMINATED')
          ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER enrollment_scheme_insert AFTER INSERT ON enrollment
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION scheme_membership_sync()`);
    await q.query(`CREATE TRIGGER enrollment_scheme_update AFTER UPDATE ON enrollment
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION scheme_membership_sync()`);
    await q.query(`CREATE TRIGGER enrollment_scheme_delete AFTER DELETE ON enrollment
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION scheme_membership_sync()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE scheme_membership');
    await q.query('DROP FUNCTION scheme_elsewhere(text[], integer)');
    for (const table of ['payment', 'enrollment', 'assistance_identity', 'waiver', 'resident_change', 'household_membership']) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query('DROP FUNCTION scheme_membership_sync()');
    await q.query(`ALTER TABLE resident DROP COLUMN hukou_place, DROP COLUMN residence_permit_place, DROP COLUMN applicant_type,
      DROP COLUMN school, DROP COLUMN status, DROP COLUMN transferred_out_on, DROP COLUMN transferred_to, DROP CONSTRAINT resident_id_type`);
  }
}
