/**
 * Operations, compiled. A bank's counter and the tax system's scripts send the operations of
 * schema/operations/bank.graphql and tax.graphql thousands of times a minute, the portals theirs, the
 * public pages the same quote: graphql-jit compiles each text once into a function of its own, and a
 * request that sends it again skips parsing, validation and the generic executor. The resolvers, the
 * auth checker, the error formatter, the audit record, the commit and the request's log line are the
 * ones every other request goes through (endRequest, observeRequest), so the answer is the same byte for
 * byte.
 *
 * The partners' operations are compiled at start, and a text of theirs formatted otherwise at its first
 * request. Any other text is compiled the second time it is seen, so that texts sent once (a developer's
 * query, one with its values written inline) cost no compilation; it is compiled only if it parses and
 * validates with every rule Apollo applies, holds one operation and no NUL, and is not a mutation of
 * several root fields (graphql-jit would run the fields after a failed one, where graphql-js stops).
 * The first request, and anything else, goes through Apollo, whose errors are the contract's. So does
 * anything unusual about a request (variables that do not coerce, a NUL in a text, request extensions,
 * a GET, an Accept header other than JSON's), and an operation outside schema/operations/ sent by a role
 * that may run only those (KNOWN_OPERATIONS_ONLY): Apollo refuses it, and such a role never makes a text
 * compile. Compiled texts are bounded by an estimate of their heap, compilation by a share of each second.
 *
 * An operation of fields marked PureAnswer() only (the public quote) does not run again for a request
 * it has answered without errors before, in the same language, under the same policies: its answer is
 * given again whole (keptAnswer). The public pages and portals ask a county's few questions over and over.
 */
