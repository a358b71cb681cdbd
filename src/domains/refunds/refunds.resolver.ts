/** Refund requests and an administrator's decisions on them. */
import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { Roles } from '../../graphql/access';
import { maskIdNumber } from '../residents/id-number';
import type { RefundRow } from './refunds.repository';
import { refundsService } from './refunds.service';
import { Refund, RefundInput, RefundStatusEnum } from './refunds.types';

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

@Resolver(() => Refund)
export class RefundResolver {
  @Roles('ADMIN', 'STAFF', 'TAX')
  @Mutation(() => Refund, { description: 'Asks for a refund; the notice\'s reasons, deadline and timing decide, and an administrator approves.' })
  async requestRefund(@Ctx() ctx: RequestContext, @Arg('input', () => RefundInput) input: RefundInput): Promise<Refund> {
    return presentRefund(await refundsService.requestRefund(ctx, input));
  }

  @Roles('ADMIN')
  @Mutation(() => Refund, { description: 'Approves a pending refund: the enrolment becomes REFUNDED and a pending reimbursement is cancelled.' })
  async approveRefund(
    @Ctx() ctx: RequestContext,
    @Arg('idNumber') idNumber: string,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('note', () => String, { nullable: true }) note: string | null,
  ): Promise<Refund> {
    return presentRefund(await refundsService.decideRefund(ctx, idNumber, coverageYear, true, note));
  }

  @Roles('ADMIN')
  @Mutation(() => Refund, { description: 'Rejects a pending refund: the enrolment is PAID again.' })
  async rejectRefund(
    @Ctx() ctx: RequestContext,
    @Arg('idNumber') idNumber: string,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('note', () => String, { nullable: true }) note: string | null,
  ): Promise<Refund> {
    return presentRefund(await refundsService.decideRefund(ctx, idNumber, coverageYear, false, note));
  }

  @Roles('ADMIN', 'STAFF')
  @Query(() => [Refund])
  async refunds(@Ctx() ctx: RequestContext, @Arg('status', () => RefundStatusEnum, { nullable: true }) status: string | null): Promise<Refund[]> {
    return (await refundsService.refunds(ctx, status)).map(presentRefund);
  }
}
