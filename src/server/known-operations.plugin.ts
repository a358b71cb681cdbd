/**
 * Production's allow-list: tokens of the roles KNOWN_OPERATIONS_ONLY names (BANK and TAX by default)
 * may run only the operations of schema/operations/, the ones their scripts were written against, and
 * nothing ad hoc. An operation is known when its text, stripped of what does not change its meaning,
 * is one of theirs.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { DomainError } from '../common/errors';
import { text } from '../common/i18n';
import type { RequestContext } from '../context/request-context';
import { operationSignature } from '../graphql/operations';

/** `known`: the operations of schema/operations/ by their signature, with their names (knownOperationSignatures). */
export function knownOperationsPlugin(roles: readonly string[], known: ReadonlyMap<string, string>): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue: ctx, operation }) {
          const role = ctx.actor?.role;
          if (!role || !roles.includes(role) || (operation && known.has(operationSignature(operation)))) return;
          const names = [...new Set(known.values())].sort().join(', ');
          const message = text(
            `${role} 令牌只能执行为其提供的操作（schema/operations/：${names}）`,
            `a ${role} token may run only the operations it was given (schema/operations/: ${names})`,
          );
          throw new GraphQLError(message.en, {
            originalError: new DomainError('FORBIDDEN', message),
            extensions: { code: 'FORBIDDEN', http: { status: 403 } },
          });
        },
      };
    },
  };
}
