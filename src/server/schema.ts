import 'reflect-metadata';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchemaSync, type NonEmptyArray } from 'type-graphql';
import type { RequestContext } from '../context/request-context';
import type { Role } from '../context/tokens';
import { CONNECTION_RESOLVERS } from '../graphql/connection';
import '../graphql/enums';
import { DOMAIN_MODULES } from './modules';

let built: GraphQLSchema | undefined;

/** The schema, built once per process from the domains' type-graphql classes. */
export function appSchema(): GraphQLSchema {
  built ??= buildSchemaSync({
    // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
    resolvers: [...DOMAIN_MODULES.flatMap((m) => m.resolvers), ...CONNECTION_RESOLVERS] as unknown as NonEmptyArray<Function>,
    // One auth checker: the context decides, and throws the contract's code when it says no.
    authChecker: ({ context }: { context: RequestContext }, roles: Role[]) => {
      context.authorize(roles);
      return true;
    },
    validate: false,
  });
  return built;
}

/** The SDL committed in schema/schema.graphql: sorted, so that diffs show real changes only. */
export function printAppSchema(): string {
  return `${printSchema(lexicographicSortSchema(appSchema()))}\n`;
}
