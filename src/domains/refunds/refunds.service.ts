/**
 * Refunds (退费): a request judged by the notice's rules (reasons, deadlines, timing, the personal part
 * only), then an administrator's decision. The enrolment moves through the state machine with them.
 */
import { compareDates, type LocalDate, todayInChina } from '../../common/dates';
import { badInput, DomainError } from '../../common/errors';
import { text } from '../../common/i18n';
import { formatMoney } from '../../common/money';
import type { RequestContext } from '../../context/request-context';
import type { RefundReason, SubsidyMode } from '../../policy-data/vocabulary';
import { endEnrollments, transitionEnrollment, enrollmentsOfPeople } from '../enrollment/enrollment.repository';
import { residentDetails } from '../residents/residents.repository';
import { maskIdNumber } from '../residents/id-number';
import {
  cancelScheduledGrants,
  deductPaidOutGrants,
  endGrantsOfRefundedPeriod,
  grantsOf,
  holdPayoutMonthsOf,
  lockPaidOutReimbursements,
  rescheduleGrantsOfPaidMonths,
  undoRefundDeduction,
  waitForPayoutsOf,
} from '../subsidies/subsidies.repository';
import { decideRefund, insertRefund, lowerRefund, recordRefundPayout, refundOf, refundsOfEnrollment, type RefundRow, refunds } from './refunds.repository';

export interface RefundRequest {
  idNumber: string;
  coverageYear: number;
  reason: RefundReason;
  requestedOn: LocalDate;
}

/** A refund request's status as clerks say it, for messages in Chinese: 该退费申请已批准. */
const REFUND_STATUS_NAMES: Readonly<Record<string, string>> = { PENDING: '待审核', APPROVED: '批准', REJECTED: '驳回' };

/** A request as messages name it: "this refund request", or its number where the enrolment has had more than one. */
const requestName = (refund: RefundRow) =>
  refund.request_no === 1 ? text('该退费申请', 'the refund request') : text(`第 ${refund.request_no} 次退费申请`, `refund request ${refund.request_no}`);

