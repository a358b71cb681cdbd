/**
 * The resident and household registry, as township staff keep it on the notices' forms: 参保登记表
 * (registration), 信息变更登记表 (changes), 停保或流出登记表 (transfer out), 放弃参保确认书 (waivers).
 * Services take the request context first; every write of a request is one transaction.
 */
import { compareDates, isLocalDate, type LocalDate, todayInChina } from '../../common/dates';
import { badInput, DomainError } from '../../common/errors';
import type { RequestContext } from '../../context/request-context';
import { refreshStaleStatistics } from '../../db/statistics';
import { decodeCursor } from '../../graphql/cursor';
import { maskIdNumber, parseResidentId } from './id-number';
import { HouseholdGraphRead, ResidentTransferredOut } from './residents.events';
import { householdLoader, membersOfHouseholdLoader } from './residents.loaders';
import {
  bookletsTaken,
  changesOf,
  type ChangeRow,
  closeMembership,
  existingResidents,
  HEAD_OF_HOUSEHOLD,
  householdGraph,
  householdHasHead,
  householdHasOthers,
  type HouseholdRow,
  insertHouseholds,
  insertResidents,
  insertWaiver,
  markTransferredOut,
  membershipHistory,
  type MembershipRow,
  recordChanges,
  recordMemberships,
  residentDetails,
  type ResidentRow,
  searchResidents,
  setHousehold,
  type UpdatableResidentField,
  updateResident,
  type WaiverRow,
  waivers,
} from './residents.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const ID_TYPES = ['RESIDENT_ID_CARD', 'PASSPORT', 'HK_MACAO_RESIDENCE_PERMIT', 'TAIWAN_RESIDENCE_PERMIT', 'FOREIGN_PERMANENT_RESIDENCE_CARD'] as const;
export type IdType = (typeof ID_TYPES)[number];
export const APPLICANT_TYPES = ['NEWBORN', 'PRESCHOOL_CHILD', 'PUPIL', 'UNIVERSITY_STUDENT', 'MINOR_NOT_IN_SCHOOL', 'ADULT'] as const;
export type ApplicantType = (typeof APPLICANT_TYPES)[number];
export const WAIVER_REASONS = ['COMMERCIAL_INSURANCE', 'EMPLOYEE_INSURANCE', 'HEALTHY_STABLE_INCOME', 'OTHER'] as const;
export type WaiverReason = (typeof WAIVER_REASONS)[number];

/** The person's details as the 参保登记表 asks for them. */
export interface PersonDetails {
  idType?: IdType | null;
  name: string;
  sex?: 'MALE' | 'FEMALE' | null;
  birthDate?: LocalDate | null;
  phone?: string | null;
  hukouPlace?: string | null;
  residencePermitPlace?: string | null;
  applicantType?: ApplicantType | null;
  school?: string | null;
}

export interface MemberRequest extends PersonDetails {
  idNumber: string;
  relationship: string;
}

export interface HouseholdRequest {
  bookletNo: string;
  region: string;
  address?: string | null;
  registeredOn?: LocalDate | null;
  members: MemberRequest[];
}

export interface ResidentUpdate {
  newIdNumber?: string | null;
  name?: string | null;
  phone?: string | null;
  hukouPlace?: string | null;
  residencePermitPlace?: string | null;
  applicantType?: ApplicantType | null;
  school?: string | null;
}

/** Key information (关键信息) per 甘州 五3: name, ID number and hukou; the rest is other information. */
const KEY_FIELDS = new Set(['id_number', 'name', 'hukou_place']);

export interface CheckedHousehold {
  bookletNo: string;
  region: string;
  address: string | null;
  registeredOn: LocalDate;
  members: Array<CheckedPerson & { relationship: string }>;
}

interface CheckedPerson {
  idNumber: string;
  idType: IdType;
  name: string;
  sex: 'MALE' | 'FEMALE' | null;
  birthDate: LocalDate | null;
  phone: string | null;
  hukouPlace: string | null;
  residencePermitPlace: string | null;
  applicantType: ApplicantType | null;
  school: string | null;
}

