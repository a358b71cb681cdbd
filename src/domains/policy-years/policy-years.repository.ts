/** SQL of policy years: published versions (immutable), drafts, and the roll a budget is simulated on. */
import type { TenantTransaction } from '../../db/tenant-transaction';
import type { PolicyOrigin } from '../../policy-data/model';
import { livedHereOn } from '../residents/residents.repository';

export interface VersionRow {
  coverage_year: number;
  version: number;
  source: string;
  source_sha256: string;
  notice_number: string | null;
  origin: PolicyOrigin;
  file: string | null;
  draft_id: string | null;
  drafted_by: string | null;
  published_by: string;
  /** ISO 8601. */
  published_at: string;
}

const VERSION_FACTS = `coverage_year, version, source_sha256, notice_number, origin, file, draft_id, drafted_by, published_by,
  to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS published_at`;
const VERSION_COLUMNS = `${VERSION_FACTS}, source`;
/**
 * What an insert returns: the same row with its time as stored, put into ISO 8601 by isoTimes. On Citus
 * a RETURNING clause may call IMMUTABLE functions only, and to_char is STABLE.
 */
const VERSION_RETURNING = 'coverage_year, version, source_sha256, notice_number, origin, file, draft_id, drafted_by, published_by, published_at, source';

/** The timestamps of a row returned by an insert, as the SELECTs above give them (ISO 8601, milliseconds, UTC). */
function isoTimes<Row extends object>(row: Row, columns: ReadonlyArray<keyof Row>): Row {
  const out = { ...row } as Record<keyof Row, unknown>;
  for (const c of columns) if (out[c] instanceof Date) out[c] = (out[c] as Date).toISOString();
  return out as Row;
}

/** Every published version of the tenant with its document, by year and version (the last of a year is in force). */
export async function publishedVersions(db: TenantTransaction): Promise<VersionRow[]> {
  return db.query<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM policy_year_version WHERE tenant_code = $1 ORDER BY coverage_year, version`, [db.tenantCode]);
}

/** Every version of a year (or of every year), newest first, without their documents. */
export async function versionHistory(db: TenantTransaction, coverageYear: number | null): Promise<Array<Omit<VersionRow, 'source'>>> {
  return db.query(
    `SELECT ${VERSION_FACTS} FROM policy_year_version
      WHERE tenant_code = $1 AND ($2::int IS NULL OR coverage_year = $2) ORDER BY coverage_year DESC, version DESC`,
    [db.tenantCode, coverageYear],
  );
}

/** One version with its document; the one in force when `version` is null. */
export async function versionOf(db: TenantTransaction, coverageYear: number, version: number | null): Promise<VersionRow | null> {
  const [row] = await db.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM policy_year_version
      WHERE tenant_code = $1 AND coverage_year = $2 AND ($3::int IS NULL OR version = $3) ORDER BY version DESC LIMIT 1`,
    [db.tenantCode, coverageYear, version],
  );
  return row ?? null;
}

/** The highest version of a year, or 0 when none is published. */
export async function latestVersionNumber(db: TenantTransaction, coverageYear: number): Promise<number> {
  const [row] = await db.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM policy_year_version WHERE tenant_code = $1 AND coverage_year = $2',
    [db.tenantCode, coverageYear],
  );
  return row?.version ?? 0;
}

/** The notice numbers of every published version: number → years. */
export async function noticeNumbers(db: TenantTransaction): Promise<Map<string, number[]>> {
  const rows = await db.query<{ notice_number: string; years: number[] }>(
    `SELECT notice_number, array_agg(DISTINCT coverage_year ORDER BY coverage_year) AS years FROM policy_year_version
      WHERE tenant_code = $1 AND notice_number IS NOT NULL GROUP BY notice_number`,
    [db.tenantCode],
  );
  return new Map(rows.map((r) => [r.notice_number, r.years]));
}

export interface VersionWrite {
  coverageYear: number;
  version: number;
  source: string;
  sourceSha256: string;
  noticeNumber: string | null;
  draftId: string;
  draftedBy: string;
  publishedBy: string;
}

/** The channel on which a published version is announced (src/server/tenant-sync.ts listens). */
export const POLICY_CHANNEL = 'policy_changed';

/**
 * Publishes a version through the API; a version of that number published meanwhile fails the insert
 * (23505). Every server is told when the transaction commits: a statement of its own, so that on Citus
 * the NOTIFY comes from the coordinator, where the servers listen.
 */
