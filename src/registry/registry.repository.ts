/** SQL of the registry. Every statement runs in the request's tenant transaction, under RLS. */
import type { GrantRow } from '../assistance/subsidy.repository';
import type { TenantTransaction } from '../db/tenant-transaction';
import type { EnrollmentRow } from '../enrollment/enrollment.repository';

export interface HouseholdRow {
  id: string;
  booklet_no: string;
  region_code: string;
  address: string | null;
}

export interface ResidentRow {
  id_number: string;
  id_type: string;
  name: string;
  sex: 'MALE' | 'FEMALE' | null;
  birth_date: string | null;
  phone: string | null;
  household_id: string | null;
  relationship: string | null;
}

const RESIDENT_COLUMNS = 'id_number, id_type, name, sex, birth_date, phone, household_id, relationship';

export async function householdsByIds(db: TenantTransaction, ids: readonly string[]): Promise<HouseholdRow[]> {
  return db.query<HouseholdRow>(
    `SELECT id, booklet_no, region_code, address FROM household
      WHERE tenant_code = $1 AND id = ANY($2::uuid[])`,
    [db.tenantCode, ids],
  );
}

/** A household with its members, their enrolments and their grants, each list in the loaders' order. */
export interface HouseholdGraph {
  household: HouseholdRow;
  members: ResidentDetailRow[];
  enrollments: EnrollmentRow[];
  grants: GrantRow[];
}

/** One statement for the whole household (function household_graph, migration HouseholdGraphFunction). */
export async function householdGraph(db: TenantTransaction, id: string): Promise<HouseholdGraph | null> {
  const [row] = await db.query<{ graph: HouseholdGraph | null }>('SELECT household_graph($1, $2::uuid) AS graph', [db.tenantCode, id]);
  return row?.graph ?? null;
}

export async function residentsOfHouseholds(db: TenantTransaction, ids: readonly string[]): Promise<ResidentDetailRow[]> {
  return db.query<ResidentDetailRow>(
    `SELECT ${RESIDENT_DETAIL_COLUMNS} FROM resident
      WHERE tenant_code = $1 AND household_id = ANY($2::uuid[])
      ORDER BY relationship = '户主' DESC, id_number`,
    [db.tenantCode, ids],
  );
}

export async function existingResidents(db: TenantTransaction, idNumbers: readonly string[]): Promise<string[]> {
  const rows = await db.query<{ id_number: string }>(
    'SELECT id_number FROM resident WHERE tenant_code = $1 AND id_number = ANY($2::text[])',
    [db.tenantCode, idNumbers],
  );
  return rows.map((r) => r.id_number);
}




export interface ResidentDetailRow extends ResidentRow {
  hukou_place: string | null;
  residence_permit_place: string | null;
  applicant_type: string | null;
  school: string | null;
  status: 'ACTIVE' | 'TRANSFERRED_OUT';
  transferred_out_on: string | null;
  transferred_to: string | null;
}

export const RESIDENT_DETAIL_COLUMNS = `${RESIDENT_COLUMNS}, hukou_place, residence_permit_place, applicant_type, school, status, transferred_out_on, transferred_to`;

/** RESIDENT_DETAIL_COLUMNS qualified by a table alias, for queries that join. */
export function residentColumns(alias: string): string {
  return RESIDENT_DETAIL_COLUMNS.split(', ').map((c) => `${alias}.${c.trim()}`).join(', ');
}

export async function residentDetails(db: TenantTransaction, idNumbers: readonly string[]): Promise<ResidentDetailRow[]> {
  return db.query<ResidentDetailRow>(
    `SELECT ${RESIDENT_DETAIL_COLUMNS} FROM resident WHERE tenant_code = $1 AND id_number = ANY($2::text[])`,
    [db.tenantCode, idNumbers],
  );
}

