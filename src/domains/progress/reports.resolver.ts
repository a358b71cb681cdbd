/** The reports the bureau sends: rosters of the assisted, and the year's money to the fen. */
import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { PersonalData, ReplicaRead, Roles } from '../../graphql/access';
import { pageSize, toConnection } from '../../graphql/connection';
import { decodeCursor } from '../../graphql/cursor';
import { DateScalar } from '../../graphql/scalars';
import { presentRegion } from '../public-policy/public-policy.presenters';
import { type RosterLine as Line, reportsService } from './reports.service';
import { CollectionBalance, type RosterLine, RosterLineConnection } from './reports.types';

const page = (ctx: RequestContext, lines: Line[], first: number, after: string | null): RosterLineConnection => {
  const size = pageSize(first);
  const from = after ? decodeCursor(after) : null;
  const rest = from ? lines.filter((l) => l.idNumber > from) : lines;
  const present = (l: Line): RosterLine => ({ ...l, region: l.regionCode ? presentRegion(ctx.tenant, l.regionCode) : null });
  return toConnection(rest.slice(0, size + 1), size, lines.length, (l) => l.idNumber, present) as RosterLineConnection;
};

@Resolver()
export class ReportsResolver {
  @PersonalData()
  @Roles('ADMIN', 'STAFF')
  @ReplicaRead()
  @Query(() => RosterLineConnection, {
    description: '全额资助对象花名册 (甘州 四（二）1): people fully sponsored on asOf for the year, living and registered here, with who pays; in ID order.',
  })
  async fullSponsorshipRoster(
    @Ctx() ctx: RequestContext,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('asOf', () => DateScalar) asOf: string,
    @Arg('first', () => Int, { defaultValue: 500 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<RosterLineConnection> {
    return page(ctx, await reportsService.fullSponsorshipRoster(ctx, coverageYear, asOf), first, after);
  }

  @PersonalData()
  @Roles('ADMIN', 'STAFF', 'TAX')
  @Query(() => RosterLineConnection, {
    description:
      '预征清册 for the tax office (贵阳 四（二）, 平利 八（二）): each person with assistance on asOf, the identity mark and the reduced or zero amount due; in ID order.',
  })
  async preCollectionRoster(
    @Ctx() ctx: RequestContext,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('asOf', () => DateScalar) asOf: string,
    @Arg('first', () => Int, { defaultValue: 500 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<RosterLineConnection> {
    return page(ctx, await reportsService.assistedRoster(ctx, coverageYear, asOf), first, after);
  }

  @Roles('ADMIN', 'STAFF', 'TAX')
  @ReplicaRead()
  @Query(() => CollectionBalance, {
    description: "The year's money to the fen: payments, reversals, refunds, collected; held in suspense and enrolled but unpaid beside it.",
  })
  async collectionBalance(@Ctx() ctx: RequestContext, @Arg('coverageYear', () => Int) coverageYear: number): Promise<CollectionBalance> {
    return reportsService.collectionBalance(ctx, coverageYear);
  }
}
