import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Roles } from '../access';
import type { RequestContext } from '../../context/request-context';
import type { RefundRow } from '../../assistance/subsidy.repository';
import { maskIdNumber } from '../../registry/id-number';
import { services } from '../../services';
import { AssistanceInput } from '../types/enrollment.types';
import { AssistanceImport, Disbursement, DisbursementBatch, Refund, RefundInput, RefundStatusEnum } from '../types/subsidy.types';

const presentRefund = (row: RefundRow): Refund => ({
  id: `${row.id_number}/${row.coverage_year}`,
  idNumberMasked: maskIdNumber(row.id_number),
  coverageYear: row.coverage_year,
  reason: row.reason as Refund['reason'],
  requestedOn: row.requested_on,
  status: row.status,
  amount: row.amount,
  cancelledReimbursement: row.cancelled_reimbursement,
  explanation: row.explanation,
  decidedBy: row.decided_by,
  decisionNote: row.decision_note,
});

@Resolver(() => DisbursementBatch)
export class SubsidyResolver {
  @Roles('ADMIN')
  @Query(() => DisbursementBatch, { description: 'The 先缴后补 reimbursements due to people in a month ("YYYY-MM"), with totals by funding source.' })
  async disbursements(@Ctx() ctx: RequestContext, @Arg('month') month: string) {
    return services.subsidy.disbursements(ctx, month);
  }

  @Roles('ADMIN')
  @Mutation(() => DisbursementBatch, { description: 'Records the month\'s payout into 一卡通 accounts; asking again returns the batch recorded.' })
  async markDisbursementsPaid(@Ctx() ctx: RequestContext, @Arg('month') month: string) {
    return services.subsidy.markDisbursementsPaid(ctx, month);
  }

  @FieldResolver(() => [Disbursement])
  async items(@Ctx() ctx: RequestContext, @Root() batch: DisbursementBatch): Promise<Disbursement[]> {
    return (await services.subsidy.disbursementItems(ctx, batch.month)).map((i) => ({
      idNumber: i.id_number,
      name: i.name,
      coverageYear: i.coverage_year,
      category: i.category as Disbursement['category'],
      kind: i.kind,
      amount: i.amount,
    }));
  }

  @Roles('ADMIN', 'STAFF', 'TAX')
  @Mutation(() => Refund, { description: 'Asks for a refund; the notice\'s reasons, deadline and timing decide, and an administrator approves.' })
  async requestRefund(@Ctx() ctx: RequestContext, @Arg('input', () => RefundInput) input: RefundInput): Promise<Refund> {
    return presentRefund(await services.subsidy.requestRefund(ctx, input));
  }

  @Roles('ADMIN')
  @Mutation(() => Refund, { description: 'Approves a pending refund: the enrolment becomes REFUNDED and a pending reimbursement is cancelled.' })
  async approveRefund(
    @Ctx() ctx: RequestContext,
    @Arg('idNumber') idNumber: string,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('note', () => String, { nullable: true }) note: string | null,
  ): Promise<Refund> {
    return presentRefund(await services.subsidy.decideRefund(ctx, idNumber, coverageYear, true, note));
  }

  @Roles('ADMIN')
  @Mutation(() => Refund, { description: 'Rejects a pending refund: the enrolment is PAID again.' })
  async rejectRefund(
    @Ctx() ctx: RequestContext,
    @Arg('idNumber') idNumber: string,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('note', () => String, { nullable: true }) note: string | null,
  ): Promise<Refund> {
    return presentRefund(await services.subsidy.decideRefund(ctx, idNumber, coverageYear, false, note));
  }

  @Roles('ADMIN', 'STAFF')
  @Query(() => [Refund])
  async refunds(@Ctx() ctx: RequestContext, @Arg('status', () => RefundStatusEnum, { nullable: true }) status: string | null): Promise<Refund[]> {
    return (await services.subsidy.refunds(ctx, status)).map(presentRefund);
  }

  @Roles('ADMIN', 'AGENCY')
  @Mutation(() => AssistanceImport, { description: 'An agency\'s list of certified people: per-row results; a replay changes nothing.' })
  async importAssistance(@Ctx() ctx: RequestContext, @Arg('identities', () => [AssistanceInput]) identities: AssistanceInput[]): Promise<AssistanceImport> {
    const result = await services.assistance.importIdentities(ctx, identities);
    for (const status of ['ACCEPTED', 'DUPLICATE', 'REJECTED'] as const) {
      ctx.app.metrics.importRows.inc({ kind: 'assistance', status }, result.rows.filter((r) => r.status === status).length);
    }
    return {
      ...result,
      rows: result.rows.map((r) => ({ index: r.index, idNumberMasked: maskIdNumber(r.idNumber), status: r.status, error: r.error?.message ?? null, code: r.error?.code ?? null })),
    };
  }
}
