/** Enrolment campaigns: progress against targets and milestones, follow-ups (催缴), daily collection. */
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { maxDate, todayInChina } from '../../common/dates';
import type { RequestContext } from '../../context/request-context';
import { PersonalData, ReplicaRead, Roles } from '../../graphql/access';
import { mapConnection, MAX_PAGE } from '../../graphql/connection';
import { DateScalar } from '../../graphql/scalars';
import { presentRegion } from '../public-policy/public-policy.presenters';
import { presentResident } from '../residents/residents.presenters';
import { ResidentConnection } from '../residents/residents.types';
import { progressService } from './progress.service';
import { DailyCollection, RegionProgress, RegionTargetInput } from './progress.types';

@Resolver()
export class ProgressResolver {
  @Roles('ADMIN', 'STAFF')
  @ReplicaRead()
  @Query(() => [RegionProgress], { description: 'Progress per region and for the whole tenant (first) on asOf.' })
  async enrollmentProgress(
    @Ctx() ctx: RequestContext,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('asOf', () => DateScalar) asOf: string,
  ): Promise<RegionProgress[]> {
    return (await progressService.enrollmentProgress(ctx, coverageYear, asOf)).map((r) => ({
      ...r,
      region: { code: r.region.code, name: r.region.name, kind: r.region.kind, parentCode: r.region.parentCode },
    }));
  }

  @PersonalData()
  @Roles('ADMIN', 'STAFF')
  @Query(() => ResidentConnection, {
    description:
      'People paid for last year and not yet for this one (催缴), by region, in ID order. With asOf: as things stood that day (memberships, statuses, enrolments and waivers then).',
  })
  async followUps(
    @Ctx() ctx: RequestContext,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('region', () => ID, { nullable: true }) region: string | null,
    @Arg('first', () => Int, { defaultValue: 100, description: `At most ${MAX_PAGE}.` }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('asOf', () => DateScalar, { nullable: true, description: 'The list as it stood at the end of that day; default: as things are now.' })
    asOf: string | null,
  ): Promise<ResidentConnection> {
    return mapConnection(
      await progressService.followUps(ctx, coverageYear, region ?? null, first, after, asOf ?? null),
      presentResident,
    ) as unknown as ResidentConnection;
  }

  @Roles('ADMIN', 'STAFF', 'TAX')
  @ReplicaRead()
  @Query(() => DailyCollection, { description: "A day's payments by channel and region (the tax system's daily push)." })
  async dailyCollection(
    @Ctx() ctx: RequestContext,
    @Arg('date', () => DateScalar) date: string,
    @Arg('coverageYear', () => Int, { nullable: true }) coverageYear: number | null,
  ): Promise<DailyCollection> {
    const summary = await progressService.dailyCollection(ctx, date, coverageYear ?? null);
    return {
      ...summary,
      rows: summary.rows.map((r) => ({
        channel: r.channel,
        region: r.region_code ? presentRegion(ctx.tenant, r.region_code, date) : null,
        count: r.count,
        amount: r.amount,
      })),
    };
  }

  @Roles('ADMIN')
  @Mutation(() => [RegionProgress], {
    description:
      'Targets for a year whose notice states none, with where they come from; kept with the time they were set (progress for a day before reads the targets of that day). Answers the progress on the first day of the year, or today once the year has begun.',
  })
  async setRegionTargets(
    @Ctx() ctx: RequestContext,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('targets', () => [RegionTargetInput]) targets: RegionTargetInput[],
    @Arg('source') source: string,
  ): Promise<RegionProgress[]> {
    await progressService.setTargets(ctx, coverageYear, targets, source);
    // Not a day before today: progress on a past day reads the targets set by then, not these.
    return this.enrollmentProgress(ctx, coverageYear, maxDate(`${coverageYear}-01-01`, todayInChina()));
  }
}
