/**
 * Enrolment and payments. Amounts always come from PolicyEngine with the person's facts on the date
 * (birth date, region, circumstances, assistance identities valid then). A bank's single payment and a
 * tax batch go through the same pipeline, so they are judged by exactly the same rules.
 */
import { type LocalDate, todayInChina } from '../../common/dates';
import { badInput, DomainError } from '../../common/errors';
import { formatMoney } from '../../common/money';
import type { RequestContext } from '../../context/request-context';
import { refreshStaleStatistics } from '../../db/statistics';
import type { PolicyYear } from '../../policy-data/model';
import type { Circumstance } from '../../policy-data/vocabulary';
import type { Settlement } from '../../policy-engine/policy-engine';
import { certifiedResidentsOn } from '../assistance/assistance.repository';
import { lookupIdProblem, maskIdNumber, parseResidentId } from '../residents/id-number';
import { type SubsidiesService, subsidiesService } from '../subsidies/subsidies.service';
import { ACTIVE_STATES, type EnrollmentState } from './enrollment-state';
import { type Connection, decodeKeyCursor, pageSize, toKeyConnection } from '../../graphql/pages';
import {
  enrollmentCount,
  type EnrollmentListQuery,
  enrollmentPage,
  enrollmentSortKey,
  enrolledElsewhere,
  enrollmentsAlsoElsewhere,
  type EnrollmentRow,
  enrollmentsOf,
  type HouseholdKeyRow,
  householdsWithUnenrolledMembers,
  insertPaidEnrollments,
  insertPayments,
  markPaid,
  type PaymentRow,
  paymentsByReceipts,
  paymentsOn,
  upsertUnpaidEnrollments,
} from './enrollment.repository';
import { loadPeople, makePeople, type People, type PersonRow } from './person-facts';
import { STATUS_SQL, type StatusRow } from './status-lookup';

export const MAX_IMPORT_ROWS = 10_000;
/** Attempts of a payment call that keeps losing races with concurrent writers of the same rows. */
const MAX_ATTEMPTS = 3;

/** A write of this request found its row taken by a concurrent one: judge the rows again. */
class LostRace extends Error {}

export interface EnrollRequest {
  idNumber: string;
  coverageYear: number;
  enrolledOn?: LocalDate | null;
  circumstances?: Circumstance[] | null;
}

export interface PaymentRequest {
  idNumber: string;
  coverageYear: number;
  amount: number;
  paidOn: LocalDate;
  channel: string;
  receiptNo: string;
}

export type RowStatus = 'ACCEPTED' | 'DUPLICATE' | 'REJECTED';

export interface PaymentRowOutcome {
  index: number;
  receiptNo: string;
  status: RowStatus;
  error: DomainError | null;
  payment: PaymentRow | null;
}

export interface PaymentImportResult {
  batchId: string;
  accepted: number;
  duplicates: number;
  rejected: number;
  rows: PaymentRowOutcome[];
}

export interface EnrollmentStatusView {
  status: 'NOT_ENROLLED' | EnrollmentState;
  amountDue: number | null;
  amountDueNote: string | null;
  amountPaid: number | null;
  coverage: { start: string; end: string } | null;
  idNumberMasked: string;
  nameMasked: string | null;
  enrolledElsewhere: string[];
}

const ACTIVE = new Set<EnrollmentState>(ACTIVE_STATES);



const key = (idNumber: string, coverageYear: number) => `${idNumber}/${coverageYear}`;

export class EnrollmentService {
  constructor(private readonly subsidies: SubsidiesService) {}

