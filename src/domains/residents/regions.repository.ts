/** SQL of a tenant's regions: those of tenants/ (written at start) and those added at run time. */
import { type BulkColumn, unnestRows } from '../../db/bulk';
import type { TenantTransaction } from '../../db/tenant-transaction';
import type { Region } from '../../policy-data/model';
import type { RegionKind } from '../../policy-data/vocabulary';

/** The channel on which region changes are announced (src/server/region-sync.ts listens). */
export const REGION_CHANNEL = 'region_changed';

interface RegionRow {
  code: string;
  name: string;
  kind: RegionKind;
  parent_code: string | null;
  source: 'TENANT_FILE' | 'API';
  established_on: string | null;
  retired_on: string | null;
  successor_code: string | null;
}

/** The tenant's regions with their renames, in two statements. */
export async function regionsOf(db: TenantTransaction): Promise<Region[]> {
  const [rows, names] = await Promise.all([
    db.query<RegionRow>(
      'SELECT code, name, kind, parent_code, source, established_on, retired_on, successor_code FROM region WHERE tenant_code = $1 ORDER BY code',
      [db.tenantCode],
    ),
    db.query<{ code: string; name: string; valid_from: string }>(
      'SELECT code, name, valid_from FROM region_name WHERE tenant_code = $1 ORDER BY code, valid_from',
      [db.tenantCode],
    ),
  ]);
  const renames = new Map<string, Array<{ name: string; validFrom: string }>>();
  for (const n of names) renames.set(n.code, [...(renames.get(n.code) ?? []), { name: n.name, validFrom: n.valid_from }]);
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    kind: r.kind,
    parentCode: r.parent_code,
    source: r.source,
    establishedOn: r.established_on,
    retiredOn: r.retired_on,
    successorCode: r.successor_code,
    renames: renames.get(r.code) ?? [],
  }));
}

/** Regions of these codes as the database has them now (a code another server added a moment ago). */
export async function regionRows(
  db: TenantTransaction,
  codes: readonly string[],
): Promise<Array<{ code: string; retired_on: string | null; established_on: string | null }>> {
  return db.query('SELECT code, retired_on, established_on FROM region WHERE tenant_code = $1 AND code = ANY($2::text[])', [db.tenantCode, codes]);
}

export interface RegionWrite {
  code: string;
  name: string;
  kind: RegionKind;
  parentCode: string | null;
  establishedOn: string | null;
}

const REGION_WRITE: ReadonlyArray<BulkColumn<RegionWrite>> = [
  { name: 'code', type: 'text', value: (r) => r.code },
  { name: 'name', type: 'text', value: (r) => r.name },
  { name: 'kind', type: 'text', value: (r) => r.kind },
  { name: 'parent_code', type: 'text', value: (r) => r.parentCode },
  { name: 'established_on', type: 'date', value: (r) => r.establishedOn },
];

/**
 * Tells every server, when this transaction commits, that the tenant's regions changed (each LISTENs on
 * `region_changed` and reloads that tenant). A statement of its own: on Citus it must run on the
 * coordinator, where the servers listen, not on a worker.
 */
export async function notifyRegionsChanged(db: TenantTransaction): Promise<void> {
  await db.query(`SELECT pg_notify('${REGION_CHANNEL}', $1)`, [db.tenantCode]);
}

/** Inserts regions; a code already there is skipped and missing from the result. */
export async function insertRegions(db: TenantTransaction, regions: readonly RegionWrite[], createdBy: string): Promise<Set<string>> {
  if (regions.length === 0) return new Set();
  const set = unnestRows('r', REGION_WRITE, regions, 3);
  const rows = await db.query<{ code: string }>(
    `INSERT INTO region (tenant_code, code, name, kind, parent_code, established_on, source, created_by)
     SELECT $1, r.code, r.name, r.kind, r.parent_code, r.established_on, 'API', $2 FROM ${set.from}
     ON CONFLICT (tenant_code, code) DO NOTHING RETURNING code`,
    [db.tenantCode, createdBy, ...set.parameters],
  );
  if (rows.length > 0) await notifyRegionsChanged(db);
  return new Set(rows.map((r) => r.code));
}

export async function insertRegionName(db: TenantTransaction, code: string, name: string, validFrom: string, recordedBy: string): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO region_name (tenant_code, code, name, valid_from, recorded_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tenant_code, code, valid_from) DO NOTHING RETURNING code`,
    [db.tenantCode, code, name, validFrom, recordedBy],
  );
  if (rows.length > 0) await notifyRegionsChanged(db);
  return rows.length > 0;
}

/** Retires regions from `on` (into `successor`, if any); returns the codes changed. */
export async function retireRegions(
  db: TenantTransaction,
  codes: readonly string[],
  on: string,
  successor: string | null,
  reason: string | null,
): Promise<string[]> {
  const rows = await db.query<{ code: string }>(
    `UPDATE region SET retired_on = $3, successor_code = $4, retirement_reason = $5
      WHERE tenant_code = $1 AND code = ANY($2::text[]) AND retired_on IS NULL RETURNING code`,
    [db.tenantCode, codes, on, successor, reason],
  );
  if (rows.length > 0) await notifyRegionsChanged(db);
  return rows.map((r) => r.code);
}

/** Households registered in these regions and not merged away. */
export async function householdsIn(db: TenantTransaction, codes: readonly string[]): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM household WHERE tenant_code = $1 AND region_code = ANY($2::text[]) AND dissolved_on IS NULL',
    [db.tenantCode, codes],
  );
  return row.n;
}