export class RefundsService {
  async requestRefund(ctx: RequestContext, input: RefundRequest): Promise<RefundRow> {
    const idNumber = input.idNumber.trim().toUpperCase();
    const policy = ctx.tenant.policyFor(input.coverageYear);
    const [enrollment] = (await enrollmentsOfPeople(ctx.db, [idNumber])).filter((e) => e.coverage_year === input.coverageYear);
    if (!enrollment)
      throw new DomainError(
        'NOT_FOUND',
        text(`${maskIdNumber(idNumber)} 没有 ${input.coverageYear} 年度的参保记录`, `${maskIdNumber(idNumber)} has no enrolment for ${input.coverageYear}`),
        { field: 'idNumber' },
      );
    // An enrolment refunded, then paid again, may be refunded again; one request waits for a decision at a time.
    const earlier = await refundsOfEnrollment(ctx.db, idNumber, input.coverageYear);
    if (earlier.some((r) => r.status === 'PENDING')) {
      throw new DomainError(
        'CONFLICT',
        text(
          `${maskIdNumber(idNumber)} ${input.coverageYear} 年度的参保已有待审核的退费申请`,
          `a refund of the ${input.coverageYear} enrolment of ${maskIdNumber(idNumber)} was already requested and waits for a decision`,
        ),
        { field: 'idNumber' },
      );
    }
    // Read once no payout of their months can commit before this request does (it would pay out what the
    // decision cancels).
    const held = await holdPayoutMonthsOf(ctx.db, idNumber, input.coverageYear);
    await lockPaidOutReimbursements(ctx.db, idNumber, input.coverageYear);
    const grants = await grantsOf(ctx.db, [{ idNumber, coverageYear: input.coverageYear }]);
    // A reimbursement scheduled meanwhile into a month not held could be paid out before the decision cancels it.
    if (grants.some((g) => g.status === 'SCHEDULED' && g.payout_month !== null && !held.has(g.payout_month))) {
      throw new DomainError(
        'CONFLICT',
        text(
          '此参保的返还资助同时被排入发放月份；本次未写入任何数据，请重试',
          "the enrolment's reimbursements were scheduled at the same time; nothing was written, retry",
        ),
        { field: 'idNumber', retryable: true },
      );
    }
    // A reimbursement of a period that an earlier refund, a transfer out, a death or an emigration ended
    // was reckoned with there.
    const sum = (status: string) =>
      grants
        .filter((g) => g.mode === 'REIMBURSEMENT' && g.status === status && g.ended_by_refund === null && g.period_ended_on === null)
        .reduce((s, g) => s + g.amount, 0);
    const decision = ctx.app.policyEngine.refund(policy, {
      reason: input.reason,
      requestedOn: input.requestedOn,
      status: enrollment.status,
      amountPaid: enrollment.amount_paid ?? 0,
      coverStart: enrollment.cover_start ?? policy.data.coverage.start.date,
      mode: enrollment.subsidy_mode as SubsidyMode | null,
      reimbursedPaidOut: sum('PAID_OUT'),
      reimbursementPending: sum('SCHEDULED'),
    });
    const row = await insertRefund(ctx.db, {
      id_number: idNumber,
      coverage_year: input.coverageYear,
      reason: input.reason,
      requested_on: input.requestedOn,
      amount: decision.amount,
      cancelled_reimbursement: decision.cancelledReimbursement,
      explanation: decision.explanation,
      requested_by: ctx.actor?.sub ?? 'system',
      policy_version: policy.version,
    });
    if (!row)
      throw new DomainError('CONFLICT', text('同时有另一请求申请了此参保的退费', 'a refund of this enrolment was requested at the same time'), {
        field: 'idNumber',
      });
    // What this request takes off for reimbursements paid out; a re-issue of one whose payout comes back stays owed.
    await deductPaidOutGrants(ctx.db, idNumber, input.coverageYear, row.request_no);
    if (!(await transitionEnrollment(ctx.db, idNumber, input.coverageYear, 'REQUEST_REFUND'))) {
      throw new DomainError(
        'CONFLICT',
        text('参保记录同时被修改；本次未写入任何数据，请重试', 'the enrolment changed at the same time; nothing was written, retry'),
        { field: 'idNumber' },
      );
    }
    return row;
  }

  /**
   * A refund request of the person's enrolment for the year, the one numbered or else the latest, locked
   * for the decision or payout that follows; NOT_FOUND without one.
   */
  private async requestedRefund(ctx: RequestContext, idNumber: string, coverageYear: number, requestNo: number | null): Promise<RefundRow> {
    const refund = await refundOf(ctx.db, idNumber, coverageYear, requestNo, true);
    if (!refund) {
      const which = requestNo === null ? '' : ` ${requestNo}`;
      throw new DomainError(
        'NOT_FOUND',
        text(
          `${maskIdNumber(idNumber)} 没有 ${coverageYear} 年度的${requestNo === null ? '' : `第 ${requestNo} 次`}退费申请`,
          `no refund request${which} for ${maskIdNumber(idNumber)} in ${coverageYear}`,
        ),
        { field: requestNo === null ? 'idNumber' : 'requestNo' },
      );
    }
    return refund;
  }

