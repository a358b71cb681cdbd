/**
 * The resident and household registry, as township staff keep it on the notices' forms: 参保登记表
 * (registration), 信息变更登记表 (changes), 停保或流出登记表 (transfer out), 放弃参保确认书 (waivers).
 * Services take the request context first; every write of a request is one transaction.
 */
import { compareDates, isLocalDate, type LocalDate, todayInChina } from '../../common/dates';
import { badInput, DomainError } from '../../common/errors';
import { fieldName, type Localized, text } from '../../common/i18n';
import type { RequestContext } from '../../context/request-context';
import { refreshStaleStatistics } from '../../db/statistics';
import { uniqueViolation } from '../../db/unique-violation';
import { type Connection, decodeKeyCursor, pageSize, type SortDirection, toKeyConnection } from '../../graphql/pages';
import { invalidResidentId, maskIdNumber, parseResidentId } from './id-number';
import { checkBankAccount, checkBankName, checkName, checkPhone } from './names-and-phones';
import { maskBankAccount } from '../../common/sensitive';
import { divisions } from '../../common/divisions';
import { regionNameOn } from '../../policy-data/model';
import {
  HouseholdGraphRead,
  ResidentIdCorrected,
  ResidentIdCorrectionBegun,
  ResidentIdRetired,
  ResidentsRegistered,
  ResidentTransferredOut,
  WaiverRequested,
} from './residents.events';
import { copyPersonToIdNumber, householdByBooklet, retirePersonIdNumber } from './life-events.repository';
import { regionRows } from './regions.repository';
import { householdLoader, membersOfHouseholdLoader } from './residents.loaders';
import {
  type BankAccountRow,
  bankAccountsOf,
  bookletsTaken,
  changesOf,
  countHouseholds,
  countResidents,
  type ResidentOrder,
  type ResidentStatus,
  searchHouseholds,
  type ChangeRow,
  closeMembership,
  existingResidents,
  HEAD_OF_HOUSEHOLD,
  householdGraph,
  type HouseholdGraphShape,
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
  RESIDENT_STATUS_NAMES,
  residentDetails,
  type ResidentRow,
  searchResidents,
  setHousehold,
  type UpdatableResidentField,
  updateResident,
  type WaiverRow,
  waivers,
  withdrawWaiver,
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
  /** The account the 一卡通 payout of reimbursements goes to, and its bank (开户银行). */
  bankAccount?: string | null;
  bankName?: string | null;
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
  /** An empty string removes the account (and its bank's name). */
  bankAccount?: string | null;
  bankName?: string | null;
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
  bankAccount: string | null;
  bankName: string | null;
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
    if (!bookletNo) throw badInput(text('户口簿号不能为空', 'bookletNo must not be empty'), 'bookletNo');
    // Whether the region exists and is in use is asked of the database when the household is written.
    if (!input.region?.trim()) throw badInput(text('区划不能为空', 'region must not be empty'), 'region');
    const registeredOn = this.date(input.registeredOn, 'registeredOn');
    if (input.members.length === 0) throw badInput(text('一户至少要有一名成员', 'a household has at least one member'), 'members');
    const heads = input.members.filter((m) => m.relationship.trim() === HEAD_OF_HOUSEHOLD).length;
    if (heads !== 1)
      throw badInput(
        text(`一户只能有一名${HEAD_OF_HOUSEHOLD}，此户有 ${heads} 名`, `a household has exactly one ${HEAD_OF_HOUSEHOLD}, this one has ${heads}`),
        'members',
      );
    const seen = new Set<string>();
    const members = input.members.map((member, i) => {
      const person = this.checkPerson(ctx, member.idNumber, member, `members[${i}]`);
      this.checkPlaceRequired(ctx, person, `members[${i}]`);
      if (seen.has(person.idNumber))
        throw badInput(
          text(
            `第 ${i + 1} 位成员的身份证号码 ${maskIdNumber(person.idNumber)} 重复出现`,
            `members[${i}].idNumber ${maskIdNumber(person.idNumber)} appears twice`,
          ),
          `members[${i}].idNumber`,
        );
      seen.add(person.idNumber);
      return { ...person, relationship: member.relationship.trim() };
    });
    return { bookletNo, region: input.region.trim(), address: input.address?.trim() || null, registeredOn, members };
  }

  /**
   * Registers checked households together, set-based: one statement each for the conflicts, the
   * households, the people and their memberships, whatever their number. A household whose booklet or
   * people are already registered (or appear twice among them) gets a CONFLICT and nothing of it is
   * written; the others are.
   */
  async registerHouseholds(ctx: RequestContext, households: readonly CheckedHousehold[]): Promise<Array<{ household: HouseholdRow } | { error: DomainError }>> {
    const ids = households.flatMap((h) => h.members.map((m) => m.idNumber));
    const [taken, takenBooklets, regions] = await Promise.all([
      existingResidents(ctx.db, ids),
      bookletsTaken(
        ctx.db,
        households.map((h) => h.bookletNo),
      ),
      regionRows(ctx.db, [...new Set(households.map((h) => h.region))]),
    ]);
    const regionByCode = new Map(regions.map((r) => [r.code, r]));
    if (regions.some((r) => !ctx.tenant.regionsByCode.has(r.code))) await ctx.app.regionsChanged?.(ctx.tenant.code);
    const takenIds = new Set(taken);
    const counts = new Map<string, number>();
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    const bookletCounts = new Map<string, number>();
    for (const h of households) bookletCounts.set(h.bookletNo, (bookletCounts.get(h.bookletNo) ?? 0) + 1);
    const results: Array<{ household: HouseholdRow } | { error: DomainError }> = households.map((h) => {
      const region = regionByCode.get(h.region);
      if (!region)
        return { error: badInput(text(`区划 ${h.region} 不属于${ctx.tenant.name}`, `region ${h.region} is not a region of ${ctx.tenant.name}`), 'region') };
      if (region.retired_on && compareDates(region.retired_on, h.registeredOn) <= 0) {
        return {
          error: badInput(
            text(
              `区划 ${h.region} 已于 ${region.retired_on} 撤销${ctx.tenant.regionsByCode.get(h.region)?.successorCode ? `，请登记在 ${ctx.tenant.regionsByCode.get(h.region)!.successorCode}` : ''}`,
              `region ${h.region} was retired on ${region.retired_on}${ctx.tenant.regionsByCode.get(h.region)?.successorCode ? `; register in ${ctx.tenant.regionsByCode.get(h.region)!.successorCode}` : ''}`,
            ),
            'region',
          ),
        };
      }
      const already = h.members.filter((m) => takenIds.has(m.idNumber)).map((m) => m.idNumber);
      if (already.length)
        return {
          error: new DomainError(
            'CONFLICT',
            text(`已经登记：${already.map(maskIdNumber).join('、')}`, `already registered: ${already.map(maskIdNumber).join(', ')}`),
            { field: 'members' },
          ),
        };
      const twice = h.members.filter((m) => (counts.get(m.idNumber) ?? 0) > 1).map((m) => m.idNumber);
      if (twice.length)
        return {
          error: new DomainError(
            'CONFLICT',
            text(`同时出现在两户中：${twice.map(maskIdNumber).join('、')}`, `in two households at once: ${twice.map(maskIdNumber).join(', ')}`),
            { field: 'members' },
          ),
        };
      if (takenBooklets.has(h.bookletNo) || (bookletCounts.get(h.bookletNo) ?? 0) > 1) {
        return {
          error: new DomainError('CONFLICT', text(`户口簿号 ${h.bookletNo} 已经登记`, `household booklet ${h.bookletNo} is already registered`), {
            field: 'bookletNo',
          }),
        };
      }
      return { household: { id: '', booklet_no: h.bookletNo, region_code: h.region, address: h.address } };
    });
    const good = households.filter((_, i) => 'household' in results[i]);
    if (good.length === 0) return results;
    const inserted = await insertHouseholds(ctx.db, good);
    if (inserted.length !== good.length)
      throw new DomainError(
        'CONFLICT',
        text(
          '另一请求同时登记了其中一户；本次未写入任何数据，请重试',
          'a household was registered at the same time by another request; nothing was written, retry',
        ),
      );
    const idOf = new Map(inserted.map((h) => [h.booklet_no, h.id]));
    const people = good.flatMap((h) => h.members.map((m) => ({ ...m, householdId: idOf.get(h.bookletNo)!, joinedOn: h.registeredOn })));
    // The people are checked against their households row by row, the memberships against both: after a
    // roster's bulk write, plans made while these tables were small must not scan them for every row.
    await refreshStaleStatistics(ctx.db, 'household', inserted.length);
    await this.insertPeople(ctx, people);
    await refreshStaleStatistics(ctx.db, 'resident', people.length);
    await recordMemberships(
      ctx.db,
      people.map((p) => ({ householdId: p.householdId, idNumber: p.idNumber, relationship: p.relationship, joinedOn: p.joinedOn })),
    );
    for (const h of good) await ctx.app.events.emit(ctx, ResidentsRegistered, { idNumbers: h.members.map((m) => m.idNumber), on: h.registeredOn });
    return results.map((r) => ('household' in r ? { household: inserted.find((h) => h.booklet_no === r.household.booklet_no)! } : r));
  }

  /** Registers one person, alone or into an existing household. */
  async registerResident(ctx: RequestContext, input: MemberRequest & { householdId?: string | null; joinedOn?: LocalDate | null }): Promise<ResidentRow> {
    const person = this.checkPerson(ctx, input.idNumber, input, '');
    this.checkPlaceRequired(ctx, person, '');
    if ((await existingResidents(ctx.db, [person.idNumber])).length > 0) {
      throw new DomainError('CONFLICT', text(`${maskIdNumber(person.idNumber)} 已经登记`, `${maskIdNumber(person.idNumber)} is already registered`), {
        field: 'idNumber',
      });
    }
    const relationship = input.relationship?.trim() || null;
    if (input.householdId) {
      await this.checkJoin(ctx, input.householdId, relationship);
      await this.insertPeople(ctx, [{ ...person, relationship: relationship!, householdId: input.householdId }]);
      await recordMemberships(ctx.db, [
        { householdId: input.householdId, idNumber: person.idNumber, relationship: relationship!, joinedOn: this.date(input.joinedOn, 'joinedOn') },
      ]);
    } else {
      await this.insertPeople(ctx, [{ ...person, relationship: null, householdId: null }]);
    }
    await ctx.app.events.emit(ctx, ResidentsRegistered, { idNumbers: [person.idNumber], on: this.date(input.joinedOn, 'joinedOn') });
    return (await residentDetails(ctx.db, [person.idNumber]))[0];
  }

  /** Changes a person's details; every changed field leaves a change record (信息变更登记表). */
  async updateResident(ctx: RequestContext, idNumberInput: string, update: ResidentUpdate): Promise<ResidentRow> {
    let current = await this.existing(ctx, idNumberInput);
    const next: Partial<Record<UpdatableResidentField, string | null>> = {};
    if (update.newIdNumber != null && update.newIdNumber.trim().toUpperCase() !== current.id_number) {
      current = await this.correctIdNumber(ctx, current.id_number, update.newIdNumber, null);
    }
    if (update.name != null) next.name = checkName(update.name, 'name');
    if (update.phone !== undefined) next.phone = checkPhone(update.phone, 'phone');
    if (update.hukouPlace !== undefined) next.hukou_place = this.place(ctx, update.hukouPlace, 'hukouPlace');
    if (update.residencePermitPlace !== undefined) next.residence_permit_place = this.place(ctx, update.residencePermitPlace, 'residencePermitPlace');
    if (update.applicantType !== undefined) next.applicant_type = update.applicantType;
    if (update.school !== undefined) next.school = update.school?.trim() || null;
    let held: BankAccountRow = { id_number: current.id_number, bank_account: null, bank_name: null };
    if (update.bankAccount !== undefined || update.bankName !== undefined) {
      held = (await bankAccountsOf(ctx.db, [current.id_number]))[0] ?? held;
      const account = update.bankAccount !== undefined ? checkBankAccount(update.bankAccount, 'bankAccount') : held.bank_account;
      // Removing the account removes its bank's name with it.
      const bank = account === null ? null : update.bankName !== undefined ? checkBankName(update.bankName, 'bankName') : held.bank_name;
      if (update.bankName?.trim() && !account)
        throw badInput(text('填写开户银行须同时填写银行账号：此人没有登记账号', 'bankName needs bankAccount: the person has no account on record'), 'bankName');
      next.bank_account = account;
      next.bank_name = bank;
    }
    const before: Record<UpdatableResidentField, string | null> = { ...current, bank_account: held.bank_account, bank_name: held.bank_name };
    const changed = (Object.entries(next) as Array<[UpdatableResidentField, string | null]>).filter(([field, value]) => before[field] !== value);
    if (changed.length === 0) return current;
    await updateResident(ctx.db, current.id_number, changed);
    // The change record of an account keeps it masked, as every answer shows it.
    const shown = (field: UpdatableResidentField, value: string | null) => (field === 'bank_account' ? maskBankAccount(value) : value);
    await recordChanges(
      ctx.db,
      changed.map(([field, value]) => ({
        idNumber: before.id_number!,
        field,
        keyInformation: KEY_FIELDS.has(field),
        before: shown(field, before[field] ?? null),
        after: shown(field, value),
      })),
      this.actor(ctx),
    );
    return (await residentDetails(ctx.db, [current.id_number]))[0];
  }

  /**
   * Corrects an ID number (a typing error, a number reissued): the person, and every row any domain
   * keeps under the number, move to the new one in this transaction, explicitly table by table (no
   * cascading keys), so their history continues under the new number. The birth date and sex follow
   * the new number; the change is recorded as key information.
   */
  async correctIdNumber(ctx: RequestContext, idNumberInput: string, newIdNumberInput: string, reason: string | null): Promise<ResidentRow> {
    const current = await this.existing(ctx, idNumberInput);
    const checked = this.checkPerson(ctx, newIdNumberInput, { name: current.name, idType: current.id_type as IdType }, '', { nameOnRecord: true });
    if (checked.idNumber === current.id_number)
      throw badInput(text('新身份证号码与登记的号码相同', 'newIdNumber is the number already on record'), 'newIdNumber');
    if ((await existingResidents(ctx.db, [checked.idNumber])).length > 0) {
      throw new DomainError('CONFLICT', text(`${maskIdNumber(checked.idNumber)} 已经登记`, `${maskIdNumber(checked.idNumber)} is already registered`), {
        field: 'newIdNumber',
      });
    }
    const move = { from: current.id_number, to: checked.idNumber };
    await copyPersonToIdNumber(ctx.db, move.from, move.to);
    await ctx.app.events.emit(ctx, ResidentIdCorrectionBegun, move);
    await ctx.app.events.emit(ctx, ResidentIdCorrected, move);
    await ctx.app.events.emit(ctx, ResidentIdRetired, move);
    await retirePersonIdNumber(ctx.db, move.from, move.to);
    const facts: Array<['birth_date' | 'sex', string | null]> = [
      ['birth_date', checked.birthDate],
      ['sex', checked.sex],
    ];
    await updateResident(
      ctx.db,
      checked.idNumber,
      facts.filter(([field, value]) => current[field] !== value),
    );
    await recordChanges(
      ctx.db,
      [
        {
          idNumber: checked.idNumber,
          field: 'id_number',
          keyInformation: true,
          before: current.id_number,
          after: `${checked.idNumber}${reason?.trim() ? ` (${reason.trim()})` : ''}`,
        },
      ],
      this.actor(ctx),
    );
    // The right number is registered from now on: what an agency or the tax office sent under it, and
    // waited for it, attaches as at a registration.
    await ctx.app.events.emit(ctx, ResidentsRegistered, { idNumbers: [checked.idNumber], on: todayInChina() });
    return (await residentDetails(ctx.db, [checked.idNumber]))[0];
  }

  async addHouseholdMember(
    ctx: RequestContext,
    householdId: string,
    idNumber: string,
    relationship: string,
    joinedOn?: LocalDate | null,
  ): Promise<HouseholdRow> {
    const person = await this.existing(ctx, idNumber);
    if (person.household_id)
      throw new DomainError(
        'CONFLICT',
        text(
          `${maskIdNumber(person.id_number)} 已属于某一户；请改用迁户`,
          `${maskIdNumber(person.id_number)} already belongs to a household; move them instead`,
        ),
        { field: 'idNumber' },
      );
    return this.join(ctx, person, householdId, relationship, this.date(joinedOn, 'joinedOn'));
  }

  async moveHouseholdMember(
    ctx: RequestContext,
    idNumber: string,
    householdId: string,
    relationship: string,
    movedOn?: LocalDate | null,
  ): Promise<HouseholdRow> {
    const person = await this.existing(ctx, idNumber);
    const on = this.date(movedOn, 'movedOn');
    await this.leave(ctx, person, on);
    return this.join(ctx, { ...person, household_id: null }, householdId, relationship, on);
  }

  async removeHouseholdMember(ctx: RequestContext, idNumber: string, leftOn?: LocalDate | null): Promise<ResidentRow> {
    const person = await this.existing(ctx, idNumber);
    if (!person.household_id)
      throw badInput(text(`${maskIdNumber(person.id_number)} 不属于任何一户`, `${maskIdNumber(person.id_number)} belongs to no household`), 'idNumber');
    await this.leave(ctx, person, this.date(leftOn, 'leftOn'));
    return (await residentDetails(ctx.db, [person.id_number]))[0];
  }

  /** 停保或流出: the person leaves the tenant; their enrolments still running end on that date. */
  async transferOut(ctx: RequestContext, idNumber: string, on: LocalDate, destination: string | null): Promise<ResidentRow> {
    const person = await this.active(ctx, idNumber, text('办理转出', 'transfer out'));
    this.date(on, 'on');
    if (person.household_id) await this.leave(ctx, person, on, true);
    await markTransferredOut(ctx.db, person.id_number, on, destination?.trim() || null);
    await ctx.app.events.emit(ctx, ResidentTransferredOut, { idNumber: person.id_number, on });
    await recordChanges(
      ctx.db,
      [
        {
          idNumber: person.id_number,
          field: 'status',
          keyInformation: false,
          before: 'ACTIVE',
          after: `TRANSFERRED_OUT ${on}${destination ? ` → ${destination}` : ''}`,
        },
      ],
      this.actor(ctx),
    );
    return (await residentDetails(ctx.db, [person.id_number]))[0];
  }

  /** A 放弃参保确认书: refused for someone already paid for that year (the enrolment domain says so). */
  async recordWaiver(
    ctx: RequestContext,
    input: { idNumber: string; coverageYear: number; reason: WaiverReason; reasonText?: string | null; signedOn?: LocalDate | null },
  ): Promise<WaiverRow> {
    const person = await this.existing(ctx, input.idNumber);
    const reasonText = input.reasonText?.trim() || null;
    if (input.reason === 'OTHER' && !reasonText)
      throw badInput(text('原因为“其他”（OTHER）时须填写其他原因说明', 'reason OTHER needs reasonText (其他原因)'), 'reasonText');
    const signedOn = this.date(input.signedOn, 'signedOn');
    await ctx.app.events.emit(ctx, WaiverRequested, { idNumber: person.id_number, coverageYear: input.coverageYear });
    const row = await insertWaiver(
      ctx.db,
      { id_number: person.id_number, coverage_year: input.coverageYear, reason: input.reason, reason_text: reasonText, signed_on: signedOn },
      this.actor(ctx).sub,
    );
    if (!row)
      throw new DomainError(
        'CONFLICT',
        text(
          `${maskIdNumber(person.id_number)} 已登记 ${input.coverageYear} 年度的放弃参保声明`,
          `a waiver for ${input.coverageYear} is already recorded for ${maskIdNumber(person.id_number)}`,
        ),
        { field: 'idNumber' },
      );
    return row;
  }

  /** Withdraws a waiver (the person decided to enrol after all); it stays on record with the date. */
  async withdrawWaiver(ctx: RequestContext, idNumber: string, coverageYear: number, on: LocalDate | null, reason: string | null): Promise<WaiverRow> {
    const person = await this.existing(ctx, idNumber);
    const row = await withdrawWaiver(ctx.db, person.id_number, coverageYear, this.date(on, 'on'), reason?.trim() || null, this.actor(ctx).sub);
    if (!row)
      throw new DomainError(
        'NOT_FOUND',
        text(
          `${maskIdNumber(person.id_number)} 没有 ${coverageYear} 年度有效的放弃参保声明`,
          `no waiver for ${coverageYear} in force for ${maskIdNumber(person.id_number)}`,
        ),
        { field: 'idNumber' },
      );
    return row;
  }

  async waivers(ctx: RequestContext, coverageYear: number, reason?: WaiverReason | null): Promise<WaiverRow[]> {
    return waivers(ctx.db, coverageYear, reason ?? null);
  }

  /**
   * A household as a query reads it: with its members, enrolments and subsidies in one statement; as a
   * SUMMARY, with only the columns of the summary's fields, when the operation asks for no more.
   */
  async household(ctx: RequestContext, id: string, shape: HouseholdGraphShape): Promise<HouseholdRow | null> {
    if (!UUID.test(id)) return null;
    const graph = await householdGraph(ctx.db, id, shape);
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

  /**
   * Residents by part of the name, the last digits of the ID number (what a counter clerk types), a
   * prefix of either, a region with the regions inside it and statuses; ordered by ID number or name.
   */
  async search(
    ctx: RequestContext,
    query: {
      namePrefix?: string | null;
      idPrefix?: string | null;
      name?: string | null;
      idSuffix?: string | null;
      region?: string | null;
      statuses?: readonly ResidentStatus[] | null;
    },
    first: number,
    after: string | null,
    order: ResidentOrder = 'ID_NUMBER',
    direction: SortDirection = 'ASC',
  ): Promise<Connection<ResidentRow>> {
    pageSize(first);
    const regions = query.region ? await this.regionScope(ctx, query.region) : null;
    const idSuffix = query.idSuffix?.trim().toUpperCase() || null;
    if (idSuffix && !/^\d*X?$/.test(idSuffix))
      throw badInput(text('身份证号码尾号只能是数字（或 X）', 'idSuffix is the last digits of an ID number (or X)'), 'idSuffix');
    const search = {
      namePrefix: query.namePrefix?.trim(),
      idPrefix: query.idPrefix?.trim().toUpperCase(),
      name: query.name?.trim() || null,
      idSuffix,
      regions,
      statuses: query.statuses?.length ? query.statuses : null,
    };
    const key = after ? decodeKeyCursor(after, order === 'NAME' ? 2 : 1) : null;
    const rows = await searchResidents(ctx.db, search, order, direction === 'DESC', key, first + 1);
    return toKeyConnection(
      rows,
      first,
      () => countResidents(ctx.db, search),
      (r) => (order === 'NAME' ? [r.name, r.id_number] : [r.id_number]),
      (r) => r,
    );
  }

  /** Households by region (with those inside it), booklet prefix and the head's name, in booklet order. */
  async households(
    ctx: RequestContext,
    query: { region?: string | null; bookletPrefix?: string | null; headName?: string | null; includeDissolved?: boolean | null },
    first: number,
    after: string | null,
    direction: SortDirection = 'ASC',
  ): Promise<Connection<HouseholdRow>> {
    pageSize(first);
    const search = {
      regions: query.region ? await this.regionScope(ctx, query.region) : null,
      bookletPrefix: query.bookletPrefix?.trim() || null,
      headName: query.headName?.trim() || null,
      includeDissolved: query.includeDissolved ?? false,
    };
    const key = after ? decodeKeyCursor(after, 1)[0] : null;
    const rows = await searchHouseholds(ctx.db, search, direction === 'DESC', key, first + 1);
    return toKeyConnection(
      rows,
      first,
      () => countHouseholds(ctx.db, search),
      (h) => [h.booklet_no],
      (h) => h,
    );
  }

  /** A household by its booklet number (户口簿号), then read as `household` reads it. */
  async householdByBooklet(ctx: RequestContext, bookletNo: string, shape: HouseholdGraphShape): Promise<HouseholdRow | null> {
    const row = await householdByBooklet(ctx.db, bookletNo.trim());
    return row && this.household(ctx, row.id, shape);
  }

  /**
   * The codes of a region and of every region inside it on `asOf` (today by default: a village moved
   * away is listed where it is now); BAD_USER_INPUT for a region the tenant does not have.
   */
  async regionScope(ctx: RequestContext, region: string, asOf: LocalDate = todayInChina()): Promise<string[]> {
    if (!ctx.tenant.regionsByCode.has(region)) {
      if ((await regionRows(ctx.db, [region])).length === 0)
        throw badInput(text(`区划 ${region} 不属于${ctx.tenant.name}`, `region ${region} is not a region of ${ctx.tenant.name}`), 'region');
      await ctx.app.regionsChanged?.(ctx.tenant.code);
      return [region];
    }
    return ctx.tenant.regionsWithin(region, asOf);
  }

  private async insertPeople(
    ctx: RequestContext,
    people: ReadonlyArray<CheckedPerson & { relationship: string | null; householdId: string | null }>,
  ): Promise<void> {
    try {
      await insertResidents(ctx.db, people);
    } catch (err) {
      const constraint = uniqueViolation(err);
      if (constraint !== null) {
        const head = constraint === 'resident_one_head_per_household';
        throw new DomainError(
          'CONFLICT',
          head
            ? text(`该户已有${HEAD_OF_HOUSEHOLD}`, `the household already has a ${HEAD_OF_HOUSEHOLD}`)
            : text('另一请求同时登记了一名成员', 'a member was registered at the same time by another request'),
          { field: head ? 'relationship' : 'idNumber' },
        );
      }
      throw err;
    }
  }

  /**
   * Validates identity: for resident ID cards, the GB 11643 number, and birth date and sex agreeing with
   * it; the name and phone as names-and-phones.ts takes them (a name already on record, `nameOnRecord`,
   * is kept as it is).
   */
  checkPerson(
    ctx: RequestContext,
    idNumberInput: string,
    details: Partial<PersonDetails>,
    prefix: string,
    options: { nameOnRecord?: boolean } = {},
  ): CheckedPerson {
    const field = (name: string) => (prefix ? `${prefix}.${name}` : name);
    const idNumber = idNumberInput.trim().toUpperCase();
    const idType = details.idType ?? 'RESIDENT_ID_CARD';
    const name = options.nameOnRecord ? (details.name ?? '') : checkName(details.name, field('name'));
    let sex = details.sex ?? null;
    let birthDate = details.birthDate ?? null;
    if (birthDate && !isLocalDate(birthDate))
      throw badInput(text(`${fieldName(field('birthDate'))}应为日期（YYYY-MM-DD）`, `${field('birthDate')} must be a date YYYY-MM-DD`), field('birthDate'));
    if (idType === 'RESIDENT_ID_CARD') {
      const facts = parseResidentId(idNumber);
      if ('error' in facts) {
        const invalid = invalidResidentId(idNumber, facts.error);
        throw badInput(text(`${fieldName(field('idNumber'))}：${invalid.zh}`, `${field('idNumber')} ${invalid.en}`), field('idNumber'));
      }
      if (birthDate && birthDate !== facts.birthDate)
        throw badInput(
          text(`${fieldName(field('birthDate'))} ${birthDate} 与身份证号码不符`, `${field('birthDate')} ${birthDate} disagrees with the ID number`),
          field('birthDate'),
        );
      if (sex && sex !== facts.sex)
        throw badInput(text(`${fieldName(field('sex'))}与身份证号码不符`, `${field('sex')} ${sex} disagrees with the ID number`), field('sex'));
      sex = facts.sex;
      birthDate = facts.birthDate;
    } else if (!/^[A-Z0-9]{5,30}$/.test(idNumber)) {
      throw badInput(
        text(`${fieldName(field('idNumber'))}应为 5 至 30 位字母或数字`, `${field('idNumber')} must be 5 to 30 letters or digits for ${idType}`),
        field('idNumber'),
      );
    }
    if (birthDate && compareDates(birthDate, todayInChina()) > 0)
      throw badInput(text(`${fieldName(field('birthDate'))}晚于今天`, `${field('birthDate')} is in the future`), field('birthDate'));
    return {
      idNumber,
      idType,
      name,
      sex,
      birthDate,
      phone: checkPhone(details.phone, field('phone')),
      ...this.checkBank(details, field),
      hukouPlace: this.place(ctx, details.hukouPlace, field('hukouPlace')),
      residencePermitPlace: this.place(ctx, details.residencePermitPlace, field('residencePermitPlace')),
      applicantType: details.applicantType ?? null,
      school: details.school?.trim() || null,
    };
  }

  /** The payout account and its bank, as given at registration: a bank's name alone is refused. */
  private checkBank(details: Partial<PersonDetails>, field: (name: string) => string): { bankAccount: string | null; bankName: string | null } {
    const bankAccount = checkBankAccount(details.bankAccount, field('bankAccount'));
    const bankName = checkBankName(details.bankName, field('bankName'));
    if (bankName && !bankAccount)
      throw badInput(
        text(
          `填写${fieldName(field('bankName'))}须同时填写${fieldName(field('bankAccount'))}：报销款打入的账号`,
          `${field('bankName')} needs ${field('bankAccount')}: the account the payout goes to`,
        ),
        field('bankName'),
      );
    return { bankAccount, bankName };
  }

  /**
   * Places are kept as division codes: 6 digits (county), 9 (township) or 12 (village). Staff may write
   * the code or the name as they write it (平利县老县镇, 陕西省安康市平利县老县镇, or 老县镇 inside the
   * tenant); a village's name is looked up among the tenant's regions.
   */
  place(ctx: RequestContext, value: string | null | undefined, field: string): string | null {
    const place = value?.trim() || null;
    if (!place) return null;
    const villageOf = (township: string, name: string) =>
      ctx.tenant.regions.find((r) => r.code.length === 12 && r.code.startsWith(township) && regionNameOn(r) === name)?.code ?? null;
    const resolved = divisions().resolvePlace(place, ctx.tenant.code, villageOf);
    if ('error' in resolved) {
      throw badInput(
        text(
          `${fieldName(field)}应为 6、9 或 12 位行政区划代码或地名：${resolved.error.zh}`,
          `${field} must be a division code of 6, 9 or 12 digits or a place's name: ${resolved.error.en}`,
        ),
        field,
      );
    }
    return resolved.code;
  }

  /**
   * Where the notice enrols only people whose hukou or residence permit is in the tenant (平利 七（一）2),
   * a person with neither is refused at registration, naming the field, rather than later at payment.
   */
  checkPlaceRequired(ctx: RequestContext, person: { hukouPlace: string | null; residencePermitPlace: string | null }, prefix: string): void {
    const latest = ctx.tenant.coverageYears.at(-1);
    const rule = latest === undefined ? undefined : ctx.tenant.policies.get(latest)?.data.enrolment?.placeMustMatchHukouOrResidencePermit;
    if (!rule) return;
    const here = (place: string | null) => !!place && place.startsWith(ctx.tenant.code);
    if (here(person.hukouPlace) || here(person.residencePermitPlace)) return;
    const field = prefix ? `${prefix}.hukouPlace` : 'hukouPlace';
    throw new DomainError(
      'BAD_USER_INPUT',
      text(
        `${fieldName(field)}：${ctx.tenant.name}只为户籍或居住证在本地的人员办理参保（${rule.clause}）；请填写${ctx.tenant.name}内的户籍所在地或居住证签发地` +
          (person.hukouPlace || person.residencePermitPlace ? `（表中填写的是：${person.hukouPlace ?? person.residencePermitPlace}）` : ''),
        `${field}: ${ctx.tenant.name} enrols only people whose hukou or residence permit is here (${rule.clause}); give hukouPlace or residencePermitPlace in ${ctx.tenant.name}` +
          (person.hukouPlace || person.residencePermitPlace ? ` (on the form: ${person.hukouPlace ?? person.residencePermitPlace})` : ''),
      ),
      { field, clause: rule.clause },
    );
  }

  date(value: LocalDate | null | undefined, field: string): LocalDate {
    if (value == null) return todayInChina();
    if (!isLocalDate(value)) throw badInput(text(`${fieldName(field)}应为日期（YYYY-MM-DD）`, `${field} must be a date YYYY-MM-DD`), field);
    return value;
  }

  actor(ctx: RequestContext) {
    return { sub: ctx.actor?.sub ?? 'system', role: ctx.actor?.role ?? 'SYSTEM' };
  }

  /** The person, registered and ACTIVE; CONFLICT naming their status (and since when) for `what` otherwise. */
  async active(ctx: RequestContext, idNumber: string, what: Localized): Promise<ResidentRow> {
    const person = await this.existing(ctx, idNumber);
    if (person.status !== 'ACTIVE') {
      const since = person.died_on ?? person.emigrated_on ?? person.transferred_out_on;
      throw new DomainError(
        'CONFLICT',
        text(
          `无法${what.zh}：${maskIdNumber(person.id_number)} ${since ? `自 ${since} 起` : ''}为“${RESIDENT_STATUS_NAMES[person.status]}”状态`,
          `cannot ${what.en}: ${maskIdNumber(person.id_number)} is ${person.status}${since ? ` since ${since}` : ''}`,
        ),
        { field: 'idNumber', status: person.status },
      );
    }
    return person;
  }

  async existing(ctx: RequestContext, idNumber: string): Promise<ResidentRow> {
    const person = (await residentDetails(ctx.db, [idNumber.trim().toUpperCase()]))[0];
    if (!person)
      throw new DomainError(
        'NOT_FOUND',
        text(
          `${maskIdNumber(idNumber.trim().toUpperCase())} 未在${ctx.tenant.name}登记`,
          `${maskIdNumber(idNumber.trim().toUpperCase())} is not registered in ${ctx.tenant.name}`,
        ),
        { field: 'idNumber' },
      );
    return person;
  }

  async checkJoin(ctx: RequestContext, householdId: string, relationship: string | null): Promise<HouseholdRow> {
    if (!relationship) throw badInput(text('加入一户须填写与户主关系', 'relationship to the head is needed to join a household'), 'relationship');
    // The row alone: members read now would be stale once the person has joined.
    const household = UUID.test(householdId) ? await householdLoader(ctx).load(householdId) : null;
    if (!household) throw new DomainError('NOT_FOUND', text(`没有编号为 ${householdId} 的户`, `no household ${householdId}`), { field: 'householdId' });
    // A household merged into another has no members any more: it takes none, as a retired region takes no households.
    if (household.dissolved_on)
      throw new DomainError(
        'CONFLICT',
        text(
          `户 ${household.booklet_no} 已于 ${household.dissolved_on} 并入他户`,
          `household ${household.booklet_no} was merged away on ${household.dissolved_on}`,
        ),
        { field: 'householdId' },
      );
    if (relationship === HEAD_OF_HOUSEHOLD) {
      if (await householdHasHead(ctx.db, householdId))
        throw badInput(
          text(`户 ${household.booklet_no} 已有${HEAD_OF_HOUSEHOLD}`, `household ${household.booklet_no} already has a ${HEAD_OF_HOUSEHOLD}`),
          'relationship',
        );
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
  async leave(ctx: RequestContext, person: ResidentRow, on: LocalDate, evenHead = false): Promise<void> {
    if (!person.household_id) return;
    if (person.relationship === HEAD_OF_HOUSEHOLD && !evenHead) {
      if (await householdHasOthers(ctx.db, person.household_id, person.id_number))
        throw badInput(
          text(
            `其他成员仍在户内时${HEAD_OF_HOUSEHOLD}不能迁出；请先将另一成员设为${HEAD_OF_HOUSEHOLD}`,
            `the ${HEAD_OF_HOUSEHOLD} cannot leave while others remain; make another member ${HEAD_OF_HOUSEHOLD} first`,
          ),
          'idNumber',
        );
    }
    const joinedOn = await closeMembership(ctx.db, person.id_number, on);
    if (joinedOn)
      throw badInput(
        text(
          `${on} 早于 ${maskIdNumber(person.id_number)} 加入该户的日期 ${joinedOn}`,
          `${on} is before ${maskIdNumber(person.id_number)} joined the household on ${joinedOn}`,
        ),
        'date',
      );
    await setHousehold(ctx.db, person.id_number, null, null);
  }
}

export const residentsService = new ResidentsService();
