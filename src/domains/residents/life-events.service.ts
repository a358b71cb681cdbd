/**
 * Life events in the registry, each one transaction (the request's) and audited with it: death,
 * emigration (出国定居), transfer in, a new head of household, a household split in two, two merged.
 * What follows for enrolments and refunds is the business of those domains, which react to the events
 * emitted here in the same transaction (see ResidentLeftScheme).
 */
import { compareDates, isLocalDate, type LocalDate, todayInChina } from '../../common/dates';
import { badInput, DomainError } from '../../common/errors';
import { fieldName, text } from '../../common/i18n';
import type { RequestContext } from '../../context/request-context';
import { maskIdNumber } from './id-number';
import { ResidentLeftScheme, ResidentsRegistered } from './residents.events';
import {
  closeMemberships,
  currentMembers,
  dissolveHousehold,
  enrolmentsElsewhereFrom,
  markDeceased,
  markEmigrated,
  markSplitFrom,
  markTransferredIn,
  setMemberships,
  setTransferredIn,
  transfersOutElsewhere,
} from './life-events.repository';
import {
  HEAD_OF_HOUSEHOLD,
  type HouseholdRow,
  insertHouseholds,
  recordChanges,
  recordMemberships,
  RESIDENT_STATUS_NAMES,
  residentDetails,
  type ResidentRow,
} from './residents.repository';
import { type MemberRequest, type ResidentsService, residentsService } from './residents.service';

export interface DeathRequest {
  idNumber: string;
  diedOn: LocalDate;
  source: string;
  recordedOn?: LocalDate | null;
}

export interface EmigrationRequest {
  idNumber: string;
  emigratedOn: LocalDate;
  destination?: string | null;
  recordedOn?: LocalDate | null;
}

export interface TransferInRequest extends Omit<MemberRequest, 'relationship'> {
  transferredInOn: LocalDate;
  /** The tenant code or place the person comes from, as the form says; the national index may know better. */
  from?: string | null;
  householdId?: string | null;
  relationship?: string | null;
}

export interface MemberRelationship {
  idNumber: string;
  relationship: string;
}

export interface SplitRequest {
  householdId: string;
  bookletNo: string;
  region?: string | null;
  address?: string | null;
  /** Who leaves for the new household, with their relationship to its head (exactly one 户主). */
  members: MemberRelationship[];
  /** Relationships that change in the household left behind (a new 户主 when the head leaves). */
  remaining?: MemberRelationship[] | null;
  on?: LocalDate | null;
}

export interface MergeRequest {
  intoHouseholdId: string;
  fromHouseholdId: string;
  /** Each member of the household merged in, with their relationship to the head of `into`. */
  members: MemberRelationship[];
  on?: LocalDate | null;
}

export class LifeEventsService {
  constructor(private readonly residents: ResidentsService) {}

  /** 死亡: the person is DECEASED from `diedOn`; they leave their household that day. */
  async recordDeath(ctx: RequestContext, input: DeathRequest): Promise<ResidentRow> {
    const person = await this.residents.active(ctx, input.idNumber, text('登记死亡', 'record a death'));
    const diedOn = this.pastDate(input.diedOn, 'diedOn', person);
    const source = input.source.trim();
    if (!source)
      throw badInput(
        text(
          '死亡信息来源不能为空，须写明从何得知（公安户籍注销、死亡医学证明等）',
          'source must say where the death is known from (公安户籍注销, 死亡医学证明 …)',
        ),
        'source',
      );
    const recordedOn = this.residents.date(input.recordedOn, 'recordedOn');
    if (person.household_id) await this.residents.leave(ctx, person, diedOn, true);
    await markDeceased(ctx.db, person.id_number, diedOn, source);
    await recordChanges(
      ctx.db,
      [{ idNumber: person.id_number, field: 'status', keyInformation: false, before: person.status, after: `DECEASED ${diedOn} (${source})` }],
      this.residents.actor(ctx),
    );
    await ctx.app.events.emit(ctx, ResidentLeftScheme, { idNumber: person.id_number, on: diedOn, recordedOn, reason: 'DEATH' });
    return (await residentDetails(ctx.db, [person.id_number]))[0];
  }