  /** An administrator's decision: approval refunds (and cancels a pending reimbursement); rejection restores PAID. */
  async decideRefund(
    ctx: RequestContext,
    idNumberInput: string,
    coverageYear: number,
    requestNo: number | null,
    approve: boolean,
    note: string | null,
  ): Promise<RefundRow> {
    const idNumber = idNumberInput.trim().toUpperCase();
    // Before any grant is read or written: a payout of their months running now finishes first (and a
    // rejection then sees it recorded when it makes held reimbursements DUE).
    await waitForPayoutsOf(ctx.db, idNumber, coverageYear);
    const refund = await this.requestedRefund(ctx, idNumber, coverageYear, requestNo);
    if (refund.status !== 'PENDING')
      throw new DomainError(
        'CONFLICT',
        text(`${requestName(refund).zh}已${REFUND_STATUS_NAMES[refund.status] ?? refund.status}`, `${requestName(refund).en} was already ${refund.status}`),
        { field: 'idNumber' },
      );
    if (approve) {
      // Paid out while the request waited (a payout whose statement began before it was asked for): the
      // request's amount did not take that off, so the approval does, saying so, instead of paying twice.
      const late = await deductPaidOutGrants(ctx.db, idNumber, coverageYear, refund.request_no);
      if (late > 0) {
        await lowerRefund(ctx.db, idNumber, coverageYear, refund.request_no, late, {
          rule: 'reimbursement-paid-since',
          clause: null,
          detail: text(
            `申请后已发放返还资助 ${formatMoney(late)} 元，从退费中扣除`,
            `a reimbursement of ${formatMoney(late)} paid out after the request is taken off the refund`,
          ),
          amount: late,
        });
      }
    }
    const row = await decideRefund(ctx.db, idNumber, coverageYear, refund.request_no, approve, ctx.actor?.sub ?? 'system', note?.trim() || null);
    // The enrolment stops counting on the day of the decision: figures for earlier days keep it.
    const today = todayInChina();
    if (!(await transitionEnrollment(ctx.db, idNumber, coverageYear, approve ? 'APPROVE_REFUND' : 'REJECT_REFUND', today))) {
      throw new DomainError(
        'CONFLICT',
        text('此参保已不在等待该退费；本次未写入任何数据', 'the enrolment is no longer waiting for this refund; nothing was written'),
        { field: 'idNumber' },
      );
    }
    if (approve) {
      await cancelScheduledGrants(ctx.db, idNumber, coverageYear);
      await endGrantsOfRefundedPeriod(ctx.db, idNumber, coverageYear, refund.request_no);
    } else {
      await undoRefundDeduction(ctx.db, idNumber, coverageYear, refund.request_no);
      // Paid again: a reimbursement held out of a month's payout while the refund was pending is owed again.
      await rescheduleGrantsOfPaidMonths(ctx.db, idNumber, coverageYear);
      // Refused for someone who has died, left the country or transferred out since: the enrolment ends,
      // without a refund (a transfer out leaves a pending refund to its decision).
      const [person] = await residentDetails(ctx.db, [idNumber]);
      const endedBy = { DECEASED: 'END_ON_DEATH', EMIGRATED: 'END_ON_EMIGRATION', TRANSFERRED_OUT: 'TRANSFER_OUT' } as const;
      const event = person ? endedBy[person.status as keyof typeof endedBy] : undefined;
      if (event) await endEnrollments(ctx.db, idNumber, today, event, [coverageYear], ['PAID']);
    }
    return row;
  }

  /**
   * A death or a settlement abroad, for the enrolments already paid that were running or due to run:
   * where the notice allows a refund for that reason on the day it is recorded (甘州 七: 死亡、出国定居
   * within the collection period, before cover starts), the refund is asked for and waits for an
   * administrator; where it does not (平利 七（五）: 死亡…原参保缴费不予退还; cover already begun), the
   * enrolment ends that day without a refund. Where the notice states no refund rules (贵阳, which
   * refers to 黔税发〔2020〕6号), a year whose cover has not begun stays paid until the rules are known,
   * so that no money is dropped.
   */
  async onLeftScheme(ctx: RequestContext, input: { idNumber: string; on: LocalDate; recordedOn: LocalDate; reason: 'DEATH' | 'EMIGRATION' }): Promise<void> {
    const paid = (await enrollmentsOfPeople(ctx.db, [input.idNumber])).filter(
      (e) => e.status === 'PAID' && compareDates(`${e.coverage_year}-12-31`, input.on) >= 0,
    );
    const event = input.reason === 'DEATH' ? 'END_ON_DEATH' : 'END_ON_EMIGRATION';
    for (const enrollment of paid) {
      const policy = ctx.tenant.policies.get(enrollment.coverage_year);
      const coverStart = enrollment.cover_start ?? policy?.data.coverage.start.date ?? `${enrollment.coverage_year}-01-01`;
      const started = compareDates(coverStart, input.on) <= 0;
      let outcome: 'REFUND' | 'END' | 'KEEP' = started ? 'END' : 'KEEP';
      if (policy) {
        try {
          // Behind a savepoint: a request refused half-way leaves nothing of itself before the enrolment ends.
          await ctx.db.savepoint(() =>
            this.requestRefund(ctx, {
              idNumber: input.idNumber,
              coverageYear: enrollment.coverage_year,
              reason: input.reason,
              requestedOn: input.recordedOn,
            }),
          );
          outcome = 'REFUND';
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          // Changed by another request at the same time: the whole event is refused, to be recorded again.
          if (err.details.retryable) throw err;
          // Not allowed by the notice, or the enrolment changed at the same time.
          if (err.code === 'REFUND_NOT_ALLOWED' || err.code === 'CONFLICT') outcome = 'END';
          else if (err.code !== 'POLICY_NOT_CONFIGURED') throw err;
        }
      }
      if (outcome === 'END') await endEnrollments(ctx.db, input.idNumber, input.on, event, [enrollment.coverage_year], ['PAID']);
    }
  }

