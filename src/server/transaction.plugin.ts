import type { ApolloServerPlugin } from '@apollo/server';
import {
  type FieldNode,
  getArgumentValues,
  type GraphQLError,
  type GraphQLField,
  type GraphQLFormattedError,
  type GraphQLObjectType,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
} from 'graphql';
import { text } from '../common/i18n';
import type { Logger } from '../common/logger';
import type { LastStatement, RequestContext } from '../context/request-context';
import { lostToConcurrency } from '../db/lost-to-concurrency';
import { CommitOutcomeUnknown } from '../db/tenant-transaction';
import { type AuditEntry, auditService } from '../domains/audit/audit.service';
import { errorCodeOf, LOST_TO_CONCURRENCY_MESSAGE, STATEMENT_TIMEOUT_MESSAGE } from '../graphql/errors';

/** The request's deadline ended its transaction before the commit could. */
class DeadlinePassed extends Error {
  constructor() {
    super('the request passed its deadline before it could commit');
  }
}

/** Too many records of reads wait to be written (the database refuses them): the read's answer is withheld. */
class ReadRecordsWaiting extends Error {
  constructor() {
    super('too many audit records of reads wait to be written');
  }
}

/**
 * Ends the request's transaction before the response leaves: committed when the operation had no
 * error, rolled back otherwise. The audit record of a mutation, or of a query that read personal data
 * (fields marked PersonalData()), is written in that same transaction when it succeeds, so nothing is
 * kept without its record; when it fails, or is refused (a token without the role, a tenant outside the
 * token), the record of the failure is written after the rollback. A failed COMMIT turns the answer
 * into an error, never a false success. A read that wrote nothing (it began no transaction, ran on a
 * replica, or its transaction wrote nothing) has its record written shortly after the answer, with
 * other reads' (the audit domain's read-records.ts).
 */
export function transactionPlugin(log: Logger): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue: ctx, operation, schema }) {
          if (operation) ctx.routeTo(routeOf(operation, schema, ctx.app.connections.hasReplicas));
        },
        async willSendResponse({ contextValue: ctx, errors, response, operation, operationName, request, schema }) {
          const ending = endRequest(ctx, log, { schema, operation, operationName, variables: request.variables ?? {}, errors: errors ?? [] });
          // For the observability plugin, whose willSendResponse runs beside this one: the outcome it counts.
          ctx.endingWith(
            ending.then(
              (refused) => refused?.code ?? null,
              () => null,
            ),
          );
          const refused = await ending;
          if (refused) {
            response.http.status = refused.status;
            response.body = { kind: 'single', singleResult: refused.result };
          }
        },
      };
    },
  };
}

/** What a request ran and how it went, as the end of the request needs it. */
export interface RequestOutcome {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode | undefined;
  operationName: string | undefined | null;
  variables: Record<string, unknown>;
  errors: readonly GraphQLError[];
}

/** The answer that replaces the operation's when its transaction could not end as it should, and its code. */
export interface Refusal {
  status: number;
  code: string;
  result: { errors: GraphQLFormattedError[] };
}

/**
 * The end of a request, whichever executor ran it (Apollo's, or the compiled one of the bank's and tax
 * system's operations): its audit record, then commit or roll back. Returns the answer that replaces the
 * operation's when the commit failed, null otherwise: the request's log line and metrics count its code,
 * not the operation's outcome.
 */
export function endRequest(ctx: RequestContext, log: Logger, outcome: RequestOutcome): Promise<Refusal | null> {
  const { schema, operation, operationName, variables, errors } = outcome;
  const entry = auditEntryOf(ctx, schema, operation, operationName, variables, errors);
  // Most requests (a bank's lookup) failed nowhere, have nothing to record and began no transaction:
  // they end at once, without the waits below.
  if (errors.length === 0 && entry === null && ctx.finishAtOnce()) return NOT_REFUSED;
  return endWithTransaction(ctx, log, errors, entry);
}

const NOT_REFUSED: Promise<Refusal | null> = Promise.resolve(null);

