/** SQL of the audit log. */
import type { PoolClient } from 'pg';
import { type DatabaseMode, setLocalTenant, type TenantTransaction } from '../../db/tenant-transaction';

export type AuditKind = 'MUTATION' | 'READ';

export interface AuditFilter {
  kind?: AuditKind | null;
  actor?: string | null;
  operation?: string | null;
  outcome?: 'OK' | 'ERROR' | null;
  from?: string | null;
  to?: string | null;
}

export interface AuditRow {
  id: number;
  at: Date;
  request_id: string;
  actor: string;
  role: string;
  operation: string;
  fields: string[];
  variables: unknown;
  arguments: unknown;
  kind: AuditKind;
  outcome: 'OK' | 'ERROR';
  error_codes: string[];
}

export interface AuditRecord {
  kind: AuditKind;
  requestId: string;
  actor: string;
  role: string;
  operation: string;
  fields: string[];
  variables: unknown;
  arguments: unknown;
  outcome: string;
  errorCodes: string[];
}

export async function insertAuditRecord(db: TenantTransaction, record: AuditRecord): Promise<void> {
  const { text, values } = auditRecordStatement(db.tenantCode, record);
  await db.query(text, [...values]);
}

/**
 * The record's INSERT, by the function audit_record (migration AuditRecordFunction), whose plan is kept:
 * a transaction sends it with its COMMIT, its values written into the text.
 */
export function auditRecordStatement(tenantCode: string, record: AuditRecord): { text: string; values: Array<string | string[]> } {
  return {
    text: 'SELECT audit_record($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
    values: [
      tenantCode,
      record.kind,
      record.requestId,
      record.actor,
      record.role,
      record.operation,
      record.fields,
      JSON.stringify(record.variables),
      JSON.stringify(record.arguments),
      record.outcome,
      record.errorCodes,
    ],
  };
}

/** The statement of audit_read_records (migration ReadsWithoutTransaction): it sets the tenant itself. */
const READ_RECORDS_SQL = 'SELECT audit_read_records($1, $2::jsonb) AS written';

/** A read's record waiting to be written (read-records.ts): its tenant, and its JSON as audit_read_records reads it. */
export interface ReadRecordWrite {
  tenantCode: string;
  json: string;
}

/** A read's record as one element of audit_read_records' JSON array; `at` is when the read was answered. */
export function readRecordJson(record: AuditRecord, at: string): string {
  return JSON.stringify({
    at,
    request_id: record.requestId,
    actor: record.actor,
    role: record.role,
    operation: record.operation,
    fields: record.fields,
    variables: record.variables,
    arguments: record.arguments,
    outcome: record.outcome,
    error_codes: record.errorCodes,
  });
}

/**
 * Records of reads, all or none: one audit_read_records statement per tenant. A batch of one tenant on
 * plain PostgreSQL is that one statement in its implicit transaction (one round trip); several tenants,
 * Citus (where set_config() stays on the coordinator, so the tenant reaches the workers by SET LOCAL in a
 * message of its own) and a pooler (whose connections take the statement timeout in the transaction)
 * take a transaction around them.
 */
export async function insertReadRecords(
  client: PoolClient,
  batch: readonly ReadRecordWrite[],
  mode: Pick<DatabaseMode, 'citus' | 'pooled' | 'statementTimeoutMs'>,
): Promise<void> {
  const byTenant = new Map<string, string[]>();
  for (const { tenantCode, json } of batch) {
    const same = byTenant.get(tenantCode);
    if (same) same.push(json);
    else byTenant.set(tenantCode, [json]);
  }
  const statementOf = (tenantCode: string, jsons: string[]) => {
    const values = [tenantCode, `[${jsons.join(',')}]`];
    // Behind a pooler in transaction mode no statement is prepared under a name.
    return mode.pooled ? { text: READ_RECORDS_SQL, values } : { name: 'audit_read_records', text: READ_RECORDS_SQL, values };
  };
  if (!mode.citus && !mode.pooled && byTenant.size === 1) {
    const [[tenantCode, jsons]] = byTenant;
    await client.query(statementOf(tenantCode, jsons));
    return;
  }
  await client.query('BEGIN');
  try {
    if (mode.pooled) await client.query(`SET LOCAL statement_timeout = ${Math.trunc(mode.statementTimeoutMs)}`);
    for (const [tenantCode, jsons] of byTenant) {
      if (mode.citus) await client.query(setLocalTenant(tenantCode));
      await client.query(statementOf(tenantCode, jsons));
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

const AUDIT_FILTER = `tenant_code = $1
        AND ($2::text IS NULL OR actor = $2)
        AND ($3::text IS NULL OR operation = $3 OR $3 = ANY (fields))
        AND ($4::text IS NULL OR outcome = $4)
        AND ($5::date IS NULL OR at >= ($5::date::timestamp AT TIME ZONE 'Asia/Shanghai'))
        AND ($6::date IS NULL OR at < (($6::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'))
        AND ($7::text IS NULL OR kind = $7)`;

const filterValues = (db: TenantTransaction, filter: AuditFilter) => [
  db.tenantCode,
  filter.actor ?? null,
  filter.operation ?? null,
  filter.outcome ?? null,
  filter.from ?? null,
  filter.to ?? null,
  filter.kind ?? null,
];

export async function auditCount(db: TenantTransaction, filter: AuditFilter): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE ${AUDIT_FILTER}`, filterValues(db, filter));
  return row.n;
}

/** Newest first, with ids below `before` when given. */
export async function auditRecords(db: TenantTransaction, filter: AuditFilter, before: number | null, limit: number): Promise<AuditRow[]> {
  return db.query<AuditRow>(
    `SELECT id, at, request_id, actor, role, kind, operation, fields, variables, arguments, outcome, error_codes FROM audit_log
      WHERE ${AUDIT_FILTER} AND ($8::bigint IS NULL OR id < $8)
      ORDER BY id DESC LIMIT $9`,
    [...filterValues(db, filter), before, limit],
  );
}
