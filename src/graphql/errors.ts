/**
 * The one place where errors become GraphQL errors. Domain errors keep their contract code and message;
 * GraphQL's own request errors (parse, validation, variables) keep theirs; anything else is logged with
 * the request id and reaches the client only as INTERNAL_SERVER_ERROR, so no SQL or stack ever leaks.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError } from '../common/errors';
import type { Logger } from '../common/logger';

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

export function errorFormatter(log: Logger, production: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const unwrapped = unwrapResolverError(error);
    // A domain error raised outside a resolver (by a plugin) arrives wrapped in a GraphQLError without a path.
    const original = unwrapped instanceof GraphQLError && unwrapped.originalError instanceof DomainError ? unwrapped.originalError : unwrapped;
    if (original instanceof DomainError) {
      return {
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { ...original.details, code: original.code },
      };
    }
    // statement_timeout cancelled a statement (SQLSTATE 57014): the request ran out of time, not a fault.
    if ((original as { code?: unknown } | null)?.code === '57014') {
      return { message: 'A database statement took longer than its limit; nothing was written. Retry, or narrow the request', locations: formatted.locations, path: formatted.path, extensions: { code: 'TIMEOUT' } };
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
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