  /** An approved refund paid back to the person: recorded once, with the day and the bank's reference. */
  async recordRefundPayout(
    ctx: RequestContext,
    idNumberInput: string,
    coverageYear: number,
    requestNo: number | null,
    paidOn: LocalDate,
    reference: string | null,
  ): Promise<RefundRow> {
    const idNumber = idNumberInput.trim().toUpperCase();
    // Unnamed, the request paid out is the enrolment's one approved request. With more than one it must be
    // named: a retried call of an older client would otherwise record the next refund as paid.
    let which = requestNo;
    if (which === null) {
      const approved = (await refundsOfEnrollment(ctx.db, idNumber, coverageYear)).filter((r) => r.status === 'APPROVED');
      if (approved.length > 1) {
        const numbers = approved.map((r) => r.request_no);
        throw badInput(
          text(
            `${maskIdNumber(idNumber)} ${coverageYear} 年度的参保有 ${approved.length} 次已批准的退费（第 ${numbers.join('、')} 次）：请写明 requestNo`,
            `the ${coverageYear} enrolment of ${maskIdNumber(idNumber)} has ${approved.length} approved refunds (requests ${numbers.join(', ')}): name one with requestNo`,
          ),
          'requestNo',
        );
      }
      which = approved[0]?.request_no ?? null;
    }
    const refund = await this.requestedRefund(ctx, idNumber, coverageYear, which);
    if (refund.paid_on) {
      if (refund.paid_on === paidOn) return refund;
      throw new DomainError(
        'CONFLICT',
        text(`${requestName(refund).zh}已于 ${refund.paid_on} 记录支付`, `${requestName(refund).en} was already recorded as paid on ${refund.paid_on}`),
        {
          field: 'paidOn',
        },
      );
    }
    if (refund.status !== 'APPROVED')
      throw new DomainError(
        'CONFLICT',
        text(
          `只有已批准的退费才能支付；${requestName(refund).zh}${REFUND_STATUS_NAMES[refund.status] ?? refund.status}`,
          `only an approved refund is paid out; ${requestName(refund).en} is ${refund.status}`,
        ),
        { field: 'idNumber' },
      );
    if (compareDates(paidOn, todayInChina()) > 0) throw badInput(text(`支付日期 ${paidOn} 晚于今天`, `paidOn ${paidOn} is in the future`), 'paidOn');
    if (compareDates(paidOn, refund.requested_on) < 0)
      throw badInput(
        text(`支付日期 ${paidOn} 早于退费申请日期 ${refund.requested_on}`, `paidOn ${paidOn} is before the refund was asked for, on ${refund.requested_on}`),
        'paidOn',
      );
    await recordRefundPayout(ctx.db, idNumber, coverageYear, refund.request_no, paidOn, ctx.actor?.sub ?? 'system', reference?.trim() || null);
    return (await refundOf(ctx.db, idNumber, coverageYear, refund.request_no))!;
  }

  async refunds(ctx: RequestContext, status: string | null): Promise<RefundRow[]> {
    return refunds(ctx.db, status);
  }
}

export const refundsService = new RefundsService();
