/** The audit trail of mutations and of reads of personal data: written with the act itself, read by administrators. */
import { badInput } from '../../common/errors';
import { text } from '../../common/i18n';
import { maskVariables } from '../../common/sensitive';
import type { LastStatement, RequestContext } from '../../context/request-context';
import type { TenantTransaction } from '../../db/tenant-transaction';
import {
  type AuditFilter,
  type AuditKind,
  type AuditRecord,
  type AuditRow,
  auditCount,
  auditRecordStatement,
  auditRecords,
  insertAuditRecord,
} from './audit.repository';
import { readRecordsOf } from './read-records';

export interface AuditEntry {
  kind: AuditKind;
  operation: string;
  fields: string[];
  variables: Record<string, unknown>;
  /** Each root field's arguments by response key, variables resolved. */
  arguments: Record<string, unknown>;
  outcome: 'OK' | 'ERROR';
  errorCodes: string[];
}

export class AuditService {
  /** Writes the record in `db`: the request's own transaction on success, a fresh one after a rollback. */
  async record(ctx: RequestContext, db: TenantTransaction, entry: AuditEntry): Promise<void> {
    await insertAuditRecord(db, this.recordOf(ctx, entry));
  }

  /**
   * The record as a statement sent with the request's COMMIT, in the commit's own round trip. A read's
   * runs only if its transaction wrote something; otherwise it is left out, to be deferred (deferRead).
   */
  statement(ctx: RequestContext, db: TenantTransaction, entry: AuditEntry): LastStatement {
    return { ...auditRecordStatement(db.tenantCode, this.recordOf(ctx, entry)), onlyIfWritten: entry.kind === 'READ' };
  }

  /**
   * A read's record, written shortly after the answer with others (read-records.ts): for a read that
   * wrote nothing (it began no transaction, ran on a read replica, or its transaction wrote nothing). False when it cannot be
   * taken (too many wait to be written): the read's answer is then withheld.
   */
  deferRead(ctx: RequestContext, tenantCode: string, entry: AuditEntry): boolean {
    if (entry.kind !== 'READ') throw new Error('only a read record may be written after the answer');
    return readRecordsOf(ctx.app).add(tenantCode, this.recordOf(ctx, entry));
  }

  private recordOf(ctx: RequestContext, entry: AuditEntry): AuditRecord {
    return {
      kind: entry.kind,
      requestId: ctx.requestId,
      actor: ctx.actor?.sub ?? 'anonymous',
      role: ctx.actor?.role ?? 'NONE',
      operation: entry.operation,
      fields: entry.fields,
      variables: maskVariables(entry.variables),
      arguments: maskVariables(entry.arguments),
      outcome: entry.outcome,
      errorCodes: entry.errorCodes,
    };
  }

  /** How many records the filter selects, on every page. */
  async count(ctx: RequestContext, filter: AuditFilter): Promise<number> {
    await this.readRecordsWritten(ctx);
    return auditCount(ctx.db, filter);
  }

  /** Newest first; `after` is the id of the last record of the previous page. */
  async list(ctx: RequestContext, filter: AuditFilter, first: number, after: number | null): Promise<{ rows: AuditRow[]; hasNextPage: boolean }> {
    if (first < 1 || first > 500) throw badInput(text('每页条数（first）须在 1 至 500 之间', 'first must be between 1 and 500'), 'first');
    await this.readRecordsWritten(ctx);
    const rows = await auditRecords(ctx.db, filter, after, first + 1);
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  /**
   * Before the log is read, the records of reads this server still holds are written, so that an
   * administrator sees every read answered before. Waits at most READ_RECORDS_WAIT_MS: an unreachable
   * database fails the read of the log anyway, and a slow one must not hold the query.
   */
  private async readRecordsWritten(ctx: RequestContext): Promise<void> {
    await readRecordsOf(ctx.app).flushWithin(READ_RECORDS_WAIT_MS);
  }
}

/** How long a read of the audit log waits for the records of reads to be written. */
const READ_RECORDS_WAIT_MS = 2_000;

export const auditService = new AuditService();