  /** 出国定居: the hukou leaves China; the person is EMIGRATED from that day and leaves their household. */
  async recordEmigration(ctx: RequestContext, input: EmigrationRequest): Promise<ResidentRow> {
    const person = await this.residents.active(ctx, input.idNumber, text('登记出国（境）定居', 'record an emigration'));
    const on = this.pastDate(input.emigratedOn, 'emigratedOn', person);
    const recordedOn = this.residents.date(input.recordedOn, 'recordedOn');
    const destination = input.destination?.trim() || null;
    if (person.household_id) await this.residents.leave(ctx, person, on, true);
    await markEmigrated(ctx.db, person.id_number, on, destination);
    await recordChanges(
      ctx.db,
      [
        {
          idNumber: person.id_number,
          field: 'status',
          keyInformation: false,
          before: person.status,
          after: `EMIGRATED ${on}${destination ? ` → ${destination}` : ''}`,
        },
      ],
      this.residents.actor(ctx),
    );
    await ctx.app.events.emit(ctx, ResidentLeftScheme, { idNumber: person.id_number, on, recordedOn, reason: 'EMIGRATION' });
    return (await residentDetails(ctx.db, [person.id_number]))[0];
  }

  /**
   * 转入: a person arrives from another place. Linked to the other tenant's transfer out where the
   * national index knows it; refused while another tenant still enrols them for the year of arrival or
   * later (山丹 三（三）1: "须在原参保地办理注销登记之后，方可在本县进行参保登记"). A person who once left this tenant
   * and comes back is the same record, active again.
   */
  async transferIn(ctx: RequestContext, input: TransferInRequest): Promise<ResidentRow> {
    const on = this.date(input.transferredInOn, 'transferredInOn');
    const person = this.residents.checkPerson(ctx, input.idNumber, input, '');
    this.residents.checkPlaceRequired(ctx, person, '');
    const year = Number(on.slice(0, 4));
    const elsewhere = await enrolmentsElsewhereFrom(ctx.db, person.idNumber, year);
    if (elsewhere.length > 0) {
      const where = [
        ...new Set(elsewhere.map((e) => `${ctx.app.catalog.get(e.tenant_code)?.name ?? e.tenant_code} (${e.tenant_code}) for ${e.coverage_year}`)),
      ].join(', ');
      const whereZh = [
        ...new Set(elsewhere.map((e) => `${ctx.app.catalog.get(e.tenant_code)?.name ?? e.tenant_code}（${e.tenant_code}）${e.coverage_year} 年度`)),
      ].join('、');
      throw new DomainError(
        'CONFLICT',
        text(
          `${maskIdNumber(person.idNumber)} 仍在${whereZh}参保：须先在当地办理转出`,
          `${maskIdNumber(person.idNumber)} is still enrolled in ${where}: the transfer out must be recorded there first`,
        ),
        {
          field: 'idNumber',
          enrolledIn: [...new Set(elsewhere.map((e) => e.tenant_code))],
        },
      );
    }
    const [linked] = await transfersOutElsewhere(ctx.db, [person.idNumber]);
    const from = linked?.tenant_code ?? (input.from?.trim() || null);
    const [existing] = await residentDetails(ctx.db, [person.idNumber]);
    if (existing) {
      if (existing.status !== 'TRANSFERRED_OUT')
        throw new DomainError(
          'CONFLICT',
          text(
            `${maskIdNumber(person.idNumber)} 已在本地登记（${RESIDENT_STATUS_NAMES[existing.status] ?? existing.status}）`,
            `${maskIdNumber(person.idNumber)} is already registered here (${existing.status})`,
          ),
          { field: 'idNumber' },
        );
      await markTransferredIn(ctx.db, existing.id_number, on, from);
      await recordChanges(
        ctx.db,
        [{ idNumber: existing.id_number, field: 'status', keyInformation: false, before: existing.status, after: `ACTIVE ${on} ← ${from ?? 'unknown'}` }],
        this.residents.actor(ctx),
      );
      if (input.householdId) await this.residents.addHouseholdMember(ctx, input.householdId, existing.id_number, input.relationship ?? '', on);
    } else {
      await this.residents.registerResident(ctx, { ...input, relationship: input.relationship ?? '', joinedOn: on });
      await setTransferredIn(ctx.db, person.idNumber, on, from);
      await recordChanges(
        ctx.db,
        [{ idNumber: person.idNumber, field: 'status', keyInformation: false, before: null, after: `ACTIVE ${on} ← ${from ?? 'unknown'}` }],
        this.residents.actor(ctx),
      );
    }
    if (existing) await ctx.app.events.emit(ctx, ResidentsRegistered, { idNumbers: [person.idNumber], on });
    return (await residentDetails(ctx.db, [person.idNumber]))[0];
  }

