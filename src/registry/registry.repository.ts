/** SQL of the registry. Every statement runs in the request's tenant transaction, under RLS. */
import type { TenantTransaction } from '../db/tenant-transaction';

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

export async function residentsOfHouseholds(db: TenantTransaction, ids: readonly string[]): Promise<ResidentRow[]> {
  return db.query<ResidentRow>(
    `SELECT ${RESIDENT_COLUMNS} FROM resident
      WHERE tenant_code = $1 AND household_id = ANY($2::uuid[])
      ORDER BY relationship = '户主' DESC, id_number`,
    [db.tenantCode, ids],
  );
}

export async function residentById(db: TenantTransaction, idNumber: string): Promise<ResidentRow | null> {
  const rows = await db.query<ResidentRow>(
    `SELECT ${RESIDENT_COLUMNS} FROM resident WHERE tenant_code = $1 AND id_number = $2`,
    [db.tenantCode, idNumber],
  );
  return rows[0] ?? null;
}

export async function existingResidents(db: TenantTransaction, idNumbers: readonly string[]): Promise<string[]> {
  const rows = await db.query<{ id_number: string }>(
    'SELECT id_number FROM resident WHERE tenant_code = $1 AND id_number = ANY($2::text[])',
    [db.tenantCode, idNumbers],
  );
  return rows.map((r) => r.id_number);
}

export async function insertHousehold(
  db: TenantTransaction,
  household: { bookletNo: string; regionCode: string; address: string | null },
): Promise<HouseholdRow | null> {
  const rows = await db.query<HouseholdRow>(
    `INSERT INTO household (tenant_code, booklet_no, region_code, address) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant_code, booklet_no) DO NOTHING
     RETURNING id, booklet_no, region_code, address`,
    [db.tenantCode, household.bookletNo, household.regionCode, household.address],
  );
  return rows[0] ?? null;
}

export interface NewResident {
  idNumber: string;
  name: string;
  sex: string;
  birthDate: string;
  phone: string | null;
  relationship: string;
}

/** All members in one statement. */
export async function insertMembers(db: TenantTransaction, householdId: string, members: readonly NewResident[]): Promise<void> {
  await db.query(
    `INSERT INTO resident (tenant_code, household_id, id_number, name, sex, birth_date, phone, relationship)
     SELECT $1, $2, m.id_number, m.name, m.sex, m.birth_date, m.phone, m.relationship
       FROM UNNEST($3::text[], $4::text[], $5::text[], $6::date[], $7::text[], $8::text[])
         AS m(id_number, name, sex, birth_date, phone, relationship)`,
    [
      db.tenantCode,
      householdId,
      members.map((m) => m.idNumber),
      members.map((m) => m.name),
      members.map((m) => m.sex),
      members.map((m) => m.birthDate),
      members.map((m) => m.phone),
      members.map((m) => m.relationship),
    ],
  );
}
