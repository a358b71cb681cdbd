/**
 * SQL of life events in the registry: death, emigration, transfer in, ID-number corrections, heads,
 * splits and merges of households, and the reads of a person's history. Every statement runs in the
 * request's tenant transaction, under RLS.
 */
import { countedInsert } from '../../db/bulk';
import type { TenantTransaction } from '../../db/tenant-transaction';
import { HEAD_OF_HOUSEHOLD, type HouseholdRow, type MembershipRow, RESIDENT_COLUMNS, type ResidentRow } from './residents.repository';

export async function markDeceased(db: TenantTransaction, idNumber: string, diedOn: string, source: string): Promise<void> {
  await db.query(`UPDATE resident SET status = 'DECEASED', died_on = $3, death_source = $4, updated_at = now() WHERE tenant_code = $1 AND id_number = $2`, [
    db.tenantCode,
    idNumber,
    diedOn,
    source,
  ]);
}

export async function markEmigrated(db: TenantTransaction, idNumber: string, emigratedOn: string, destination: string | null): Promise<void> {
  await db.query(
    `UPDATE resident SET status = 'EMIGRATED', emigrated_on = $3, emigrated_to = $4, updated_at = now() WHERE tenant_code = $1 AND id_number = $2`,
    [db.tenantCode, idNumber, emigratedOn, destination],
  );
}

/** A person transferred out before, back again: active, with the day and where they came from. */
export async function markTransferredIn(db: TenantTransaction, idNumber: string, on: string, from: string | null): Promise<void> {
  await db.query(
    `UPDATE resident SET status = 'ACTIVE', transferred_in_on = $3, transferred_in_from = $4, updated_at = now()
      WHERE tenant_code = $1 AND id_number = $2`,
    [db.tenantCode, idNumber, on, from],
  );
}

export async function setTransferredIn(db: TenantTransaction, idNumber: string, on: string, from: string | null): Promise<void> {
  await db.query('UPDATE resident SET transferred_in_on = $3, transferred_in_from = $4 WHERE tenant_code = $1 AND id_number = $2', [
    db.tenantCode,
    idNumber,
    on,
    from,
  ]);
}

/** The latest transfer out of these people from other tenants, as the national index knows it. */
/** Other tenants' enrolments of a person in the year of `year` or the next (the national one-scheme index). */
export async function enrolmentsElsewhereFrom(
  db: TenantTransaction,
  idNumber: string,
  year: number,
): Promise<Array<{ id_number: string; tenant_code: string; coverage_year: number }>> {
  return db.query(
    `SELECT s.id_number, s.tenant_code, y AS coverage_year FROM generate_series($2::int, $2::int + 1) AS y, LATERAL scheme_elsewhere(ARRAY[$1::text], y) s`,
    [idNumber, year],
  );
}

export async function transfersOutElsewhere(
  db: TenantTransaction,
  idNumbers: readonly string[],
): Promise<Array<{ id_number: string; tenant_code: string; transferred_out_on: string; destination: string | null }>> {
  return db.query('SELECT id_number, tenant_code, transferred_out_on, destination FROM scheme_transfers_out($1::text[])', [idNumbers]);
}

/**
 * The registry's first part of an ID-number correction: the person copied under the new number (every
 * column, whatever later migrations add), outside any household for now: the household's one head
 * is still the old row. Their memberships, change records and waivers move to the new number.
 */
export async function copyPersonToIdNumber(db: TenantTransaction, from: string, to: string): Promise<void> {
  await db.query(
    countedInsert(`INSERT INTO resident
     SELECT (jsonb_populate_record(NULL::resident, to_jsonb(r) || jsonb_build_object('id_number', $3::text, 'household_id', NULL, 'relationship', NULL, 'updated_at', now()))).*
       FROM resident r WHERE r.tenant_code = $1 AND r.id_number = $2`),
    [db.tenantCode, from, to],
  );
  for (const table of ['household_membership', 'resident_change', 'waiver']) {
    await db.query(`UPDATE ${table} SET id_number = $3 WHERE tenant_code = $1 AND id_number = $2`, [db.tenantCode, from, to]);
  }
}

/** The registry's last part: the old row deleted, and the new one put in its household in its place. */
export async function retirePersonIdNumber(db: TenantTransaction, from: string, to: string): Promise<void> {
  await db.query(
    `WITH gone AS (DELETE FROM resident WHERE tenant_code = $1 AND id_number = $2 RETURNING household_id, relationship)
     UPDATE resident r SET household_id = gone.household_id, relationship = gone.relationship FROM gone WHERE r.tenant_code = $1 AND r.id_number = $3`,
    [db.tenantCode, from, to],
  );
}

