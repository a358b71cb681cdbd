import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import type { HouseholdRow, ResidentRow } from '../../registry/registry.repository';
import { presentRegion } from '../../services/policy-query.service';
import { services } from '../../services';
import { Region } from '../types/policy.types';
import { Household, HouseholdInput, Resident } from '../types/registry.types';

const toResident = (row: ResidentRow): Resident => ({
  idNumber: row.id_number,
  name: row.name,
  birthDate: row.birth_date,
  sex: row.sex,
  phone: row.phone,
  relationship: row.relationship,
  householdId: row.household_id,
});

const toHousehold = (row: HouseholdRow) => ({ id: row.id, bookletNo: row.booklet_no, address: row.address, regionCode: row.region_code });
type HouseholdParent = ReturnType<typeof toHousehold>;

@Resolver(() => Household)
export class RegistryResolver {
  @Authorized('ADMIN', 'STAFF')
  @Mutation(() => Household, { description: 'Registers a household booklet with its members (exactly one 户主).' })
  async registerHousehold(@Ctx() ctx: RequestContext, @Arg('input', () => HouseholdInput) input: HouseholdInput) {
    return toHousehold(await services.registry.registerHousehold(ctx, input));
  }

  @Authorized('ADMIN', 'STAFF')
  @Query(() => Household, { nullable: true })
  async household(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    const row = await services.registry.household(ctx, id);
    return row && toHousehold(row);
  }

  @Authorized('ADMIN', 'STAFF')
  @Query(() => Resident, { nullable: true })
  async resident(@Ctx() ctx: RequestContext, @Arg('idNumber') idNumber: string): Promise<Resident | null> {
    const row = await services.registry.resident(ctx, idNumber);
    return row && toResident(row);
  }

  @FieldResolver(() => Region)
  region(@Ctx() ctx: RequestContext, @Root() household: HouseholdParent): Region {
    return presentRegion(ctx.tenant, household.regionCode);
  }

  @FieldResolver(() => [Resident])
  async members(@Ctx() ctx: RequestContext, @Root() household: HouseholdParent): Promise<Resident[]> {
    return (await services.registry.members(ctx, household.id)).map(toResident);
  }
}
