/**
 * The one place where errors become GraphQL errors. Domain errors keep their contract code and message;
 * GraphQL's own request errors (parse, validation, variables) keep theirs; anything else is logged with
 * the request id and reaches the client only as INTERNAL_SERVER_ERROR, so no SQL or stack ever leaks.
 *
 * Messages follow the request's Accept-Language (CONTRACT.md, "Language"). Apollo formats errors without
 * the request context, so the formatter writes the English message and keeps both texts on the formatted
 * error under a symbol (never serialized); the language plugin, which has the context, picks one before
 * the response leaves. The code never changes with the language.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError } from '../common/errors';
import { type Language, type Localized, text } from '../common/i18n';
import type { Logger } from '../common/logger';
import type { RequestContext } from '../context/request-context';
import { lostToConcurrency } from '../db/lost-to-concurrency';
import { NoLongerWanted } from '../db/coalesced-reads';

/** Codes GraphQL and Apollo give to a request's own mistakes: safe to show as they are. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** Both texts of a formatted error's message, until the language plugin picks one. */
const BOTH_TEXTS = Symbol('both texts of the message');

type Bilingual = GraphQLFormattedError & { [BOTH_TEXTS]?: Localized };

/** A formatted error whose message the request's language will pick: `message` is the English one. */
function bilingual(error: Omit<GraphQLFormattedError, 'message'>, message: Localized): GraphQLFormattedError {
  return { message: message.en, ...error, [BOTH_TEXTS]: message } as Bilingual;
}

export const STATEMENT_TIMEOUT_MESSAGE = text(
  '数据库语句执行超过时限，未写入任何数据；请重试，或缩小查询范围',
  'A database statement took longer than its limit; nothing was written. Retry, or narrow the request',
);
export const INTERNAL_ERROR_MESSAGE = text('服务器内部错误', 'Internal server error');
export const LOST_TO_CONCURRENCY_MESSAGE = text(
  '与同时进行的其他请求冲突（数据库死锁或串行化失败），本次未写入任何数据，请重试',
  'Another request running at the same time conflicted with this one (a deadlock or serialization failure); nothing was written, retry',
);

/**
 * What a database failure that is not the request's fault is answered as: TIMEOUT where statement_timeout
 * cancelled a statement (SQLSTATE 57014: the request ran out of time), CONFLICT where the transaction lost
 * to another (a deadlock or a serialization failure: it may pass when sent again); null for anything else.
 */
function notTheRequestsFault(original: unknown): 'TIMEOUT' | 'CONFLICT' | null {
  if ((original as { code?: unknown } | null | undefined)?.code === '57014') return 'TIMEOUT';
  // A lookup whose request passed its deadline while it waited for its batch: the deadline's answer has left.
  if (original instanceof NoLongerWanted) return 'TIMEOUT';
  return lostToConcurrency(original) ? 'CONFLICT' : null;
}

/**
 * The code a request's error is answered with, for its log line, metrics and audit record: a domain
 * error's own, TIMEOUT or CONFLICT (notTheRequestsFault), else GraphQL's (INTERNAL_SERVER_ERROR when it
 * has none), as errorFormatter answers.
 */
export function errorCodeOf(error: GraphQLError): string {
  const original = error.originalError;
  if (original instanceof DomainError) return original.code;
  return notTheRequestsFault(original) ?? String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
}

export function errorFormatter(log: Logger, production: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const unwrapped = unwrapResolverError(error);
    // A domain error raised outside a resolver (by a plugin) arrives wrapped in a GraphQLError without a path.
    const original = domainErrorIn(unwrapped) ?? unwrapped;
    if (original instanceof DomainError) {
      // A value a scalar refused while graphql-js coerced a variable: graphql-js puts what and where before
      // the scalar's message and keeps its own code and status; the message gains its Chinese.
      if (formatted.message !== original.message && formatted.message.endsWith(original.message)) {
        const before = formatted.message.slice(0, -original.message.length);
        return bilingual({ ...formatted }, { en: formatted.message, zh: `${inChinese(before)}${original.localized.zh}` });
      }
      return bilingual({ locations: formatted.locations, path: formatted.path, extensions: { ...original.details, code: original.code } }, original.localized);
    }
    const databaseFailure = notTheRequestsFault(original);
    if (databaseFailure === 'TIMEOUT') {
      return bilingual({ locations: formatted.locations, path: formatted.path, extensions: { code: 'TIMEOUT' } }, STATEMENT_TIMEOUT_MESSAGE);
    }
    // The transaction was rolled back: the partners' clients and importers send a retryable CONFLICT again.
    if (databaseFailure === 'CONFLICT') {
      log.info('lost to a concurrent request', { error: (original as Error).message, path: formatted.path });
      return bilingual(
        { locations: formatted.locations, path: formatted.path, extensions: { code: 'CONFLICT', retryable: true } },
        LOST_TO_CONCURRENCY_MESSAGE,
      );
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) {
      // graphql-js suggests names in variable errors too ("Did you mean the enum value …?"); Apollo's
      // hideSchemaDetailsFromClientErrors covers validation only. In production no suggestion leaves.
      return production ? { ...formatted, message: formatted.message.replace(/\s*Did you mean[^]*$/, '') } : formatted;
    }
    log.error('unexpected error', {
      error: original instanceof Error ? original.message : String(original),
      stack: original instanceof Error ? original.stack : undefined,
      path: formatted.path,
    });
    return bilingual({ locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, INTERNAL_ERROR_MESSAGE);
  };
}

/**
 * What graphql-js says before a scalar's refusal of a variable, in Chinese: `Variable "$input" got invalid
 * value "3.5" at "input.amount"; ` → `变量 $input（input.amount）的值 "3.5" 无效：`. Anything else is left out:
 * the scalar's message says what is wrong. (A literal in the query is refused with the scalar's own error.)
 */
function inChinese(before: string): string {
  const variable = /^Variable "(\$\w+)" got invalid value (.*?)(?: at "([^"]+)")?; $/s.exec(before);
  return variable ? `变量 ${variable[1]}${variable[3] ? `（${variable[3]}）` : ''}的值 ${variable[2]} 无效：` : '';
}

/**
 * The domain error an error stands for: itself, or the one it wraps (a plugin's refusal, a scalar's refusal
 * inside graphql-js's error about a variable); null when it wraps none.
 */
function domainErrorIn(error: unknown): DomainError | null {
  for (let e = error, depth = 0; e && depth < 4; e = e instanceof GraphQLError ? e.originalError : null, depth += 1) {
    if (e instanceof DomainError) return e;
  }
  return null;
}

/** The formatted errors with their messages in `language`; errors with one text only keep it. */
export function inLanguage(errors: readonly GraphQLFormattedError[], language: Language): GraphQLFormattedError[] {
  return errors.map((error) => {
    const { [BOTH_TEXTS]: both, ...rest } = error as Bilingual;
    return both ? { ...rest, message: both[language] } : error;
  });
}

/**
 * Picks each error's message in the request's language before the response leaves. It has nothing to
 * wait for, so it is done before any other plugin's willSendResponse resumes; a plugin that replaces the
 * answer afterwards (the transaction plugin on a failed commit) writes its own message in the language.
 */
export function errorLanguagePlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue: ctx, response }) {
          if (response.body.kind === 'single' && response.body.singleResult.errors) {
            response.body.singleResult.errors = inLanguage(response.body.singleResult.errors, ctx.language);
          }
        },
      };
    },
  };
}
