/** Residents and households: registration, changes, transfers, waivers and searches (ADMIN and STAFF write). */
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { maskBankAccount } from '../../common/sensitive';
import type { RequestContext } from '../../context/request-context';
import { PersonalData, ReplicaRead, Roles } from '../../graphql/access';
import { mapConnection, MAX_PAGE } from '../../graphql/connection';
import { DateScalar } from '../../graphql/scalars';
import { presentRegion } from '../public-policy/public-policy.presenters';
import { RegionType } from '../public-policy/public-policy.types';
import { householdGraphShape } from './household-summary';
import { bankAccountLoader, changesOfPersonLoader, householdLoader, membershipsOfPersonLoader, waiversOfPersonLoader } from './residents.loaders';
import { type HouseholdParent, presentChange, presentHousehold, presentMembership, presentResident, presentWaiver } from './residents.presenters';
import { residentsService, type WaiverReason } from './residents.service';
import { type WaiverRow, waiverCount, waiverPage, waiverSortKey } from './residents.repository';
import { decodeKeyCursor, pageSize, toKeyConnection } from '../../graphql/connection';
import {
  Household,
  HouseholdConnection,
  HouseholdFilter,
  HouseholdInput,
  HouseholdMembership,
  Resident,
  ResidentChange,
  ResidentConnection,
  ResidentInput,
  ResidentOrder,
  ResidentSearchInput,
  ResidentUpdateInput,
  SortDirectionEnum,
  Waiver,
  WaiverConnection,
  WaiverFilter,
  WaiverInput,
  WaiverOrder,
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

  @PersonalData()
  @Roles(...READERS)
  @Query(() => Household, { nullable: true })
  async household(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Info() info: GraphQLResolveInfo) {
    const row = await residentsService.household(ctx, id, householdGraphShape(info));
    return row && presentHousehold(row);
  }

  @PersonalData()
  @Roles(...READERS)
  @Query(() => Household, { nullable: true, description: 'A household by its booklet number (户口簿号).' })
  async householdByBooklet(@Ctx() ctx: RequestContext, @Arg('bookletNo') bookletNo: string, @Info() info: GraphQLResolveInfo) {
    const row = await residentsService.householdByBooklet(ctx, bookletNo, householdGraphShape(info));
    return row && presentHousehold(row);
  }

  @PersonalData()
  @Roles(...READERS)
  @ReplicaRead()
  @Query(() => HouseholdConnection, { description: "Households by region (with the regions inside it), booklet prefix and head's name, in booklet order." })
  async households(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => HouseholdFilter, { nullable: true }) filter: HouseholdFilter | null,
    @Arg('first', () => Int, { defaultValue: 50, description: `At most ${MAX_PAGE}.` }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('direction', () => SortDirectionEnum, { defaultValue: 'ASC', description: 'The order of booklet numbers.' }) direction: 'ASC' | 'DESC',
  ): Promise<HouseholdConnection> {
    return mapConnection(await residentsService.households(ctx, filter ?? {}, first, after, direction), presentHousehold) as unknown as HouseholdConnection;
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
  @PersonalData()
  @Roles(...READERS)
  @Query(() => Resident, { nullable: true })
  async resident(@Ctx() ctx: RequestContext, @Arg('idNumber') idNumber: string): Promise<Resident | null> {
    const row = await residentsService.resident(ctx, idNumber);
    return row && presentResident(row);
  }

  @PersonalData()
  @Roles(...READERS)
  @ReplicaRead()
  @Query(() => ResidentConnection, {
    description: 'Residents by part of the name, the last digits of the ID number, prefixes, region and status; by ID number or name, a page at a time.',
  })
  async residents(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => ResidentSearchInput, { nullable: true }) filter: ResidentSearchInput | null,
    @Arg('first', () => Int, { defaultValue: 50, description: `At most ${MAX_PAGE}.` }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('orderBy', () => ResidentOrder, { nullable: true, description: 'Default: by ID number.' }) orderBy: ResidentOrder | null,
  ): Promise<ResidentConnection> {
    const page = await residentsService.search(
      ctx,
      { ...filter, statuses: filter?.status },
      first,
      after,
      orderBy?.field ?? 'ID_NUMBER',
      orderBy?.direction ?? 'ASC',
    );
    return mapConnection(page, presentResident) as unknown as ResidentConnection;
  }

  @PersonalData()
  @Roles(...READERS)
  @Query(() => [ResidentChange], { description: 'The change records of a person, oldest first.' })
  async residentChanges(@Ctx() ctx: RequestContext, @Arg('idNumber') idNumber: string): Promise<ResidentChange[]> {
    return (await residentsService.changes(ctx, idNumber)).map(presentChange);
  }

  @PersonalData()
  @Roles('ADMIN', 'STAFF')
  @Query(() => WaiverConnection, { description: 'The waivers (放弃参保确认书) of a year, by region and reason, a page at a time.' })
  async waiverList(
    @Ctx() ctx: RequestContext,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('filter', () => WaiverFilter, { nullable: true }) filter: WaiverFilter | null,
    @Arg('first', () => Int, { defaultValue: 50, description: `At most ${MAX_PAGE}.` }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('orderBy', () => WaiverOrder, { nullable: true, description: 'Default: by the day signed.' }) orderBy: WaiverOrder | null,
  ): Promise<WaiverConnection> {
    pageSize(first);
    const order = orderBy?.field ?? 'SIGNED_ON';
    const key = after ? decodeKeyCursor(after, 1)[0].split('/') : null;
    const query = {
      coverageYear,
      reason: filter?.reason ?? null,
      regions: filter?.region ? await residentsService.regionScope(ctx, filter.region) : null,
      includeWithdrawn: filter?.includeWithdrawn ?? false,
      order,
      descending: orderBy?.direction === 'DESC',
      after: key ? ([key[0], key[1]] as [string, string]) : null,
      limit: first + 1,
    };
    const rows = await waiverPage(ctx.db, query);
    return toKeyConnection(
      rows,
      first,
      () => waiverCount(ctx.db, query),
      (w: WaiverRow) => [waiverSortKey(w, order)],
      presentWaiver,
    ) as unknown as WaiverConnection;
  }

  @PersonalData()
  @Roles('ADMIN', 'STAFF')
  @Query(() => [Waiver], { deprecationReason: 'Use waiverList: a connection with totalCount, filters and an order.' })
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
  @Mutation(() => Resident, { description: "Changes a person's information; each change is recorded (信息变更登记表)." })
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
  @Mutation(() => Waiver, { description: 'Records a 放弃参保确认书; refused (CONFLICT) for someone already paid for that year.' })
  async recordWaiver(@Ctx() ctx: RequestContext, @Arg('input', () => WaiverInput) input: WaiverInput): Promise<Waiver> {
    return presentWaiver(await residentsService.recordWaiver(ctx, input));
  }

  @Roles(...WRITERS)
  @Mutation(() => Waiver, { description: 'Withdraws a waiver (the person will enrol after all); it stays on record with the date.' })
  async withdrawWaiver(
    @Ctx() ctx: RequestContext,
    @Arg('idNumber') idNumber: string,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('on', () => DateScalar, { nullable: true, description: 'Defaults to today (China time).' }) on: string | null,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
  ): Promise<Waiver> {
    return presentWaiver(await residentsService.withdrawWaiver(ctx, idNumber, coverageYear, on, reason));
  }

  @Roles(...WRITERS)
  @Mutation(() => Resident, {
    description:
      'Corrects an ID number: the person and all they have (enrolments, payments, grants, refunds, certifications, history) continue under the new number.',
  })
  async correctIdNumber(
    @Ctx() ctx: RequestContext,
    @Arg('idNumber') idNumber: string,
    @Arg('newIdNumber') newIdNumber: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
  ): Promise<Resident> {
    return presentResident(await residentsService.correctIdNumber(ctx, idNumber, newIdNumber, reason));
  }

  @FieldResolver(() => [ResidentChange], {
    description: "Changes of the person's information and status (信息变更登记表), oldest first, under the current ID number.",
  })
  async changes(@Ctx() ctx: RequestContext, @Root() resident: Resident): Promise<ResidentChange[]> {
    return (await changesOfPersonLoader(ctx).load(resident.idNumber)).map(presentChange);
  }

  @FieldResolver(() => [Waiver], { name: 'waivers', description: 'Waivers (放弃参保确认书), withdrawn ones too.' })
  async waiversOfResident(@Ctx() ctx: RequestContext, @Root() resident: Resident): Promise<Waiver[]> {
    return (await waiversOfPersonLoader(ctx).load(resident.idNumber)).map(presentWaiver);
  }

  @FieldResolver(() => [HouseholdMembership], { description: 'Every household the person belonged to, with dates.' })
  async memberships(@Ctx() ctx: RequestContext, @Root() resident: Resident): Promise<HouseholdMembership[]> {
    return (await membershipsOfPersonLoader(ctx).load(resident.idNumber)).map(presentMembership);
  }

  @FieldResolver(() => Household, { nullable: true })
  async household(@Ctx() ctx: RequestContext, @Root() resident: Resident) {
    if (!resident.householdId) return null;
    const row = await householdLoader(ctx).load(resident.householdId);
    return row && presentHousehold(row);
  }

  @Authorized(...WRITERS)
  @FieldResolver(() => String, {
    nullable: true,
    description:
      'ADMIN and STAFF: the account the 一卡通 payout goes to, masked (its first and last four digits); in full only in exportPayoutFile. Null: none on record.',
  })
  async bankAccountMasked(@Ctx() ctx: RequestContext, @Root() resident: Resident): Promise<string | null> {
    return maskBankAccount((await bankAccountLoader(ctx).load(resident.idNumber))?.bank_account ?? null);
  }

  @Authorized(...WRITERS)
  @FieldResolver(() => String, { nullable: true, description: 'ADMIN and STAFF: the bank of the payout account (开户银行).' })
  async bankName(@Ctx() ctx: RequestContext, @Root() resident: Resident): Promise<string | null> {
    return (await bankAccountLoader(ctx).load(resident.idNumber))?.bank_name ?? null;
  }
}