  /**
   * A new 户主: `newHead` becomes head from `on`; the former head (if still a member) takes
   * `formerHeadRelationship`, and others may restate theirs. Each change closes the old membership and
   * opens a new one on that day, so the booklet's history keeps both.
   */
  async changeHead(
    ctx: RequestContext,
    householdId: string,
    newHead: string,
    formerHeadRelationship: string | null,
    others: MemberRelationship[],
    onInput: LocalDate | null,
  ): Promise<HouseholdRow> {
    const on = this.residents.date(onInput, 'on');
    const household = await this.residents.checkJoin(ctx, householdId, '子女'); // checks it exists and was not merged away
    const members = await currentMembers(ctx.db, household.id);
    const head = members.find((m) => m.id_number === newHead.trim().toUpperCase());
    if (!head)
      throw badInput(
        text(`${maskIdNumber(newHead)} 不是户 ${household.booklet_no} 的成员`, `${maskIdNumber(newHead)} is not a member of household ${household.booklet_no}`),
        'newHeadIdNumber',
      );
    if (head.relationship === HEAD_OF_HOUSEHOLD)
      throw new DomainError(
        'CONFLICT',
        text(`${maskIdNumber(head.id_number)} 已经是${HEAD_OF_HOUSEHOLD}`, `${maskIdNumber(head.id_number)} is already the ${HEAD_OF_HOUSEHOLD}`),
        { field: 'newHeadIdNumber' },
      );
    const former = members.find((m) => m.relationship === HEAD_OF_HOUSEHOLD);
    const changes: MemberRelationship[] = [{ idNumber: head.id_number, relationship: HEAD_OF_HOUSEHOLD }];
    if (former) {
      if (!formerHeadRelationship?.trim())
        throw badInput(
          text(
            `原${HEAD_OF_HOUSEHOLD}仍是本户成员，请填写其与新${HEAD_OF_HOUSEHOLD}的关系（配偶、父母等）`,
            `formerHeadRelationship: the former ${HEAD_OF_HOUSEHOLD} stays a member; say what they are to the new one (配偶, 父母 …)`,
          ),
          'formerHeadRelationship',
        );
      changes.push({ idNumber: former.id_number, relationship: formerHeadRelationship.trim() });
    }
    for (const o of others) changes.push({ idNumber: o.idNumber.trim().toUpperCase(), relationship: o.relationship.trim() });
    await this.rehouse(
      ctx,
      members,
      changes.map((c) => ({ ...c, householdId: household.id })),
      on,
    );
    return household;
  }

