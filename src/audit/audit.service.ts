/** The audit trail of mutations: written with the change itself, read by administrators. */
import { badInput } from '../common/errors';
import { maskVariables } from '../common/sensitive';
import type { RequestContext } from '../context/request-context';
import type { TenantTransaction } from '../db/tenant-transaction';

export interface AuditEntry {
  operation: string;
  fields: string[];
  variables: Record<string, unknown>;
  outcome: 'OK' | 'ERROR';
  errorCodes: string[];
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
  outcome: 'OK' | 'ERROR';
  error_codes: string[];
}

export interface AuditFilter {
  actor?: string | null;
  operation?: string | null;
  outcome?: 'OK' | 'ERROR' | null;
  from?: string | null;
  to?: string | null;
}

export class AuditService {
  /** Writes the record in `db`: the request's own transaction on success, a fresh one after a rollback. */
  async record(ctx: RequestContext, db: TenantTransaction, entry: AuditEntry): Promise<void> {
    await db.query(
      `INSERT INTO audit_log (tenant_code, request_id, actor, role, operation, fields, variables, outcome, error_codes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        db.tenantCode,
        ctx.requestId,
        ctx.actor?.sub ?? 'anonymous',
        ctx.actor?.role ?? 'NONE',
        entry.operation,
        entry.fields,
        JSON.stringify(maskVariables(entry.variables)),
        entry.outcome,
        entry.errorCodes,
      ],
    );
  }

  /** Newest first; `after` is the id of the last record of the previous page. */
  async list(ctx: RequestContext, filter: AuditFilter, first: number, after: number | null): Promise<{ rows: AuditRow[]; hasNextPage: boolean }> {
    if (first < 1 || first > 500) throw badInput('first must be between 1 and 500', 'first');
    const rows = await ctx.db.query<AuditRow>(
      `SELECT id, at, request_id, actor, role, operation, fields, variables, outcome, error_codes FROM audit_log
        WHERE tenant_code = $1
          AND ($2::text IS NULL OR actor = $2)
          AND ($3::text IS NULL OR operation = $3 OR $3 = ANY (fields))
          AND ($4::text IS NULL OR outcome = $4)
          AND ($5::date IS NULL OR at >= ($5::date::timestamp AT TIME ZONE 'Asia/Shanghai'))
          AND ($6::date IS NULL OR at < (($6::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'))
          AND ($7::bigint IS NULL OR id < $7)
        ORDER BY id DESC LIMIT $8`,
      [ctx.tenant.code, filter.actor ?? null, filter.operation ?? null, filter.outcome ?? null, filter.from ?? null, filter.to ?? null, after, first + 1],
    );
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
  }
}
