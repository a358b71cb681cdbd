/**
 * Enrolment and payments. Amounts always come from PolicyEngine with the person's facts on the date
 * (birth date, region, circumstances, assistance identities valid then). A bank's single payment and a
 * tax batch go through the same pipeline, so they are judged by exactly the same rules.
 */
import { compareDates, type LocalDate, todayInChina } from '../../common/dates';
import { badInput, DomainError } from '../../common/errors';
import { text } from '../../common/i18n';
import { formatMoney } from '../../common/money';
import type { RequestContext } from '../../context/request-context';
import { CheckedRows, refreshStaleStatistics } from '../../db/statistics';
import type { PolicyYear } from '../../policy-data/model';
import { type Circumstance, ENROLLMENT_STATUS_NAMES } from '../../policy-data/vocabulary';
import type { Settlement } from '../../policy-engine/policy-engine';
import { certifiedResidentsOn } from '../assistance/assistance.repository';
import { invalidResidentId, lookupIdProblem, maskIdNumber, parseResidentId } from '../residents/id-number';
import { cancelGrantsOfReversedPayment, grantsOf } from '../subsidies/subsidies.repository';
import { type SubsidiesService, subsidiesService } from '../subsidies/subsidies.service';
import { ACTIVE_STATES, type EnrollmentState, transition } from './enrollment-state';
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
  insertNewPaidEnrollments,
  insertNewPayments,
  insertPayments,
  repayWithPayments,
  insertReversal,
  markPaid,
  PAYER_KIND_NAMES,
  type PayerKind,
  paymentForReversal,
  paymentKey,
  type PaymentRow,
  type PaymentWrite,
  paymentsByReceipts,
  paymentsOfEnrollments,
  paymentsOn,
  reopenPaidEnrollments,
  restoreEnrollment,
  takenMeanwhile,
  upsertUnpaidEnrollments,
} from './enrollment.repository';
import {
  type BatchRowWrite,
  cancelWaitsOf,
  insertSuspense,
  insertWaiting,
  recordBatchRows,
  type SuspenseRow,
  suspenseByReceipts,
  takeBatchTurns,
  type WaitingWrite,
} from './held.repository';
import { loadPeople, makePeople, type People, type PersonRow } from './person-facts';
import {
  type PaidStatusRow,
  STATUS_EACH_SETTING_TENANT_SQL,
  STATUS_SETTING_TENANT_SQL,
  STATUS_SQL,
  type StatusElsewhere,
  statusSql,
  type StatusRow,
} from './status-lookup';

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
  /** Who paid: the person (the default), a family member, an employer, a funding body. */
  payerKind?: PayerKind | null;
  /** The payer's name, where it is not the person. */
  payer?: string | null;
}

export interface PaymentReversalRequest {
  receiptNo: string;
  channel: string;
  reason: string;
  reversedOn: LocalDate;
}

export type RowStatus = 'ACCEPTED' | 'DUPLICATE' | 'REJECTED';

export interface PaymentRowOutcome {
  index: number;
  receiptNo: string;
  channel: string;
  status: RowStatus;
  error: DomainError | null;
  /** A bank's payment as recorded, or the payment on record that a duplicate repeats; null otherwise (an import's accepted rows carry none). */
  payment: PaymentRow | null;
  /** Accepted into the suspense list (money kept, no enrolment yet): why it is held. */
  held: DomainError | null;
  /**
   * Recorded as a payment: the version of the policy year whose amount it paid (the settlement's, which
   * may be an earlier version in force on paidOn); null when not recorded, or the year is not numbered.
   */
  policyVersion: number | null;
}

export interface PaymentImportResult {
  batchId: string;
  accepted: number;
  duplicates: number;
  rejected: number;
  held: number;
  rows: PaymentRowOutcome[];
}

/**
 * How the pipeline treats a payment it cannot record against an enrolment: a bank's single payment is
 * refused (nothing was collected yet that cannot be given back at the counter); a tax import's money
 * was collected already and is held in suspense; matching held money tries again and keeps it held.
 */
type PaymentMode = 'RECORD' | 'IMPORT' | 'MATCH';

/** The channel of a funding body's payment for a full sponsorship (全额资助/免征代缴). */
export const SPONSORSHIP_CHANNEL = '资助代缴';

export interface EnrollmentStatusView {
  status: 'NOT_ENROLLED' | EnrollmentState;
  amountDue: number | null;
  amountDueNote: string | null;
  amountPaid: number | null;
  coverage: { start: string; end: string } | null;
  idNumberMasked: string;
  nameMasked: string | null;
  /** Whether another tenant insures the person for the year; null when not asked. */
  insuredElsewhere: boolean | null;
  /** The other tenants (ADMIN and STAFF, people registered here); null when not asked or not shown. */
  enrolledElsewhere: string[] | null;
}