async function endWithTransaction(ctx: RequestContext, log: Logger, errors: readonly GraphQLError[], entry: AuditEntry | null): Promise<Refusal | null> {
  const failed = errors.length > 0;
  // Refused callers have no tenant of their own: their record goes to the tenant they asked for.
  const auditTenant = ctx.authorizedTenantCode ?? (entry?.kind === 'MUTATION' && ctx.tenantCode && ctx.app.catalog.get(ctx.tenantCode) ? ctx.tenantCode : null);
  let refused: Refusal | null = null;
  try {
    let record: LastStatement | undefined;
    // A read that wrote nothing (it began no transaction, ran on a replica, which cannot write, or its
    // transaction wrote nothing) has its record written shortly after the answer with other reads'
    // records, on the primary.
    const read = entry !== null && !failed && auditTenant !== null && entry.kind === 'READ';
    const wroteNothing = read && (ctx.readsFromReplica || !ctx.transactionBegun);
    // Otherwise it is sent with the COMMIT, in its round trip; a read's only runs if the transaction
    // wrote something, and is left out (then deferred) if not.
    // A request its deadline ended has no transaction left to give: it is answered as TIMEOUT.
    if (ctx.ended) throw new DeadlinePassed();
    if (entry && !failed && auditTenant && !wroteNothing) record = auditService.statement(ctx, ctx.db, entry);
    if (!(await ctx.finish(!failed, record))) throw new DeadlinePassed();
    // Only once the request is ended here, not by its deadline (whose refusal has its own record).
    if (read && (wroteNothing || ctx.lastStatementLeftOut) && !auditService.deferRead(ctx, auditTenant, entry)) throw new ReadRecordsWaiting();
  } catch (err) {
    await ctx.finish(false).catch(() => {});
    // The audit statement sent with the COMMIT can lose a deadlock too: that is a retryable CONFLICT.
    const lost = lostToConcurrency(err);
    // statement_timeout can cancel the COMMIT, or the audit statement sent with it: the request ran out of time.
    const cancelled = (err as { code?: unknown } | null)?.code === '57014';
    const code = err instanceof DeadlinePassed || cancelled ? 'TIMEOUT' : lost ? 'CONFLICT' : 'INTERNAL_SERVER_ERROR';
    const failure = { requestId: ctx.requestId, error: (err as Error).message };
    if (lost) log.info('commit lost to a concurrent request', failure);
    else log.error(err instanceof ReadRecordsWaiting ? 'read withheld' : 'commit failed', failure);
    const message =
      err instanceof ReadRecordsWaiting
        ? text(
            '查询记录暂时无法写入审计日志，本次查询结果不予返回，请稍后重试',
            'The audit log cannot take the record of this read now; the answer is withheld, retry later',
          )
        : lost
          ? LOST_TO_CONCURRENCY_MESSAGE
          : cancelled
            ? STATEMENT_TIMEOUT_MESSAGE
            : err instanceof CommitOutcomeUnknown
              ? text(
                  '提交时数据库语句超时，无法确定更改是否已保存；请先查询结果，再决定是否重新提交',
                  'A database statement timed out at the commit; whether the change was saved is unknown: check before sending it again',
                )
              : text('更改未能保存，未写入任何数据', 'The change could not be saved; nothing was written');
    refused = {
      // 503 as for a deadline: nothing was written and the same request may be sent again.
      status: err instanceof DeadlinePassed || err instanceof ReadRecordsWaiting || lost || cancelled ? 503 : 500,
      code,
      result: { errors: [{ message: ctx.say(message), extensions: lost ? { code, retryable: true } : { code } }] },
    };
    if (entry) Object.assign(entry, { outcome: 'ERROR', errorCodes: [code] });
  }
  if (entry?.outcome === 'ERROR' && auditTenant) {
    await recordApart(ctx, auditTenant, entry).catch((err: Error) =>
      log.error('audit record of a failed request not written', { requestId: ctx.requestId, error: err.message }),
    );
  }
  return refused;
}