  async enroll(ctx: RequestContext, input: EnrollRequest): Promise<EnrollmentRow> {
    const idNumber = normaliseId(input.idNumber);
    const policy = ctx.tenant.policyFor(input.coverageYear);
    const enrolledOn = input.enrolledOn ?? todayInChina();
    const circumstances = [...new Set(input.circumstances ?? [])];
    const people = await loadPeople(ctx.db, [idNumber]);
    const person = this.registeredPerson(ctx, people, idNumber);
    const [existing] = await enrollmentsOf(ctx.db, [{ idNumber, coverageYear: input.coverageYear }]);
    if (existing && ACTIVE.has(existing.status)) {
      throw new DomainError('CONFLICT', `${maskIdNumber(idNumber)} is already enrolled for ${input.coverageYear} (${existing.status})`, { field: 'idNumber' });
    }
    const elsewhere = (await enrolledElsewhere(ctx.db, [idNumber], input.coverageYear)).get(idNumber);
    if (elsewhere) {
      const where = elsewhere.map((code) => `${ctx.app.catalog.get(code)?.name ?? code} (${code})`).join(', ');
      throw new DomainError(
        'CONFLICT',
        `${maskIdNumber(idNumber)} is enrolled in ${where} for ${input.coverageYear}: one basic scheme per person per year; they must be transferred out there first`,
        { field: 'idNumber', enrolledIn: elsewhere },
      );
    }
    this.checkPlace(ctx, policy, person);
    const settlement = ctx.app.policyEngine.settle(ctx.tenant, policy, people.facts(idNumber, policy, enrolledOn, circumstances));
    await upsertUnpaidEnrollments(ctx.db, [{ idNumber, coverageYear: input.coverageYear, enrolledOn, circumstances, regionCode: person.region_code, settlement }]);
    const [row] = await enrollmentsOf(ctx.db, [{ idNumber, coverageYear: input.coverageYear }]);
    return row;
  }

  /** A bank's payment: idempotent by receipt; the amount must be what is due on paidOn. */
  async recordPayment(ctx: RequestContext, input: PaymentRequest): Promise<PaymentRow> {
    const [result] = (await this.processPayments(ctx, null, [input])).rows;
    if (result.error) throw result.error;
    return result.payment!;
  }

  /** A tax batch: per-row results; a rejected row never blocks the others; a replay changes nothing. */
  async importPayments(ctx: RequestContext, batchId: string, inputs: readonly PaymentRequest[]): Promise<PaymentImportResult> {
    if (!batchId.trim()) throw badInput('batchId must not be empty', 'batchId');
    if (inputs.length > MAX_IMPORT_ROWS) throw badInput(`at most ${MAX_IMPORT_ROWS} payments per call, got ${inputs.length}`, 'payments');
    return this.processPayments(ctx, batchId.trim(), inputs);
  }