  /** 分户: some members leave for a new booklet (a new household) from `on`. */
  async split(ctx: RequestContext, input: SplitRequest): Promise<{ from: HouseholdRow; to: HouseholdRow }> {
    const on = this.residents.date(input.on, 'on');
    const from = await this.residents.checkJoin(ctx, input.householdId, '子女'); // refuses one merged away
    const members = await currentMembers(ctx.db, from.id);
    const leaving = input.members.map((m) => ({ idNumber: m.idNumber.trim().toUpperCase(), relationship: m.relationship.trim() }));
    if (leaving.length === 0) throw badInput(text('请列出迁往新户的成员', 'members: name who leaves for the new household'), 'members');
    for (const [i, m] of leaving.entries()) {
      if (!members.some((x) => x.id_number === m.idNumber))
        throw badInput(
          text(
            `第 ${i + 1} 位成员 ${maskIdNumber(m.idNumber)} 不是户 ${from.booklet_no} 的成员`,
            `members[${i}] ${maskIdNumber(m.idNumber)} is not a member of household ${from.booklet_no}`,
          ),
          `members[${i}].idNumber`,
        );
    }
    if (leaving.filter((m) => m.relationship === HEAD_OF_HOUSEHOLD).length !== 1)
      throw badInput(text(`新户只能有一名${HEAD_OF_HOUSEHOLD}`, `the new household has exactly one ${HEAD_OF_HOUSEHOLD}`), 'members');
    if (leaving.length === members.length)
      throw badInput(text('全部成员都将迁出：这是更换户口簿号，不是分户', 'everyone would leave: that is a new booklet number, not a split'), 'members');
    const stay = members.filter((m) => !leaving.some((l) => l.idNumber === m.id_number));
    const remaining = (input.remaining ?? []).map((m) => ({ idNumber: m.idNumber.trim().toUpperCase(), relationship: m.relationship.trim() }));
    const headAfter = stay.filter((m) => (remaining.find((r) => r.idNumber === m.id_number)?.relationship ?? m.relationship) === HEAD_OF_HOUSEHOLD);
    if (headAfter.length !== 1)
      throw badInput(
        text(
          `留在原户的成员中须有且只有一名${HEAD_OF_HOUSEHOLD}：请在留户成员中指定`,
          `the household left behind needs exactly one ${HEAD_OF_HOUSEHOLD}: name one in remaining`,
        ),
        'remaining',
      );
    const bookletNo = input.bookletNo.trim();
    if (!bookletNo) throw badInput(text('户口簿号不能为空', 'bookletNo must not be empty'), 'bookletNo');
    const region = input.region?.trim() || from.region_code;
    await this.residents.regionScope(ctx, region);
    const [to] = await insertHouseholds(ctx.db, [{ bookletNo, region, address: input.address?.trim() || from.address }]);
    if (!to)
      throw new DomainError('CONFLICT', text(`户口簿号 ${bookletNo} 已经登记`, `household booklet ${bookletNo} is already registered`), { field: 'bookletNo' });
    await markSplitFrom(ctx.db, to.id, from.id);
    await this.rehouse(ctx, members, [...leaving.map((m) => ({ ...m, householdId: to.id })), ...remaining.map((m) => ({ ...m, householdId: from.id }))], on);
    return { from, to };
  }

  /** 合户: everyone of `from` joins `into` from `on`, with their relationship to its head; `from` is closed. */
  async merge(ctx: RequestContext, input: MergeRequest): Promise<HouseholdRow> {
    const on = this.residents.date(input.on, 'on');
    if (input.intoHouseholdId === input.fromHouseholdId) throw badInput(text('一户不能并入自身', 'a household cannot merge into itself'), 'fromHouseholdId');
    // Each refused if it was merged away already.
    const into = await this.residents.checkJoin(ctx, input.intoHouseholdId, '子女');
    const from = await this.residents.checkJoin(ctx, input.fromHouseholdId, '子女');
    const [intoMembers, fromMembers] = [await currentMembers(ctx.db, into.id), await currentMembers(ctx.db, from.id)];
    const moves = input.members.map((m) => ({ idNumber: m.idNumber.trim().toUpperCase(), relationship: m.relationship.trim(), householdId: into.id }));
    const missing = fromMembers.filter((m) => !moves.some((x) => x.idNumber === m.id_number));
    if (missing.length)
      throw badInput(
        text(
          `请为户 ${from.booklet_no} 的每位成员填写与户 ${into.booklet_no} ${HEAD_OF_HOUSEHOLD}的关系；缺少 ${missing.map((m) => maskIdNumber(m.id_number)).join('、')}`,
          `members: give the relationship to the ${HEAD_OF_HOUSEHOLD} of ${into.booklet_no} of every member of ${from.booklet_no}; missing ${missing.map((m) => maskIdNumber(m.id_number)).join(', ')}`,
        ),
        'members',
      );
    for (const [i, m] of moves.entries()) {
      if (!fromMembers.some((x) => x.id_number === m.idNumber))
        throw badInput(
          text(
            `第 ${i + 1} 位成员 ${maskIdNumber(m.idNumber)} 不是户 ${from.booklet_no} 的成员`,
            `members[${i}] ${maskIdNumber(m.idNumber)} is not a member of household ${from.booklet_no}`,
          ),
          `members[${i}].idNumber`,
        );
      if (m.relationship === HEAD_OF_HOUSEHOLD && intoMembers.some((x) => x.relationship === HEAD_OF_HOUSEHOLD)) {
        throw badInput(
          text(
            `第 ${i + 1} 位成员：户 ${into.booklet_no} 已有${HEAD_OF_HOUSEHOLD}`,
            `members[${i}]: household ${into.booklet_no} already has a ${HEAD_OF_HOUSEHOLD}`,
          ),
          `members[${i}].relationship`,
        );
      }
    }
    await this.rehouse(ctx, fromMembers, moves, on);
    await dissolveHousehold(ctx.db, from.id, on, into.id);
    return into;
  }