export class ResidentsService {
  async registerHousehold(ctx: RequestContext, input: HouseholdRequest): Promise<HouseholdRow> {
    const checked = this.checkHousehold(ctx, input);
    const [result] = await this.registerHouseholds(ctx, [checked]);
    if ('error' in result) throw result.error;
    return result.household;
  }

  /** A household as given, checked: its booklet, region, date, and members (exactly one 户主). */
  checkHousehold(ctx: RequestContext, input: HouseholdRequest): CheckedHousehold {
    const bookletNo = input.bookletNo.trim();
    if (!bookletNo) throw badInput('bookletNo must not be empty', 'bookletNo');
    this.checkRegion(ctx, input.region);
    const registeredOn = this.date(input.registeredOn, 'registeredOn');
    if (input.members.length === 0) throw badInput('a household has at least one member', 'members');
    const heads = input.members.filter((m) => m.relationship.trim() === HEAD_OF_HOUSEHOLD).length;
    if (heads !== 1) throw badInput(`a household has exactly one ${HEAD_OF_HOUSEHOLD}, this one has ${heads}`, 'members');
    const seen = new Set<string>();
    const members = input.members.map((member, i) => {
      const person = this.checkPerson(member.idNumber, member, `members[${i}]`);
      if (seen.has(person.idNumber)) throw badInput(`members[${i}].idNumber ${maskIdNumber(person.idNumber)} appears twice`, `members[${i}].idNumber`);
      seen.add(person.idNumber);
      return { ...person, relationship: member.relationship.trim() };
    });
    return { bookletNo, region: input.region, address: input.address?.trim() || null, registeredOn, members };
  }

  /**
   * Registers checked households together, set-based: one statement each for the conflicts, the
   * households, the people and their memberships, whatever their number. A household whose booklet or
   * people are already registered (or appear twice among them) gets a CONFLICT and nothing of it is
   * written; the others are.
   */
  async registerHouseholds(ctx: RequestContext, households: readonly CheckedHousehold[]): Promise<Array<{ household: HouseholdRow } | { error: DomainError }>> {
    const ids = households.flatMap((h) => h.members.map((m) => m.idNumber));
    const [taken, takenBooklets] = await Promise.all([existingResidents(ctx.db, ids), bookletsTaken(ctx.db, households.map((h) => h.bookletNo))]);
    const takenIds = new Set(taken);
    const counts = new Map<string, number>();
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    const bookletCounts = new Map<string, number>();
    for (const h of households) bookletCounts.set(h.bookletNo, (bookletCounts.get(h.bookletNo) ?? 0) + 1);
    const results: Array<{ household: HouseholdRow } | { error: DomainError }> = households.map((h) => {
      const already = h.members.filter((m) => takenIds.has(m.idNumber)).map((m) => m.idNumber);
      if (already.length) return { error: new DomainError('CONFLICT', `already registered: ${already.map(maskIdNumber).join(', ')}`, { field: 'members' }) };
      const twice = h.members.filter((m) => (counts.get(m.idNumber) ?? 0) > 1).map((m) => m.idNumber);
      if (twice.length) return { error: new DomainError('CONFLICT', `in two households at once: ${twice.map(maskIdNumber).join(', ')}`, { field: 'members' }) };
      if (takenBooklets.has(h.bookletNo) || (bookletCounts.get(h.bookletNo) ?? 0) > 1) {
        return { error: new DomainError('CONFLICT', `household booklet ${h.bookletNo} is already registered`, { field: 'bookletNo' }) };
      }
      return { household: { id: '', booklet_no: h.bookletNo, region_code: h.region, address: h.address } };
    });
    const good = households.filter((_, i) => 'household' in results[i]);
    if (good.length === 0) return results;
    const inserted = await insertHouseholds(ctx.db, good);
    if (inserted.length !== good.length) throw new DomainError('CONFLICT', 'a household was registered at the same time by another request; nothing was written, retry');
    const idOf = new Map(inserted.map((h) => [h.booklet_no, h.id]));
    const people = good.flatMap((h) => h.members.map((m) => ({ ...m, householdId: idOf.get(h.bookletNo)!, joinedOn: h.registeredOn })));
    // The people are checked against their households row by row, the memberships against both: after a
    // roster's bulk write, plans made while these tables were small must not scan them for every row.
    await refreshStaleStatistics(ctx.db, 'household', inserted.length);
    await this.insertPeople(ctx, people);
    await refreshStaleStatistics(ctx.db, 'resident', people.length);
    await recordMemberships(ctx.db, people.map((p) => ({ householdId: p.householdId, idNumber: p.idNumber, relationship: p.relationship, joinedOn: p.joinedOn })));
    return results.map((r) => ('household' in r ? { household: inserted.find((h) => h.booklet_no === r.household.booklet_no)! } : r));
  }