  /**
   * Judges and writes the payments behind a savepoint. When a concurrent request wrote one of the same
   * enrolments or receipts first (two tax batches in flight, a bank payment during an import), or the
   * database broke a deadlock between them, the attempt is rolled back and the rows are judged again
   * against what that request committed: only the rows it touched are rejected, not the whole batch.
   */
  private async processPayments(ctx: RequestContext, batchId: string | null, inputs: readonly PaymentRequest[]): Promise<PaymentImportResult> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await ctx.db.savepoint(() => this.judgeAndWritePayments(ctx, batchId, inputs));
      } catch (err) {
        const retryable = err instanceof LostRace || (err as { code?: string }).code === '40P01';
        if (!retryable) throw err;
        if (attempt === MAX_ATTEMPTS) {
          throw new DomainError('CONFLICT', `other requests kept writing the same enrolments or receipts (${attempt} attempts); nothing was written, retry`);
        }
      }
    }
  }

  private async judgeAndWritePayments(ctx: RequestContext, batchId: string | null, inputs: readonly PaymentRequest[]): Promise<PaymentImportResult> {
    const rows = inputs.map((input) => ({
      ...input,
      idNumber: normaliseId(input.idNumber),
      receiptNo: input.receiptNo.trim(),
      channel: input.channel.trim(),
    }));
    const [existingPayments, people, enrollments] = await Promise.all([
      paymentsByReceipts(ctx.db, [...new Set(rows.map((r) => r.receiptNo))]),
      loadPeople(ctx.db, rows.map((r) => r.idNumber)),
      enrollmentsOf(ctx.db, uniqueKeys(rows)),
    ]);
    const paymentByReceipt = new Map(existingPayments.map((p) => [p.receipt_no, p]));
    const enrollmentByKey = new Map(enrollments.map((e) => [key(e.id_number, e.coverage_year), e]));
    const paidInBatch = new Map<string, string>();
    const results: PaymentRowOutcome[] = [];
    const accepted: Array<{ result: PaymentRowOutcome; input: (typeof rows)[number]; settlement: Settlement; enrollment: EnrollmentRow | undefined }> = [];

    rows.forEach((input, index) => {
      const result: PaymentRowOutcome = { index, receiptNo: input.receiptNo, status: 'REJECTED', error: null, payment: null };
      results.push(result);
      const reject = (error: DomainError) => {
        result.error = error;
      };
      const earlier = paymentByReceipt.get(input.receiptNo);
      if (earlier) {
        if (samePayment(earlier, input)) {
          result.status = 'DUPLICATE';
          result.payment = earlier;
        } else reject(new DomainError('CONFLICT', `receipt ${input.receiptNo} already records a different payment`, { field: 'receiptNo' }));
        return;
      }
      const verdict = this.checkPayment(ctx, input, people, enrollmentByKey.get(key(input.idNumber, input.coverageYear)), paidInBatch);
      if (verdict instanceof DomainError) return reject(verdict);
      result.status = 'ACCEPTED';
      result.payment = paymentRow(input, batchId, ctx);
      paymentByReceipt.set(input.receiptNo, result.payment);
      paidInBatch.set(key(input.idNumber, input.coverageYear), input.receiptNo);
      accepted.push({ result, input, settlement: verdict, enrollment: enrollmentByKey.get(key(input.idNumber, input.coverageYear)) });
    });

    // Writes, set-based: first payers enrolled already paid, the payments, then enrolments that were
    // waiting unpaid. In key order, so that concurrent batches lock shared rows in the same order.
    accepted.sort((a, b) => compareKeys(a.input, b.input));
    const isFirst = (a: (typeof accepted)[number]) => !a.enrollment || !ACTIVE.has(a.enrollment.status);
    const firstPayers = accepted.filter(isFirst);
    // Their enrolments are checked against residents one by one: after a bulk load of residents the
    // checks must not keep a plan made while the table was small (these people were all found there).
    await refreshStaleStatistics(ctx.db, 'resident', firstPayers.length);
    const enrolled = await insertPaidEnrollments(
      ctx.db,
      firstPayers.map((a) => ({
        idNumber: a.input.idNumber,
        coverageYear: a.input.coverageYear,
        enrolledOn: a.input.paidOn,
        circumstances: [],
        regionCode: people.person(a.input.idNumber)?.region_code ?? null,
        settlement: a.settlement,
        amountPaid: a.input.amount,
      })),
    );
    // The payments' foreign-key checks look these enrolments up one by one: keep their plan sound.
    await refreshStaleStatistics(ctx.db, 'enrollment', firstPayers.length);
    const written = await insertPayments(ctx.db, accepted.map((a) => paymentWrite(a.input, batchId, ctx)));
    const waiting = accepted.filter((a) => !isFirst(a));
    const paid = await markPaid(
      ctx.db,
      waiting.map((a) => ({ idNumber: a.input.idNumber, coverageYear: a.input.coverageYear, paidOn: a.input.paidOn, amountPaid: a.input.amount, settlement: a.settlement })),
    );
    const lost = accepted.some((a) => !written.has(a.input.receiptNo) || !(isFirst(a) ? enrolled : paid).has(key(a.input.idNumber, a.input.coverageYear)));
    if (lost) throw new LostRace();
    await this.subsidies.recordForPayments(
      ctx,
      accepted.map((a) => ({ idNumber: a.input.idNumber, coverageYear: a.input.coverageYear, paidOn: a.input.paidOn, settlement: a.settlement })),
    );
    const count = (status: RowStatus) => results.filter((r) => r.status === status).length;
    return { batchId: batchId ?? '', accepted: count('ACCEPTED'), duplicates: count('DUPLICATE'), rejected: count('REJECTED'), rows: results };
  }

  /** The settlement of an acceptable payment, or why it is refused. */
  private checkPayment(
    ctx: RequestContext,
    input: PaymentRequest,
    people: People,
    enrollment: EnrollmentRow | undefined,
    paidInBatch: Map<string, string>,
  ): Settlement | DomainError {
    try {
      if (!input.receiptNo) return badInput('receiptNo must not be empty', 'receiptNo');
      if (!input.channel) return badInput('channel must not be empty', 'channel');
      const idProblem = parseResidentId(input.idNumber);
      if ('error' in idProblem) return badInput(`idNumber ${maskIdNumber(input.idNumber)} is not a valid resident ID number: ${idProblem.error}`, 'idNumber');
      const policy = ctx.tenant.policyFor(input.coverageYear);
      const person = this.registeredPerson(ctx, people, input.idNumber);
      const sameBatch = paidInBatch.get(key(input.idNumber, input.coverageYear));
      if (sameBatch) return new DomainError('CONFLICT', `already paid for ${input.coverageYear} by receipt ${sameBatch} in this batch`, { field: 'idNumber' });
      if (enrollment && enrollment.status !== 'UNPAID' && ACTIVE.has(enrollment.status)) {
        return new DomainError('CONFLICT', `the enrolment for ${input.coverageYear} is already ${enrollment.status}${enrollment.paid_on ? ` (paid ${enrollment.paid_on})` : ''}`, { field: 'idNumber' });
      }
      if (!enrollment || !ACTIVE.has(enrollment.status)) this.checkPlace(ctx, policy, person);
      const circumstances = (enrollment && ACTIVE.has(enrollment.status) ? enrollment.circumstances : []) as Circumstance[];
      const settlement = ctx.app.policyEngine.settle(ctx.tenant, policy, people.facts(input.idNumber, policy, input.paidOn, circumstances));
      if (input.amount !== settlement.amountDue) {
        return new DomainError(
          'BAD_USER_INPUT',
          `the amount due on ${input.paidOn} is ${formatMoney(settlement.amountDue)}, not ${formatMoney(input.amount)}`,
          { field: 'amount', amountDue: formatMoney(settlement.amountDue) },
        );
      }
      return settlement;
    } catch (err) {
      if (err instanceof DomainError) return err;
      throw err;
    }
  }

  /** A day's payments: a bank or the tax system sees the ones it recorded, an administrator all. */
  async paymentsOn(ctx: RequestContext, paidOn: LocalDate): Promise<PaymentRow[]> {
    const own = ctx.actor?.role === 'ADMIN' ? null : ctx.actor?.sub ?? '';
    return paymentsOn(ctx.db, paidOn, own);
  }

  /** A bank's lookup at the counter: one SQL statement whatever it finds. */
  async enrollmentStatus(ctx: RequestContext, idNumberInput: string, coverageYear: number, asOf?: LocalDate | null): Promise<EnrollmentStatusView> {
    const idNumber = normaliseId(idNumberInput);
    const problem = lookupIdProblem(idNumber);
    if (problem) throw badInput(problem, 'idNumber');
    const [row] = await ctx.db.readAlone<StatusRow>(STATUS_SQL, [ctx.tenant.code, idNumber, coverageYear]);
    const person: PersonRow | undefined = row.name === null ? undefined : { ...row, name: row.name, id_number: idNumber, status: row.resident_status! };
    const people = makePeople(person ? [person] : [], (row.identities ?? []).map((i) => ({ ...i, id_number: idNumber })));
    const enrollment = row.status === null ? undefined : row;
    const view: EnrollmentStatusView = {
      status: enrollment?.status ?? 'NOT_ENROLLED',
      amountDue: null,
      amountDueNote: null,
      amountPaid: enrollment?.amount_paid ?? null,
      coverage: enrollment?.cover_start && enrollment.cover_end ? { start: enrollment.cover_start, end: enrollment.cover_end } : null,
      idNumberMasked: maskIdNumber(idNumber),
      nameMasked: person ? maskName(person.name) : null,
      enrolledElsewhere: row.elsewhere,
    };
    if (enrollment && enrollment.status !== 'UNPAID') {
      view.amountDue = enrollment.amount_due;
      return view;
    }
    if (!person) {
      view.amountDueNote = 'not registered in this tenant';
      return view;
    }
    const date = asOf ?? todayInChina();
    try {
      const policy = ctx.tenant.policyFor(coverageYear);
      const circumstances = (enrollment?.circumstances ?? []) as Circumstance[];
      view.amountDue = ctx.app.policyEngine.contribution(ctx.tenant, policy, people.facts(idNumber, policy, date, circumstances)).amountDue;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      view.amountDueNote = `${err.code}: ${err.message}`;
    }
    return view;
  }

  /**
   * Households with a member (not transferred out, no waiver) who is not enrolled for the year. Where
   * the tenant enrols by household (肃南 二（一）) these break the rule; elsewhere they are follow-ups.
   */
  async incompleteHouseholds(ctx: RequestContext, coverageYear: number, first: number, afterBookletNo: string | null): Promise<HouseholdKeyRow[]> {
    if (first < 1 || first > 5000) throw badInput('first must be between 1 and 5000', 'first');
    return householdsWithUnenrolledMembers(ctx.db, coverageYear, first, afterBookletNo);
  }

  /**
   * Enrols, as paid by their funding body, everyone whose assistance on `paidOn` is a full sponsorship
   * (全额资助/免征代缴): no personal payment. Set-based: three statements whatever the number of people.
   */
  async sponsorEnrollments(ctx: RequestContext, coverageYear: number, paidOn: LocalDate): Promise<{ enrolled: number; /** fully sponsored and already enrolled */ alreadyEnrolled: number; skipped: Array<{ idNumber: string; error: DomainError }> }> {
    const policy = ctx.tenant.policyFor(coverageYear);
    const ids = await certifiedResidentsOn(ctx.db, paidOn);
    const [people, enrollments] = await Promise.all([loadPeople(ctx.db, ids), enrollmentsOf(ctx.db, ids.map((idNumber) => ({ idNumber, coverageYear })))]);
    const byId = new Map(enrollments.map((e) => [e.id_number, e]));
    const sponsored: Array<{ idNumber: string; settlement: Settlement; regionCode: string | null }> = [];
    const skipped: Array<{ idNumber: string; error: DomainError }> = [];
    let alreadyEnrolled = 0;
    for (const idNumber of ids) {
      const existing = byId.get(idNumber);
      if (existing && existing.status !== 'UNPAID' && ACTIVE.has(existing.status)) {
        if (existing.subsidy_mode === 'FULL_SPONSORSHIP') alreadyEnrolled += 1;
        continue;
      }
      try {
        const settlement = ctx.app.policyEngine.settle(ctx.tenant, policy, people.facts(idNumber, policy, paidOn, (existing?.circumstances ?? []) as Circumstance[]));
        if (settlement.mode === 'FULL_SPONSORSHIP') sponsored.push({ idNumber, settlement, regionCode: people.person(idNumber)?.region_code ?? null });
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        skipped.push({ idNumber, error: err });
      }
    }
    // Enrolments checked against residents, then grants against enrolments, row by row: see src/db/statistics.ts.
    await refreshStaleStatistics(ctx.db, 'resident', sponsored.length);
    await upsertUnpaidEnrollments(ctx.db, sponsored.map((s) => ({ idNumber: s.idNumber, coverageYear, enrolledOn: paidOn, circumstances: [], regionCode: s.regionCode, settlement: s.settlement })));
    await refreshStaleStatistics(ctx.db, 'enrollment', sponsored.length);
    const paid = await markPaid(ctx.db, sponsored.map((s) => ({ idNumber: s.idNumber, coverageYear, paidOn, amountPaid: 0, settlement: s.settlement })));
    // The funding body's payment, recorded as a settled grant with its funding shares.
    await this.subsidies.recordForPayments(ctx, sponsored.filter((s) => paid.has(key(s.idNumber, coverageYear))).map((s) => ({ idNumber: s.idNumber, coverageYear, paidOn, settlement: s.settlement })));
    return { enrolled: paid.size, alreadyEnrolled, skipped };
  }

  /**
   * A year's enrolments, filtered by status, region (with the regions inside it), the assistance category
   * applied and lateness, in a stable order, a page at a time; the count runs only when asked for.
   */
  async list(
    ctx: RequestContext,
    coverageYear: number,
    filter: { status?: readonly string[] | null; region?: string | null; category?: string | null; late?: boolean | null },
    regions: string[] | null,
    first: number,
    after: string | null,
    order: EnrollmentListQuery['order'] = 'ID_NUMBER',
    descending = false,
  ): Promise<Connection<EnrollmentRow>> {
    pageSize(first);
    if (filter.status?.includes('NOT_ENROLLED')) throw badInput('status NOT_ENROLLED has no enrolment to list; ask incompleteHouseholds or followUps', 'filter.status');
    const query: EnrollmentListQuery = {
      coverageYear,
      statuses: filter.status?.length ? (filter.status as EnrollmentState[]) : null,
      regions,
      category: filter.category ?? null,
      late: filter.late ?? null,
      order,
      descending,
      after: after ? decodeKeyCursor(after, order === 'ID_NUMBER' ? 1 : 2) : null,
      limit: first + 1,
    };
    const rows = await enrollmentPage(ctx.db, query);
    return toKeyConnection(rows, first, () => enrollmentCount(ctx.db, query), (r) => enrollmentSortKey(r, order), (r) => r);
  }

  /** This tenant's enrolments of people another tenant also enrols for the year (不重复参保 follow-up). */
  async duplicateEnrollments(ctx: RequestContext, coverageYear: number): Promise<Array<{ enrollment: EnrollmentRow; elsewhere: string[] }>> {
    const rows = await enrollmentsAlsoElsewhere(ctx.db, coverageYear);
    return rows.map(({ elsewhere, ...enrollment }) => ({ enrollment, elsewhere }));
  }

  private registeredPerson(ctx: RequestContext, people: People, idNumber: string): PersonRow {
    const person = people.person(idNumber);
    if (!person) throw new DomainError('NOT_FOUND', `${maskIdNumber(idNumber)} is not registered in ${ctx.tenant.name}`, { field: 'idNumber' });
    if (person.status === 'TRANSFERRED_OUT') {
      throw new DomainError('CONFLICT', `${maskIdNumber(idNumber)} was transferred out on ${person.transferred_out_on}${person.transferred_to ? ` to ${person.transferred_to}` : ''}`, { field: 'idNumber' });
    }
    if (person.status === 'DECEASED' || person.status === 'EMIGRATED') {
      throw new DomainError('CONFLICT', `${maskIdNumber(idNumber)} is ${person.status === 'DECEASED' ? 'deceased' : 'emigrated'} (${person.status})`, { field: 'idNumber', status: person.status });
    }
    return person;
  }

  /** 平利 七（一）2: the place of enrolment must match the hukou or the residence permit. */
  private checkPlace(ctx: RequestContext, policy: PolicyYear, person: PersonRow): void {
    const rule = policy.data.enrolment?.placeMustMatchHukouOrResidencePermit;
    if (!rule) return;
    const here = (place: string | null) => !!place && place.startsWith(ctx.tenant.code);
    if (!here(person.hukou_place) && !here(person.residence_permit_place)) {
      throw new DomainError(
        'ENROLLMENT_CLOSED',
        `${ctx.tenant.name} enrols only people whose hukou or residence permit is here (${rule.clause}); on record: hukou ${person.hukou_place ?? 'none'}, residence permit ${person.residence_permit_place ?? 'none'}`,
        { rule: 'place-of-enrolment', clause: rule.clause },
      );
    }
  }
}

