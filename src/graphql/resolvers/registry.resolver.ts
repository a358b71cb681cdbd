import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Roles } from '../access';
import type { RequestContext } from '../../context/request-context';
import type { WaiverReason } from '../../registry/registry.service';
import { encodeCursor } from '../../registry/registry.service';
import { presentRegion } from '../../services/policy-query.service';
import { services } from '../../services';
import { presentChange, presentEnrollment, presentHousehold, presentMembership, presentResident } from '../presenters';
import { Enrollment } from '../types/enrollment.types';
import { Region } from '../types/policy.types';
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
} from '../types/registry.types';
import { DateScalar } from '../scalars';

type HouseholdParent = ReturnType<typeof presentHousehold>;
const REGISTRY_WRITERS = ['ADMIN', 'STAFF'] as const;
const REGISTRY_READERS = ['ADMIN', 'STAFF', 'AGENCY'] as const;

@Resolver(() => Household)
export class HouseholdResolver {
  @Roles(...REGISTRY_WRITERS)
  @Mutation(() => Household, { description: 'Registers a household booklet with its members (exactly one 户主).' })
  async registerHousehold(@Ctx() ctx: RequestContext, @Arg('input', () => HouseholdInput) input: HouseholdInput) {
    return presentHousehold(await services.registry.registerHousehold(ctx, input));
  }

  @Roles(...REGISTRY_WRITERS)
  @Mutation(() => Household, { description: 'Adds a registered person without a household to one.' })
  async addHouseholdMember(
    @Ctx() ctx: RequestContext,
    @Arg('householdId', () => ID) householdId: string,
    @Arg('idNumber') idNumber: string,
    @Arg('relationship') relationship: string,
    @Arg('joinedOn', () => DateScalar, { nullable: true }) joinedOn: string | null,
  ) {
    return presentHousehold(await services.registry.addHouseholdMember(ctx, householdId, idNumber, relationship, joinedOn));
  }

  @Roles(...REGISTRY_WRITERS)
  @Mutation(() => Household, { description: 'Moves a person to another household; the old membership keeps its dates.' })
  async moveHouseholdMember(
    @Ctx() ctx: RequestContext,
    @Arg('idNumber') idNumber: string,
    @Arg('toHouseholdId', () => ID) toHouseholdId: string,
    @Arg('relationship') relationship: string,
    @Arg('movedOn', () => DateScalar, { nullable: true }) movedOn: string | null,
  ) {
    return presentHousehold(await services.registry.moveHouseholdMember(ctx, idNumber, toHouseholdId, relationship, movedOn));
  }

  @Roles(...REGISTRY_WRITERS)
  @Mutation(() => Resident, { description: 'Removes a person from their household (the membership keeps its dates).' })
  async removeHouseholdMember(
    @Ctx() ctx: RequestContext,
    @Arg('idNumber') idNumber: string,
    @Arg('leftOn', () => DateScalar, { nullable: true }) leftOn: string | null,
  ) {
    return presentResident(await services.registry.removeHouseholdMember(ctx, idNumber, leftOn));
  }

  @Roles(...REGISTRY_READERS)
  @Query(() => Household, { nullable: true })
  async household(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    const row = await services.registry.household(ctx, id);
    return row && presentHousehold(row);
  }

  @Roles('ADMIN', 'STAFF')
  @Query(() => [Household], { description: 'Households with a member not enrolled for the year (no waiver, not transferred out); 肃南 enrols by household.' })
  async incompleteHouseholds(
    @Ctx() ctx: RequestContext,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('first', () => Int, { defaultValue: 500 }) first: number,
    @Arg('afterBookletNo', () => String, { nullable: true }) afterBookletNo: string | null,
  ) {
    return (await services.enrollment.incompleteHouseholds(ctx, coverageYear, first, afterBookletNo)).map(presentHousehold);
  }

  @FieldResolver(() => Region)
  region(@Ctx() ctx: RequestContext, @Root() household: HouseholdParent): Region {
    return presentRegion(ctx.tenant, household.regionCode);
  }

  @FieldResolver(() => [Resident])
  async members(@Ctx() ctx: RequestContext, @Root() household: HouseholdParent): Promise<Resident[]> {
    return (await services.registry.members(ctx, household.id)).map(presentResident);
  }

  @FieldResolver(() => [HouseholdMembership])
  async history(@Ctx() ctx: RequestContext, @Root() household: HouseholdParent): Promise<HouseholdMembership[]> {
    return (await services.registry.membershipHistory(ctx, household.id)).map(presentMembership);
  }
}

