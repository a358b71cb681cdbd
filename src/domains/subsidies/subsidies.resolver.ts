/** Monthly payouts of 先缴后补 reimbursements into people's 一卡通 accounts, what is due and unscheduled, and the year's totals (ADMIN). */
import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { PersonalData, ReplicaRead, Roles } from '../../graphql/access';
import { pageSize, toConnection } from '../../graphql/connection';
import { decodeCursor } from '../../graphql/cursor';
import { presentDisbursement, presentDue, presentPayoutLine } from './subsidies.presenters';
import { subsidiesService } from './subsidies.service';
import {
  Disbursement,
  DisbursementBatch,
  DueReimbursementConnection,
  PayoutFile,
  PayoutResultImport,
  PayoutResultInput,
  ReimbursementSchedule,
  SubsidyTotals,
} from './subsidies.types';

const ID_CURSOR = /^\d{1,18}$/;
const normalise = (ids: string[] | null | undefined) => (ids && ids.length > 0 ? ids.map((i) => i.trim().toUpperCase()) : null);

@Resolver(() => DisbursementBatch)
export class DisbursementResolver {
  @PersonalData()
  @Roles('ADMIN')
  @Query(() => DisbursementBatch, { description: 'The 先缴后补 reimbursements due to people in a month ("YYYY-MM"), with totals by funding source.' })
  async disbursements(@Ctx() ctx: RequestContext, @Arg('month') month: string) {
    return subsidiesService.disbursements(ctx, month);
  }

  @Roles('ADMIN')
  @Mutation(() => DisbursementBatch, { description: "Records the month's payout into 一卡通 accounts; asking again returns the batch recorded." })
  async markDisbursementsPaid(@Ctx() ctx: RequestContext, @Arg('month') month: string) {
    return subsidiesService.markDisbursementsPaid(ctx, month);
  }

  @Roles('ADMIN')
  @Mutation(() => PayoutFile, {
    description:
      "The month's payout file for the bank, with each person's full 一卡通 or bank account: the one answer that shows it unmasked. A mutation, so that each export is in the audit log.",
  })
  async exportPayoutFile(@Ctx() ctx: RequestContext, @Arg('month') month: string): Promise<PayoutFile> {
    const items = await subsidiesService.disbursementItems(ctx, month);
    const lines = items.filter((i) => i.status !== 'REISSUED').map(presentPayoutLine);
    return { month, count: lines.length, total: lines.reduce((s, l) => s + l.amount, 0), withoutAccount: lines.filter((l) => !l.bankAccount).length, lines };
  }

  @Roles('ADMIN')
  @Mutation(() => PayoutResultImport, {
    description: "The bank's result file of a month's payout: PAID, FAILED or RETURNED per person; failed and returned reimbursements are re-issued as DUE.",
  })
  async recordPayoutResults(
    @Ctx() ctx: RequestContext,
    @Arg('month') month: string,
    @Arg('results', () => [PayoutResultInput]) results: PayoutResultInput[],
  ): Promise<PayoutResultImport> {
    return subsidiesService.recordPayoutResults(ctx, month, results);
  }

  @PersonalData()
  @Roles('ADMIN')
  @Query(() => DueReimbursementConnection, {
    description: 'Reimbursements due and not scheduled into any payout month (the notice states none, or a payout failed), oldest first.',
  })
  async dueReimbursements(
    @Ctx() ctx: RequestContext,
    @Arg('coverageYear', () => Int, { nullable: true }) coverageYear: number | null,
    @Arg('first', () => Int, { defaultValue: 100 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<DueReimbursementConnection> {
    const size = pageSize(first);
    const filter = { coverageYear: coverageYear ?? null, idNumbers: null };
    const { rows, totals } = await subsidiesService.dueReimbursements(ctx, filter, size, after ? Number(decodeCursor(after, ID_CURSOR)) : null);
    return { ...toConnection(rows, size, totals.count, (r) => String(r.id), presentDue), total: totals.total } as DueReimbursementConnection;
  }

  @Roles('ADMIN')
  @Mutation(() => ReimbursementSchedule, {
    description: "Schedules due reimbursements (all, a year's, or some people's) into a payout month whose payout is not yet recorded.",
  })
  async scheduleReimbursements(
    @Ctx() ctx: RequestContext,
    @Arg('month') month: string,
    @Arg('coverageYear', () => Int, { nullable: true }) coverageYear: number | null,
    @Arg('idNumbers', () => [String], { nullable: true }) idNumbers: string[] | null,
  ): Promise<ReimbursementSchedule> {
    return subsidiesService.scheduleReimbursements(ctx, month, { coverageYear: coverageYear ?? null, idNumbers: normalise(idNumbers) });
  }

  @Roles('ADMIN', 'STAFF')
  @ReplicaRead()
  @Query(() => SubsidyTotals, { description: "A year's subsidies by category and by funding source: what each budget and the 医疗救助 fund owes." })
  async subsidyTotals(@Ctx() ctx: RequestContext, @Arg('coverageYear', () => Int) coverageYear: number): Promise<SubsidyTotals> {
    const totals = await subsidiesService.subsidyTotals(ctx, coverageYear);
    return {
      ...totals,
      byCategory: totals.byCategory.map((r) => ({
        category: r.category as never,
        mode: r.mode as never,
        people: r.people,
        amount: r.amount,
        paidOut: r.paid_out,
        owed: r.owed,
      })),
    };
  }

  @FieldResolver(() => [Disbursement])
  async items(@Ctx() ctx: RequestContext, @Root() batch: DisbursementBatch): Promise<Disbursement[]> {
    return (await subsidiesService.disbursementItems(ctx, batch.month)).map(presentDisbursement);
  }
}
