import 'reflect-metadata';
import {
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  GraphQLScalarType,
  type GraphQLSchema,
  isObjectType,
  lexicographicSortSchema,
  printSchema,
} from 'graphql';
import { buildSchemaSync, getMetadataStorage, type NonEmptyArray } from 'type-graphql';
import type { RequestContext } from '../context/request-context';
import type { Role } from '../context/tokens';
import { CONNECTION_RESOLVERS } from '../graphql/connection';
import '../graphql/enums';
import { DOMAIN_MODULES } from './modules';

let built: GraphQLSchema | undefined;

/** The schema, built once per process from the domains' type-graphql classes. */
export function appSchema(): GraphQLSchema {
  if (built) return built;
  const resolvers = [...DOMAIN_MODULES.flatMap((m) => m.resolvers), ...CONNECTION_RESOLVERS];
  built = withLeanRootResolvers(
    withoutPlainResolvers(
      buildSchemaSync({
        // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
        resolvers: resolvers as unknown as NonEmptyArray<Function>,
        // One auth checker: the context decides, and throws the contract's code when it says no.
        authChecker: ({ context }: { context: RequestContext }, roles: Role[]) => {
          context.authorize(roles);
          return true;
        },
        validate: false,
        // No globalMiddlewares: withoutPlainResolvers removes resolvers that would run them, and
        // withLeanRootResolvers replaces those of the root fields.
      }),
    ),
    resolvers,
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

/**
 * type-graphql runs a root field's resolver through its middleware chain even when the only link is the
 * auth checker: per request it sorts the parameters, makes a promise for every argument (its validation
 * is asynchronous even when off), awaits the auth checker and the chain in async functions, and joins
 * the arguments with Promise.all. For the bank's lookup that was some 3 KB of allocations and a dozen
 * promises a request. Where a root field's resolver has no middleware, no validation and only scalar
 * or enum arguments (which type-graphql hands over as they are), its resolver here does what
 * type-graphql's did, in the same order: the auth checker's Roles() check, then the method, called with
 * its parameters in their order on the class's one instance. Any other root field keeps type-graphql's.
 */
function withLeanRootResolvers(schema: GraphQLSchema, resolverClasses: readonly unknown[]): GraphQLSchema {
  const storage = getMetadataStorage();
  const instances = new Map<unknown, Record<string, (...args: unknown[]) => unknown>>();
  const rootsOf: Array<[GraphQLObjectType | null | undefined, typeof storage.queries]> = [
    [schema.getQueryType(), storage.queries],
    [schema.getMutationType(), storage.mutations],
  ];
  for (const [type, resolvers] of rootsOf) {
    if (!type) continue;
    const fields = type.getFields();
    for (const resolver of resolvers) {
      const field = fields[resolver.schemaName];
      // A method inherited from a base class is listed once, with the base class as its target: such a
      // field, or a name listed twice, is left to type-graphql.
      if (!field || !resolverClasses.includes(resolver.target) || resolvers.filter((r) => r.schemaName === resolver.schemaName).length !== 1) continue;
      const params = [...(resolver.params ?? [])].sort((a, b) => a.index - b.index);
      if ((resolver.middlewares?.length ?? 0) > 0 || !params.every(passedAsIs)) continue;
      // The roles this resolver checks must be those Roles() marked on the field: read from type-graphql's
      // metadata, they would be missed silently if a version of it kept them elsewhere.
      const roles = resolver.roles as Role[] | undefined;
      const marked = (field.extensions as { roles?: Role[] } | undefined)?.roles;
      if (JSON.stringify(roles ?? null) !== JSON.stringify(marked ?? null))
        throw new Error(`${type.name}.${field.name}: the roles type-graphql holds (${String(roles)}) are not those Roles() marked (${String(marked)})`);
      const target = resolver.target as new () => Record<string, (...args: unknown[]) => unknown>;
      let instance = instances.get(target);
      if (!instance) instances.set(target, (instance = new target()));
      field.resolve = leanResolver(instance, resolver.methodName, roles, params);
    }
  }
  return schema;
}

type ParamMetadata = NonNullable<ReturnType<typeof getMetadataStorage>['queries'][number]['params']>[number];

/** A parameter type-graphql passes on unchanged: the context, the info, or an argument of a scalar or enum type, unvalidated. */
function passedAsIs(param: ParamMetadata): boolean {
  if (param.kind === 'context') return param.propertyName === undefined;
  if (param.kind === 'info') return true;
  if (param.kind !== 'arg' || param.validateSettings !== undefined || param.validateFn !== undefined) return false;
  const type = param.getType();
  // An enum is given as its object of values; an input class (or anything else) is converted to an instance.
  return (
    type === String ||
    type === Number ||
    type === Boolean ||
    type instanceof GraphQLScalarType ||
    (typeof type === 'object' && type !== null && getMetadataStorage().enums.some((e) => e.enumObj === type))
  );
}

function leanResolver(
  instance: Record<string, (...args: unknown[]) => unknown>,
  method: string,
  roles: Role[] | undefined,
  params: ParamMetadata[],
): GraphQLFieldResolver<unknown, RequestContext> {
  const readers = params.map((param): ((args: Record<string, unknown>, ctx: RequestContext, info: unknown) => unknown) => {
    if (param.kind === 'context') return (_, ctx) => ctx;
    if (param.kind === 'info') return (_, __, info) => info;
    const name = (param as { name: string }).name;
    return (args) => args[name];
  });
  return (_root, args, ctx, info) => {
    // The one auth checker's check (appSchema's authChecker): it throws the contract's code when it says no.
    if (roles) ctx.authorize(roles);
    const values = new Array<unknown>(readers.length);
    for (let i = 0; i < readers.length; i++) values[i] = readers[i](args, ctx, info);
    return instance[method](...values);
  };
}

/** The SDL committed in schema/schema.graphql: sorted, so that diffs show real changes only. */
export function printAppSchema(): string {
  return `${printSchema(lexicographicSortSchema(appSchema()))}\n`;
}
