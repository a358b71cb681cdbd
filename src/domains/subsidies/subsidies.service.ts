/**
 * Subsidies as money: grants recorded when an enrolment is paid (or sponsored), and the monthly payouts
 * of 先缴后补 reimbursements.
 */
import { type LocalDate, todayInChina } from '../../common/dates';
import { badInput } from '../../common/errors';
import type { RequestContext } from '../../context/request-context';
import type { Settlement } from '../../policy-engine/policy-engine';
import { disbursementBatch, disbursementItems, disbursementTotals, type GrantWrite, insertGrants, payOutMonth } from './subsidies.repository';

export interface PaidSettlement {
  idNumber: string;
  coverageYear: number;
  paidOn: LocalDate;
  settlement: Settlement;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export class SubsidiesService {
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

  private checkMonth(month: string): void {
    if (!MONTH.test(month)) throw badInput(`month must be YYYY-MM, got "${month}"`, 'month');
  }
}

export const subsidiesService = new SubsidiesService();
