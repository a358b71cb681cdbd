/** SQL of assistance identities (certifications by 民政, 乡村振兴, 残联 …). */
import { type BulkColumn, countedInsert, unnestRows } from '../../db/bulk';
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
  return db.query<AssistanceIdentityRow>(
    `SELECT ${IDENTITY_COLUMNS} FROM assistance_identity WHERE tenant_code = $1 AND id_number = ANY($2::text[]) ORDER BY valid_from, id`,
    [db.tenantCode, idNumbers],
    { planLargeArraysEachTime: true },
  );
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

/** One certification, locked for a change; null when there is none of that id. */
export async function identityById(db: TenantTransaction, id: number): Promise<AssistanceIdentityRow | null> {
  const rows = await db.query<AssistanceIdentityRow>(`SELECT ${IDENTITY_COLUMNS} FROM assistance_identity WHERE tenant_code = $1 AND id = $2 FOR UPDATE`, [
    db.tenantCode,
    id,
  ]);
  return rows[0] ?? null;
}

export async function updateIdentity(
  db: TenantTransaction,
  id: number,
  row: Pick<AssistanceIdentityRow, 'category' | 'certified_by' | 'valid_from' | 'valid_to'>,
): Promise<AssistanceIdentityRow> {
  const [updated] = await db.query<AssistanceIdentityRow>(
    `UPDATE assistance_identity SET category = $3, certified_by = $4, valid_from = $5, valid_to = $6 WHERE tenant_code = $1 AND id = $2 RETURNING ${IDENTITY_COLUMNS}`,
    [db.tenantCode, id, row.category, row.certified_by, row.valid_from, row.valid_to],
  );
  return updated;
}

/** A revoked certification leaves the list that settlements read; its record stays in certification_change. */
export async function deleteIdentity(db: TenantTransaction, id: number): Promise<void> {
  await db.query('DELETE FROM assistance_identity WHERE tenant_code = $1 AND id = $2', [db.tenantCode, id]);
}

export interface CertificationChangeRow {
  id: number;
  certification_id: number;
  id_number: string;
  action: 'GRANT' | 'ATTACH' | 'END' | 'CORRECT' | 'REVOKE';
  effective_on: string;
  reason: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  actor: string;
  role: string;
  at: Date;
}

export interface CertificationChangeWrite {
  certificationId: number;
  idNumber: string;
  action: CertificationChangeRow['action'];
  effectiveOn: string;
  reason: string | null;
  before: unknown;
  after: unknown;
}

const CHANGE_WRITE: ReadonlyArray<BulkColumn<CertificationChangeWrite>> = [
  { name: 'certification_id', type: 'bigint', value: (c) => c.certificationId },
  { name: 'id_number', type: 'text', value: (c) => c.idNumber },
  { name: 'action', type: 'text', value: (c) => c.action },
  { name: 'effective_on', type: 'date', value: (c) => c.effectiveOn },
  { name: 'reason', type: 'text', value: (c) => c.reason },
  { name: 'before', type: 'jsonb', value: (c) => (c.before == null ? null : JSON.stringify(c.before)) },
  { name: 'after', type: 'jsonb', value: (c) => (c.after == null ? null : JSON.stringify(c.after)) },
];

export async function recordCertificationChanges(
  db: TenantTransaction,
  changes: readonly CertificationChangeWrite[],
  actor: { sub: string; role: string },
): Promise<void> {
  if (changes.length === 0) return;
  const rows = unnestRows('c', CHANGE_WRITE, changes, 4);
  await db.query(
    countedInsert(`INSERT INTO certification_change (tenant_code, actor, role, ${CHANGE_WRITE.map((c) => c.name).join(', ')})
     SELECT $1, $2, $3, ${CHANGE_WRITE.map((c) => `c.${c.name}`).join(', ')} FROM ${rows.from}`),
    [db.tenantCode, actor.sub, actor.role, ...rows.parameters],
  );
}

export async function certificationChangesOfPeople(db: TenantTransaction, idNumbers: readonly string[]): Promise<CertificationChangeRow[]> {
  return db.query<CertificationChangeRow>(
    `SELECT id, certification_id, id_number, action, effective_on, reason, before, after, actor, role, at FROM certification_change
      WHERE tenant_code = $1 AND id_number = ANY($2::text[]) ORDER BY id`,
    [db.tenantCode, idNumbers],
  );
}

/** Certifications waiting for a person not yet registered; one already waiting is skipped. Returns the rows written. */
export async function insertPending(db: TenantTransaction, identities: readonly IdentityWrite[], recordedBy: string): Promise<AssistanceIdentityRow[]> {
  if (identities.length === 0) return [];
  const rows = unnestRows('r', IDENTITY_WRITE, identities, 3);
  return db.query<AssistanceIdentityRow>(
    `INSERT INTO pending_certification (tenant_code, id_number, category, certified_by, valid_from, valid_to, recorded_by)
     SELECT $1, r.id_number, r.category, r.certified_by, r.valid_from, r.valid_to, $2 FROM ${rows.from}
     ON CONFLICT (tenant_code, id_number, category, valid_from) DO NOTHING
     RETURNING ${IDENTITY_COLUMNS}`,
    [db.tenantCode, recordedBy, ...rows.parameters],
  );
}

/** Moves the certifications waiting for these people into the register; returns them as recorded now. */
export async function attachPending(db: TenantTransaction, idNumbers: readonly string[]): Promise<AssistanceIdentityRow[]> {
  return db.query<AssistanceIdentityRow>(
    `WITH waiting AS (DELETE FROM pending_certification WHERE tenant_code = $1 AND id_number = ANY($2::text[]) RETURNING *)
     INSERT INTO assistance_identity (tenant_code, id_number, category, certified_by, valid_from, valid_to, recorded_by)
     SELECT tenant_code, id_number, category, certified_by, valid_from, valid_to, recorded_by FROM waiting
     ON CONFLICT (tenant_code, id_number, category, valid_from) DO NOTHING
     RETURNING ${IDENTITY_COLUMNS}`,
    [db.tenantCode, idNumbers],
  );
}

/** The assistance domain's part of an ID-number correction (ResidentIdCorrected: the rows under the new number exist by then). */
export async function moveCertificationsToIdNumber(db: TenantTransaction, from: string, to: string): Promise<void> {
  for (const table of ['assistance_identity', 'certification_change', 'pending_certification']) {
    await db.query(`UPDATE ${table} SET id_number = $3 WHERE tenant_code = $1 AND id_number = $2`, [db.tenantCode, from, to]);
  }
}

/** The certifications of these people in force or ended (revoked ones are in certification_change), oldest first. */
export async function identitiesOfPeople(db: TenantTransaction, idNumbers: readonly string[]): Promise<AssistanceIdentityRow[]> {
  return identitiesOf(db, idNumbers);
}