export async function recordMemberships(
  db: TenantTransaction,
  rows: ReadonlyArray<{ householdId: string; idNumber: string; relationship: string; joinedOn: string }>,
): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO household_membership (tenant_code, household_id, id_number, relationship, joined_on)
     SELECT $1, m.household_id, m.id_number, m.relationship, m.joined_on
       FROM UNNEST($2::uuid[], $3::text[], $4::text[], $5::date[]) AS m(household_id, id_number, relationship, joined_on)`,
    [db.tenantCode, rows.map((r) => r.householdId), rows.map((r) => r.idNumber), rows.map((r) => r.relationship), rows.map((r) => r.joinedOn)],
  );
}

/**
 * Closes the open membership of a person (moved out or removed) on `leftOn`. Returns the day they
 * joined when `leftOn` is before it (nothing is changed then), or null.
 */
export async function closeMembership(db: TenantTransaction, idNumber: string, leftOn: string): Promise<string | null> {
  const rows = await db.query<{ joined_on: string; closed: boolean }>(
    `WITH open AS (SELECT id, joined_on FROM household_membership WHERE tenant_code = $1 AND id_number = $2 AND left_on IS NULL),
          closed AS (UPDATE household_membership m SET left_on = $3 FROM open
                      WHERE m.tenant_code = $1 AND m.id = open.id AND open.joined_on <= $3 RETURNING m.id)
     SELECT open.joined_on, EXISTS (SELECT 1 FROM closed WHERE closed.id = open.id) AS closed FROM open`,
    [db.tenantCode, idNumber, leftOn],
  );
  const refused = rows.find((r) => !r.closed);
  return refused ? refused.joined_on : null;
}

export interface MembershipRow {
  household_id: string;
  id_number: string;
  relationship: string;
  joined_on: string;
  left_on: string | null;
}

export async function membershipHistory(db: TenantTransaction, householdIds: readonly string[]): Promise<MembershipRow[]> {
  return db.query<MembershipRow>(
    `SELECT household_id, id_number, relationship, joined_on, left_on FROM household_membership
      WHERE tenant_code = $1 AND household_id = ANY($2::uuid[]) ORDER BY joined_on, id`,
    [db.tenantCode, householdIds],
  );
}

export interface ChangeRow {
  id_number: string;
  field: string;
  key_information: boolean;
  before: string | null;
  after: string | null;
  actor: string;
  role: string;
  changed_at: Date;
}

export async function recordChanges(
  db: TenantTransaction,
  changes: ReadonlyArray<{ idNumber: string; field: string; keyInformation: boolean; before: string | null; after: string | null }>,
  actor: { sub: string; role: string },
): Promise<void> {
  if (changes.length === 0) return;
  await db.query(
    `INSERT INTO resident_change (tenant_code, id_number, field, key_information, before, after, actor, role)
     SELECT $1, c.id_number, c.field, c.key_information, c.before, c.after, $7, $8
       FROM UNNEST($2::text[], $3::text[], $4::boolean[], $5::text[], $6::text[]) AS c(id_number, field, key_information, before, after)`,
    [
      db.tenantCode,
      changes.map((c) => c.idNumber),
      changes.map((c) => c.field),
      changes.map((c) => c.keyInformation),
      changes.map((c) => c.before),
      changes.map((c) => c.after),
      actor.sub,
      actor.role,
    ],
  );
}

export async function changesOf(db: TenantTransaction, idNumber: string): Promise<ChangeRow[]> {
  return db.query<ChangeRow>(
    `SELECT id_number, field, key_information, before, after, actor, role, changed_at FROM resident_change
      WHERE tenant_code = $1 AND id_number = $2 ORDER BY changed_at, id`,
    [db.tenantCode, idNumber],
  );
}

export interface ResidentSearch {
  namePrefix?: string | null;
  idPrefix?: string | null;
  /** A region and every region inside it. */
  regions?: string[] | null;
  after?: string | null;
  limit: number;
}

/** Keyset pagination on the ID number: stable under inserts, one statement a page. */
export async function searchResidents(db: TenantTransaction, search: ResidentSearch): Promise<ResidentDetailRow[]> {
  return db.query<ResidentDetailRow>(
    `SELECT ${residentColumns('r')}
       FROM resident r
       LEFT JOIN household h ON h.tenant_code = r.tenant_code AND h.id = r.household_id
      WHERE r.tenant_code = $1
        AND ($2::text IS NULL OR r.name LIKE $2 || '%')
        AND ($3::text IS NULL OR r.id_number LIKE $3 || '%')
        AND ($4::text[] IS NULL OR h.region_code = ANY($4::text[]))
        AND ($5::text IS NULL OR r.id_number > $5)
      ORDER BY r.id_number
      LIMIT $6`,
    [db.tenantCode, escapeLike(search.namePrefix), escapeLike(search.idPrefix), search.regions ?? null, search.after ?? null, search.limit],
  );
}

function escapeLike(text: string | null | undefined): string | null {
  return text ? text.replace(/[\\%_]/g, (c) => `\\${c}`) : null;
}
