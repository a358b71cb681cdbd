/**
 * Lists that can grow, all paged the same way (Relay-style connections): `first` (capped by the cost
 * limit), an opaque `after` cursor, `totalCount` of the whole filtered list, `edges { cursor node }`,
 * the same nodes again as `nodes` for clients that want them plainly, and `pageInfo`.
 */
import type { ClassType } from 'type-graphql';
import { Field, Int, ObjectType } from 'type-graphql';

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
    // simple: graphql-js's own resolver, which calls a function value: the count runs only when asked for.
    @Field(() => Int, { simple: true, description: 'All the items the filter selects, on every page.' }) totalCount!: number;
    @Field(() => [EdgeType]) edges!: EdgeType[];
    @Field(() => [node], { description: 'The nodes of the edges, in the same order.' }) nodes!: T[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
  }
  return { EdgeType, ConnectionType };
}

export * from './pages';