  /** Registers one person, alone or into an existing household. */
  async registerResident(ctx: RequestContext, input: MemberRequest & { householdId?: string | null; joinedOn?: LocalDate | null }): Promise<ResidentRow> {
    const person = this.checkPerson(input.idNumber, input, '');
    if ((await existingResidents(ctx.db, [person.idNumber])).length > 0) {
      throw new DomainError('CONFLICT', `${maskIdNumber(person.idNumber)} is already registered`, { field: 'idNumber' });
    }
    const relationship = input.relationship?.trim() || null;
    if (input.householdId) {
      await this.checkJoin(ctx, input.householdId, relationship);
      await this.insertPeople(ctx, [{ ...person, relationship: relationship!, householdId: input.householdId }]);
      await recordMemberships(ctx.db, [{ householdId: input.householdId, idNumber: person.idNumber, relationship: relationship!, joinedOn: this.date(input.joinedOn, 'joinedOn') }]);
    } else {
      await this.insertPeople(ctx, [{ ...person, relationship: null, householdId: null }]);
    }
    return (await residentDetails(ctx.db, [person.idNumber]))[0];
  }

  /** Changes a person's details; every changed field leaves a change record (信息变更登记表). */
  async updateResident(ctx: RequestContext, idNumberInput: string, update: ResidentUpdate): Promise<ResidentRow> {
    const current = await this.existing(ctx, idNumberInput);
    const next: Partial<Record<UpdatableResidentField, string | null>> = {};
    if (update.newIdNumber != null) {
      const checked = this.checkPerson(update.newIdNumber, { name: current.name, idType: current.id_type as IdType }, '');
      if (checked.idNumber !== current.id_number) {
        if ((await existingResidents(ctx.db, [checked.idNumber])).length > 0) {
          throw new DomainError('CONFLICT', `${maskIdNumber(checked.idNumber)} is already registered`, { field: 'newIdNumber' });
        }
        Object.assign(next, { id_number: checked.idNumber, birth_date: checked.birthDate, sex: checked.sex });
      }
    }
    if (update.name != null) {
      if (!update.name.trim()) throw badInput('name must not be empty', 'name');
      next.name = update.name.trim();
    }
    if (update.phone !== undefined) next.phone = update.phone?.trim() || null;
    if (update.hukouPlace !== undefined) next.hukou_place = this.place(update.hukouPlace, 'hukouPlace');
    if (update.residencePermitPlace !== undefined) next.residence_permit_place = this.place(update.residencePermitPlace, 'residencePermitPlace');
    if (update.applicantType !== undefined) next.applicant_type = update.applicantType;
    if (update.school !== undefined) next.school = update.school?.trim() || null;
    const changed = (Object.entries(next) as Array<[UpdatableResidentField, string | null]>).filter(([field, value]) => current[field] !== value);
    if (changed.length === 0) return current;
    await updateResident(ctx.db, current.id_number, changed);
    const newId = next.id_number ?? current.id_number;
    await recordChanges(
      ctx.db,
      changed
        .filter(([field]) => field !== 'birth_date' && field !== 'sex')
        .map(([field, value]) => ({ idNumber: newId, field, keyInformation: KEY_FIELDS.has(field), before: current[field] ?? null, after: value })),
      this.actor(ctx),
    );
    return (await residentDetails(ctx.db, [newId]))[0];
  }

