/**
 * Subsidies as money: grants recorded when an enrolment is paid (or sponsored), the notices' rules for
 * identities that change after payment, monthly payouts of 先缴后补 reimbursements, and refunds.
 */
import { compareDates, type LocalDate, nextMonth, todayInChina } from '../common/dates';
import { badInput, DomainError } from '../common/errors';
import { splitByRatio } from '../common/money';
import type { RequestContext } from '../context/request-context';
import { enrollmentsOfPeople } from '../enrollment/enrollment.repository';
import { categoriesOn, loadPeople } from '../enrollment/person-facts';
import type { Settlement } from '../policy/policy.service';
import type { RefundReason } from '../policy/vocabulary';
import { maskIdNumber } from '../registry/id-number';
import {
  decideRefund,
  disbursementBatch,
  disbursementItems,
  disbursementTotals,
  type GrantWrite,
  grantsOf,
  insertGrants,
  insertRefund,
  payOutMonth,
  refundOf,
  type RefundRow,
  refunds,
} from './subsidy.repository';

export interface PaidSettlement {
  idNumber: string;
  coverageYear: number;
  paidOn: LocalDate;
  settlement: Settlement;
}

export interface RefundInput {
  idNumber: string;
  coverageYear: number;
  reason: RefundReason;
  requestedOn: LocalDate;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export class SubsidyService {
  /**
   * The grants of enrolments just paid: netted at collection (差额征缴) and full sponsorships are settled
   * on the spot; 先缴后补 reimbursements are scheduled for the month the notice says (当月参保、次月资助).
   */
  async recordForPayments(ctx: RequestContext, paid: readonly PaidSettlement[]): Promise<void> {
    await insertGrants(
      ctx.db,
      paid
        .filter((p) => p.settlement.subsidy > 0 && p.settlement.mode && p.settlement.appliedCategory)
        .map((p): GrantWrite => ({
          idNumber: p.idNumber,
          coverageYear: p.coverageYear,
          category: p.settlement.appliedCategory!,
          mode: p.settlement.mode!,
          kind: 'AT_PAYMENT',
          amount: p.settlement.subsidy,
          grantedOn: p.paidOn,
          payoutMonth: p.settlement.mode === 'REIMBURSEMENT' ? p.settlement.reimbursementMonth : null,
          status: p.settlement.mode === 'REIMBURSEMENT' ? 'SCHEDULED' : 'SETTLED',
          funding: p.settlement.fundingShares,
          clause: p.settlement.explanation.find((s) => s.rule === 'assistance')?.clause ?? null,
        })),
    );
  }

  /**
   * An identity certified on `certifiedOn` for people already paid: 甘州 tops up the difference when the
   * new category is worth more and never claws back (四（二）4); 肃南 changes nothing for the year
   * (三（二）); 平利 applies it next year (三（一）6). Someone paid in full and newly certified is paid the
   * subsidy the month after (甘州 四（二）3, 肃南 三（二）). Returns the grants made.
   */
  async applyIdentityChanges(ctx: RequestContext, idNumbers: readonly string[], certifiedOn: LocalDate): Promise<GrantWrite[]> {
    if (idNumbers.length === 0) return [];
    const enrollments = (await enrollmentsOfPeople(ctx.db, idNumbers)).filter(
      (e) => e.status === 'PAID' && compareDates(certifiedOn, `${e.coverage_year}-12-31`) <= 0,
    );
    if (enrollments.length === 0) return [];
    const [people, grants] = await Promise.all([
      loadPeople(ctx.db, enrollments.map((e) => e.id_number)),
      grantsOf(ctx.db, enrollments.map((e) => ({ idNumber: e.id_number, coverageYear: e.coverage_year }))),
    ]);
    const writes: GrantWrite[] = [];
    for (const enrollment of enrollments) {
      const policy = ctx.tenant.policies.get(enrollment.coverage_year);
      const rules = policy?.data.assistance;
      if (!policy || !rules) continue;
      const granted = grants
        .filter((g) => g.id_number === enrollment.id_number && g.coverage_year === enrollment.coverage_year && g.status !== 'CANCELLED')
        .reduce((sum, g) => sum + g.amount, 0);
      const rule = granted === 0 ? rules.newlyCertifiedAfterPayment : rules.identityChange;
      const topUp = granted === 0 ? rule?.rule === 'REIMBURSE_NEXT_MONTH' : rule?.rule === 'TOP_UP_NO_CLAWBACK';
      if (!rule || !topUp) continue;
      const categories = categoriesOn(people.identities(enrollment.id_number), policy, certifiedOn);
      const best = ctx.app.policyEngine.assistanceFor(ctx.tenant, policy, categories, people.person(enrollment.id_number)?.region_code ?? null);
      const owed = Math.min(best?.amount ?? 0, enrollment.amount_paid ?? 0) - granted;
      if (!best || owed <= 0) continue;
      const full = best.fundingShares.reduce((sum, s) => sum + s.amount, 0);
      const parts = full > 0 ? splitByRatio(owed, best.fundingShares.map((s) => s.amount)) : [];
      writes.push({
        idNumber: enrollment.id_number,
        coverageYear: enrollment.coverage_year,
        category: best.category,
        mode: 'REIMBURSEMENT',
        kind: granted === 0 ? 'NEWLY_CERTIFIED' : 'TOP_UP',
        amount: owed,
        grantedOn: certifiedOn,
        payoutMonth: nextMonth(certifiedOn),
        status: 'SCHEDULED',
        funding: best.fundingShares.map((s, i) => ({ source: s.source, name: s.name, amount: parts[i] })),
        clause: rule.clause,
      });
    }
    await insertGrants(ctx.db, writes);
    return writes;
  }

  async disbursements(ctx: RequestContext, month: string) {
    this.checkMonth(month);
    const [totals, batch] = await Promise.all([disbursementTotals(ctx.db, month), disbursementBatch(ctx.db, month)]);
    return { month, ...totals, paid: batch !== null, paidAt: batch?.paid_at.toISOString() ?? null, paidBy: batch?.paid_by ?? null };
  }

  async disbursementItems(ctx: RequestContext, month: string) {
    this.checkMonth(month);
    return disbursementItems(ctx.db, month);
  }

  /** Records the month's payout; asking again returns the batch already recorded. */
  async markDisbursementsPaid(ctx: RequestContext, month: string) {
    this.checkMonth(month);
    if (month > todayInChina().slice(0, 7)) throw badInput(`${month} has not come yet; a payout is recorded once it is made`, 'month');
    if (!(await disbursementBatch(ctx.db, month))) await payOutMonth(ctx.db, month, ctx.actor?.sub ?? 'system');
    return this.disbursements(ctx, month);
  }

  async requestRefund(ctx: RequestContext, input: RefundInput): Promise<RefundRow> {
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
      mode: enrollment.subsidy_mode as Settlement['mode'],
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
    await ctx.db.query("UPDATE enrollment SET status = 'REFUND_PENDING', updated_at = now() WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = $3", [
      ctx.tenant.code,
      idNumber,
      input.coverageYear,
    ]);
    return row;
  }

  /** An administrator's decision: approval refunds (and cancels a pending reimbursement); rejection restores PAID. */
  async decideRefund(ctx: RequestContext, idNumberInput: string, coverageYear: number, approve: boolean, note: string | null): Promise<RefundRow> {
    const idNumber = idNumberInput.trim().toUpperCase();
    const refund = await refundOf(ctx.db, idNumber, coverageYear, true);
    if (!refund) throw new DomainError('NOT_FOUND', `no refund request for ${maskIdNumber(idNumber)} in ${coverageYear}`, { field: 'idNumber' });
    if (refund.status !== 'PENDING') throw new DomainError('CONFLICT', `the refund request was already ${refund.status}`, { field: 'idNumber' });
    return decideRefund(ctx.db, idNumber, coverageYear, approve, ctx.actor?.sub ?? 'system', note?.trim() || null);
  }

  async refunds(ctx: RequestContext, status: string | null): Promise<RefundRow[]> {
    return refunds(ctx.db, status);
  }

  private checkMonth(month: string): void {
    if (!MONTH.test(month)) throw badInput(`month must be YYYY-MM, got "${month}"`, 'month');
  }
}
