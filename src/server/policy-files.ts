/**
 * At start, the years of tenants/ (the reviewed source kept in the repository) become published versions
 * in the database, which every server then serves from. For each year file:
 *
 * - no version yet: the file is published as version 1;
 * - the version in force has the file's very text: nothing to do;
 * - the version in force came from tenants/ too and the file changed: the file is published as the next
 *   version (a reviewed change of the file is a new version, never an edit of an old one);
 * - the file holds the text of an older version: it is refused and the version in force stays. A server
 *   of the previous release starting during a rolling deploy would otherwise publish last release's text
 *   over this one's, and the next new server this one's again, each time switching every server's
 *   amounts. Going back to an older text on purpose is a draft published through the API;
 * - the version in force was published through the API (publishPolicyYear) and the file differs from it:
 *   the file is refused, loudly, and the database's version stays in force. The API's version was
 *   checked and approved by two administrators after the file was last read; a file that differs from it
 *   is either behind it (not exported back yet: `npm run policy:export`) or a second, unreviewed change
 *   of the same year. Either way the server does not choose between them by itself: it keeps serving
 *   what is in force and says what to do. Once the file holds the exported text, the two agree again.
 *
 * Servers starting together take turns under an advisory lock, so a version is published once.
 */
import type pg from 'pg';
import type { PolicyYear, TenantCatalog } from '../policy-data/model';
import { setLocalTenant } from '../db/tenant-transaction';
import { POLICY_CHANNEL } from '../domains/policy-years/policy-years.repository';
import { startupClient } from './database';

/** Any fixed number: the advisory lock under which one server at a time imports tenants/. */
const POLICY_IMPORT_LOCK = 7_263_800_003;

export type PolicyFileAction = 'PUBLISHED' | 'UNCHANGED' | 'REFUSED';

export interface PolicyFileOutcome {
  file: string;
  tenantCode: string;
  coverageYear: number;
  action: PolicyFileAction;
  /** The version in force after the import. */
  version: number;
  /** For a refusal: why, and what to do. */
  message: string | null;
}

interface LatestRow {
  version: number;
  source_sha256: string;
  origin: 'TENANT_FILE' | 'API';
  published_by: string;
  published_at: string;
  same_text_version: number | null;
}

export async function importPolicyFiles(ownerUrl: string, catalog: TenantCatalog, citus = false): Promise<PolicyFileOutcome[]> {
  const { client } = startupClient(ownerUrl);
  await client.connect();
  const outcomes: PolicyFileOutcome[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [POLICY_IMPORT_LOCK]);
    await client.query('BEGIN');
    // The tenant by SET LOCAL, which Citus passes on to the workers when told to (set_config would not).
    if (citus) await client.query("SET LOCAL citus.propagate_set_commands = 'local'");
    for (const tenant of catalog.tenants) {
      await client.query(setLocalTenant(tenant.code));
      const published = outcomes.length;
      for (const policy of tenant.policies.values()) outcomes.push(await importYear(client, policy));
      if (outcomes.slice(published).some((o) => o.action === 'PUBLISHED')) await client.query(`SELECT pg_notify('${POLICY_CHANNEL}', $1)`, [tenant.code]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await client.end(); // ending the session releases the lock
  }
  return outcomes;
}

async function importYear(client: pg.Client, policy: PolicyYear): Promise<PolicyFileOutcome> {
  const base = { file: policy.file, tenantCode: policy.tenantCode, coverageYear: policy.coverageYear };
  const { rows } = await client.query<LatestRow>(
    `SELECT v.version, v.source_sha256, v.origin, v.published_by,
            to_char(v.published_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS published_at,
            (SELECT max(s.version) FROM policy_year_version s
              WHERE s.tenant_code = v.tenant_code AND s.coverage_year = v.coverage_year AND s.source_sha256 = $3) AS same_text_version
       FROM policy_year_version v WHERE v.tenant_code = $1 AND v.coverage_year = $2 ORDER BY v.version DESC LIMIT 1`,
    [policy.tenantCode, policy.coverageYear, policy.sourceSha256],
  );
  const latest = rows[0];
  if (latest?.source_sha256 === policy.sourceSha256) return { ...base, action: 'UNCHANGED', version: latest.version, message: null };
  if (latest?.origin === 'API') {
    const export_ = `npm run policy:export -- --tenant ${policy.tenantCode} --year ${policy.coverageYear} --out tenants/${policy.file}`;
    const message = latest.same_text_version
      ? `tenants/${policy.file} holds version ${latest.same_text_version}; version ${latest.version} was published through the API by ${latest.published_by} on ${latest.published_at} and stays in force. Export it back into the file: ${export_}`
      : `tenants/${policy.file} differs from version ${latest.version}, published through the API by ${latest.published_by} on ${latest.published_at}, which stays in force: the file was not imported. Export the version in force (${export_}) and make the change again as a draft, or publish the file's text as a draft through the API`;
    return { ...base, action: 'REFUSED', version: latest.version, message };
  }
  if (latest && latest.same_text_version !== null) {
    const message = `tenants/${policy.file} holds version ${latest.same_text_version}, older than version ${latest.version} (published by ${latest.published_by} on ${latest.published_at}), which stays in force: the file was not imported. A server of an earlier release, or a checkout behind the one that published version ${latest.version}; to go back to that text on purpose, publish it as a draft through the API`;
    return { ...base, action: 'REFUSED', version: latest.version, message };
  }
  const version = (latest?.version ?? 0) + 1;
  await client.query(
    `INSERT INTO policy_year_version (tenant_code, coverage_year, version, source, source_sha256, notice_number, origin, file, published_by)
     VALUES ($1, $2, $3, $4, $5, $6, 'TENANT_FILE', $7, $8)`,
    [policy.tenantCode, policy.coverageYear, version, policy.source, policy.sourceSha256, policy.data.notice.number, policy.file, `tenants/${policy.file}`],
  );
  return { ...base, action: 'PUBLISHED', version, message: null };
}
