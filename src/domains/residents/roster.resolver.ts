import { Arg, Ctx, Field, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { Roles } from '../../graphql/access';
import { ImportRowStatusEnum } from '../../graphql/enums';
import { rosterService } from './roster.service';
import { DateScalar } from '../../graphql/scalars';

@ObjectType()
class RosterRowResult {
  @Field(() => Int, { description: 'The row in the sheet (the header is row 1).' }) row!: number;
  @Field() bookletNo!: string;
  @Field(() => ImportRowStatusEnum) status!: 'ACCEPTED' | 'REJECTED';
  @Field(() => String, { nullable: true }) error!: string | null;
}

@ObjectType({ description: 'What became of a 参保登记表 workbook.' })
class RosterImport {
  @Field(() => Int, { description: 'Households registered.' }) households!: number;
  @Field(() => Int) accepted!: number;
  @Field(() => Int) rejected!: number;
  @Field(() => [RosterRowResult]) rows!: RosterRowResult[];
  @Field(() => String, { nullable: true, description: 'The workbook with an error column (XLSX, base64), when a row was rejected.' })
  annotatedWorkbook!: string | null;
}

@Resolver()
export class RosterResolver {
  @Roles('ADMIN', 'STAFF')
  @Mutation(() => RosterImport, { description: 'Registers the households of a 参保登记表 sheet (XLSX, base64): one row per person, households by booklet number.' })
  async importRoster(
    @Ctx() ctx: RequestContext,
    @Arg('workbook', { description: 'The XLSX file, base64.' }) workbook: string,
    @Arg('registeredOn', () => DateScalar, { nullable: true }) registeredOn: string | null,
  ): Promise<RosterImport> {
    const result = await rosterService.import(ctx, workbook, registeredOn ?? null);
    ctx.app.metrics.importRows.inc({ kind: 'roster', status: 'ACCEPTED' }, result.accepted);
    ctx.app.metrics.importRows.inc({ kind: 'roster', status: 'REJECTED' }, result.rejected);
    return result;
  }
}
