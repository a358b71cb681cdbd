import { Arg, Ctx, Field, Float, ID, InputType, Int, ObjectType, Query, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { decodeCursor, encodeCursor } from '../../registry/registry.service';
import { services } from '../../services';
import { presentRegion } from '../../services/policy-query.service';
import { Roles } from '../access';
import { presentResident } from '../presenters';
import { DateScalar, MoneyScalar } from '../scalars';
import { Milestone, Region } from '../types/policy.types';
import { ResidentConnection } from '../types/registry.types';

@ObjectType({ description: 'A region\'s (or the whole tenant\'s) enrolment against its target on a date.' })
export class RegionProgress {
  @Field(() => Region, { description: 'The whole tenant comes first, as a region of kind TENANT.' }) region!: Region;
  @Field(() => Int, { nullable: true, description: 'Null where neither the notice nor an administrator set one.' }) target!: number | null;
  @Field(() => String, { nullable: true }) targetSource!: string | null;
  @Field(() => Int, { description: 'Enrolments paid by asOf (its sub-regions included).' }) paid!: number;
  @Field(() => Float, { nullable: true }) rate!: number | null;
  @Field(() => Milestone, { nullable: true, description: 'The milestone in force on asOf: the latest whose date has come.' }) milestone!: Milestone | null;
  @Field(() => Int, { nullable: true, description: 'People to have paid by that milestone.' }) required!: number | null;
  @Field(() => Boolean, { nullable: true }) onTrack!: boolean | null;
  @Field(() => Int, { nullable: true, description: 'People still missing for that milestone.' }) gap!: number | null;
  @Field(() => Milestone, { nullable: true }) nextMilestone!: Milestone | null;
}

@ObjectType()
class CollectionRow {
  @Field() channel!: string;
  @Field(() => Region, { nullable: true }) region!: Region | null;
  @Field(() => Int) count!: number;
  @Field(() => MoneyScalar) amount!: number;
}

@ObjectType()
class ChannelTotal {
  @Field() channel!: string;
  @Field(() => Int) count!: number;
  @Field(() => MoneyScalar) amount!: number;
}

@ObjectType({ description: 'A day\'s payments by channel and region.' })
class DailyCollection {
  @Field(() => DateScalar) date!: string;
  @Field(() => Int) count!: number;
  @Field(() => MoneyScalar) amount!: number;
  @Field(() => [ChannelTotal]) byChannel!: ChannelTotal[];
  @Field(() => [CollectionRow]) rows!: CollectionRow[];
}

@InputType()
class RegionTargetInput {
  @Field(() => ID, { description: 'A region, or the tenant code for the whole tenant.' }) region!: string;
  @Field(() => Int) target!: number;
}

@Resolver()
export class ProgressResolver {
  @Roles('ADMIN', 'STAFF')
  @Query(() => [RegionProgress], { description: 'Progress per region and for the whole tenant (first) on asOf.' })
  async enrollmentProgress(
    @Ctx() ctx: RequestContext,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('asOf', () => DateScalar) asOf: string,
  ): Promise<RegionProgress[]> {
    return (await services.progress.enrollmentProgress(ctx, coverageYear, asOf)).map((r) => ({
      ...r,
      region: { code: r.region.code, name: r.region.name, kind: r.region.kind, parentCode: r.region.parentCode },
    }));
  }

  @Roles('ADMIN', 'STAFF')
  @Query(() => ResidentConnection, { description: 'People paid for last year and not yet for this one (催缴), by region, in ID order.' })
  async followUps(
    @Ctx() ctx: RequestContext,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('region', () => ID, { nullable: true }) region: string | null,
    @Arg('first', () => Int, { defaultValue: 100 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<ResidentConnection> {
    const cursor = after ? decodeCursor(after) : null;
    const { rows, hasNextPage } = await services.progress.followUps(ctx, coverageYear, region ?? null, first, cursor);
    const last = rows.at(-1);
    return { nodes: rows.map(presentResident), pageInfo: { endCursor: last ? encodeCursor(last.id_number) : null, hasNextPage } };
  }

  @Roles('ADMIN', 'STAFF', 'TAX')
  @Query(() => DailyCollection, { description: 'A day\'s payments by channel and region (the tax system\'s daily push).' })
  async dailyCollection(
    @Ctx() ctx: RequestContext,
    @Arg('date', () => DateScalar) date: string,
    @Arg('coverageYear', () => Int, { nullable: true }) coverageYear: number | null,
  ): Promise<DailyCollection> {
    const summary = await services.progress.dailyCollection(ctx, date, coverageYear ?? null);
    return {
      ...summary,
      rows: summary.rows.map((r) => ({ channel: r.channel, region: r.region_code ? presentRegion(ctx.tenant, r.region_code) : null, count: r.count, amount: r.amount })),
    };
  }

  @Roles('ADMIN')
  @Mutation(() => [RegionProgress], { description: 'Targets for a year whose notice states none, with where they come from; answers the progress on the first day of the year.' })
  async setRegionTargets(
    @Ctx() ctx: RequestContext,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('targets', () => [RegionTargetInput]) targets: RegionTargetInput[],
    @Arg('source') source: string,
  ): Promise<RegionProgress[]> {
    await services.progress.setTargets(ctx, coverageYear, targets, source);
    return this.enrollmentProgress(ctx, coverageYear, `${coverageYear}-01-01`);
  }
}
