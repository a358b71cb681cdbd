import 'reflect-metadata';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
import type { Role } from '../auth/tokens';
import type { RequestContext } from '../context/request-context';
import './enums';
import { PolicyResolver } from './resolvers/policy.resolver';
import { AuditResolver } from './resolvers/audit.resolver';
import { EnrollmentResolver } from './resolvers/enrollment.resolver';
import { HouseholdResolver, ResidentResolver } from './resolvers/registry.resolver';
import { ProgressResolver } from './resolvers/progress.resolver';
import { RosterResolver } from './resolvers/roster.resolver';
import { SubsidyResolver } from './resolvers/subsidy.resolver';
import { ViewerResolver } from './resolvers/viewer.resolver';

export const RESOLVERS = [PolicyResolver, HouseholdResolver, ResidentResolver, EnrollmentResolver, SubsidyResolver, ProgressResolver, RosterResolver, AuditResolver, ViewerResolver] as const;

let built: GraphQLSchema | undefined;

/** The schema, built once per process from the type-graphql classes. */
export function appSchema(): GraphQLSchema {
  built ??= buildSchemaSync({
    resolvers: [...RESOLVERS],
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
