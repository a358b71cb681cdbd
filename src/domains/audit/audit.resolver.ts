import { Arg, Ctx, Field, ID, InputType, Int, ObjectType, Query, Resolver, registerEnumType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { badInput } from '../../common/errors';
import { NOT_A_CURSOR } from '../../graphql/cursor';
import type { RequestContext } from '../../context/request-context';
import { Roles } from '../../graphql/access';
import { DateScalar } from '../../graphql/scalars';
import { connectionTypes } from '../../graphql/connection';
import { auditService } from './audit.service';

const AuditOutcomeEnum = { OK: 'OK', ERROR: 'ERROR' } as const;
registerEnumType(AuditOutcomeEnum, { name: 'AuditOutcome' });
const AuditKindEnum = { MUTATION: 'MUTATION', READ: 'READ' } as const;
registerEnumType(AuditKindEnum, { name: 'AuditKind', description: 'MUTATION: a change, done or refused; READ: a read of personal data.' });

@ObjectType({ description: 'One mutation, or one read of personal data, as the audit log keeps it; personal data in it is masked.' })
class AuditRecord {
  @Field(() => ID) id!: string;
  @Field({ description: 'ISO 8601 instant.' }) at!: string;
  @Field() requestId!: string;
  @Field() actor!: string;
  @Field() role!: string;
  @Field(() => AuditKindEnum) kind!: 'MUTATION' | 'READ';
  @Field() operation!: string;
  @Field(() => [String]) fields!: string[];
  @Field(() => GraphQLJSON) variables!: unknown;
  @Field(() => GraphQLJSON, { description: 'The arguments of each root field by its response key, variables resolved: whom it changed or read.' })
  arguments!: unknown;
  @Field(() => AuditOutcomeEnum) outcome!: 'OK' | 'ERROR';
  @Field(() => [String]) errorCodes!: string[];
}

const { ConnectionType: AuditConnection } = connectionTypes(AuditRecord, 'Audit');
type AuditConnection = InstanceType<typeof AuditConnection>;

@InputType()
class AuditFilterInput {
  @Field(() => AuditKindEnum, { nullable: true }) kind?: 'MUTATION' | 'READ' | null;
  @Field(() => String, { nullable: true }) actor?: string | null;
  @Field(() => String, { nullable: true, description: 'Operation name or mutation field.' }) operation?: string | null;
  @Field(() => AuditOutcomeEnum, { nullable: true }) outcome?: 'OK' | 'ERROR' | null;
  @Field(() => DateScalar, { nullable: true, description: 'From this day (China time), inclusive.' }) from?: string | null;
  @Field(() => DateScalar, { nullable: true, description: 'To this day (China time), inclusive.' }) to?: string | null;
}

@Resolver()
export class AuditResolver {
  @Roles('ADMIN')
  @Query(() => AuditConnection, { description: "The tenant's audit log, newest first." })
  async auditLog(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => AuditFilterInput, { nullable: true }) filter: AuditFilterInput | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<AuditConnection> {
    if (after != null && !/^\d+$/.test(after)) throw badInput(NOT_A_CURSOR, 'after');
    const { rows, hasNextPage } = await auditService.list(ctx, filter ?? {}, first, after == null ? null : Number(after));
    const nodes = rows.map((r) => ({
      id: String(r.id),
      at: r.at.toISOString(),
      requestId: r.request_id,
      actor: r.actor,
      role: r.role,
      kind: r.kind,
      operation: r.operation,
      fields: r.fields,
      variables: r.variables,
      arguments: r.arguments,
      outcome: r.outcome,
      errorCodes: r.error_codes,
    }));
    return {
      totalCount: () => auditService.count(ctx, filter ?? {}),
      edges: nodes.map((node) => ({ cursor: node.id, node })),
      nodes,
      pageInfo: { endCursor: rows.length ? String(rows.at(-1)!.id) : null, hasNextPage },
    } as unknown as AuditConnection;
  }
}
