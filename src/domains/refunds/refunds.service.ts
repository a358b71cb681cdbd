/**
 * Refunds (退费): a request judged by the notice's rules (reasons, deadlines, timing, the personal part
 * only), then an administrator's decision. The enrolment moves through the state machine with them.
 */
import type { LocalDate } from '../../common/dates';
import { DomainError } from '../../common/errors';
import type { RequestContext } from '../../context/request-context';
import type { RefundReason, SubsidyMode } from '../../policy-data/vocabulary';
import { transitionEnrollment, enrollmentsOfPeople } from '../enrollment/enrollment.repository';
import { maskIdNumber } from '../residents/id-number';
import { cancelScheduledGrants, grantsOf } from '../subsidies/subsidies.repository';
import { decideRefund, insertRefund, refundOf, type RefundRow, refunds } from './refunds.repository';

export interface RefundRequest {
  idNumber: string;
  coverageYear: number;
  reason: RefundReason;
  requestedOn: LocalDate;
}

export class RefundsService {
  async requestRefund(ctx: RequestContext, input: RefundRequest): Promise<RefundRow> {
    const idNumber = input.idNumber.trim().toUpperCase();
    const policy = ctx.tenant.policyFor(input.coverageYear);
    const [enrollment] = (await enrollmentsOfPeople(ctx.db, [idNumber])).filter((e) => e.coverage_year === input.coverageYear);
    if (!enrollment) throw new DomainError('NOT_FOUND', `${maskIdNumber(idNumber)} has no enrolment for ${input.coverageYear}`, { field: 'idNumber' });
    if (await refundOf(ctx.db, idNumber, input.coverageYear)) {
      throw new DomainError('CONFLICT', `a refund of the ${input.coverageYear} enrolment of ${maskIdNumber(idNumber)} was already requested`, { field: 'idNumber' });
    }
    const grants = await grantsOf(ctx.db, [{ idNumber, coverageYear: input.coverageYear }]);
    const sum = (status: string) => grants.filter((g) => g.mode === 'REIMBURSEMENT' && g.status === status).reduce((s, g) => s + g.amount, 0);
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
    });
    if (!row) throw new DomainError('CONFLICT', 'a refund of this enrolment was requested at the same time', { field: 'idNumber' });
    if (!(await transitionEnrollment(ctx.db, idNumber, input.coverageYear, 'REQUEST_REFUND'))) {
      throw new DomainError('CONFLICT', 'the enrolment changed at the same time; nothing was written, retry', { field: 'idNumber' });
    }
    return row;
  }

  /** An administrator's decision: approval refunds (and cancels a pending reimbursement); rejection restores PAID. */
  async decideRefund(ctx: RequestContext, idNumberInput: string, coverageYear: number, approve: boolean, note: string | null): Promise<RefundRow> {
    const idNumber = idNumberInput.trim().toUpperCase();
    const refund = await refundOf(ctx.db, idNumber, coverageYear, true);
    if (!refund) throw new DomainError('NOT_FOUND', `no refund request for ${maskIdNumber(idNumber)} in ${coverageYear}`, { field: 'idNumber' });
    if (refund.status !== 'PENDING') throw new DomainError('CONFLICT', `the refund request was already ${refund.status}`, { field: 'idNumber' });
    const row = await decideRefund(ctx.db, idNumber, coverageYear, approve, ctx.actor?.sub ?? 'system', note?.trim() || null);
    if (!(await transitionEnrollment(ctx.db, idNumber, coverageYear, approve ? 'APPROVE_REFUND' : 'REJECT_REFUND'))) {
      throw new DomainError('CONFLICT', 'the enrolment is no longer waiting for this refund; nothing was written', { field: 'idNumber' });
    }
    if (approve) await cancelScheduledGrants(ctx.db, idNumber, coverageYear);
    return row;
  }

  async refunds(ctx: RequestContext, status: string | null): Promise<RefundRow[]> {
    return refunds(ctx.db, status);
  }
}

export const refundsService = new RefundsService();