export async function insertApiVersion(db: TenantTransaction, v: VersionWrite): Promise<VersionRow> {
  const [row] = await db.query<VersionRow>(
    `INSERT INTO policy_year_version (tenant_code, coverage_year, version, source, source_sha256, notice_number, origin, draft_id, drafted_by, published_by)
     VALUES ($1, $2, $3, $4, $5, $6, 'API', $7, $8, $9)
     RETURNING ${VERSION_RETURNING}`,
    [db.tenantCode, v.coverageYear, v.version, v.source, v.sourceSha256, v.noticeNumber, v.draftId, v.draftedBy, v.publishedBy],
  );
  await db.query(`SELECT pg_notify('${POLICY_CHANNEL}', $1)`, [db.tenantCode]);
  return isoTimes(row, ['published_at']);
}

export interface DraftRow {
  id: string;
  coverage_year: number;
  source: string;
  started_from_year: number | null;
  started_from_version: number | null;
  replaces_version: number | null;
  error_count: number;
  warning_count: number;
  created_by: string;
  created_at: string;
  published_version: number | null;
  published_by: string | null;
  published_at: string | null;
}

const DRAFT_FACTS = `id, coverage_year, started_from_year, started_from_version, replaces_version, error_count, warning_count, created_by,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at, published_version, published_by,
  to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS published_at`;
const DRAFT_COLUMNS = `${DRAFT_FACTS}, source`;
/** What an insert returns (see VERSION_RETURNING). */
const DRAFT_RETURNING =
  'id, coverage_year, started_from_year, started_from_version, replaces_version, error_count, warning_count, created_by, created_at, published_version, published_by, published_at, source';

export interface DraftWrite {
  coverageYear: number;
  source: string;
  startedFromYear: number | null;
  startedFromVersion: number | null;
  replacesVersion: number | null;
  errorCount: number;
  warningCount: number;
  createdBy: string;
}

export async function insertDraft(db: TenantTransaction, d: DraftWrite): Promise<DraftRow> {
  const [row] = await db.query<DraftRow>(
    `INSERT INTO policy_draft (tenant_code, coverage_year, source, started_from_year, started_from_version, replaces_version, error_count, warning_count, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${DRAFT_RETURNING}`,
    [db.tenantCode, d.coverageYear, d.source, d.startedFromYear, d.startedFromVersion, d.replacesVersion, d.errorCount, d.warningCount, d.createdBy],
  );
  return isoTimes(row, ['created_at', 'published_at']);
}

/** A draft by id (locked for publication with `forUpdate`); null when the tenant has none of that id. */
export async function draftById(db: TenantTransaction, id: string, forUpdate = false): Promise<DraftRow | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
  const [row] = await db.query<DraftRow>(`SELECT ${DRAFT_COLUMNS} FROM policy_draft WHERE tenant_code = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [
    db.tenantCode,
    id,
  ]);
  return row ?? null;
}

/** The latest drafts of a year (or of every year), newest first. */
export async function draftList(db: TenantTransaction, coverageYear: number | null, limit: number): Promise<DraftRow[]> {
  return db.query<DraftRow>(
    `SELECT ${DRAFT_COLUMNS} FROM policy_draft
      WHERE tenant_code = $1 AND ($2::int IS NULL OR coverage_year = $2) ORDER BY created_at DESC, id LIMIT $3`,
    [db.tenantCode, coverageYear, limit],
  );
}

export async function markDraftPublished(db: TenantTransaction, id: string, version: number, by: string): Promise<void> {
  await db.query('UPDATE policy_draft SET published_version = $3, published_by = $4, published_at = now() WHERE tenant_code = $1 AND id = $2', [
    db.tenantCode,
    id,
    version,
    by,
  ]);
}

export interface RollGroup {
  /** The categories certified for these people on the day, sorted; empty: none. */
  categories: string[];
  region_code: string | null;
  people: number;
}

/**
 * The tenant's roll on a day, for a budget: residents who lived here that day (livedHereOn, the same
 * condition as the follow-up list's: born, not yet dead, settled abroad or transferred out, and
 * transferred in by then, or gone and back by then), grouped by the assistance categories certified
 * for them that day and by their household's region. A budget on a past day counts the same people
 * whatever happened to them since. One statement.
 */
export async function rollOn(db: TenantTransaction, asOf: string): Promise<RollGroup[]> {
  return db.query<RollGroup>(
    `SELECT coalesce(c.categories, '{}') AS categories, h.region_code, count(*)::int AS people
       FROM resident r
       LEFT JOIN household h ON h.tenant_code = r.tenant_code AND h.id = r.household_id
       LEFT JOIN LATERAL (
         SELECT array_agg(DISTINCT a.category ORDER BY a.category) AS categories FROM assistance_identity a
          WHERE a.tenant_code = r.tenant_code AND a.id_number = r.id_number AND a.valid_from <= $2 AND (a.valid_to IS NULL OR a.valid_to >= $2)
       ) c ON true
      WHERE r.tenant_code = $1
        AND ${livedHereOn('r', '$2')}
      GROUP BY 1, 2`,
    [db.tenantCode, asOf],
  );
}
