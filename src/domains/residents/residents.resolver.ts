/** Residents and households: registration, changes, transfers, waivers and searches (ADMIN and STAFF write). */
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { Roles } from '../../graphql/access';
import { encodeCursor } from '../../graphql/cursor';
import { DateScalar } from '../../graphql/scalars';
import { presentRegion } from '../public-policy/public-policy.presenters';
import { RegionType } from '../public-policy/public-policy.types';
import { householdLoader } from './residents.loaders';
import { type HouseholdParent, presentChange, presentHousehold, presentMembership, presentResident, presentWaiver } from './residents.presenters';
import { residentsService, type WaiverReason } from './residents.service';
import {
  Household,
  HouseholdInput,
  HouseholdMembership,
  Resident,
  ResidentChange,
  ResidentConnection,
  ResidentInput,
  ResidentSearchInput,
  ResidentUpdateInput,
  Waiver,
  WaiverInput,
  WaiverReasonEnum,
} from './residents.types';

const WRITERS = ['ADMIN', 'STAFF'] as const;
const READERS = ['ADMIN', 'STAFF', 'AGENCY'] as const;

@Resolver(() => Household)
export class HouseholdResolver {
  @Roles(...WRITERS)
  @Mutation(() => Household, { description: 'Registers a household booklet with its members (exactly one 户主).' })
  async registerHousehold(@Ctx() ctx: RequestContext, @Arg('input', () => HouseholdInput) input: HouseholdInput) {
    return presentHousehold(await residentsService.registerHousehold(ctx, input));
  }

  @Roles(...WRITERS)
  @Mutation(() => Household, { description: 'Adds a registered person without a household to one.' })
  async addHouseholdMember(
    @Ctx() ctx: RequestContext,
    @Arg('householdId', () => ID) householdId: string,
    @Arg('idNumber') idNumber: string,
    @Arg('relationship') relationship: string,
    @Arg('joinedOn', () => DateScalar, { nullable: true }) joinedOn: string | null,
  ) {
    return presentHousehold(await residentsService.addHouseholdMember(ctx, householdId, idNumber, relationship, joinedOn));
  }

  @Roles(...WRITERS)
  @Mutation(() => Household, { description: 'Moves a person to another household; the old membership keeps its dates.' })
  async moveHouseholdMember(
    @Ctx() ctx: RequestContext,
    @Arg('idNumber') idNumber: string,
    @Arg('toHouseholdId', () => ID) toHouseholdId: string,
    @Arg('relationship') relationship: string,
    @Arg('movedOn', () => DateScalar, { nullable: true }) movedOn: string | null,
  ) {
    return presentHousehold(await residentsService.moveHouseholdMember(ctx, idNumber, toHouseholdId, relationship, movedOn));
  }

  @Roles(...WRITERS)
  @Mutation(() => Resident, { description: 'Removes a person from their household (the membership keeps its dates).' })
  async removeHouseholdMember(
    @Ctx() ctx: RequestContext,
    @Arg('idNumber') idNumber: string,
    @Arg('leftOn', () => DateScalar, { nullable: true }) leftOn: string | null,
  ) {
    return presentResident(await residentsService.removeHouseholdMember(ctx, idNumber, leftOn));
  }

  @Roles(...READERS)
  @Query(() => Household, { nullable: true })
  async household(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    const row = await residentsService.household(ctx, id);
    return row && presentHousehold(row);
  }

  @FieldResolver(() => RegionType)
  region(@Ctx() ctx: RequestContext, @Root() household: HouseholdParent): RegionType {
    return presentRegion(ctx.tenant, household.regionCode);
  }

  @FieldResolver(() => [Resident])
  async members(@Ctx() ctx: RequestContext, @Root() household: HouseholdParent): Promise<Resident[]> {
    return (await residentsService.members(ctx, household.id)).map(presentResident);
  }

