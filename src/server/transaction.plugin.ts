import type { ApolloServerPlugin } from '@apollo/server';
import { Kind } from 'graphql';
import { DomainError } from '../common/errors';
import type { Logger } from '../common/logger';
import type { RequestContext } from '../context/request-context';
import { type AuditEntry, auditService } from '../domains/audit/audit.service';

/** The request's deadline ended its transaction before the commit could. */
class DeadlinePassed extends Error {
  constructor() {
    super('the request passed its deadline before it could commit');
  }
}

/**
 * Ends the request's transaction before the response leaves: committed when the operation had no
 * error, rolled back otherwise. A mutation's audit record is written in that same transaction when it
 * succeeds, so no change is ever kept without its record; when it fails, the record of the failure is
 * written after the rollback. A failed COMMIT turns the answer into an error, never a false success.
 */
export function transactionPlugin(log: Logger): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue: ctx, errors, response, operation, operationName, request }) {
          const failed = (errors?.length ?? 0) > 0;
          const fields = (operation?.selectionSet.selections ?? []).flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
          const entry: AuditEntry | null =
            operation?.operation === 'mutation' && ctx.authorizedTenantCode
              ? {
                  operation: operationName ?? fields.join(','),
                  fields,
                  variables: request.variables ?? {},
                  outcome: failed ? 'ERROR' : 'OK',
                  errorCodes: (errors ?? []).map((e) => (e.originalError instanceof DomainError ? e.originalError.code : String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'))),
                }
              : null;
          try {
            if (entry && !failed) await auditService.record(ctx, ctx.db, entry);
            if (!(await ctx.finish(!failed))) throw new DeadlinePassed();
          } catch (err) {
            await ctx.finish(false).catch(() => {});
            const code = err instanceof DeadlinePassed ? 'TIMEOUT' : 'INTERNAL_SERVER_ERROR';
            log.error('commit failed', { requestId: ctx.requestId, error: (err as Error).message });
            response.http.status = err instanceof DeadlinePassed ? 503 : 500;
            response.body = {
              kind: 'single',
              singleResult: { errors: [{ message: 'The change could not be saved; nothing was written', extensions: { code } }] },
            };
            if (entry) Object.assign(entry, { outcome: 'ERROR', errorCodes: [code] });
          }
          if (entry?.outcome === 'ERROR') {
            const tx = ctx.openTransaction();
            try {
              await auditService.record(ctx, tx, entry);
              await tx.finish(true);
            } catch (err) {
              await tx.finish(false).catch(() => {});
              log.error('audit record of a failed mutation not written', { requestId: ctx.requestId, error: (err as Error).message });
            }
          }
        },
      };
    },
  };
}

/**
 * Outside production, reports how many SQL statements the request ran in `extensions.sqlStatements`:
 * the tests and the benchmark use it to show nested reads do not grow with the data (no N+1).
 */
export function sqlCountPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (response.body.kind === 'single') {
            response.body.singleResult.extensions = { ...response.body.singleResult.extensions, sqlStatements: contextValue.sqlStatements };
          }
        },
      };
    },
  };
}
