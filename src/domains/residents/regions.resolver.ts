/** A tenant's regions: townships and villages added, renamed and retired by an administrator. */
import { Arg, Ctx, Field, ID, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { Roles } from '../../graphql/access';
import { ImportRowStatusEnum, RegionKindEnum } from '../../graphql/enums';
import { DateScalar } from '../../graphql/scalars';
import type { Region } from '../../policy-data/model';
import { regionNameOn } from '../../policy-data/model';
import type { RegionKind } from '../../policy-data/vocabulary';
import { RegionType } from '../public-policy/public-policy.types';
import { regionsService } from './regions.service';

@InputType({ description: 'A township or street (9-digit statistical code) or a village (12 digits) inside the tenant.' })
export class RegionInput {
  @Field(() => ID, { description: '620702102 大满镇; a village 620702102001.' }) code!: string;
  @Field() name!: string;
  @Field(() => RegionKindEnum, { description: 'TOWNSHIP (乡、镇、街道), UNIT (a farm or zone managed like one), VILLAGE (村、居委会).' }) kind!: RegionKind;
  @Field(() => ID, { nullable: true, description: 'Defaults to the township (or district) the code lies in, else the tenant.' }) parentCode?: string | null;
  @Field(() => DateScalar, { nullable: true, description: 'The day it was established, where it did not always exist; reports for earlier days leave it out.' })
  establishedOn?: string | null;
}

@ObjectType()
class RegionRowResult {
  @Field(() => Int, { description: 'Position of the row in the request, from 0.' }) index!: number;
  @Field(() => ID) regionCode!: string;
  @Field(() => ImportRowStatusEnum, { description: 'DUPLICATE: the same code and name are already there.' }) status!: 'ACCEPTED' | 'DUPLICATE' | 'REJECTED';
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => String, { nullable: true, description: 'The error code addRegion would have raised.' }) code!: string | null;
}

@ObjectType({ description: 'What became of a list of regions.' })
class RegionImport {
  @Field(() => Int) accepted!: number;
  @Field(() => Int) duplicates!: number;
  @Field(() => Int) rejected!: number;
  @Field(() => [RegionRowResult]) rows!: RegionRowResult[];
}

const present = (r: Region): RegionType => ({
  code: r.code,
  name: regionNameOn(r),
  kind: r.kind,
  parentCode: r.parentCode,
  retiredOn: r.retiredOn ?? null,
  successorCode: r.successorCode ?? null,
});

@Resolver()
export class RegionResolver {
  @Roles('ADMIN')
  @Mutation(() => RegionType, { description: 'Adds a township or village; every server sees it once this commits.' })
  async addRegion(@Ctx() ctx: RequestContext, @Arg('input', () => RegionInput) input: RegionInput): Promise<RegionType> {
    return present(await regionsService.addRegion(ctx, input));
  }

  @Roles('ADMIN')
  @Mutation(() => RegionImport, { description: "Adds many regions (a county's townships and villages): per-row results; a replay changes nothing." })
  async addRegions(@Ctx() ctx: RequestContext, @Arg('regions', () => [RegionInput]) regions: RegionInput[]): Promise<RegionImport> {
    const rows = await regionsService.addRegions(ctx, regions);
    const count = (status: string) => rows.filter((r) => r.status === status).length;
    return {
      accepted: count('ACCEPTED'),
      duplicates: count('DUPLICATE'),
      rejected: count('REJECTED'),
      rows: rows.map((r) => ({
        index: r.index,
        regionCode: r.code,
        status: r.status,
        error: r.error ? ctx.say(r.error.localized) : null,
        code: r.error?.code ?? null,
      })),
    };
  }

  @Roles('ADMIN')
  @Mutation(() => RegionType, { description: 'Renames a region from a date; reports for earlier dates keep the name it had then.' })
  async renameRegion(
    @Ctx() ctx: RequestContext,
    @Arg('code', () => ID) code: string,
    @Arg('name') name: string,
    @Arg('from', () => DateScalar) from: string,
  ): Promise<RegionType> {
    return present(await regionsService.renameRegion(ctx, code, name, from));
  }

  @Roles('ADMIN')
  @Mutation(() => RegionType, {
    description: 'Retires a region (and those inside it) from a date; with a successor, its households count within the successor from then.',
  })
  async retireRegion(
    @Ctx() ctx: RequestContext,
    @Arg('code', () => ID) code: string,
    @Arg('on', () => DateScalar) on: string,
    @Arg('successorCode', () => ID, { nullable: true }) successorCode: string | null,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
  ): Promise<RegionType> {
    return present(await regionsService.retireRegion(ctx, code, on, successorCode ?? null, reason ?? null));
  }
}
