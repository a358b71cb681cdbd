/**
 * Text PostgreSQL cannot store: a NUL character in any string of a request (a variable, or a literal
 * in the document) is refused with BAD_USER_INPUT before anything runs, instead of reaching a statement
 * and coming back as an internal error.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, GraphQLError, Kind, visit } from 'graphql';
import { DomainError } from '../common/errors';
import { text } from '../common/i18n';
import type { RequestContext } from '../context/request-context';

/** Whether a request's variables hold a NUL anywhere (the compiled partners' path asks it too). */
export function hasNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 20 || value === null || typeof value !== 'object') return false;
  // Without a list of each object's values: an import's variables are 10,000 objects.
  if (Array.isArray(value)) {
    for (const item of value) if (hasNul(item, depth + 1)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) if (Object.hasOwn(record, key) && hasNul(record[key], depth + 1)) return true;
  return false;
}

/**
 * Whether a document holds a NUL in a string literal, once per document: Apollo keeps each parsed
 * document and hands the same one to every request that sends its text, and walking it again on each
 * request was a tenth of a quote's time.
 */
const literalsWithNul = new WeakMap<DocumentNode, boolean>();
export function hasNulLiteral(document: DocumentNode): boolean {
  let found = literalsWithNul.get(document);
  if (found === undefined) {
    found = false;
    visit(document, {
      [Kind.STRING]: (node) => {
        if (node.value.includes('\u0000')) found = true;
      },
    });
    literalsWithNul.set(document, found);
  }
  return found;
}

export function inputTextPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          if (hasNul(request.variables ?? {}) || hasNulLiteral(document)) {
            const message = text(
              '有文字值含有 NUL 字符（\\u0000），无法保存；请删去该字符',
              'a text value contains a NUL character (\\u0000), which cannot be stored; remove it',
            );
            throw new GraphQLError(message.en, {
              originalError: new DomainError('BAD_USER_INPUT', message),
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