  async addHouseholdMember(ctx: RequestContext, householdId: string, idNumber: string, relationship: string, joinedOn?: LocalDate | null): Promise<HouseholdRow> {
    const person = await this.existing(ctx, idNumber);
    if (person.household_id) throw new DomainError('CONFLICT', `${maskIdNumber(person.id_number)} already belongs to a household; move them instead`, { field: 'idNumber' });
    return this.join(ctx, person, householdId, relationship, this.date(joinedOn, 'joinedOn'));
  }

  async moveHouseholdMember(ctx: RequestContext, idNumber: string, householdId: string, relationship: string, movedOn?: LocalDate | null): Promise<HouseholdRow> {
    const person = await this.existing(ctx, idNumber);
    const on = this.date(movedOn, 'movedOn');
    await this.leave(ctx, person, on);
    return this.join(ctx, { ...person, household_id: null }, householdId, relationship, on);
  }

  async removeHouseholdMember(ctx: RequestContext, idNumber: string, leftOn?: LocalDate | null): Promise<ResidentRow> {
    const person = await this.existing(ctx, idNumber);
    if (!person.household_id) throw badInput(`${maskIdNumber(person.id_number)} belongs to no household`, 'idNumber');
    await this.leave(ctx, person, this.date(leftOn, 'leftOn'));
    return (await residentDetails(ctx.db, [person.id_number]))[0];
  }

  /** 停保或流出: the person leaves the tenant; their enrolments still running end on that date. */
  async transferOut(ctx: RequestContext, idNumber: string, on: LocalDate, destination: string | null): Promise<ResidentRow> {
    const person = await this.existing(ctx, idNumber);
    if (person.status === 'TRANSFERRED_OUT') throw new DomainError('CONFLICT', `${maskIdNumber(person.id_number)} was already transferred out on ${person.transferred_out_on}`);
    this.date(on, 'on');
    if (person.household_id) await this.leave(ctx, person, on, true);
    await markTransferredOut(ctx.db, person.id_number, on, destination?.trim() || null);
    await ctx.app.events.emit(ctx, ResidentTransferredOut, { idNumber: person.id_number, on });
    await recordChanges(ctx.db, [{ idNumber: person.id_number, field: 'status', keyInformation: false, before: 'ACTIVE', after: `TRANSFERRED_OUT ${on}${destination ? ` → ${destination}` : ''}` }], this.actor(ctx));
    return (await residentDetails(ctx.db, [person.id_number]))[0];
  }

  async recordWaiver(ctx: RequestContext, input: { idNumber: string; coverageYear: number; reason: WaiverReason; reasonText?: string | null }): Promise<WaiverRow> {
    const person = await this.existing(ctx, input.idNumber);
    const reasonText = input.reasonText?.trim() || null;
    if (input.reason === 'OTHER' && !reasonText) throw badInput('reason OTHER needs reasonText (其他原因)', 'reasonText');
    const row = await insertWaiver(ctx.db, { id_number: person.id_number, coverage_year: input.coverageYear, reason: input.reason, reason_text: reasonText }, this.actor(ctx).sub);
    if (!row) throw new DomainError('CONFLICT', `a waiver for ${input.coverageYear} is already recorded for ${maskIdNumber(person.id_number)}`, { field: 'idNumber' });
    return row;
  }

  async waivers(ctx: RequestContext, coverageYear: number, reason?: WaiverReason | null): Promise<WaiverRow[]> {
    return waivers(ctx.db, coverageYear, reason ?? null);
  }

  /** A household as a query reads it: with its members, enrolments and subsidies in one statement. */
  async household(ctx: RequestContext, id: string): Promise<HouseholdRow | null> {
    if (!UUID.test(id)) return null;
    const graph = await householdGraph(ctx.db, id);
    if (!graph) return null;
    householdLoader(ctx).prime(graph.household.id, graph.household);
    membersOfHouseholdLoader(ctx).prime(graph.household.id, graph.members);
    await ctx.app.events.emit(ctx, HouseholdGraphRead, graph);
    return graph.household;
  }