/** What of the national one-scheme index a status lookup asks for. */
export interface ElsewhereWanted {
  insured: boolean;
  tenants: boolean;
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
      throw new DomainError(
        'CONFLICT',
        text(
          `${maskIdNumber(idNumber)} 已参加 ${input.coverageYear} 年度医保（${ENROLLMENT_STATUS_NAMES[existing.status] ?? existing.status}）`,
          `${maskIdNumber(idNumber)} is already enrolled for ${input.coverageYear} (${existing.status})`,
        ),
        { field: 'idNumber' },
      );
    }
    const elsewhere = (await enrolledElsewhere(ctx.db, [idNumber], input.coverageYear)).get(idNumber);
    if (elsewhere) {
      const where = elsewhere.map((code) => `${ctx.app.catalog.get(code)?.name ?? code} (${code})`).join(', ');
      const whereZh = elsewhere.map((code) => `${ctx.app.catalog.get(code)?.name ?? code}（${code}）`).join('、');
      throw new DomainError(
        'CONFLICT',
        text(
          `${maskIdNumber(idNumber)} 已在${whereZh}参加 ${input.coverageYear} 年度医保：每人每年只能参加一项基本医保，须先在当地办理转出`,
          `${maskIdNumber(idNumber)} is enrolled in ${where} for ${input.coverageYear}: one basic scheme per person per year; they must be transferred out there first`,
        ),
        { field: 'idNumber', enrolledIn: elsewhere },
      );
    }
    this.checkPlace(ctx, policy, person);
    const settlement = ctx.app.policyEngine.settle(ctx.tenant, policy, people.facts(idNumber, policy, enrolledOn, circumstances), { unknownSubsidy: 'answer' });
    const written = await upsertUnpaidEnrollments(ctx.db, [
      { idNumber, coverageYear: input.coverageYear, enrolledOn, circumstances, regionCode: person.region_code, settlement },
    ]);
    if (!written.has(key(idNumber, input.coverageYear))) {
      // A concurrent request enrolled them between the check above and this write, and committed first.
      const [now] = await enrollmentsOf(ctx.db, [{ idNumber, coverageYear: input.coverageYear }]);
      throw new DomainError(
        'CONFLICT',
        text(
          `${maskIdNumber(idNumber)} 已参加 ${input.coverageYear} 年度医保（${now ? (ENROLLMENT_STATUS_NAMES[now.status] ?? now.status) : '同时登记'}）`,
          `${maskIdNumber(idNumber)} is already enrolled for ${input.coverageYear} (${now?.status ?? 'enrolled at the same time'})`,
        ),
        { field: 'idNumber' },
      );
    }
    await insertWaiting(ctx.db, waitsOf({ idNumber, coverageYear: input.coverageYear, paidOn: enrolledOn, settlement }));
    const [row] = await enrollmentsOf(ctx.db, [{ idNumber, coverageYear: input.coverageYear }]);
    return row;
  }

  /** A bank's payment: idempotent by channel and receipt; the amount must be what is due on paidOn. */
  async recordPayment(ctx: RequestContext, input: PaymentRequest): Promise<PaymentRow> {
    const [result] = (await this.processPayments(ctx, null, [input], 'RECORD')).rows;
    if (result.error) throw result.error;
    return result.payment!;
  }

  /**
   * A tax batch: per-row results; a rejected row never blocks the others; a replay changes nothing. Money
   * collected for someone not registered, or not payable yet (the notice leaves the amount due unstated,
   * or the year is not configured), is held in suspense, never dropped.
   */
  async importPayments(
    ctx: RequestContext,
    givenBatchId: string,
    inputs: readonly PaymentRequest[],
    /** The batch ids of the request's imports, taken all at the first (this call's own is taken in any case). */
    batchesOfRequest: readonly string[] = [],
  ): Promise<PaymentImportResult> {
    const batchId = givenBatchId.trim();
    if (!batchId) throw badInput(text('批次号不能为空', 'batchId must not be empty'), 'batchId');
    if (inputs.length > MAX_IMPORT_ROWS)
      throw badInput(
        text(`每次最多导入 ${MAX_IMPORT_ROWS} 笔缴费，本次有 ${inputs.length} 笔`, `at most ${MAX_IMPORT_ROWS} payments per call, got ${inputs.length}`),
        'payments',
      );
    // A retry of the same batch sent while this call runs waits for it to end, then is judged against what
    // it committed. A later call of the request takes its batches again, at once (the locks are re-entrant).
    await takeBatchTurns(ctx.db, [batchId, ...batchesOfRequest.map((b) => b.trim()).filter(Boolean)]);
    return this.processPayments(ctx, batchId, inputs, 'IMPORT');
  }

  /**
   * Held money tried again (a person registered, a value configured): what is payable now is recorded as
   * the payment it was, on the day it was paid, under its own batch; the rest stays held with its reason
   * as of now. Returns the ids matched.
   */
  async matchHeld(ctx: RequestContext, held: readonly SuspenseRow[]): Promise<{ matched: number[]; still: Array<{ id: number; error: DomainError }> }> {
    if (held.length === 0) return { matched: [], still: [] };
    // A group per batch, in the order their first rows come; each row appended (a spread copy per row
    // was quadratic in a page of 10,000 from one batch).
    const groups = new Map<string, { batchId: string | null; held: SuspenseRow[]; inputs: PaymentRequest[] }>();
    for (const h of held) {
      const batchId = h.batch_id ?? '';
      let group = groups.get(batchId);
      if (!group) groups.set(batchId, (group = { batchId: batchId || null, held: [], inputs: [] }));
      group.held.push(h);
      group.inputs.push({
        idNumber: h.id_number,
        coverageYear: h.coverage_year,
        amount: h.amount,
        paidOn: h.paid_on,
        channel: h.channel,
        receiptNo: h.receipt_no,
        payerKind: h.payer_kind,
        payer: h.payer,
      });
    }
    const pageGroups = [...groups.values()];
    const results = await this.processPaymentGroups(ctx, pageGroups, 'MATCH');
    const matched: number[] = [];
    const still: Array<{ id: number; error: DomainError }> = [];
    for (const [g, result] of results.entries()) {
      for (const row of result.rows) {
        const source = pageGroups[g].held[row.index];
        if (row.status === 'ACCEPTED' && !row.held) matched.push(source.id);
        else if (row.status === 'DUPLICATE') matched.push(source.id);
        else still.push({ id: source.id, error: row.held ?? row.error! });
      }
    }
    return { matched, still };
  }

  /**
   * Judges and writes the payments (and an import's row outcomes) behind a savepoint. When a concurrent
   * request wrote one of the same enrolments, receipts or batch ids first (two tax batches in flight, a
   * bank payment during an import), or the database broke a deadlock between them, the attempt is rolled
   * back and the rows are judged again against what that request committed: only the rows it touched are
   * rejected, not the whole batch; a batch recorded meanwhile is a replay.
   */
  private async processPayments(
    ctx: RequestContext,
    batchId: string | null,
    inputs: readonly PaymentRequest[],
    mode: PaymentMode,
  ): Promise<PaymentImportResult> {
    const [result] = await this.processPaymentGroups(ctx, [{ batchId, inputs }], mode);
    return result;
  }

  /**
   * Groups of payments, each under its batch id, judged and written in turn behind one savepoint and
   * retried together. A page of held money comes from as many batches as its payments were imported in:
   * a savepoint each would be a subtransaction each, and past 64 of them that wrote, in one transaction,
   * PostgreSQL marks the backend overflowed, and visibility checks under snapshots taken meanwhile read
   * pg_subtrans. A release runs all its pages in one transaction, so one of more than 64 pages (640,000
   * people with money held) still would. The price: a race lost in any group judges the whole page again,
   * and a page that loses MAX_ATTEMPTS of them fails the release, to be run again; imports still run
   * meanwhile.
   */
  private async processPaymentGroups(
    ctx: RequestContext,
    groups: ReadonlyArray<{ batchId: string | null; inputs: readonly PaymentRequest[] }>,
    mode: PaymentMode,
  ): Promise<PaymentImportResult[]> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await ctx.db.savepoint(async () => {
          // Counted over the groups: a page of small batches is one bulk write to the statistics.
          const checked = new CheckedRows();
          const results: PaymentImportResult[] = [];
          for (const group of groups) results.push(await this.judgeAndWritePayments(ctx, group.batchId, group.inputs, mode, checked));
          return results;
        });
      } catch (err) {
        const retryable = err instanceof LostRace || (err as { code?: string }).code === '40P01' || takenMeanwhile(err);
        if (!retryable) throw err;
        if (attempt === MAX_ATTEMPTS) {
          // Nothing of this call was written and payments are idempotent by receipt: the same call again is safe.
          throw new DomainError(
            'CONFLICT',
            text(
              `其他请求正在写入相同的参保记录或票据（已尝试 ${attempt} 次）；本次未写入任何数据，请重试`,
              `other requests kept writing the same enrolments or receipts (${attempt} attempts); nothing was written, retry`,
            ),
            { retryable: true },
          );
        }
      }
    }
  }

  private async judgeAndWritePayments(
    ctx: RequestContext,
    batchId: string | null,
    inputs: readonly PaymentRequest[],
    mode: PaymentMode,
    checked: CheckedRows,
  ): Promise<PaymentImportResult> {
    // Field by field, not spread: the inputs are type-graphql's class instances, 10,000 in an import.
    const rows = inputs.map((input): NormalisedPayment => ({
      idNumber: normaliseId(input.idNumber),
      coverageYear: input.coverageYear,
      amount: input.amount,
      paidOn: input.paidOn,
      channel: input.channel.trim(),
      receiptNo: input.receiptNo.trim(),
      payerKind: input.payerKind ?? 'PERSON',
      payer: input.payer?.trim() || null,
    }));
    // Enrolments first, receipts after. Each statement sees what had committed when it began, and a
    // concurrent import commits a payment together with the enrolment it pays: read in this order, an
    // enrolment found paid comes with its payment found too, so the same receipt sent by both imports is
    // a DUPLICATE here, never a CONFLICT with "already paid" (read the other way round, it was).
    // The rows as they come, repeats and all: the lookups below read each key once whatever the repeats.
    const enrollments = await enrollmentsOf(ctx.db, rows);
    const [existingPayments, existingHeld, people] = await Promise.all([
      paymentsByReceipts(ctx.db, rows),
      mode === 'IMPORT' ? suspenseByReceipts(ctx.db, rows) : Promise.resolve([]),
      loadPeople(
        ctx.db,
        rows.map((r) => r.idNumber),
      ),
    ]);
    const paymentByReceipt = new Map(existingPayments.map((p) => [paymentKey(p.channel, p.receipt_no), p]));
    const heldByReceipt = new Map(existingHeld.map((h) => [paymentKey(h.channel, h.receipt_no), h]));
    const enrollmentByKey = new Map(enrollments.map((e) => [key(e.id_number, e.coverage_year), e]));
    type Row = (typeof rows)[number];
    /** This call's rows accepted so far (held or not), by receipt: the same receipt again is a duplicate. */
    const receivedInBatch = new Map<string, Row>();
    const paidInBatch = new Map<string, string>();
    const results: PaymentRowOutcome[] = [];
    const accepted: Array<{ result: PaymentRowOutcome; input: Row; settlement: Settlement; enrollment: EnrollmentRow | undefined }> = [];
    const toHold: Array<{ result: PaymentRowOutcome; input: Row; index: number }> = [];
    const today = todayInChina();

    rows.forEach((input, index) => {
      const result: PaymentRowOutcome = {
        index,
        receiptNo: input.receiptNo,
        channel: input.channel,
        status: 'REJECTED',
        error: null,
        payment: null,
        held: null,
        policyVersion: null,
      };
      results.push(result);
      const reject = (error: DomainError) => {
        result.error = error;
      };
      const receipt = paymentKey(input.channel, input.receiptNo);
      const earlier = paymentByReceipt.get(receipt);
      const earlierInBatch = earlier ? undefined : receivedInBatch.get(receipt);
      if (earlier || earlierInBatch) {
        if (earlier ? samePayment(earlier, input) : sameRow(earlierInBatch!, input)) {
          result.status = 'DUPLICATE';
          result.payment = earlier ?? null;
        } else
          reject(
            new DomainError(
              'CONFLICT',
              text(
                `缴费渠道 ${input.channel} 的票据 ${input.receiptNo} 已记录了另一笔不同的缴费`,
                `receipt ${input.receiptNo} of channel ${input.channel} already records a different payment`,
              ),
              { field: 'receiptNo' },
            ),
          );
        return;
      }
      const heldBefore = heldByReceipt.get(receipt);
      if (heldBefore) {
        if (sameHeld(heldBefore, input)) {
          result.status = 'DUPLICATE';
          result.held = new DomainError(
            heldBefore.reason_code as DomainError['code'],
            { zh: heldBefore.reason_zh ?? heldBefore.reason, en: heldBefore.reason },
            heldBefore.missing ? { missing: heldBefore.missing } : {},
          );
        } else
          reject(
            new DomainError(
              'CONFLICT',
              text(
                `缴费渠道 ${input.channel} 的票据 ${input.receiptNo} 已作为另一笔不同的缴费挂账`,
                `receipt ${input.receiptNo} of channel ${input.channel} is held in suspense with a different payment`,
              ),
              { field: 'receiptNo' },
            ),
          );
        return;
      }
      const enrollmentKey = key(input.idNumber, input.coverageYear);
      const enrollment = enrollmentByKey.get(enrollmentKey);
      const verdict = this.checkPayment(ctx, input, people, enrollment, paidInBatch.get(enrollmentKey), today);
      if (verdict instanceof DomainError) {
        if (mode !== 'RECORD' && holdable(verdict)) {
          result.status = 'ACCEPTED';
          result.held = verdict;
          toHold.push({ result, input, index });
          receivedInBatch.set(receipt, input);
          return;
        }
        return reject(verdict);
      }
      result.status = 'ACCEPTED';
      result.policyVersion = verdict.policyVersion || null;
      // A bank's payment answers with the payment; an import's rows answer without it.
      if (mode === 'RECORD') result.payment = paymentRow(input, batchId, ctx);
      receivedInBatch.set(receipt, input);
      paidInBatch.set(enrollmentKey, input.receiptNo);
      accepted.push({ result, input, settlement: keptUntilWritten(verdict), enrollment });
    });

    // Writes, set-based: first payers enrolled already paid, the payments, then enrolments that were
    // waiting unpaid. In key order, so that concurrent batches lock shared rows in the same order.
    accepted.sort((a, b) => compareKeys(a.input, b.input));
    const isFirst = (a: (typeof accepted)[number]) => !a.enrollment || !ACTIVE.has(a.enrollment.status);
    const firstPayers = accepted.filter(isFirst);
    // Their enrolments are checked against residents one by one: after a bulk load of residents the
    // checks must not keep a plan made while the table was small (these people were all found there).
    await checked.add(
      ctx.db,
      'resident',
      firstPayers.map((a) => a.input.idNumber),
    );
    const paidEnrollment = (a: (typeof accepted)[number]) => ({
      idNumber: a.input.idNumber,
      coverageYear: a.input.coverageYear,
      enrolledOn: a.input.paidOn,
      circumstances: [],
      regionCode: people.person(a.input.idNumber)?.region_code ?? null,
      settlement: a.settlement,
      amountPaid: a.input.amount,
    });
    // Most first payers had no enrolment row when judged: those are inserted plainly, all or the
    // statement fails, as are the payments, whose receipts were all judged new. Only the writes that
    // may leave a row out (a re-opening, a waiting enrolment paid, a held receipt) are checked for a
    // lost race below.
    await insertNewPaidEnrollments(ctx.db, firstPayers.filter((a) => !a.enrollment).map(paidEnrollment));
    const reopeners = firstPayers.filter((a) => a.enrollment);
    const reopened = await reopenPaidEnrollments(ctx.db, reopeners.map(paidEnrollment));
    // The payments' foreign-key checks look up every accepted row's enrolment one by one, the first payers'
    // and those that waited unpaid (loaded in bulk, say, from a county's earlier system): keep their plan sound.
    await checked.add(ctx.db, 'enrollment', accepted.length);
    await insertNewPayments(
      ctx.db,
      accepted.map((a) => paymentWrite(a.input, batchId, ctx, a.enrollment ?? null)),
    );
    const waiting = accepted.filter((a) => !isFirst(a));
    const paid = await markPaid(
      ctx.db,
      waiting.map((a) => ({
        idNumber: a.input.idNumber,
        coverageYear: a.input.coverageYear,
        paidOn: a.input.paidOn,
        amountPaid: a.input.amount,
        settlement: a.settlement,
      })),
    );
    const heldWritten = await insertSuspense(
      ctx.db,
      mode === 'IMPORT'
        ? toHold.map(({ input, result, index }) => ({
            channel: input.channel,
            receiptNo: input.receiptNo,
            idNumber: input.idNumber,
            coverageYear: input.coverageYear,
            amount: input.amount,
            paidOn: input.paidOn,
            payerKind: input.payerKind,
            payer: input.payer,
            batchId,
            rowIndex: index,
            received: { ...inputs[index] },
            reasonCode: result.held!.code,
            reason: result.held!.localized,
            missing: (result.held!.details.missing as string | undefined) ?? null,
            recordedBy: ctx.actor?.sub ?? 'system',
          }))
        : [],
    );
    const lost =
      reopeners.some((a) => !reopened.has(key(a.input.idNumber, a.input.coverageYear))) ||
      waiting.some((a) => !paid.has(key(a.input.idNumber, a.input.coverageYear))) ||
      (mode === 'IMPORT' && toHold.some((h) => !heldWritten.has(paymentKey(h.input.channel, h.input.receiptNo))));
    if (lost) throw new LostRace();
    const settled = accepted.map((a) => ({ idNumber: a.input.idNumber, coverageYear: a.input.coverageYear, paidOn: a.input.paidOn, settlement: a.settlement }));
    await this.subsidies.recordForPayments(ctx, settled);
    await insertWaiting(ctx.db, settled.flatMap(waitsOf));
    if (mode === 'IMPORT' && batchId !== null) {
      // In the attempt: the same batch recorded meanwhile by another request fails it, and it is judged again.
      await recordBatchRows(
        ctx.db,
        batchId,
        ctx.actor?.sub ?? 'system',
        results.map((r) => batchRow(r, inputs[r.index])),
      );
    }
    const count = (status: RowStatus) => results.filter((r) => r.status === status).length;
    return {
      batchId: batchId ?? '',
      accepted: count('ACCEPTED'),
      duplicates: count('DUPLICATE'),
      rejected: count('REJECTED'),
      held: results.filter((r) => r.held).length,
      rows: results,
    };
  }

  /** The settlement of an acceptable payment, or why it is refused. */
  private checkPayment(
    ctx: RequestContext,
    input: PaymentRequest,
    people: People,
    enrollment: EnrollmentRow | undefined,
    /** The receipt that paid the same enrolment earlier in the same call, if one did. */
    sameBatch: string | undefined,
    today: LocalDate,
  ): Settlement | DomainError {
    try {
      if (!input.receiptNo) return badInput(text('票据号不能为空', 'receiptNo must not be empty'), 'receiptNo');
      if (!input.channel) return badInput(text('缴费渠道不能为空', 'channel must not be empty'), 'channel');
      const idProblem = parseResidentId(input.idNumber, today);
      if ('error' in idProblem) {
        const invalid = invalidResidentId(input.idNumber, idProblem.error);
        return badInput(text(`身份证号码：${invalid.zh}`, `idNumber ${invalid.en}`), 'idNumber');
      }
      if (input.payerKind && input.payerKind !== 'PERSON' && !input.payer?.trim())
        return badInput(text(`由${PAYER_KIND_NAMES[input.payerKind]}代缴的缴费须写明缴费人`, `a payment by ${input.payerKind} names the payer`), 'payer');
      const policy = ctx.tenant.policyFor(input.coverageYear);
      const person = this.registeredPerson(ctx, people, input.idNumber);
      if (sameBatch)
        return new DomainError(
          'CONFLICT',
          text(
            `本批次中已用票据 ${sameBatch} 缴纳 ${input.coverageYear} 年度医保费`,
            `already paid for ${input.coverageYear} by receipt ${sameBatch} in this batch`,
          ),
          { field: 'idNumber' },
        );
      if (enrollment && enrollment.status !== 'UNPAID' && ACTIVE.has(enrollment.status)) {
        return new DomainError(
          'CONFLICT',
          text(
            `${input.coverageYear} 年度参保状态已是“${ENROLLMENT_STATUS_NAMES[enrollment.status] ?? enrollment.status}”${enrollment.paid_on ? `（${enrollment.paid_on} 缴费）` : ''}`,
            `the enrolment for ${input.coverageYear} is already ${enrollment.status}${enrollment.paid_on ? ` (paid ${enrollment.paid_on})` : ''}`,
          ),
          { field: 'idNumber' },
        );
      }
      // The place of enrolment is checked for a payment that enrols, under each version judged, as the
      // amount is: a version in force that day that did not ask it takes the money a later one would refuse.
      const enrols = !enrollment || !ACTIVE.has(enrollment.status);
      const circumstances = (enrollment && ACTIVE.has(enrollment.status) ? enrollment.circumstances : []) as Circumstance[];
      // What is known is answered: a subsidy of unstated amount waits, the payment of what is due is taken.
      const settled = (under: PolicyYear) =>
        settlementOrRefusal(() => {
          if (enrols) this.checkPlace(ctx, under, person);
          return ctx.app.policyEngine.settle(ctx.tenant, under, people.facts(input.idNumber, under, input.paidOn, circumstances), { unknownSubsidy: 'answer' });
        });
      const amountOf = (outcome: Settlement | DomainError) => (outcome instanceof DomainError ? null : outcome.amountDue);
      const now = settled(policy);
      if (amountOf(now) === input.amount) return now;
      // Money that paid what a version in force that day asked is paid, whatever a version published since
      // says or refuses (a correction must not turn away what the tax system already collected).
      const thatDay = ctx.tenant
        .policiesInForceOn(input.coverageYear, input.paidOn)
        .filter((v) => v !== policy)
        .map((v) => {
          const outcome = settled(v);
          return { version: v.version, outcome, due: amountOf(outcome) };
        });
      const matching = thatDay.find((t) => t.due === input.amount);
      if (matching) return matching.outcome;
      if (now instanceof DomainError) return now;
      // The first version of that day that asked another amount than today's, to name beside it.
      const earlier = thatDay.find((t): t is typeof t & { due: Settlement['amountDue'] } => t.due !== null && t.due !== now.amountDue);
      return new DomainError(
        'BAD_USER_INPUT',
        text(
          earlier
            ? `${input.paidOn} 缴费按现行第 ${policy.version} 版应缴 ${formatMoney(now.amountDue)} 元，按当日有效的第 ${earlier.version} 版应缴 ${formatMoney(earlier.due)} 元（两者均可收取），不是 ${formatMoney(input.amount)} 元`
            : `${input.paidOn} 缴费应缴 ${formatMoney(now.amountDue)} 元，不是 ${formatMoney(input.amount)} 元`,
          earlier
            ? `the amount due on ${input.paidOn} is ${formatMoney(now.amountDue)} under version ${policy.version}, in force now, or ${formatMoney(earlier.due)} under version ${earlier.version}, in force that day (either is taken), not ${formatMoney(input.amount)}`
            : `the amount due on ${input.paidOn} is ${formatMoney(now.amountDue)}, not ${formatMoney(input.amount)}`,
        ),
        {
          field: 'amount',
          amountDue: formatMoney(now.amountDue),
          ...(earlier ? { amountDueThen: formatMoney(earlier.due), policyVersionThen: earlier.version } : {}),
        },
      );
    } catch (err) {
      if (err instanceof DomainError) return err;
      throw err;
    }
  }

  /**
   * Reverses a mistaken payment (BANK and TAX their own, ADMIN any): nothing is deleted; the enrolment
   * returns to where it was before the payment, its grants not yet paid out are cancelled and what waited
   * with it ends. Asking twice answers the reversed payment and changes nothing. Once cover has begun it
   * is a refund's business (REFUND_NOT_ALLOWED).
   */
  async reversePayment(ctx: RequestContext, input: PaymentReversalRequest): Promise<PaymentRow> {
    const channel = input.channel.trim();
    const receiptNo = input.receiptNo.trim();
    const reason = input.reason.trim();
    if (!reason) throw badInput(text('须写明冲正缴费的原因', 'reason must say why the payment is reversed'), 'reason');
    if (compareDates(input.reversedOn, todayInChina()) > 0)
      throw badInput(text(`冲正日期 ${input.reversedOn} 晚于今天`, `reversedOn ${input.reversedOn} is in the future`), 'reversedOn');
    const payment = await paymentForReversal(ctx.db, channel, receiptNo);
    if (!payment)
      throw new DomainError(
        'NOT_FOUND',
        text(`没有缴费渠道 ${channel} 票据号为 ${receiptNo} 的缴费`, `no payment with receipt ${receiptNo} of channel ${channel}`),
        { field: 'receiptNo' },
      );
    const role = ctx.actor?.role;
    if (role !== 'ADMIN' && payment.recorded_by !== ctx.actor?.sub) {
      throw new DomainError(
        'FORBIDDEN',
        text(
          `票据 ${receiptNo} 由其他调用方记录；银行和税务系统只能冲正自己记录的缴费`,
          `receipt ${receiptNo} was recorded by another caller; a bank or the tax system reverses only its own payments`,
        ),
      );
    }
    const { enrollment_before: before, ...row } = payment;
    if (payment.reversed) return row;
    if (compareDates(input.reversedOn, payment.paid_on) < 0)
      throw badInput(
        text(`冲正日期 ${input.reversedOn} 早于缴费日期（${payment.paid_on}）`, `reversedOn ${input.reversedOn} is before the payment (${payment.paid_on})`),
        'reversedOn',
      );
    const [enrollment] = await enrollmentsOf(ctx.db, [{ idNumber: payment.id_number, coverageYear: payment.coverage_year }]);
    if (!enrollment || enrollment.status !== 'PAID' || enrollment.paid_on !== payment.paid_on) {
      throw new DomainError(
        'CONFLICT',
        text(
          `${payment.coverage_year} 年度参保状态为“${ENROLLMENT_STATUS_NAMES[enrollment?.status ?? 'NOT_ENROLLED'] ?? enrollment?.status}”；只能冲正使其成为已缴费的那笔缴费${enrollment?.status === 'REFUND_PENDING' ? '（退费审核中）' : ''}`,
          `the ${payment.coverage_year} enrolment is ${enrollment?.status ?? 'not there'}; only the payment it is paid by can be reversed${enrollment?.status === 'REFUND_PENDING' ? ' (a refund is pending)' : ''}`,
        ),
        {
          field: 'receiptNo',
          status: enrollment?.status ?? 'NOT_ENROLLED',
        },
      );
    }
    const policy = ctx.tenant.policies.get(payment.coverage_year);
    const coverStart = enrollment.cover_start ?? policy?.data.coverage.start.date ?? `${payment.coverage_year}-01-01`;
    if (compareDates(input.reversedOn, coverStart) >= 0) {
      throw new DomainError(
        'REFUND_NOT_ALLOWED',
        text(
          `待遇已于 ${coverStart} 开始享受：待遇开始后不能再冲正缴费；请申请退费（requestRefund），按通知规定办理`,
          `cover began on ${coverStart}: a payment is no longer reversed once cover has begun; a refund (requestRefund) decides under the notice`,
        ),
        {
          rule: 'cover-started',
          coverStart,
        },
      );
    }
    const grants = await grantsOf(ctx.db, [{ idNumber: payment.id_number, coverageYear: payment.coverage_year }]);
    // A reimbursement of a period that a refund (or a transfer out, a death, an emigration) ended was reckoned with there.
    const paidOut = grants.filter(
      (g) =>
        g.status === 'PAID_OUT' && g.payout_result !== 'FAILED' && g.payout_result !== 'RETURNED' && g.ended_by_refund === null && g.period_ended_on === null,
    );
    if (paidOut.length > 0) {
      throw new DomainError(
        'CONFLICT',
        text(
          `此参保已发放返还资助 ${formatMoney(paidOut.reduce((s, g) => s + g.amount, 0))} 元（${paidOut[0].payout_month}）；冲正缴费将使该笔款项无从核算：请改为申请退费`,
          `a reimbursement of ${formatMoney(paidOut.reduce((s, g) => s + g.amount, 0))} was already paid out for this enrolment (${paidOut[0].payout_month}); reversing the payment would leave it unaccounted: ask for a refund instead`,
        ),
        {
          field: 'receiptNo',
        },
      );
    }
    const statusBefore = before?.status ?? null;
    const to = transition(enrollment.status, 'REVERSE_PAYMENT', statusBefore);
    if (
      !(await insertReversal(ctx.db, {
        channel,
        receiptNo,
        idNumber: payment.id_number,
        coverageYear: payment.coverage_year,
        amount: payment.amount,
        reversedOn: input.reversedOn,
        reason,
        statusBefore: to,
        reversedBy: ctx.actor?.sub ?? 'system',
        role: role ?? 'SYSTEM',
      }))
    ) {
      const [again] = await paymentsByReceipts(ctx.db, [{ channel, receiptNo }]);
      return again;
    }
    if (!(await restoreEnrollment(ctx.db, payment.id_number, payment.coverage_year, before && statusBefore !== null ? before : null, to))) {
      throw new DomainError(
        'CONFLICT',
        text('参保记录同时被修改；本次未写入任何数据，请重试', 'the enrolment changed at the same time; nothing was written, retry'),
        { field: 'receiptNo' },
      );
    }
    await cancelGrantsOfReversedPayment(ctx.db, payment.id_number, payment.coverage_year);
    await cancelWaitsOf(ctx.db, payment.id_number, payment.coverage_year, input.reversedOn);
    const [reversed] = await paymentsByReceipts(ctx.db, [{ channel, receiptNo }]);
    return reversed;
  }

  /** A day's payments: a bank or the tax system sees the ones it recorded, an administrator all. */
  async paymentsOn(ctx: RequestContext, paidOn: LocalDate): Promise<PaymentRow[]> {
    const own = ctx.actor?.role === 'ADMIN' ? null : (ctx.actor?.sub ?? '');
    return paymentsOn(ctx.db, paidOn, own);
  }

  /**
   * A bank's lookup at the counter: one SQL statement whatever it finds. The national one-scheme index
   * is asked only for what `elsewhere` wants: whether another tenant insures the person (any role of the
   * lookup), and which tenants, only for ADMIN and STAFF and only for a person registered in their
   * tenant; such a read of another county's data about a person is recorded in the audit log.
   */
  async enrollmentStatus(
    ctx: RequestContext,
    idNumberInput: string,
    coverageYear: number,
    asOf?: LocalDate | null,
    elsewhere: ElsewhereWanted = { insured: false, tenants: false },
    /** False when the operation selects neither amountDue nor amountDueNote: the engine is not asked. */
    dueWanted = true,
  ): Promise<EnrollmentStatusView> {
    const idNumber = normaliseId(idNumberInput);
    const problem = lookupIdProblem(idNumber);
    if (problem) throw badInput(problem, 'idNumber');
    const tenants = elsewhere.tenants && (ctx.actor?.role === 'ADMIN' || ctx.actor?.role === 'STAFF');
    const sql = statusSql({ insured: elsewhere.insured, tenants });
    const values = [ctx.tenant.code, idNumber, coverageYear];
    // Most lookups ask nothing of the national index: one prepared statement, no transaction around it,
    // shared with the lookups of other requests that arrive while earlier ones still run.
    const row: (StatusRow | PaidStatusRow) & StatusElsewhere =
      sql === STATUS_SQL
        ? await ctx.db.readSettingTenantCoalesced<StatusRow | PaidStatusRow>(STATUS_SETTING_TENANT_SQL, STATUS_EACH_SETTING_TENANT_SQL, values, STATUS_SQL)
        : (await ctx.db.readAlone<StatusRow & StatusElsewhere>(sql, values))[0];
    if (tenants && row.elsewhere) ctx.readPersonalData();
    const enrollment = row.status === null ? undefined : row;
    const view: EnrollmentStatusView = {
      status: enrollment?.status ?? 'NOT_ENROLLED',
      amountDue: null,
      amountDueNote: null,
      amountPaid: enrollment?.amount_paid ?? null,
      coverage: enrollment?.cover_start && enrollment.cover_end ? { start: enrollment.cover_start, end: enrollment.cover_end } : null,
      idNumberMasked: maskIdNumber(idNumber),
      nameMasked: row.name === null ? null : maskName(row.name),
      insuredElsewhere: row.insured_elsewhere ?? null,
      enrolledElsewhere: row.elsewhere ?? null,
    };
    if (enrollment && enrollment.status !== 'UNPAID') {
      view.amountDue = enrollment.amount_due;
      return view;
    }
    // Anything but an enrolment not UNPAID is read whole (PaidStatusRow).
    const whole = row as StatusRow & StatusElsewhere;
    if (whole.name === null) {
      view.amountDueNote = 'not registered in this tenant';
      return view;
    }
    if (!dueWanted) return view;
    // The person's facts for the policy engine, built only now: most lookups are of paid enrolments.
    const person: PersonRow = { ...whole, name: whole.name, id_number: idNumber, status: whole.resident_status! };
    const people = makePeople(
      [person],
      (whole.identities ?? []).map((i) => ({ ...i, id_number: idNumber })),
    );
    const date = asOf ?? todayInChina();
    try {
      const policy = ctx.tenant.policyFor(coverageYear);
      const circumstances = (whole.circumstances ?? []) as Circumstance[];
      view.amountDue = ctx.app.policyEngine.contribution(ctx.tenant, policy, people.facts(idNumber, policy, date, circumstances), {
        unknownSubsidy: 'answer',
      }).amountDue;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      view.amountDueNote = ctx.say(text(`${err.code}：${err.localized.zh}`, `${err.code}: ${err.message}`));
    }
    return view;
  }

  /**
   * Households with a member (not transferred out, no waiver) who is not enrolled for the year. Where
   * the tenant enrols by household (肃南 二（一）) these break the rule; elsewhere they are follow-ups.
   */
  async incompleteHouseholds(ctx: RequestContext, coverageYear: number, first: number, afterBookletNo: string | null): Promise<HouseholdKeyRow[]> {
    if (first < 1 || first > 5000) throw badInput(text('每页条数（first）须在 1 至 5000 之间', 'first must be between 1 and 5000'), 'first');
    return householdsWithUnenrolledMembers(ctx.db, coverageYear, first, afterBookletNo);
  }

  /**
   * Enrols, as paid by their funding body, everyone whose assistance on `paidOn` is a full sponsorship
   * (全额资助/免征代缴): no personal payment. Set-based: three statements whatever the number of people.
   */
  async sponsorEnrollments(
    ctx: RequestContext,
    coverageYear: number,
    paidOn: LocalDate,
  ): Promise<{
    enrolled: number;
    /** fully sponsored and already enrolled */ alreadyEnrolled: number;
    skipped: Array<{ idNumber: string; error: DomainError }>;
  }> {
    const policy = ctx.tenant.policyFor(coverageYear);
    const ids = await certifiedResidentsOn(ctx.db, paidOn);
    const [people, enrollments] = await Promise.all([
      loadPeople(ctx.db, ids),
      enrollmentsOf(
        ctx.db,
        ids.map((idNumber) => ({ idNumber, coverageYear })),
      ),
    ]);
    const byId = new Map(enrollments.map((e) => [e.id_number, e]));
    const candidates: Array<{ idNumber: string; settlement: Settlement; regionCode: string | null }> = [];
    const skipped: Array<{ idNumber: string; error: DomainError }> = [];
    let alreadyEnrolled = 0;
    for (const idNumber of ids) {
      const existing = byId.get(idNumber);
      if (existing && existing.status !== 'UNPAID' && ACTIVE.has(existing.status)) {
        if (existing.subsidy_mode === 'FULL_SPONSORSHIP') alreadyEnrolled += 1;
        continue;
      }
      try {
        const settlement = ctx.app.policyEngine.settle(
          ctx.tenant,
          policy,
          people.facts(idNumber, policy, paidOn, (existing?.circumstances ?? []) as Circumstance[]),
          { unknownSubsidy: 'answer' },
        );
        if (settlement.mode === 'FULL_SPONSORSHIP') candidates.push({ idNumber, settlement, regionCode: people.person(idNumber)?.region_code ?? null });
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        skipped.push({ idNumber, error: err });
      }
    }
    // A sponsorship of this year already on record (reversed since, or its enrolment refunded): not made
    // twice. Found by the enrolment, not by its receipt: the receipt keeps the ID number it was made under.
    const sponsoredBefore = new Map(
      (
        await paymentsOfEnrollments(
          ctx.db,
          candidates.map((c) => ({ idNumber: c.idNumber, coverageYear })),
        )
      )
        .filter((p) => p.channel === SPONSORSHIP_CHANNEL)
        .map((p) => [p.id_number, p]),
    );
    // Re-enrolled after its enrolment ended, on the funding body's payment still on record: paid again on it.
    const resumed = new Set<string>();
    const sponsored = candidates.filter((c) => {
      const decision = sponsorshipDecision(coverageYear, byId.get(c.idNumber), sponsoredBefore.get(c.idNumber), c.settlement);
      if (decision instanceof DomainError) skipped.push({ idNumber: c.idNumber, error: decision });
      else if (decision === 'RESUME') resumed.add(c.idNumber);
      return !(decision instanceof DomainError);
    });
    // Enrolments checked against residents, then grants against enrolments, row by row: see src/db/statistics.ts.
    await refreshStaleStatistics(ctx.db, 'resident', sponsored.length);
    // A resumed one is already enrolled (UNPAID, by a decision of its own), and is paid on the day its
    // payment was made: that is the payment it is paid by, the one a reversal names.
    await upsertUnpaidEnrollments(
      ctx.db,
      sponsored
        .filter((s) => !resumed.has(s.idNumber))
        .map((s) => ({ idNumber: s.idNumber, coverageYear, enrolledOn: paidOn, circumstances: [], regionCode: s.regionCode, settlement: s.settlement })),
    );
    await refreshStaleStatistics(ctx.db, 'enrollment', sponsored.length);
    const paid = await markPaid(
      ctx.db,
      sponsored.map((s) => ({
        idNumber: s.idNumber,
        coverageYear,
        paidOn: resumed.has(s.idNumber) ? sponsoredBefore.get(s.idNumber)!.paid_on : paidOn,
        amountPaid: 0,
        settlement: s.settlement,
      })),
    );
    // A resumed sponsorship has its payment and grant on record already; reversing the payment now puts
    // back the enrolment as it was enrolled again.
    const repaid = sponsored.filter((s) => paid.has(key(s.idNumber, coverageYear)) && resumed.has(s.idNumber));
    await repayWithPayments(
      ctx.db,
      repaid.map((s) => ({ channel: SPONSORSHIP_CHANNEL, receiptNo: sponsoredBefore.get(s.idNumber)!.receipt_no, before: byId.get(s.idNumber)! })),
    );
    const done = sponsored.filter((s) => paid.has(key(s.idNumber, coverageYear)) && !resumed.has(s.idNumber));
    // The funding body's payment of the whole contribution, so every PAID enrolment has its money on
    // record (the person's own part, amount_paid, is nothing); and the grant with its funding shares.
    await insertPayments(
      ctx.db,
      done.map((s) => ({
        receiptNo: sponsorshipReceipt(coverageYear, s.idNumber),
        idNumber: s.idNumber,
        coverageYear,
        amount: s.settlement.standardContribution,
        paidOn,
        channel: SPONSORSHIP_CHANNEL,
        batchId: null,
        recordedBy: ctx.actor?.sub ?? 'system',
        payerKind: 'FUNDING_BODY',
        payer: fundingBody(s.settlement),
        enrollmentBefore: byId.get(s.idNumber) ?? null,
      })),
    );
    await this.subsidies.recordForPayments(
      ctx,
      done.map((s) => ({ idNumber: s.idNumber, coverageYear, paidOn, settlement: s.settlement })),
    );
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
    return toKeyConnection(
      rows,
      first,
      () => enrollmentCount(ctx.db, query),
      (r) => enrollmentSortKey(r, order),
      (r) => r,
    );
  }

  /** This tenant's enrolments of people another tenant also enrols for the year (不重复参保 follow-up). */
  async duplicateEnrollments(ctx: RequestContext, coverageYear: number): Promise<Array<{ enrollment: EnrollmentRow; elsewhere: string[] }>> {
    const rows = await enrollmentsAlsoElsewhere(ctx.db, coverageYear);
    return rows.map(({ elsewhere, ...enrollment }) => ({ enrollment, elsewhere }));
  }

  private registeredPerson(ctx: RequestContext, people: People, idNumber: string): PersonRow {
    const person = people.person(idNumber);
    if (!person)
      throw new DomainError(
        'NOT_FOUND',
        text(`${maskIdNumber(idNumber)} 未在${ctx.tenant.name}登记`, `${maskIdNumber(idNumber)} is not registered in ${ctx.tenant.name}`),
        { field: 'idNumber' },
      );
    if (person.status === 'TRANSFERRED_OUT') {
      throw new DomainError(
        'CONFLICT',
        text(
          `${maskIdNumber(idNumber)} 已于 ${person.transferred_out_on} 转出${person.transferred_to ? `至 ${person.transferred_to}` : ''}`,
          `${maskIdNumber(idNumber)} was transferred out on ${person.transferred_out_on}${person.transferred_to ? ` to ${person.transferred_to}` : ''}`,
        ),
        { field: 'idNumber' },
      );
    }
    if (person.status === 'DECEASED' || person.status === 'EMIGRATED') {
      throw new DomainError(
        'CONFLICT',
        text(
          `${maskIdNumber(idNumber)} ${person.status === 'DECEASED' ? '已死亡' : '已出国（境）定居'}`,
          `${maskIdNumber(idNumber)} is ${person.status === 'DECEASED' ? 'deceased' : 'emigrated'} (${person.status})`,
        ),
        { field: 'idNumber', status: person.status },
      );
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
        text(
          `${ctx.tenant.name}只为户籍或居住证在本地的人员办理参保（${rule.clause}）；登记的户籍所在地为 ${person.hukou_place ?? '无'}，居住证签发地为 ${person.residence_permit_place ?? '无'}`,
          `${ctx.tenant.name} enrols only people whose hukou or residence permit is here (${rule.clause}); on record: hukou ${person.hukou_place ?? 'none'}, residence permit ${person.residence_permit_place ?? 'none'}`,
        ),
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

function samePayment(row: PaymentRow, input: PaymentRequest): boolean {
  return (
    row.id_number === input.idNumber &&
    row.coverage_year === input.coverageYear &&
    row.amount === input.amount &&
    row.paid_on === input.paidOn &&
    row.channel === input.channel
  );
}

/**
 * What a sponsorship run does with a fully sponsored person: sponsors them (NEW), pays them again on the
 * year's sponsorship already on record (RESUME), or leaves them alone, saying why.
 *
 * An enrolment ended by a decision (a refund approved, a death, a transfer) is not re-opened by a run over
 * everyone certified: re-enrolling such a person is a decision of its own. The year's sponsorship already
 * on record is not made twice: its receipt is the year's and the person's. Once the person is re-enrolled
 * (UNPAID), they are paid again on it: a refund paid back their part, nothing, and the funding body's
 * payment and grant stayed. Not where that payment was reversed, or pays another amount than the one due now.
 */
export function sponsorshipDecision(
  coverageYear: number,
  existing: EnrollmentRow | undefined,
  before: PaymentRow | undefined,
  settlement: Settlement,
): 'NEW' | 'RESUME' | DomainError {
  if (existing && (existing.status === 'REFUNDED' || existing.status === 'TERMINATED')) {
    const state = ENROLLMENT_STATUS_NAMES[existing.status] ?? existing.status;
    return new DomainError(
      'CONFLICT',
      text(
        `${coverageYear} 年度参保已是“${state}”；资助参保不重新开启已结束的参保，如需重新参保请单独办理`,
        `the enrolment for ${coverageYear} is ${existing.status}; a sponsorship run does not re-open an ended enrolment: enrol the person on their own if they should be`,
      ),
      { field: 'idNumber' },
    );
  }
  if (before && !before.reversed && before.amount === settlement.standardContribution && existing?.status === 'UNPAID') return 'RESUME';
  if (before && !before.reversed && before.amount !== settlement.standardContribution) {
    return new DomainError(
      'CONFLICT',
      text(
        `${coverageYear} 年度的资助缴费（票据 ${before.receipt_no}）已有记录，金额 ${formatMoney(before.amount)} 元，与现应缴的 ${formatMoney(settlement.standardContribution)} 元不同；不再重复资助，请单独处理`,
        `the sponsorship payment for ${coverageYear} (receipt ${before.receipt_no}) is on record for ${formatMoney(before.amount)}, not the ${formatMoney(settlement.standardContribution)} due now; it is not made twice: settle it by hand`,
      ),
      { field: 'idNumber' },
    );
  }
  if (before) {
    return new DomainError(
      'CONFLICT',
      text(
        `${coverageYear} 年度的资助缴费（票据 ${before.receipt_no}）已有记录${before.reversed ? '，并已冲正' : ''}；不再重复资助`,
        `the sponsorship payment for ${coverageYear} (receipt ${before.receipt_no}) is on record${before.reversed ? ' and was reversed' : ''}; it is not made twice`,
      ),
      { field: 'idNumber' },
    );
  }
  return 'NEW';
}

/** The receipt of a funding body's payment for a full sponsorship: one per person and year. */
export function sponsorshipReceipt(coverageYear: number, idNumber: string): string {
  return `SP-${coverageYear}-${idNumber}`;
}

/** Who pays a full sponsorship, as the notice names the fund or budget. */
function fundingBody(settlement: Settlement): string {
  const names = [...new Set(settlement.fundingShares.map((s) => s.name))];
  return names.length > 0 ? names.join('、') : '资助部门（通知未写明资金来源）';
}

function sameRow(row: PaymentRequest, input: PaymentRequest): boolean {
  return (
    row.idNumber === input.idNumber &&
    row.coverageYear === input.coverageYear &&
    row.amount === input.amount &&
    row.paidOn === input.paidOn &&
    row.channel === input.channel
  );
}

/**
 * An accepted row's settlement as the batch keeps it until its writes: the amounts and dates, and of the
 * explanation only the assistance step, whose clause a subsidy grant cites. A batch keeps 10,000 of them
 * through its statements; with their explanations they were the most of what a collection of the young
 * generation had to copy. The settlement was made for this row alone, so it is trimmed in place.
 */
function keptUntilWritten(settlement: Settlement): Settlement {
  settlement.explanation = settlement.explanation.filter((step) => step.rule === 'assistance');
  return settlement;
}

function sameHeld(row: SuspenseRow, input: PaymentRequest): boolean {
  return row.id_number === input.idNumber && row.coverage_year === input.coverageYear && row.amount === input.amount && row.paid_on === input.paidOn;
}

/** Money that may wait in suspense: the person is not registered, or the notice does not say what they owe. */
function holdable(error: DomainError): boolean {
  return (error.code === 'NOT_FOUND' && error.details.field === 'idNumber') || error.code === 'POLICY_NOT_CONFIGURED';
}

/** What a settlement leaves unstated, as waits of the enrolment since `paidOn`. */
export function waitsOf(p: { idNumber: string; coverageYear: number; paidOn: LocalDate; settlement: Settlement }): WaitingWrite[] {
  return p.settlement.unknowns.map((u) => ({
    idNumber: p.idNumber,
    coverageYear: p.coverageYear,
    missing: u.path,
    affects: u.affects,
    category: /^assistance\.([A-Z0-9_]+)\./.exec(u.path)?.[1] ?? null,
    clause: u.clause,
    refersTo: u.refersTo,
    message: u.message,
    since: p.paidOn,
  }));
}

function batchRow(r: PaymentRowOutcome, input: PaymentRequest): BatchRowWrite {
  return {
    rowIndex: r.index,
    receiptNo: r.receiptNo,
    channel: r.channel,
    idNumber: normaliseId(input.idNumber),
    coverageYear: input.coverageYear,
    amount: input.amount,
    paidOn: input.paidOn,
    status: r.status,
    held: r.held !== null,
    code: r.error?.code ?? r.held?.code ?? null,
    error: r.error?.localized ?? r.held?.localized ?? null,
    policyVersion: r.policyVersion,
  };
}

type NormalisedPayment = PaymentRequest & { payerKind: PayerKind; payer: string | null };

/** Field by field, not spread: an import builds 10,000 of these from its GraphQL input objects. */
function paymentWrite(input: NormalisedPayment, batchId: string | null, ctx: RequestContext, before: EnrollmentRow | null): PaymentWrite {
  return {
    receiptNo: input.receiptNo,
    idNumber: input.idNumber,
    coverageYear: input.coverageYear,
    amount: input.amount,
    paidOn: input.paidOn,
    channel: input.channel,
    batchId,
    recordedBy: ctx.actor?.sub ?? 'system',
    payerKind: input.payerKind,
    payer: input.payer,
    enrollmentBefore: before,
  };
}

function paymentRow(input: NormalisedPayment, batchId: string | null, ctx: RequestContext): PaymentRow {
  return {
    receipt_no: input.receiptNo,
    id_number: input.idNumber,
    coverage_year: input.coverageYear,
    amount: input.amount,
    paid_on: input.paidOn,
    channel: input.channel,
    batch_id: batchId,
    recorded_by: ctx.actor?.sub ?? 'system',
    payer_kind: input.payerKind,
    payer: input.payer,
    reversed: false,
    reversed_on: null,
    reversal_reason: null,
  };
}

/** 张三 → 张*; 欧阳娜娜 → 欧***. */
export function maskName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(chars.length - 1);
}

/** A settlement, or the refusal of a policy that cannot settle (a value it leaves unstated, a closed window). */
function settlementOrRefusal(settle: () => Settlement): Settlement | DomainError {
  try {
    return settle();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
}

export const enrollmentService = new EnrollmentService(subsidiesService);