@Resolver(() => Resident)
export class ResidentResolver {
  @Roles(...REGISTRY_READERS)
  @Query(() => Resident, { nullable: true })
  async resident(@Ctx() ctx: RequestContext, @Arg('idNumber') idNumber: string): Promise<Resident | null> {
    const row = await services.registry.resident(ctx, idNumber);
    return row && presentResident(row);
  }

  @Roles(...REGISTRY_READERS)
  @Query(() => ResidentConnection, { description: 'Residents by name prefix, ID prefix and region, in ID order, a page at a time.' })
  async residents(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => ResidentSearchInput, { nullable: true }) filter: ResidentSearchInput | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<ResidentConnection> {
    const { rows, hasNextPage } = await services.registry.search(ctx, filter ?? {}, first, after);
    const last = rows.at(-1);
    return { nodes: rows.map(presentResident), pageInfo: { endCursor: last ? encodeCursor(last.id_number) : null, hasNextPage } };
  }

  @Roles(...REGISTRY_READERS)
  @Query(() => [ResidentChange], { description: 'The change records of a person, oldest first.' })
  async residentChanges(@Ctx() ctx: RequestContext, @Arg('idNumber') idNumber: string): Promise<ResidentChange[]> {
    return (await services.registry.changes(ctx, idNumber)).map(presentChange);
  }

  @Roles('ADMIN', 'STAFF')
  @Query(() => [Waiver])
  async waivers(
    @Ctx() ctx: RequestContext,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('reason', () => WaiverReasonEnum, { nullable: true }) reason: WaiverReason | null,
  ): Promise<Waiver[]> {
    return (await services.registry.waivers(ctx, coverageYear, reason)).map((w) => ({
      idNumber: w.id_number,
      coverageYear: w.coverage_year,
      reason: w.reason,
      reasonText: w.reason_text,
      recordedBy: w.recorded_by,
    }));
  }

  @Roles(...REGISTRY_WRITERS)
  @Mutation(() => Resident, { description: 'Registers one person, alone or into a household.' })
  async registerResident(@Ctx() ctx: RequestContext, @Arg('input', () => ResidentInput) input: ResidentInput): Promise<Resident> {
    return presentResident(await services.registry.registerResident(ctx, { ...input, relationship: input.relationship ?? '' }));
  }

  @Roles(...REGISTRY_WRITERS)
  @Mutation(() => Resident, { description: 'Changes a person\'s information; each change is recorded (信息变更登记表).' })
  async updateResident(
    @Ctx() ctx: RequestContext,
    @Arg('idNumber') idNumber: string,
    @Arg('changes', () => ResidentUpdateInput) changes: ResidentUpdateInput,
  ): Promise<Resident> {
    return presentResident(await services.registry.updateResident(ctx, idNumber, changes));
  }

  @Roles(...REGISTRY_WRITERS)
  @Mutation(() => Resident, { description: '停保或流出: the person leaves this tenant; their running enrolments end that day.' })
  async transferOut(
    @Ctx() ctx: RequestContext,
    @Arg('idNumber') idNumber: string,
    @Arg('on', () => DateScalar) on: string,
    @Arg('destination', () => String, { nullable: true }) destination: string | null,
  ): Promise<Resident> {
    return presentResident(await services.registry.transferOut(ctx, idNumber, on, destination));
  }

  @Roles(...REGISTRY_WRITERS)
  @Mutation(() => Waiver, { description: 'Records a 放弃参保确认书.' })
  async recordWaiver(@Ctx() ctx: RequestContext, @Arg('input', () => WaiverInput) input: WaiverInput): Promise<Waiver> {
    const w = await services.registry.recordWaiver(ctx, input);
    return { idNumber: w.id_number, coverageYear: w.coverage_year, reason: w.reason, reasonText: w.reason_text, recordedBy: w.recorded_by };
  }

  @FieldResolver(() => Household, { nullable: true })
  async household(@Ctx() ctx: RequestContext, @Root() resident: Resident) {
    if (!resident.householdId) return null;
    const row = await ctx.loaders.household.load(resident.householdId);
    return row && presentHousehold(row);
  }

  @FieldResolver(() => [Enrollment])
  async enrollments(@Ctx() ctx: RequestContext, @Root() resident: Resident) {
    return (await ctx.loaders.enrollmentsOfPerson.load(resident.idNumber)).map(presentEnrollment);
  }
}
