/**
 * Subsidies as money: grants recorded when an enrolment is paid (or sponsored), and the monthly payouts
 * of 先缴后补 reimbursements.
 */
import { isLocalDate, type LocalDate, todayInChina } from '../../common/dates';
import { badInput, DomainError } from '../../common/errors';
import { text } from '../../common/i18n';
import type { RequestContext } from '../../context/request-context';
import type { Settlement } from '../../policy-engine/policy-engine';
import { maskIdNumber } from '../residents/id-number';
import {
  disbursementBatch,
  disbursementItems,
  disbursementTotals,
  type DueFilter,
  dueGrants,
  dueTotals,
  type EnrollmentGrantRow,
  type GrantWrite,
  insertGrants,
  monthsPaidOut,
  paidOutGrants,
  payOutMonth,
  type PayoutResult,
  payoutResultCounts,
  recordPayoutResults,
  scheduleDue,
  subsidyTotalsByCategory,
  subsidyTotalsBySource,
} from './subsidies.repository';

export interface PayoutResultRequest {
  idNumber: string;
  coverageYear: number;
  amount: number;
  result: PayoutResult;
  resultOn: LocalDate;
  note?: string | null;
  reference?: string | null;
}

export interface PaidSettlement {
  idNumber: string;
  coverageYear: number;
  paidOn: LocalDate;
  settlement: Settlement;
}

/** A settlement that grants a subsidy: an amount, a mode and the category it is for. */
const withSubsidy = (p: PaidSettlement) => p.settlement.subsidy > 0 && !!p.settlement.mode && !!p.settlement.appliedCategory;