function compareKeys(a: { idNumber: string; coverageYear: number }, b: { idNumber: string; coverageYear: number }): number {
  return a.idNumber < b.idNumber ? -1 : a.idNumber > b.idNumber ? 1 : a.coverageYear - b.coverageYear;
}

function normaliseId(idNumber: string): string {
  return idNumber.trim().toUpperCase();
}

function uniqueKeys(rows: ReadonlyArray<{ idNumber: string; coverageYear: number }>) {
  const seen = new Map<string, { idNumber: string; coverageYear: number }>();
  for (const r of rows) seen.set(key(r.idNumber, r.coverageYear), { idNumber: r.idNumber, coverageYear: r.coverageYear });
  return [...seen.values()];
}

function samePayment(row: PaymentRow, input: PaymentRequest): boolean {
  return row.id_number === input.idNumber && row.coverage_year === input.coverageYear && row.amount === input.amount && row.paid_on === input.paidOn && row.channel === input.channel;
}

function paymentWrite(input: PaymentRequest, batchId: string | null, ctx: RequestContext) {
  return { ...input, batchId, recordedBy: ctx.actor?.sub ?? 'system' };
}

function paymentRow(input: PaymentRequest, batchId: string | null, ctx: RequestContext): PaymentRow {
  return {
    receipt_no: input.receiptNo,
    id_number: input.idNumber,
    coverage_year: input.coverageYear,
    amount: input.amount,
    paid_on: input.paidOn,
    channel: input.channel,
    batch_id: batchId,
    recorded_by: ctx.actor?.sub ?? 'system',
  };
}

/** 张三 → 张*; 欧阳娜娜 → 欧***. */
export function maskName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(chars.length - 1);
}

export const enrollmentService = new EnrollmentService(subsidiesService);
