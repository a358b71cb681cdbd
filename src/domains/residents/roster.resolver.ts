import { Arg, Ctx, Field, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { Roles } from '../../graphql/access';
import { ImportRowStatusEnum } from '../../graphql/enums';
import { rosterService } from './roster.service';
import { DateScalar } from '../../graphql/scalars';

@ObjectType()
class RosterRowResult {
  @Field(() => Int, { description: 'The row in the file, as Excel numbers it: title rows above the header count, and so do the rows of earlier chunks.' })
  row!: number;
  @Field() bookletNo!: string;
  @Field(() => ImportRowStatusEnum) status!: 'ACCEPTED' | 'REJECTED';
  @Field(() => String, { nullable: true, description: 'Why the row was rejected, in Chinese, naming the column of the form (the text of the error file).' })
  error!: string | null;
}

@ObjectType({ description: 'What became of a 参保登记表 workbook.' })
class RosterImport {
  @Field(() => Int, { description: 'Households registered.' }) households!: number;
  @Field(() => Int) accepted!: number;
  @Field(() => Int) rejected!: number;
  @Field(() => [RosterRowResult]) rows!: RosterRowResult[];
  @Field(() => String, {
    nullable: true,
    description: 'The roster with an 错误 column on the rejected rows (XLSX, base64, whatever the format sent), when a row was rejected.',
  })
  annotatedWorkbook!: string | null;
}

@Resolver()
export class RosterResolver {
  @Roles('ADMIN', 'STAFF')
  @Mutation(() => RosterImport, {
    description:
      'Registers the households of a 参保登记表 (.xlsx, .xls or .csv in UTF-8 or GBK, base64; title rows above the header are passed over): one row per person, households by booklet number. 户籍所在地 may be a division code or a place name.',
  })
  async importRoster(
    @Ctx() ctx: RequestContext,
    @Arg('workbook', { description: 'The file, base64: .xlsx, .xls or .csv, told apart by its content.' }) workbook: string,
    @Arg('registeredOn', () => DateScalar, { nullable: true }) registeredOn: string | null,
  ): Promise<RosterImport> {
    const result = await rosterService.import(ctx, workbook, registeredOn ?? null);
    ctx.app.metrics.importRows.inc({ kind: 'roster', status: 'ACCEPTED' }, result.accepted);
    ctx.app.metrics.importRows.inc({ kind: 'roster', status: 'REJECTED' }, result.rejected);
    return result;
  }
}
