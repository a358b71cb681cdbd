import 'reflect-metadata';
import { type GraphQLSchema, isObjectType, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchemaSync, getMetadataStorage, type NonEmptyArray } from 'type-graphql';
import type { RequestContext } from '../context/request-context';
import type { Role } from '../context/tokens';
import { CONNECTION_RESOLVERS } from '../graphql/connection';
import '../graphql/enums';
import { DOMAIN_MODULES } from './modules';

let built: GraphQLSchema | undefined;

/** The schema, built once per process from the domains' type-graphql classes. */
export function appSchema(): GraphQLSchema {
  built ??= withoutPlainResolvers(
    buildSchemaSync({
      // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
      resolvers: [...DOMAIN_MODULES.flatMap((m) => m.resolvers), ...CONNECTION_RESOLVERS] as unknown as NonEmptyArray<Function>,
      // One auth checker: the context decides, and throws the contract's code when it says no.
      authChecker: ({ context }: { context: RequestContext }, roles: Role[]) => {
        context.authorize(roles);
        return true;
      },
      validate: false,
      // No globalMiddlewares: withoutPlainResolvers removes resolvers that would run them.
    }),
  );
  return built;
}

/**
 * type-graphql gives every field of an object type a resolver that reads the property through the field's
 * middlewares, even when it has none: an object and a closure a field a row, and graphql-jit calls each
 * one with a resolve info where it would otherwise read the property inline. An import's answer of
 * 10,000 rows made some 1 GB of the API's 4.4 GB of allocations in two 100,000-payment imports
 * (sampling heap profile). A field keeps its resolver where, in any class of its type's name (a
 * connection's base class and the subclass named as it), it has one of its own (a field resolver or a
 * method), a role (Authorized), a middleware, arguments, or a property named otherwise, and where its
 * metadata is not found (an interface's field). Without a resolver, both executors read the property
 * of the same name, as type-graphql's did; a function found there would be called by graphql-js's
 * default resolver and not by graphql-jit, and no object the API answers holds one in a field.
 */
function withoutPlainResolvers(schema: GraphQLSchema): GraphQLSchema {
  const storage = getMetadataStorage();
  const classesByName = new Map<string, unknown[]>();
  for (const objectType of storage.objectTypes) {
    const classes = classesByName.get(objectType.name) ?? [];
    for (let c: unknown = objectType.target; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) classes.push(c);
    classesByName.set(objectType.name, classes);
  }
  const plain = (f: (typeof storage.fields)[number]) =>
    f.name === f.schemaName && f.roles === undefined && (f.middlewares?.length ?? 0) === 0 && (f.params?.length ?? 0) === 0;
  for (const [name, classes] of classesByName) {
    const type = schema.getType(name);
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.resolve) continue;
      if (storage.fieldResolvers.some((r) => r.schemaName === field.name && classes.includes(r.getObjectType?.()))) continue;
      const metadata = storage.fields.filter((f) => f.schemaName === field.name && classes.includes(f.target));
      if (metadata.length > 0 && metadata.every(plain)) field.resolve = undefined;
    }
  }
  return schema;
}

/** The SDL committed in schema/schema.graphql: sorted, so that diffs show real changes only. */
export function printAppSchema(): string {
  return `${printSchema(lexicographicSortSchema(appSchema()))}\n`;
}