  async resident(ctx: RequestContext, idNumber: string): Promise<ResidentRow | null> {
    return (await residentDetails(ctx.db, [idNumber.trim().toUpperCase()]))[0] ?? null;
  }

  async members(ctx: RequestContext, householdId: string): Promise<ResidentRow[]> {
    return membersOfHouseholdLoader(ctx).load(householdId);
  }

  async membershipHistory(ctx: RequestContext, householdId: string): Promise<MembershipRow[]> {
    return membershipHistory(ctx.db, [householdId]);
  }

  async changes(ctx: RequestContext, idNumber: string): Promise<ChangeRow[]> {
    return changesOf(ctx.db, idNumber.trim().toUpperCase());
  }

  async search(
    ctx: RequestContext,
    query: { namePrefix?: string | null; idPrefix?: string | null; region?: string | null },
    first: number,
    after: string | null,
  ): Promise<{ rows: ResidentRow[]; hasNextPage: boolean }> {
    if (first < 1 || first > 500) throw badInput('first must be between 1 and 500', 'first');
    let regions: string[] | null = null;
    if (query.region) {
      this.checkRegion(ctx, query.region);
      regions = ctx.tenant.regionsWithin(query.region);
    }
    const cursor = after ? decodeCursor(after) : null;
    const rows = await searchResidents(ctx.db, { namePrefix: query.namePrefix?.trim(), idPrefix: query.idPrefix?.trim().toUpperCase(), regions, after: cursor, limit: first + 1 });
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  private async insertPeople(ctx: RequestContext, people: ReadonlyArray<CheckedPerson & { relationship: string | null; householdId: string | null }>): Promise<void> {
    try {
      await insertResidents(ctx.db, people);
    } catch (err) {
      const { code, constraint } = err as { code?: string; constraint?: string };
      if (code === '23505') {
        const head = constraint === 'resident_one_head_per_household';
        throw new DomainError('CONFLICT', head ? `the household already has a ${HEAD_OF_HOUSEHOLD}` : 'a member was registered at the same time by another request', { field: head ? 'relationship' : 'idNumber' });
      }
      throw err;
    }
  }

  /** Validates identity: for resident ID cards, the GB 11643 number, and birth date and sex agreeing with it. */
  private checkPerson(idNumberInput: string, details: Partial<PersonDetails>, prefix: string): CheckedPerson {
    const field = (name: string) => (prefix ? `${prefix}.${name}` : name);
    const idNumber = idNumberInput.trim().toUpperCase();
    const idType = details.idType ?? 'RESIDENT_ID_CARD';
    const name = details.name?.trim() ?? '';
    if (!name) throw badInput(`${field('name')} must not be empty`, field('name'));
    let sex = details.sex ?? null;
    let birthDate = details.birthDate ?? null;
    if (birthDate && !isLocalDate(birthDate)) throw badInput(`${field('birthDate')} must be a date YYYY-MM-DD`, field('birthDate'));
    if (idType === 'RESIDENT_ID_CARD') {
      const facts = parseResidentId(idNumber);
      if ('error' in facts) throw badInput(`${field('idNumber')} ${maskIdNumber(idNumber)} is not a valid resident ID number: ${facts.error}`, field('idNumber'));
      if (birthDate && birthDate !== facts.birthDate) throw badInput(`${field('birthDate')} ${birthDate} disagrees with the ID number`, field('birthDate'));
      if (sex && sex !== facts.sex) throw badInput(`${field('sex')} ${sex} disagrees with the ID number`, field('sex'));
      sex = facts.sex;
      birthDate = facts.birthDate;
    } else if (!/^[A-Z0-9]{5,30}$/.test(idNumber)) {
      throw badInput(`${field('idNumber')} must be 5 to 30 letters or digits for ${idType}`, field('idNumber'));
    }
    if (birthDate && compareDates(birthDate, todayInChina()) > 0) throw badInput(`${field('birthDate')} is in the future`, field('birthDate'));
    return {
      idNumber,
      idType,
      name,
      sex,
      birthDate,
      phone: details.phone?.trim() || null,
      hukouPlace: this.place(details.hukouPlace, field('hukouPlace')),
      residencePermitPlace: this.place(details.residencePermitPlace, field('residencePermitPlace')),
      applicantType: details.applicantType ?? null,
      school: details.school?.trim() || null,
    };
  }

  /** Places are division codes: 6 digits (county), 9 (township) or 12 (village). */
  private place(value: string | null | undefined, field: string): string | null {
    const place = value?.trim() || null;
    if (place && !/^\d{6}(\d{3}(\d{3})?)?$/.test(place)) throw badInput(`${field} must be a division code of 6, 9 or 12 digits`, field);
    return place;
  }

  private checkRegion(ctx: RequestContext, region: string): void {
    if (!ctx.tenant.regionsByCode.has(region)) throw badInput(`region ${region} is not a region of ${ctx.tenant.name}`, 'region');
  }

  private date(value: LocalDate | null | undefined, field: string): LocalDate {
    if (value == null) return todayInChina();
    if (!isLocalDate(value)) throw badInput(`${field} must be a date YYYY-MM-DD`, field);
    return value;
  }

  private actor(ctx: RequestContext) {
    return { sub: ctx.actor?.sub ?? 'system', role: ctx.actor?.role ?? 'SYSTEM' };
  }

  private async existing(ctx: RequestContext, idNumber: string): Promise<ResidentRow> {
    const person = (await residentDetails(ctx.db, [idNumber.trim().toUpperCase()]))[0];
    if (!person) throw new DomainError('NOT_FOUND', `${maskIdNumber(idNumber.trim().toUpperCase())} is not registered in ${ctx.tenant.name}`, { field: 'idNumber' });
    return person;
  }

  private async checkJoin(ctx: RequestContext, householdId: string, relationship: string | null): Promise<HouseholdRow> {
    if (!relationship) throw badInput('relationship to the head is needed to join a household', 'relationship');
    // The row alone: members read now would be stale once the person has joined.
    const household = UUID.test(householdId) ? await householdLoader(ctx).load(householdId) : null;
    if (!household) throw new DomainError('NOT_FOUND', `no household ${householdId}`, { field: 'householdId' });
    if (relationship === HEAD_OF_HOUSEHOLD) {
      if (await householdHasHead(ctx.db, householdId)) throw badInput(`household ${household.booklet_no} already has a ${HEAD_OF_HOUSEHOLD}`, 'relationship');
    }
    return household;
  }

  private async join(ctx: RequestContext, person: ResidentRow, householdId: string, relationshipInput: string, on: LocalDate): Promise<HouseholdRow> {
    const relationship = relationshipInput.trim();
    const household = await this.checkJoin(ctx, householdId, relationship);
    await setHousehold(ctx.db, person.id_number, householdId, relationship);
    await recordMemberships(ctx.db, [{ householdId, idNumber: person.id_number, relationship, joinedOn: on }]);
    return household;
  }

  /** Leaves the household; the head may leave only last (a household always has exactly one head). */
  private async leave(ctx: RequestContext, person: ResidentRow, on: LocalDate, evenHead = false): Promise<void> {
    if (!person.household_id) return;
    if (person.relationship === HEAD_OF_HOUSEHOLD && !evenHead) {
      if (await householdHasOthers(ctx.db, person.household_id, person.id_number)) throw badInput(`the ${HEAD_OF_HOUSEHOLD} cannot leave while others remain; make another member ${HEAD_OF_HOUSEHOLD} first`, 'idNumber');
    }
    const joinedOn = await closeMembership(ctx.db, person.id_number, on);
    if (joinedOn) throw badInput(`${on} is before ${maskIdNumber(person.id_number)} joined the household on ${joinedOn}`, 'date');
    await setHousehold(ctx.db, person.id_number, null, null);
  }
}

export const residentsService = new ResidentsService();