/** A payout's result as clerks say it, for messages in Chinese. */
const PAYOUT_RESULT_NAMES: Readonly<Record<string, string>> = { PAID: '已到账', FAILED: '发放失败', RETURNED: '已退回' };
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export class SubsidiesService {
  /**
   * The grants of enrolments just paid: netted at collection (差额征缴) and full sponsorships are settled
   * on the spot; 先缴后补 reimbursements are scheduled for the month the notice says (当月参保、次月资助), or
   * DUE where it names none, until an administrator schedules them. A subsidy whose amount the notice
   * leaves unstated gets no grant here: it waits (waiting_value) and is granted when configured.
   */
  async recordForPayments(ctx: RequestContext, paid: readonly PaidSettlement[]): Promise<void> {
    const known = paid.filter((p) => !p.settlement.unknowns.some((u) => u.affects.includes('subsidy')));
    // Each of these enrolments was just paid from a state with no live grant (a reversal cancels its
    // grants, a refund or another end closes their period): one found means a grant paid twice, refused.
    await insertGrants(ctx.db, this.writes(await this.closedMonths(ctx, known), known, 'AT_PAYMENT'), 'refuse');
  }

  /**
   * Grants computed once a value they waited for is configured. The notice's payout month stands unless
   * that month's payout is already recorded: then the reimbursement is DUE, to be scheduled. An enrolment
   * granted its subsidy meanwhile (certified after payment, NEWLY_CERTIFIED, while this waited) keeps that
   * one grant: `skipped` names those left out (idNumber/coverageYear), for the wait to say so.
   */
  async recordResolved(ctx: RequestContext, paid: readonly PaidSettlement[]): Promise<{ skipped: Set<string> }> {
    const writes = this.writes(await this.closedMonths(ctx, paid), paid, 'AT_PAYMENT');
    const done = await insertGrants(ctx.db, writes, 'skip');
    const keyOf = (g: GrantWrite) => `${g.idNumber}/${g.coverageYear}`;
    return { skipped: new Set(writes.filter((g) => !done.has(keyOf(g))).map(keyOf)) };
  }

  /** The payout months these grants would take whose payout is already recorded (held until the transaction ends). */
  private async closedMonths(ctx: RequestContext, paid: readonly PaidSettlement[]): Promise<Set<string>> {
    const months = paid.filter(withSubsidy).map((p) => p.settlement.reimbursementMonth);
    return monthsPaidOut(ctx.db, [...new Set(months.filter((m): m is string => !!m))]);
  }

  private writes(closed: ReadonlySet<string>, paid: readonly PaidSettlement[], kind: GrantWrite['kind']): GrantWrite[] {
    return paid.filter(withSubsidy).map((p): GrantWrite => {
      const reimbursement = p.settlement.mode === 'REIMBURSEMENT';
      const month = reimbursement && p.settlement.reimbursementMonth && !closed.has(p.settlement.reimbursementMonth) ? p.settlement.reimbursementMonth : null;
      return {
        idNumber: p.idNumber,
        coverageYear: p.coverageYear,
        category: p.settlement.appliedCategory!,
        mode: p.settlement.mode!,
        kind,
        amount: p.settlement.subsidy,
        grantedOn: p.paidOn,
        payoutMonth: month,
        status: reimbursement ? (month ? 'SCHEDULED' : 'DUE') : 'SETTLED',
        funding: p.settlement.fundingShares,
        clause: p.settlement.explanation.find((s) => s.rule === 'assistance')?.clause ?? null,
        policyVersion: p.settlement.policyVersion,
      };
    });
  }

  /** Reimbursements due with no payout month (the notice states none, or theirs was already paid out). */
  async dueReimbursements(ctx: RequestContext, filter: DueFilter, first: number, afterId: number | null) {
    const [rows, totals] = await Promise.all([dueGrants(ctx.db, filter, afterId, first + 1), dueTotals(ctx.db, filter)]);
    return { rows, totals };
  }

  /** An administrator schedules due reimbursements into a payout month not yet paid out. */
  async scheduleReimbursements(ctx: RequestContext, month: string, filter: DueFilter) {
    this.checkMonth(month);
    // The month held (shared) until this commits: its payout cannot be recorded between the check and the scheduling.
    if ((await monthsPaidOut(ctx.db, [month])).has(month)) {
      throw new DomainError(
        'CONFLICT',
        text(
          `${month} 的发放已记录，不能再排入；请选择之后的月份`,
          `the payout of ${month} is recorded; nothing more is scheduled into it: choose a later month`,
        ),
        { field: 'month' },
      );
    }
    const scheduled = await scheduleDue(ctx.db, month, filter, ctx.actor?.sub ?? 'system');
    return { month, ...scheduled, remaining: (await dueTotals(ctx.db, filter)).count };
  }

  /**
   * The bank's result file of a month's payout, one row per person and year: PAID, or FAILED/RETURNED, when
   * the money did not reach the account; such a reimbursement is re-issued as DUE, to be scheduled again.
   * Per-row outcomes; a row already recorded with the same result is a duplicate.
   */
  async recordPayoutResults(ctx: RequestContext, month: string, rows: readonly PayoutResultRequest[]) {
    this.checkMonth(month);
    if (!(await disbursementBatch(ctx.db, month))) {
      throw new DomainError(
        'CONFLICT',
        text(
          `${month} 的发放尚未记录（markDisbursementsPaid），没有可对应的结果`,
          `the payout of ${month} is not recorded (markDisbursementsPaid): there is nothing for results to match`,
        ),
        { field: 'month' },
      );
    }
    if (rows.length > 10_000) throw badInput(text(`每次最多 10000 行，本次有 ${rows.length} 行`, `at most 10000 rows per call, got ${rows.length}`), 'results');
    const keys = rows.map((r) => ({ idNumber: r.idNumber.trim().toUpperCase(), coverageYear: r.coverageYear }));
    const grants = await paidOutGrants(ctx.db, month, keys);
    const byKey = new Map<string, EnrollmentGrantRow[]>();
    for (const g of grants) byKey.set(`${g.id_number}/${g.coverage_year}`, [...(byKey.get(`${g.id_number}/${g.coverage_year}`) ?? []), g]);
    const seen = new Set<string>();
    const results: Array<{ id: number; result: PayoutResult; on: string; note: string | null; reference: string | null }> = [];
    const reissues: GrantWrite[] = [];
    const outcomes = rows.map((row, index) => {
      const key = `${keys[index].idNumber}/${keys[index].coverageYear}`;
      const fail = (error: DomainError) => ({
        index,
        idNumberMasked: maskIdNumber(keys[index].idNumber),
        status: 'REJECTED' as const,
        code: error.code,
        error: ctx.say(error.localized),
      });
      if (!isLocalDate(row.resultOn)) return fail(badInput(text('结果日期应为日期（YYYY-MM-DD）', `resultOn must be a date YYYY-MM-DD`), 'resultOn'));
      if (seen.has(key))
        return fail(
          new DomainError(
            'CONFLICT',
            text(
              `${maskIdNumber(keys[index].idNumber)} ${row.coverageYear} 在结果文件中出现两次`,
              `${maskIdNumber(keys[index].idNumber)} ${row.coverageYear} appears twice in the result file`,
            ),
            { field: 'idNumber' },
          ),
        );
      seen.add(key);
      const own = byKey.get(key) ?? [];
      if (own.length === 0)
        return fail(
          new DomainError(
            'NOT_FOUND',
            text(
              `${maskIdNumber(keys[index].idNumber)} 在 ${month} 的发放中没有 ${row.coverageYear} 年度的资助`,
              `${maskIdNumber(keys[index].idNumber)} has no subsidy of ${row.coverageYear} in the payout of ${month}`,
            ),
            { field: 'idNumber' },
          ),
        );
      const total = own.reduce((s, g) => s + g.amount, 0);
      if (total !== row.amount)
        return fail(
          badInput(
            text(
              `${month} 发放给该人员的金额为 ${(total / 100).toFixed(2)}，不是 ${(row.amount / 100).toFixed(2)}`,
              `the payout of ${month} to this person is ${(total / 100).toFixed(2)}, not ${(row.amount / 100).toFixed(2)}`,
            ),
            'amount',
          ),
        );
      const recorded = own.filter((g) => g.payout_result !== null);
      if (recorded.length > 0) {
        if (recorded.every((g) => g.payout_result === row.result))
          return { index, idNumberMasked: maskIdNumber(keys[index].idNumber), status: 'DUPLICATE' as const, code: null, error: null };
        return fail(
          new DomainError(
            'CONFLICT',
            text(
              `该人员 ${month} 的发放结果已记录为“${PAYOUT_RESULT_NAMES[recorded[0].payout_result!] ?? recorded[0].payout_result}”`,
              `the result of this person's payout of ${month} is already recorded as ${recorded[0].payout_result}`,
            ),
            { field: 'result' },
          ),
        );
      }
      for (const g of own) {
        results.push({ id: g.id, result: row.result, on: row.resultOn, note: row.note?.trim() || null, reference: row.reference?.trim() || null });
        if (row.result !== 'PAID') {
          reissues.push({
            idNumber: g.id_number,
            coverageYear: g.coverage_year,
            category: g.category,
            mode: g.mode,
            kind: g.kind,
            amount: g.amount,
            grantedOn: g.granted_on,
            payoutMonth: null,
            status: 'DUE',
            funding: g.funding,
            clause: null,
            reissueOf: g.id,
            policyVersion: g.policy_version,
            // Written with the marks of the grant it replaces, so that the key of live grants sees the
            // re-issue of an ended period as of that period from the start.
            deductedByRefund: g.deducted_by_refund,
            endedByRefund: g.ended_by_refund,
            periodEndedOn: g.period_ended_on,
          });
        }
      }
      return { index, idNumberMasked: maskIdNumber(keys[index].idNumber), status: 'ACCEPTED' as const, code: null, error: null };
    });
    // The grants replaced are REISSUED first: each re-issue then stands in its place as the live grant.
    await recordPayoutResults(ctx.db, results);
    await insertGrants(ctx.db, reissues, 'refuse');
    const count = (status: string) => outcomes.filter((o) => o.status === status).length;
    return { month, accepted: count('ACCEPTED'), duplicates: count('DUPLICATE'), rejected: count('REJECTED'), reissued: reissues.length, rows: outcomes };
  }

  /** The subsidies of a year by category and by funding source (what each budget and the 医疗救助 fund owes). */
  async subsidyTotals(ctx: RequestContext, coverageYear: number) {
    const [byCategory, bySource] = await Promise.all([subsidyTotalsByCategory(ctx.db, coverageYear), subsidyTotalsBySource(ctx.db, coverageYear)]);
    return {
      coverageYear,
      total: byCategory.reduce((s, r) => s + r.amount, 0),
      paidOut: byCategory.reduce((s, r) => s + r.paid_out, 0),
      owed: byCategory.reduce((s, r) => s + r.owed, 0),
      byCategory,
      bySource,
    };
  }

  async disbursements(ctx: RequestContext, month: string) {
    this.checkMonth(month);
    const [totals, batch, results] = await Promise.all([
      disbursementTotals(ctx.db, month),
      disbursementBatch(ctx.db, month),
      payoutResultCounts(ctx.db, month),
    ]);
    return { month, ...totals, paid: batch !== null, paidAt: batch?.paid_at.toISOString() ?? null, paidBy: batch?.paid_by ?? null, results };
  }

  async disbursementItems(ctx: RequestContext, month: string) {
    this.checkMonth(month);
    return disbursementItems(ctx.db, month);
  }

  /** Records the month's payout; asking again, or at the same time, returns the batch recorded. */
  async markDisbursementsPaid(ctx: RequestContext, month: string) {
    this.checkMonth(month);
    if (month > todayInChina().slice(0, 7))
      throw badInput(text(`${month} 尚未到来；发放完成后才能记录`, `${month} has not come yet; a payout is recorded once it is made`), 'month');
    await payOutMonth(ctx.db, month, ctx.actor?.sub ?? 'system');
    return this.disbursements(ctx, month);
  }

  private checkMonth(month: string): void {
    if (!MONTH.test(month)) throw badInput(text(`月份应为 YYYY-MM 格式，收到的是“${month}”`, `month must be YYYY-MM, got "${month}"`), 'month');
  }
}

export const subsidiesService = new SubsidiesService();