import { type HeaderMap, type HTTPGraphQLResponse } from '@apollo/server';
import {
  type DocumentNode,
  type ExecutionResult,
  type GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  Kind,
  NoSchemaIntrospectionCustomRule,
  type OperationDefinitionNode,
  parse,
  specifiedRules,
  validate,
  type ValidationRule,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../common/logger';
import { SeenOnce } from '../common/seen-once';
import type { Metrics } from '../common/metrics';
import type { RequestContext } from '../context/request-context';
import { inLanguage } from '../graphql/errors';
import { parseOptions } from '../graphql/limits';
import { loadOperations, operationSignature } from '../graphql/operations';
import { hasNul, hasNulLiteral } from './input-text.plugin';
import { observeRequest } from './observability.plugin';
import { endRequest, routeOf } from './transaction.plugin';

/** The files whose operations are compiled at start: the partners' (banks, the tax system). */
const PARTNER_FILES = ['schema/operations/bank.graphql', 'schema/operations/tax.graphql'];

/**
 * The compiled texts are bounded by an estimate of the heap they hold: a compiled text keeps from about
 * 20 KB (the bank's lookup) to some 470 bytes per byte of a text dense with aliases (3.5 MB for a 7.5 KB
 * quote of fifteen aliases), so each counts as the larger of 16 KB and 500 bytes per byte of its text.
 * The portals and partners send a few dozen texts.
 */
const COMPILED_BUDGET_BYTES = 64 * 1024 * 1024;
const COMPILED_TEXTS_MAX = 500;
const estimatedBytes = (text: string) => Math.max(16 * 1024, text.length * 500);

/**
 * Texts not compiled (seen once, or left to Apollo), apart from the compiled ones: texts sent once, or
 * written with their values inline, must not push the portals' compiled texts out.
 */
const OTHER_TEXTS_MAX = 2000;
const OTHER_TEXTS_BUDGET_BYTES = 8 * 1024 * 1024;

/**
 * Parsing, validating and compiling run on the event loop (35–85 ms for a large text): at most this many
 * milliseconds of it a second. Past it, Apollo answers and the text is compiled on a later request.
 */
const COMPILE_MS_PER_SECOND = 100;

interface CompiledOperation {
  name: string | undefined;
  operation: OperationDefinitionNode;
  compiled: CompiledQuery;
  /** One of schema/operations/: a role held to those (KNOWN_OPERATIONS_ONLY) may run it. */
  known: boolean;
  /** A query of fields marked PureAnswer() only: its answers may be given again (keptAnswer). */
  pure: boolean;
  /** Where its transaction runs (routeOf), with read replicas and without. */
  routeWithReplicas: ReturnType<typeof routeOf>;
  routeWithoutReplicas: ReturnType<typeof routeOf>;
}

/**
 * Answers of pure operations kept to be given again, at most this many and this much text (a quote's
 * answer is 0.5–3 KB; a string of Chinese text takes two bytes a character). Like the quote service's
 * own, an answer is kept the second time the compiled operation answers its request (for a text not
 * compiled before, its third request): requests sent once (a resident's birth date) would fill it with
 * answers nobody asks again. A request whose text and variables are longer than KEPT_REQUEST_MAX_CHARS
 * is neither kept nor remembered: the portals' questions are a few hundred characters, and long ones
 * (4 MB of variables fit in a body) would fill the memory with their keys.
 */
const KEPT_ANSWERS_MAX = 2000;
const KEPT_ANSWERS_BUDGET_BYTES = 16 * 1024 * 1024;
const KEPT_REQUEST_MAX_CHARS = 4096;

/** What a pure answer is made from: the catalog at its generation, and the engine. */
interface MadeFrom {
  catalog: RequestContext['app']['catalog'];
  generation: number;
  engine: RequestContext['app']['policyEngine'];
}

/** An answer kept, with what it was made from. */
interface KeptAnswer extends MadeFrom {
  body: string;
}

/** What a request sends that a compiled operation runs: the text, its operation and variables, and the answer's media type. */
export interface FoundOperation {
  text: string;
  operation: CompiledOperation;
  variables: Record<string, unknown>;
  contentType: string;
  /** Set by keptAnswer for a pure operation: the request's key (keptKey), null when it is not kept. */
  keptKey?: string | null;
}

/** What is remembered of a text not compiled: seen once (compiled if seen again), or left to Apollo. */
type NotCompiled = 'SEEN_ONCE' | 'LEFT_TO_APOLLO';

export interface CompiledOperationsOptions {
  schema: GraphQLSchema;
  log: Logger;
  metrics: Metrics;
  /** The operations of schema/operations/ by their signature, with their names (knownOperationSignatures). */
  knownOperations: ReadonlyMap<string, string>;
  /** Apollo's formatError: errors leave formatted in the one place they are. */
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** Outside production: the stack in each error, and the request's SQL statements in its extensions. */
  development: boolean;
  /** The rules Apollo validates with besides graphql-js's own (the limits of src/graphql/limits.ts). */
  validationRules: readonly ValidationRule[];
  /** Whether introspection is allowed (outside production): Apollo refuses it otherwise. */
  introspection: boolean;
  /** Roles that may run only the operations of schema/operations/ (KNOWN_OPERATIONS_ONLY). */
  knownOperationsOnly: readonly string[];
}

/** The operation in a request body, if it names one. */
const OPERATION_NAME = /^\s*(?:#[^\n]*\n\s*)*(?:query|mutation)\s+([_A-Za-z][_0-9A-Za-z]*)/;

export class CompiledOperations {
  /** The names of schema/operations/, for the metrics' labels. */
  private readonly knownNames: ReadonlySet<string>;
  /** The partners' operation names: a text of theirs is compiled the first time it is seen. */
  private readonly partnerNames = new Set<string>();
  private readonly compiledTexts = new LRUCache<string, CompiledOperation>({
    max: COMPILED_TEXTS_MAX,
    maxSize: COMPILED_BUDGET_BYTES,
    sizeCalculation: (_, text) => estimatedBytes(text),
  });
  private readonly otherTexts = new LRUCache<string, NotCompiled>({
    max: OTHER_TEXTS_MAX,
    maxSize: OTHER_TEXTS_BUDGET_BYTES,
    sizeCalculation: (_, text) => text.length + 64,
  });
  private readonly rules: readonly ValidationRule[];
  /** The current second's compilation time (see COMPILE_MS_PER_SECOND). */
  private compileSecond = { startedAt: 0, ms: 0 };
  private readonly keptAnswers = new LRUCache<string, KeptAnswer>({
    max: KEPT_ANSWERS_MAX,
    maxSize: KEPT_ANSWERS_BUDGET_BYTES,
    sizeCalculation: (answer, key) => 2 * (answer.body.length + key.length) + 64,
  });
  private readonly answeredOnce = new SeenOnce(KEPT_ANSWERS_MAX);
  /** Requests answered by the compiled path, for the tests that compare the two paths. */
  answered = 0;
  /** Of those, the ones answered again from a kept answer (keptAnswer). */
  answeredAgain = 0;

  constructor(private readonly options: CompiledOperationsOptions) {
    this.knownNames = new Set(options.knownOperations.values());
    this.rules = [...specifiedRules, ...options.validationRules, ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
    for (const { location, document } of loadOperations()) {
      if (!PARTNER_FILES.includes(location)) continue;
      for (const definition of document.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION || !definition.name) continue;
        // Compiled once at start too, so that an operation graphql-jit cannot compile stops the start.
        this.compile({ kind: Kind.DOCUMENT, definitions: [definition] }, definition, true);
        this.partnerNames.add(definition.name.value);
      }
    }
  }

  /** How many texts are compiled now (for the tests). */
  get compiledCount(): number {
    return this.compiledTexts.size;
  }

  /**
   * The compiled operation a request body sends, or null (Apollo answers). A text compiled before costs
   * a map lookup. A text that is one of the partners' operations (by its meaning, however formatted) is
   * compiled the first time it is seen; any other text the second time, and never for a role held to
   * schema/operations/, which could not run it.
   */
  find(body: unknown, role: string | undefined, accept: string | undefined): FoundOperation | null {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
    const { query, variables, operationName, extensions, ...rest } = body as Record<string, unknown>;
    if (typeof query !== 'string' || extensions !== undefined || Object.keys(rest).length > 0) return null;
    if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
    const contentType = contentTypeFor(accept);
    if (!contentType) return null;
    const heldToKnown = role !== undefined && this.options.knownOperationsOnly.includes(role);
    const operation = this.compiledTexts.get(query) ?? this.compileIfDue(query, heldToKnown);
    if (!operation || (heldToKnown && !operation.known)) return null;
    if (operationName !== undefined && operationName !== null && operationName !== operation.name) return null;
    const given = (variables ?? {}) as Record<string, unknown>;
    return hasNul(given) ? null : { text: query, operation, variables: given, contentType };
  }

  /** A text not compiled yet, compiled if this is its time (see find). */
  private compileIfDue(query: string, heldToKnown: boolean): CompiledOperation | null {
    const state = this.otherTexts.get(query);
    if (state === 'LEFT_TO_APOLLO') return null;
    const name = OPERATION_NAME.exec(query)?.[1];
    const partner = name !== undefined && this.partnerNames.has(name);
    if (state === undefined && !partner) {
      if (!heldToKnown) this.otherTexts.set(query, 'SEEN_ONCE');
      return null;
    }
    if (heldToKnown && !partner) return null;
    const now = performance.now();
    if (now - this.compileSecond.startedAt >= 1000) this.compileSecond = { startedAt: now, ms: 0 };
    if (this.compileSecond.ms >= COMPILE_MS_PER_SECOND) return null;
    const prepared = this.prepare(query, heldToKnown || state === undefined);
    this.compileSecond.ms += performance.now() - now;
    if (prepared === 'LEFT_TO_APOLLO' || prepared === 'SEEN_ONCE') {
      this.otherTexts.set(query, prepared);
      return null;
    }
    this.otherTexts.delete(query);
    this.compiledTexts.set(query, prepared);
    return prepared;
  }

  /**
   * The text compiled, if it is one operation that parses and validates as Apollo would have it; with
   * `onlyKnown`, only if it is one of schema/operations/ (otherwise it counts as seen once). A mutation
   * must have one root field: graphql-jit runs the fields after a failed one, where graphql-js stops.
   */
  private prepare(query: string, onlyKnown: boolean): CompiledOperation | NotCompiled {
    let document: DocumentNode;
    try {
      document = parse(query, parseOptions);
    } catch {
      return 'LEFT_TO_APOLLO';
    }
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const [definition] = operations;
    if (operations.length !== 1 || definition.operation === 'subscription') return 'LEFT_TO_APOLLO';
    const roots = definition.selectionSet.selections;
    if (definition.operation === 'mutation' && (roots.length !== 1 || roots[0].kind !== Kind.FIELD)) return 'LEFT_TO_APOLLO';
    const known = this.options.knownOperations.has(operationSignature(definition));
    if (onlyKnown && !known) return 'SEEN_ONCE';
    if (hasNulLiteral(document) || validate(this.options.schema, document, this.rules).length > 0) return 'LEFT_TO_APOLLO';
    try {
      return this.compile(document, definition, known);
    } catch (err) {
      this.options.log.info('operation not compiled; Apollo answers it', { operation: definition.name?.value ?? null, error: (err as Error).message });
      return 'LEFT_TO_APOLLO';
    }
  }

  private compile(document: DocumentNode, definition: OperationDefinitionNode, known: boolean): CompiledOperation {
    const name = definition.name?.value;
    const compiled = compileQuery(this.options.schema, document, name);
    if (!isCompiledQuery(compiled))
      throw new Error(`operation ${name ?? '(anonymous)'} does not compile: ${compiled.errors?.map((e) => e.message).join('; ')}`);
    const { schema } = this.options;
    return {
      name,
      operation: definition,
      compiled,
      known,
      pure: isPure(definition, schema),
      routeWithReplicas: routeOf(definition, schema, true),
      routeWithoutReplicas: routeOf(definition, schema, false),
    };
  }

  /**
   * The body of the answer given before to the same pure request (text, variables, language), when the
   * policies and engine it was made from are still those in force; null otherwise. Answered so, a request skips
   * execution and its deadline; it is still counted, rate limited (before this) and logged.
   */
  keptAnswer(ctx: RequestContext, found: FoundOperation): string | null {
    if (!found.operation.pure) return null;
    const started = process.hrtime.bigint();
    found.keptKey = keptKey(ctx, found);
    const kept = found.keptKey === null ? undefined : this.keptAnswers.get(found.keptKey);
    if (!kept || !stillInForce(ctx, kept)) return null;
    this.answered += 1;
    this.answeredAgain += 1;
    const { metrics, log } = this.options;
    const { operation, name } = found.operation;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    setImmediate(() => observeRequest(metrics, log, this.knownNames, { ctx, operation, operationName: name ?? null, errors: [], seconds }));
    return kept.body;
  }

  /** A pure request's answer, made from `made`, kept if it is the second time it is answered so (see KEPT_ANSWERS_MAX). */
  private keep(ctx: RequestContext, found: FoundOperation, body: string, made: MadeFrom): void {
    // A publication or reload during the request: the answer may come from either version.
    if (!stillInForce(ctx, made)) return;
    const key = found.keptKey === undefined ? keptKey(ctx, found) : found.keptKey;
    if (key === null || this.answeredOnce.firstTime(key)) return;
    this.keptAnswers.set(key, { body, ...made });
  }

  /**
   * Runs a compiled operation for the request, ends its transaction and answers as Apollo would; null
   * when the variables do not coerce (nothing ran: Apollo then answers with its own message).
   */
  async execute(ctx: RequestContext, found: FoundOperation): Promise<HTTPGraphQLResponse | null> {
    const started = process.hrtime.bigint();
    const { operation, variables, contentType } = found;
    const made = operation.pure ? madeFromNow(ctx) : null;
    // Where Apollo's transaction plugin would send it: the bank lookup to a replica when there are any.
    ctx.routeTo(ctx.app.connections.hasReplicas ? operation.routeWithReplicas : operation.routeWithoutReplicas);
    const result = (await operation.compiled.query(undefined, ctx, variables)) as ExecutionResult;
    if (result.data === undefined) return null;
    this.answered += 1;
    const { schema, log, metrics, development } = this.options;
    const errors = (result.errors ?? []) as readonly GraphQLError[];
    const ending = endRequest(ctx, log, { schema, operation: operation.operation, operationName: operation.name ?? null, variables, errors });
    // Read where Apollo's plugins read it: once the end of the request has started, before it is done.
    const sqlStatements = ctx.sqlStatements;
    const refused = await ending;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    setImmediate(() =>
      observeRequest(metrics, log, this.knownNames, {
        ctx,
        operation: operation.operation,
        operationName: operation.name ?? null,
        errors,
        seconds,
        refusedWith: refused?.code ?? null,
      }),
    );
    const headers = headersFor(contentType);
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
    const body = `${JSON.stringify(answer)}\n`;
    if (made && errors.length === 0) this.keep(ctx, found, body, made);
    return { status: 200, headers, body: { kind: 'complete', string: body } };
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

/** The answer's headers by media type, made once: they are only read. */
const answerHeaders = new Map<string, HeaderMap>();

function headersFor(contentType: string): HeaderMap {
  let headers = answerHeaders.get(contentType);
  if (!headers) answerHeaders.set(contentType, (headers = new Map([['content-type', contentType]]) as unknown as HeaderMap));
  return headers;
}

/** What an answer made now is made from. */
function madeFromNow(ctx: RequestContext): MadeFrom {
  return { catalog: ctx.app.catalog, generation: ctx.app.catalog.generation, engine: ctx.app.policyEngine };
}

/** Whether the catalog and engine an answer was made from are still those in force. */
function stillInForce(ctx: RequestContext, made: MadeFrom): boolean {
  const { catalog, policyEngine } = ctx.app;
  return made.catalog === catalog && made.generation === catalog.generation && made.engine === policyEngine;
}

/**
 * A query whose every root selection is a field marked PureAnswer() and Public() (fragments at the root
 * are not looked into): a kept answer is given without the auth checker, so a field with roles never is.
 */
function isPure(definition: OperationDefinitionNode, schema: GraphQLSchema): boolean {
  if (definition.operation !== 'query') return false;
  const fields = schema.getQueryType()?.getFields() ?? {};
  return definition.selectionSet.selections.every((s) => {
    const marks = s.kind === Kind.FIELD ? (fields[s.name.value]?.extensions as { pureAnswer?: boolean; public?: boolean } | undefined) : undefined;
    return marks?.pureAnswer === true && marks.public === true;
  });
}

/**
 * A pure request's key: its answer depends on the text, the variables and the language only. Null when
 * the request is too long to keep (KEPT_REQUEST_MAX_CHARS), or holds a number JSON cannot write: JSON
 * writes Infinity (a body's 1e400) as null, and such a request must not share the key of a null, which
 * is valid (a replacer telling them apart made a kept quote cost 149 µs of CPU instead of 127).
 */
function keptKey(ctx: RequestContext, found: FoundOperation): string | null {
  if (found.text.length > KEPT_REQUEST_MAX_CHARS) return null;
  const variables = JSON.stringify(found.variables);
  if (found.text.length + variables.length > KEPT_REQUEST_MAX_CHARS) return null;
  if (variables.includes('null') && hasNonFiniteNumber(found.variables)) return null;
  return `${ctx.language}\u0000${found.text}\u0000${variables}`;
}

function hasNonFiniteNumber(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some(hasNonFiniteNumber);
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