/** The tables that hold an ID number, for the test that keeps corrections complete. */
export const ID_NUMBER_TABLES_OF_REGISTRY = ['resident', 'household_membership', 'resident_change', 'waiver'] as const;

export async function householdByBooklet(db: TenantTransaction, bookletNo: string): Promise<HouseholdRow | null> {
  const rows = await db.query<HouseholdRow>(
    'SELECT id, booklet_no, region_code, address, dissolved_on FROM household WHERE tenant_code = $1 AND booklet_no = $2',
    [db.tenantCode, bookletNo],
  );
  return rows[0] ?? null;
}

export async function dissolveHousehold(db: TenantTransaction, id: string, on: string, into: string): Promise<void> {
  await db.query('UPDATE household SET dissolved_on = $3, merged_into = $4 WHERE tenant_code = $1 AND id = $2', [db.tenantCode, id, on, into]);
}

export async function markSplitFrom(db: TenantTransaction, id: string, from: string): Promise<void> {
  await db.query('UPDATE household SET split_from = $3 WHERE tenant_code = $1 AND id = $2', [db.tenantCode, id, from]);
}

/** Current members of a household with their rows, the head first. */
export async function currentMembers(db: TenantTransaction, householdId: string): Promise<ResidentRow[]> {
  return db.query<ResidentRow>(
    `SELECT ${RESIDENT_COLUMNS.join(', ')} FROM resident WHERE tenant_code = $1 AND household_id = $2 ORDER BY relationship = '${HEAD_OF_HOUSEHOLD}' DESC, id_number FOR UPDATE`,
    [db.tenantCode, householdId],
  );
}

/**
 * Sets people's household and relationship: everyone who is not to be head first, then the heads, so
 * that a head hands over to another member without two heads at any moment (the unique index of one
 * 户主 per household is checked row by row).
 */
export async function setMemberships(
  db: TenantTransaction,
  rows: ReadonlyArray<{ idNumber: string; householdId: string; relationship: string }>,
): Promise<void> {
  await setMembershipRows(
    db,
    rows.filter((r) => r.relationship !== HEAD_OF_HOUSEHOLD),
  );
  await setMembershipRows(
    db,
    rows.filter((r) => r.relationship === HEAD_OF_HOUSEHOLD),
  );
}

async function setMembershipRows(db: TenantTransaction, rows: ReadonlyArray<{ idNumber: string; householdId: string; relationship: string }>): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `UPDATE resident r SET household_id = m.household_id, relationship = m.relationship, updated_at = now()
       FROM UNNEST($2::text[], $3::uuid[], $4::text[]) AS m(id_number, household_id, relationship)
      WHERE r.tenant_code = $1 AND r.id_number = m.id_number`,
    [db.tenantCode, rows.map((r) => r.idNumber), rows.map((r) => r.householdId), rows.map((r) => r.relationship)],
  );
}

/** Closes the open memberships of these people on `on`; returns those whose membership began after it. */
export async function closeMemberships(db: TenantTransaction, idNumbers: readonly string[], on: string): Promise<string[]> {
  const rows = await db.query<{ id_number: string }>(
    `UPDATE household_membership SET left_on = $3
      WHERE tenant_code = $1 AND id_number = ANY($2::text[]) AND left_on IS NULL AND joined_on <= $3
      RETURNING id_number`,
    [db.tenantCode, idNumbers, on],
  );
  const closed = new Set(rows.map((r) => r.id_number));
  return idNumbers.filter((id) => !closed.has(id));
}

/** The memberships of these people, every household they belonged to, oldest first. */
export async function membershipsOfPeople(db: TenantTransaction, idNumbers: readonly string[]): Promise<Array<MembershipRow & { booklet_no: string }>> {
  return db.query(
    `SELECT m.household_id, m.id_number, m.relationship, m.joined_on, m.left_on, h.booklet_no
       FROM household_membership m JOIN household h ON h.tenant_code = m.tenant_code AND h.id = m.household_id
      WHERE m.tenant_code = $1 AND m.id_number = ANY($2::text[]) ORDER BY m.joined_on, m.id`,
    [db.tenantCode, idNumbers],
  );
}
