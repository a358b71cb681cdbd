/**
 * Lists that can grow, all paged the same way (Relay-style connections): `first` (capped by the cost
 * limit), an opaque `after` cursor, `totalCount` of the whole filtered list, `edges { cursor node }`,
 * the same nodes again as `nodes` for clients that want them plainly, and `pageInfo`.
 */
import type { ClassType } from 'type-graphql';
import { Field, FieldResolver, Int, ObjectType, Resolver, Root } from 'type-graphql';
import type { Connection } from './pages';

/** The resolver classes of the connections' counts, which the schema is built with (src/server/schema.ts). */
export const CONNECTION_RESOLVERS: ClassType[] = [];

@ObjectType()
export class PageInfo {
  @Field(() => String, { nullable: true }) endCursor!: string | null;
  @Field() hasNextPage!: boolean;
}

/**
 * The GraphQL connection and edge types of a node type: `connectionTypes(Enrollment, 'Enrollment')` makes
 * EnrollmentConnection and EnrollmentEdge.
 */
export function connectionTypes<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field() cursor!: string;
    @Field(() => node) node!: T;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionType {
    @Field(() => [EdgeType]) edges!: EdgeType[];
    @Field(() => [node], { description: 'The nodes of the edges, in the same order.' }) nodes!: T[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
  }

  // A resolver of its own, not a property read: a count given as a function (a statement of its own)
  // runs only when a client asks for totalCount, and every executor awaits what a resolver returns.
  @Resolver(() => ConnectionType)
  class CountResolver {
    @FieldResolver(() => Int, { description: 'All the items the filter selects, on every page.' })
    totalCount(@Root() page: Connection<T>): number | Promise<number> {
      return typeof page.totalCount === 'function' ? page.totalCount() : page.totalCount;
    }
  }
  CONNECTION_RESOLVERS.push(CountResolver);
  return { EdgeType, ConnectionType };
}

export * from './pages';