  @FieldResolver(() => [HouseholdMembership])
  async history(@Ctx() ctx: RequestContext, @Root() household: HouseholdParent): Promise<HouseholdMembership[]> {
    return (await residentsService.membershipHistory(ctx, household.id)).map(presentMembership);
  }
}

@Resolver(() => Resident)
export class ResidentResolver {
  @Roles(...READERS)
  @Query(() => Resident, { nullable: true })
  async resident(@Ctx() ctx: RequestContext, @Arg('idNumber') idNumber: string): Promise<Resident | null> {
    const row = await residentsService.resident(ctx, idNumber);
    return row && presentResident(row);
  }

  @Roles(...READERS)
  @Query(() => ResidentConnection, { description: 'Residents by name prefix, ID prefix and region, in ID order, a page at a time.' })
  async residents(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => ResidentSearchInput, { nullable: true }) filter: ResidentSearchInput | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<ResidentConnection> {
    const { rows, hasNextPage } = await residentsService.search(ctx, filter ?? {}, first, after);
    const last = rows.at(-1);
    return { nodes: rows.map(presentResident), pageInfo: { endCursor: last ? encodeCursor(last.id_number) : null, hasNextPage } };
  }

  @Roles(...READERS)
  @Query(() => [ResidentChange], { description: 'The change records of a person, oldest first.' })
  async residentChanges(@Ctx() ctx: RequestContext, @Arg('idNumber') idNumber: string): Promise<ResidentChange[]> {
    return (await residentsService.changes(ctx, idNumber)).map(presentChange);
  }

  @Roles('ADMIN', 'STAFF')
  @Query(() => [Waiver])
  async waivers(
    @Ctx() ctx: RequestContext,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('reason', () => WaiverReasonEnum, { nullable: true }) reason: WaiverReason | null,
  ): Promise<Waiver[]> {
    return (await residentsService.waivers(ctx, coverageYear, reason)).map(presentWaiver);
  }

  @Roles(...WRITERS)
  @Mutation(() => Resident, { description: 'Registers one person, alone or into a household.' })
  async registerResident(@Ctx() ctx: RequestContext, @Arg('input', () => ResidentInput) input: ResidentInput): Promise<Resident> {
    return presentResident(await residentsService.registerResident(ctx, { ...input, relationship: input.relationship ?? '' }));
  }

  @Roles(...WRITERS)
  @Mutation(() => Resident, { description: 'Changes a person\'s information; each change is recorded (信息变更登记表).' })
  async updateResident(
    @Ctx() ctx: RequestContext,
    @Arg('idNumber') idNumber: string,
    @Arg('changes', () => ResidentUpdateInput) changes: ResidentUpdateInput,
  ): Promise<Resident> {
    return presentResident(await residentsService.updateResident(ctx, idNumber, changes));
  }

  @Roles(...WRITERS)
  @Mutation(() => Resident, { description: '停保或流出: the person leaves this tenant; their running enrolments end that day.' })
  async transferOut(
    @Ctx() ctx: RequestContext,
    @Arg('idNumber') idNumber: string,
    @Arg('on', () => DateScalar) on: string,
    @Arg('destination', () => String, { nullable: true }) destination: string | null,
  ): Promise<Resident> {
    return presentResident(await residentsService.transferOut(ctx, idNumber, on, destination));
  }

  @Roles(...WRITERS)
  @Mutation(() => Waiver, { description: 'Records a 放弃参保确认书.' })
  async recordWaiver(@Ctx() ctx: RequestContext, @Arg('input', () => WaiverInput) input: WaiverInput): Promise<Waiver> {
    return presentWaiver(await residentsService.recordWaiver(ctx, input));
  }

  @FieldResolver(() => Household, { nullable: true })
  async household(@Ctx() ctx: RequestContext, @Root() resident: Resident) {
    if (!resident.householdId) return null;
    const row = await householdLoader(ctx).load(resident.householdId);
    return row && presentHousehold(row);
  }
}