/** An audit record in a transaction of its own: a failed request's, after its rollback. */
async function recordApart(ctx: RequestContext, tenantCode: string, entry: AuditEntry): Promise<void> {
  const tx = ctx.openTransaction(tenantCode);
  try {
    await auditService.record(ctx, tx, entry);
    await tx.finish(true);
  } catch (err) {
    await tx.finish(false).catch(() => {});
    throw err;
  }
}

/**
 * Where the request's transaction runs: a mutation on the primary, remembered for the caller's
 * read-your-writes; with replicas, a query whose every root field is marked ReplicaRead() on a replica;
 * anything else (a query with a field that is not marked, fragments at the root) on the primary.
 */
export function routeOf(operation: OperationDefinitionNode, schema: GraphQLSchema, replicas: boolean): 'PRIMARY' | 'READ_REPLICA' | 'WRITE' {
  if (operation.operation === 'mutation') return 'WRITE';
  if (operation.operation !== 'query' || !replicas) return 'PRIMARY';
  const fields = schema.getQueryType()?.getFields() ?? {};
  const roots = operation.selectionSet.selections;
  const replicaRead = roots.every(
    (s) =>
      s.kind === Kind.FIELD &&
      (s.name.value === '__typename' || (fields[s.name.value]?.extensions as { replicaRead?: boolean } | undefined)?.replicaRead === true),
  );
  return replicaRead && roots.some((s) => s.kind === Kind.FIELD && s.name.value !== '__typename') ? 'READ_REPLICA' : 'PRIMARY';
}

/** What the audit log keeps of this request: a mutation, a read of personal data, or nothing. */
function auditEntryOf(
  ctx: RequestContext,
  schema: GraphQLSchema,
  operation: OperationDefinitionNode | undefined,
  operationName: string | undefined | null,
  variables: Record<string, unknown>,
  errors: readonly GraphQLError[],
): AuditEntry | null {
  if (!operation) return null;
  const root = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'query' ? schema.getQueryType() : null;
  if (!root) return null;
  // Most requests are reads of nothing personal (a bank's lookup): nothing to record, and nothing built to say so.
  if (operation.operation === 'query' && !(ctx.personalDataRead && ctx.authorizedTenantCode) && !readsPersonalData(operation, root.getFields())) return null;
  const nodes = operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);
  const definitions = root.getFields();
  const personal = nodes.filter((n) => (definitions[n.name.value]?.extensions as { personalData?: boolean } | undefined)?.personalData);
  const kind = operation.operation === 'mutation' ? 'MUTATION' : (personal.length > 0 || ctx.personalDataRead) && ctx.authorizedTenantCode ? 'READ' : null;
  if (!kind) return null;
  const audited = kind === 'READ' && personal.length > 0 ? personal : nodes;
  const fields = audited.map((n) => n.name.value);
  return {
    kind,
    operation: operationName ?? fields.join(','),
    fields,
    variables,
    arguments: Object.fromEntries(audited.map((n) => [n.alias?.value ?? n.name.value, argumentsOf(definitions[n.name.value], n, variables)])),
    outcome: errors.length > 0 ? 'ERROR' : 'OK',
    errorCodes: errors.map(errorCodeOf),
  };
}

/** Whether a root field of the operation is marked PersonalData(). */
function readsPersonalData(operation: OperationDefinitionNode, definitions: ReturnType<GraphQLObjectType['getFields']>): boolean {
  for (const s of operation.selectionSet.selections) {
    if (s.kind === Kind.FIELD && (definitions[s.name.value]?.extensions as { personalData?: boolean } | undefined)?.personalData) return true;
  }
  return false;
}

/** A root field's arguments with the variables put in: inline arguments are recorded as well as variables. */
function argumentsOf(definition: GraphQLField<unknown, unknown> | undefined, node: FieldNode, variables: Record<string, unknown>): Record<string, unknown> {
  if (!definition) return {};
  try {
    return getArgumentValues(definition, node, variables);
  } catch {
    return {};
  }
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