  /**
   * Moves people (households and relationships) from `on`: their open memberships close that day and
   * new ones open; the people's rows follow. Nothing changes for someone whose household and
   * relationship stay the same.
   */
  private async rehouse(
    ctx: RequestContext,
    members: readonly ResidentRow[],
    moves: ReadonlyArray<MemberRelationship & { householdId: string }>,
    on: LocalDate,
  ): Promise<void> {
    const byId = new Map(members.map((m) => [m.id_number, m]));
    const changed = moves.filter((m) => {
      const now = byId.get(m.idNumber);
      if (!now) throw badInput(text(`${maskIdNumber(m.idNumber)} 不是本户成员`, `${maskIdNumber(m.idNumber)} is not a member here`), 'members');
      if (!m.relationship)
        throw badInput(text(`须填写 ${maskIdNumber(m.idNumber)} 与户主的关系`, `a relationship is needed for ${maskIdNumber(m.idNumber)}`), 'members');
      return now.household_id !== m.householdId || now.relationship !== m.relationship;
    });
    if (changed.length === 0) return;
    const late = await closeMemberships(
      ctx.db,
      changed.map((m) => m.idNumber),
      on,
    );
    if (late.length)
      throw badInput(
        text(
          `${on} 早于 ${late.map(maskIdNumber).join('、')} 加入其所在户的日期`,
          `${on} is before ${late.map(maskIdNumber).join(', ')} joined their household`,
        ),
        'on',
      );
    try {
      await setMemberships(ctx.db, changed);
    } catch (err) {
      if ((err as { code?: string }).code === '23505')
        throw badInput(text(`一户将有两名${HEAD_OF_HOUSEHOLD}`, `a household would have two ${HEAD_OF_HOUSEHOLD}s`), 'members');
      throw err;
    }
    await recordMemberships(
      ctx.db,
      changed.map((m) => ({ householdId: m.householdId, idNumber: m.idNumber, relationship: m.relationship, joinedOn: on })),
    );
  }

  /** A date that has come, not before the person's birth. */
  private pastDate(value: LocalDate, field: string, person: ResidentRow): LocalDate {
    const date = this.date(value, field);
    if (compareDates(date, todayInChina()) > 0) throw badInput(text(`${fieldName(field)} ${date} 晚于今天`, `${field} ${date} is after today`), field);
    if (person.birth_date && compareDates(date, person.birth_date) < 0)
      throw badInput(text(`${fieldName(field)} ${date} 早于出生日期`, `${field} ${date} is before the birth date`), field);
    return date;
  }

  private date(value: LocalDate, field: string): LocalDate {
    if (!value || !isLocalDate(value)) throw badInput(text(`${fieldName(field)}应为日期（YYYY-MM-DD）`, `${field} must be a date YYYY-MM-DD`), field);
    return value;
  }
}

export const lifeEventsService = new LifeEventsService(residentsService);
