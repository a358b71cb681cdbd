/** The resident and household registry (户口簿 and 参保登记表). Services take the request context first. */
import { badInput, DomainError } from '../common/errors';
import type { RequestContext } from '../context/request-context';
import { parseResidentId } from './id-number';
import {
  existingResidents,
  type HouseholdRow,
  insertHousehold,
  insertMembers,
  type NewResident,
  residentById,
  type ResidentRow,
} from './registry.repository';

export const HEAD_OF_HOUSEHOLD = '户主';

export interface MemberInput {
  idNumber: string;
  name: string;
  phone?: string | null;
  relationship: string;
}

export interface HouseholdInput {
  bookletNo: string;
  region: string;
  address?: string | null;
  members: MemberInput[];
}

export class RegistryService {
  async registerHousehold(ctx: RequestContext, input: HouseholdInput): Promise<HouseholdRow> {
    const bookletNo = input.bookletNo.trim();
    if (!bookletNo) throw badInput('bookletNo must not be empty', 'bookletNo');
    if (!ctx.tenant.regionsByCode.has(input.region)) {
      throw badInput(`region ${input.region} is not a region of ${ctx.tenant.name}`, 'region');
    }
    const members = this.checkMembers(input.members);
    const taken = await existingResidents(ctx.db, members.map((m) => m.idNumber));
    if (taken.length > 0) {
      throw new DomainError('CONFLICT', `already registered: ${taken.length} of the members (${taken.join(', ')})`, { field: 'members' });
    }
    const household = await insertHousehold(ctx.db, { bookletNo, regionCode: input.region, address: input.address?.trim() || null });
    if (!household) throw new DomainError('CONFLICT', `household booklet ${bookletNo} is already registered`, { field: 'bookletNo' });
    try {
      await insertMembers(ctx.db, household.id, members);
    } catch (err) {
      // A concurrent registration of the same person got there first.
      if ((err as { code?: string }).code === '23505') throw new DomainError('CONFLICT', 'a member was registered at the same time by another request', { field: 'members' });
      throw err;
    }
    return household;
  }

  async household(ctx: RequestContext, id: string): Promise<HouseholdRow | null> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
    return ctx.loaders.household.load(id);
  }

  async resident(ctx: RequestContext, idNumber: string): Promise<ResidentRow | null> {
    return residentById(ctx.db, idNumber.trim().toUpperCase());
  }

  async members(ctx: RequestContext, householdId: string): Promise<ResidentRow[]> {
    return ctx.loaders.membersOfHousehold.load(householdId);
  }

  private checkMembers(input: readonly MemberInput[]): NewResident[] {
    if (input.length === 0) throw badInput('a household has at least one member', 'members');
    const heads = input.filter((m) => m.relationship.trim() === HEAD_OF_HOUSEHOLD).length;
    if (heads !== 1) throw badInput(`a household has exactly one ${HEAD_OF_HOUSEHOLD}, this one has ${heads}`, 'members');
    const seen = new Set<string>();
    return input.map((member, i) => {
      const idNumber = member.idNumber.trim().toUpperCase();
      const facts = parseResidentId(idNumber);
      if ('error' in facts) throw badInput(`members[${i}].idNumber ${idNumber} is not a valid resident ID number: ${facts.error}`, `members[${i}].idNumber`);
      if (seen.has(idNumber)) throw badInput(`members[${i}].idNumber ${idNumber} appears twice`, `members[${i}].idNumber`);
      seen.add(idNumber);
      const name = member.name.trim();
      if (!name) throw badInput(`members[${i}].name must not be empty`, `members[${i}].name`);
      return { idNumber, name, sex: facts.sex, birthDate: facts.birthDate, phone: member.phone?.trim() || null, relationship: member.relationship.trim() };
    });
  }
}
