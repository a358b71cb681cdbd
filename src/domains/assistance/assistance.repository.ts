/** SQL of assistance identities (certifications by 民政, 乡村振兴, 残联 …). */
import { type BulkColumn, unnestRows } from '../../db/bulk';
import type { TenantTransaction } from '../../db/tenant-transaction';
import type { AssistanceCategory } from '../../policy-data/vocabulary';

export interface AssistanceIdentityRow {
  id: number;
  id_number: string;
  category: AssistanceCategory;
  certified_by: string;
  valid_from: string;
  valid_to: string | null;
}

const IDENTITY_COLUMNS = 'id, id_number, category, certified_by, valid_from, valid_to';

export interface IdentityWrite {
  idNumber: string;
  category: AssistanceCategory;
  certifiedBy: string;
  validFrom: string;
  validTo: string | null;
}

const IDENTITY_WRITE: ReadonlyArray<BulkColumn<IdentityWrite>> = [
  { name: 'id_number', type: 'text', value: (r) => r.idNumber },
  { name: 'category', type: 'text', value: (r) => r.category },
  { name: 'certified_by', type: 'text', value: (r) => r.certifiedBy },
  { name: 'valid_from', type: 'date', value: (r) => r.validFrom },
  { name: 'valid_to', type: 'date', value: (r) => r.validTo },
];

/** Inserts certifications; one already recorded (same person, category and start) is skipped and missing from the result. */
export async function insertIdentities(db: TenantTransaction, identities: readonly IdentityWrite[], recordedBy: string): Promise<AssistanceIdentityRow[]> {
  if (identities.length === 0) return [];
  const rows = unnestRows('r', IDENTITY_WRITE, identities, 3);
  return db.query<AssistanceIdentityRow>(
    `INSERT INTO assistance_identity (tenant_code, id_number, category, certified_by, valid_from, valid_to, recorded_by)
     SELECT $1, r.id_number, r.category, r.certified_by, r.valid_from, r.valid_to, $2 FROM ${rows.from}
     ON CONFLICT (tenant_code, id_number, category, valid_from) DO NOTHING
     RETURNING ${IDENTITY_COLUMNS}`,
    [db.tenantCode, recordedBy, ...rows.parameters],
  );
}

/** The certifications of these people, oldest first. */
export async function identitiesOf(db: TenantTransaction, idNumbers: readonly string[]): Promise<AssistanceIdentityRow[]> {
  return db.query<AssistanceIdentityRow>(`SELECT ${IDENTITY_COLUMNS} FROM assistance_identity WHERE tenant_code = $1 AND id_number = ANY($2::text[]) ORDER BY valid_from, id`, [
    db.tenantCode,
    idNumbers,
  ]);
}

/** Active residents with a certification valid on `date`: who a sponsorship run looks at. */
export async function certifiedResidentsOn(db: TenantTransaction, date: string): Promise<string[]> {
  const rows = await db.query<{ id_number: string }>(
    `SELECT DISTINCT a.id_number FROM assistance_identity a JOIN resident r ON r.tenant_code = a.tenant_code AND r.id_number = a.id_number
      WHERE a.tenant_code = $1 AND r.status = 'ACTIVE' AND a.valid_from <= $2 AND (a.valid_to IS NULL OR a.valid_to >= $2)`,
    [db.tenantCode, date],
  );
  return rows.map((r) => r.id_number);
}
