/**
 * The partners' operations, compiled. A bank's counter and the tax system's scripts send the operations
 * of schema/operations/bank.graphql and tax.graphql and nothing else, thousands of times a minute: each
 * is compiled once at start by graphql-jit into a function of its own, and a request that sends one of
 * them skips parsing, validation and the generic executor. The resolvers, the auth checker, the error
 * formatter, the audit record, the commit and the request's log line are the ones every other request
 * goes through (endRequest, observeRequest), so the answer is the same byte for byte.
 *
 * Anything else, and anything unusual about such a request (variables that do not coerce, a NUL in a
 * text, request extensions, a GET), goes through Apollo as before.
 */
import { type HeaderMap, type HTTPGraphQLResponse } from '@apollo/server';
import {
  type DocumentNode,
  type ExecutionResult,
  type GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  parse,
  print,
  stripIgnoredCharacters,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { Logger } from '../common/logger';
import type { Metrics } from '../common/metrics';
import type { RequestContext } from '../context/request-context';
import { inLanguage } from '../graphql/errors';
import { parseOptions } from '../graphql/limits';
import { loadOperations } from '../graphql/operations';
import { hasNul } from './input-text.plugin';
import { observeRequest } from './observability.plugin';
import { endRequest, routeOf } from './transaction.plugin';

/** The files whose operations are compiled: the partners' (banks, the tax system). */
const COMPILED_FILES = ['schema/operations/bank.graphql', 'schema/operations/tax.graphql'];

/** Distinct request texts remembered as being (or not being) a compiled operation. */
const TEXTS_REMEMBERED = 1000;
/**
 * Distinct texts compiled. Each text is compiled on its own (errors give locations in the text the
 * client sent), and a partner's script sends one text per operation: beyond this, Apollo answers.
 */
const TEXTS_COMPILED = 200;

interface CompiledOperation {
  name: string;
  operation: OperationDefinitionNode;
  compiled: CompiledQuery;
}

export interface CompiledOperationsOptions {
  schema: GraphQLSchema;
  log: Logger;
  metrics: Metrics;
  /** The names of schema/operations/, for the metrics' labels. */
  knownOperations: ReadonlySet<string>;
  /** Apollo's formatError: errors leave formatted in the one place they are. */
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** Outside production: the stack in each error, and the request's SQL statements in its extensions. */
  development: boolean;
}

/** The operation in a request body, if it is one of the compiled ones. */
const OPERATION_NAME = /^\s*(?:#[^\n]*\n\s*)*(?:query|mutation)\s+([_A-Za-z][_0-9A-Za-z]*)/;

const signature = (operation: OperationDefinitionNode) => stripIgnoredCharacters(print(operation));

export class CompiledOperations {
  /** The operations of the files, by name, with their signature. */
  private readonly byName = new Map<string, { operation: OperationDefinitionNode; signature: string }>();
  private readonly byText = new Map<string, CompiledOperation | null>();
  private compiledTexts = 0;
  /** Requests answered by the compiled path, for the tests that compare the two paths. */
  answered = 0;

  constructor(private readonly options: CompiledOperationsOptions) {
    for (const { location, document } of loadOperations()) {
      if (!COMPILED_FILES.includes(location)) continue;
      for (const definition of document.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION || !definition.name) continue;
        // Compiled once at start too, so that an operation graphql-jit cannot compile stops the start.
        this.compile({ kind: Kind.DOCUMENT, definitions: [definition] }, definition);
        this.byName.set(definition.name.value, { operation: definition, signature: signature(definition) });
      }
    }
  }

  /**
   * The compiled operation a request body names, or null. The text is compared by its meaning (the
   * partners' scripts may format it their own way) once, and remembered: a text seen before costs a
   * map lookup. Texts that do not start with a compiled operation's name are not parsed here at all.
   */
  find(body: unknown): { operation: CompiledOperation; variables: Record<string, unknown> } | null {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
    const { query, variables, operationName, extensions, ...rest } = body as Record<string, unknown>;
    if (typeof query !== 'string' || extensions !== undefined || Object.keys(rest).length > 0) return null;
    if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
    let operation = this.byText.get(query);
    if (operation === undefined) {
      operation = this.match(query);
      if (this.byText.size < TEXTS_REMEMBERED) this.byText.set(query, operation);
    }
    if (!operation || (operationName !== undefined && operationName !== null && operationName !== operation.name)) return null;
    const given = (variables ?? {}) as Record<string, unknown>;
    return hasNul(given) ? null : { operation, variables: given };
  }

  private match(query: string): CompiledOperation | null {
    const name = OPERATION_NAME.exec(query)?.[1];
    const candidate = name ? this.byName.get(name) : undefined;
    if (!candidate) return null;
    let document: DocumentNode;
    try {
      document = parse(query, parseOptions);
    } catch {
      return null;
    }
    const [definition, ...others] = document.definitions;
    if (others.length > 0 || definition?.kind !== Kind.OPERATION_DEFINITION || signature(definition) !== candidate.signature) return null;
    if (this.compiledTexts >= TEXTS_COMPILED) return null;
    this.compiledTexts += 1;
    return this.compile(document, definition);
  }

  private compile(document: DocumentNode, definition: OperationDefinitionNode): CompiledOperation {
    const name = definition.name!.value;
    const compiled = compileQuery(this.options.schema, document, name);
    if (!isCompiledQuery(compiled)) throw new Error(`operation ${name} does not compile: ${compiled.errors?.map((e) => e.message).join('; ')}`);
    return { name, operation: definition, compiled };
  }

  /**
   * Runs a compiled operation for the request, ends its transaction and answers as Apollo would; null
   * when the variables do not coerce (nothing ran: Apollo then answers with its own message).
   */
  async execute(
    ctx: RequestContext,
    found: { operation: CompiledOperation; variables: Record<string, unknown> },
    accept: string | undefined,
  ): Promise<HTTPGraphQLResponse | null> {
    const contentType = contentTypeFor(accept);
    if (!contentType) return null;
    const started = process.hrtime.bigint();
    const { operation, variables } = found;
    // Where Apollo's transaction plugin would send it: the bank lookup to a replica when there are any.
    ctx.routeTo(routeOf(operation.operation, this.options.schema, ctx.app.connections.hasReplicas));
    const result = (await operation.compiled.query(undefined, ctx, variables)) as ExecutionResult;
    if (result.data === undefined) return null;
    this.answered += 1;
    const { schema, log, metrics, knownOperations, development } = this.options;
    const errors = (result.errors ?? []) as readonly GraphQLError[];
    const ending = endRequest(ctx, log, { schema, operation: operation.operation, operationName: operation.name, variables, errors });
    // Read where Apollo's plugins read it: once the end of the request has started, before it is done.
    const sqlStatements = ctx.sqlStatements;
    const refused = await ending;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    setImmediate(() => observeRequest(metrics, log, knownOperations, { ctx, operation: operation.operation, operationName: operation.name, errors, seconds }));
    const headers = new Map([['content-type', contentType]]) as unknown as HeaderMap;
    if (refused) return { status: refused.status, headers, body: { kind: 'complete', string: `${JSON.stringify(refused.result)}\n` } };
    const answer = {
      // In the request's language, as Apollo's language plugin would pick it.
      errors:
        errors.length > 0
          ? inLanguage(
              errors.map((e) => this.format(e)),
              ctx.language,
            )
          : undefined,
      data: result.data,
      extensions: development ? { sqlStatements } : undefined,
    };
    return { status: 200, headers, body: { kind: 'complete', string: `${JSON.stringify(answer)}\n` } };
  }

  /** As Apollo formats an execution error before its formatError sees it. */
  private format(error: GraphQLError): GraphQLFormattedError {
    const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions?.code ?? 'INTERNAL_SERVER_ERROR' };
    delete extensions.http;
    if (this.options.development) extensions.stacktrace = error.stack?.split('\n');
    try {
      return this.options.formatError({ ...error.toJSON(), extensions }, error);
    } catch {
      return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
  }
}

/**
 * The media type of the answer, for the Accept headers the partners' clients send; null for any other,
 * which Apollo negotiates itself.
 */
function contentTypeFor(accept: string | undefined): string | null {
  const value = accept?.trim();
  if (!value || value === '*/*' || value === 'application/json' || value.startsWith('application/json,')) return 'application/json; charset=utf-8';
  if (value === 'application/graphql-response+json' || value.startsWith('application/graphql-response+json,'))
    return 'application/graphql-response+json; charset=utf-8';
  return null;
}
