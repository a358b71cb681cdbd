/** Refund requests and an administrator's decisions on them. */
import { Arg, Ctx, FieldResolver, InputType, Field, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { PersonalData, Roles } from '../../graphql/access';
import { connectionTypes, decodeKeyCursor, MAX_PAGE, pageSize, toKeyConnection } from '../../graphql/connection';
import { RefundReasonEnum } from '../../graphql/enums';
import { DateScalar } from '../../graphql/scalars';
import { defineListLoader } from '../../graphql/loaders';
import type { RefundReason } from '../../policy-data/vocabulary';
import { presentExplanation, type Speaker } from '../public-policy/public-policy.presenters';
import { maskIdNumber } from '../residents/id-number';
import { Resident, SortDirectionEnum } from '../residents/residents.types';
import { refundCount, refundPage, refundsOfPeople, type RefundRow } from './refunds.repository';
import { refundsService } from './refunds.service';
import { Refund, RefundInput, RefundStatusEnum } from './refunds.types';

const { ConnectionType: RefundConnection } = connectionTypes(Refund, 'Refund');
type RefundConnection = InstanceType<typeof RefundConnection>;

@InputType()
class RefundFilter {
  @Field(() => RefundStatusEnum, { nullable: true }) status?: 'PENDING' | 'APPROVED' | 'REJECTED' | null;
  @Field(() => Int, { nullable: true }) coverageYear?: number | null;
  @Field(() => RefundReasonEnum, { nullable: true }) reason?: RefundReason | null;
}

/** A person's refund requests, by year and request. */
export const refundsOfPersonLoader = defineListLoader<string, RefundRow>(
  (ctx, ids) => refundsOfPeople(ctx.db, ids),
  (r) => r.id_number,
);

const REQUEST_NO_ARG = "Which of the enrolment's refund requests (Refund.requestNo); by default the latest, the one waiting for a decision.";

const presentRefund = (ctx: Speaker, row: RefundRow): Refund => ({
  id: row.request_no === 1 ? `${row.id_number}/${row.coverage_year}` : `${row.id_number}/${row.coverage_year}/${row.request_no}`,
  requestNo: row.request_no,
  idNumberMasked: maskIdNumber(row.id_number),
  coverageYear: row.coverage_year,
  reason: row.reason as Refund['reason'],
  requestedOn: row.requested_on,
  status: row.status,
  amount: row.amount,
  cancelledReimbursement: row.cancelled_reimbursement,
  explanation: presentExplanation(ctx, row.explanation),
  decidedBy: row.decided_by,
  decisionNote: row.decision_note,
  paidOn: row.paid_on,
  payoutReference: row.payout_reference,
  idNumber: row.id_number,
  policyVersion: row.policy_version,
});

/**
 * A refund list cursor: the day asked for, ID number, year and request number. A cursor given out before
 * requests were numbered has no number; it stood after the enrolment's one request, so it stands after all
 * of them, whichever way the list runs.
 */
function refundCursorKey(after: string, descending: boolean): [string, string, string, string] {
  try {
    return decodeKeyCursor(after, 4) as [string, string, string, string];
  } catch {
    const [day, idNumber, year] = decodeKeyCursor(after, 3);
    return [day, idNumber, year, String(descending ? 0 : 2 ** 31 - 1)];
  }
}

@Resolver(() => Refund)
export class RefundResolver {
  @Roles('ADMIN', 'STAFF', 'TAX')
  @Mutation(() => Refund, { description: "Asks for a refund; the notice's reasons, deadline and timing decide, and an administrator approves." })
  async requestRefund(@Ctx() ctx: RequestContext, @Arg('input', () => RefundInput) input: RefundInput): Promise<Refund> {
    return presentRefund(ctx, await refundsService.requestRefund(ctx, input));
  }

  @Roles('ADMIN')
  @Mutation(() => Refund, { description: 'Approves a pending refund: the enrolment becomes REFUNDED and a pending reimbursement is cancelled.' })
  async approveRefund(
    @Ctx() ctx: RequestContext,
    @Arg('idNumber') idNumber: string,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @Arg('requestNo', () => Int, { nullable: true, description: REQUEST_NO_ARG }) requestNo: number | null,
  ): Promise<Refund> {
    return presentRefund(ctx, await refundsService.decideRefund(ctx, idNumber, coverageYear, requestNo, true, note));
  }

  @Roles('ADMIN')
  @Mutation(() => Refund, { description: 'Rejects a pending refund: the enrolment is PAID again.' })
  async rejectRefund(
    @Ctx() ctx: RequestContext,
    @Arg('idNumber') idNumber: string,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @Arg('requestNo', () => Int, { nullable: true, description: REQUEST_NO_ARG }) requestNo: number | null,
  ): Promise<Refund> {
    return presentRefund(ctx, await refundsService.decideRefund(ctx, idNumber, coverageYear, requestNo, false, note));
  }

  @Roles('ADMIN')
  @Mutation(() => Refund, {
    description:
      "Records that an approved refund was paid back to the person, with the day and the bank's reference; asking again with the same day changes nothing.",
  })
  async recordRefundPayout(
    @Ctx() ctx: RequestContext,
    @Arg('idNumber') idNumber: string,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('paidOn', () => DateScalar) paidOn: string,
    @Arg('reference', () => String, { nullable: true }) reference: string | null,
    @Arg('requestNo', () => Int, {
      nullable: true,
      description:
        "Which of the enrolment's refund requests (Refund.requestNo); by default its one approved request (BAD_USER_INPUT where it has more than one).",
    })
    requestNo: number | null,
  ): Promise<Refund> {
    return presentRefund(ctx, await refundsService.recordRefundPayout(ctx, idNumber, coverageYear, requestNo, paidOn, reference));
  }

  @PersonalData()
  @Roles('ADMIN', 'STAFF')
  @Query(() => RefundConnection, {
    description: 'Refund requests by status, year and reason, by the day asked for, a page at a time: the refund register (退费登记).',
  })
  async refundList(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => RefundFilter, { nullable: true }) filter: RefundFilter | null,
    @Arg('first', () => Int, { defaultValue: 50, description: `At most ${MAX_PAGE}.` }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('direction', () => SortDirectionEnum, { defaultValue: 'ASC', description: 'The order of the days asked for.' }) direction: 'ASC' | 'DESC',
  ): Promise<RefundConnection> {
    pageSize(first);
    const key = after ? refundCursorKey(after, direction === 'DESC') : null;
    const query = {
      status: filter?.status ?? null,
      coverageYear: filter?.coverageYear ?? null,
      reason: filter?.reason ?? null,
      descending: direction === 'DESC',
      after: key,
      limit: first + 1,
    };
    const rows = await refundPage(ctx.db, query);
    return toKeyConnection(
      rows,
      first,
      () => refundCount(ctx.db, query),
      (r) => [r.requested_on, r.id_number, String(r.coverage_year), String(r.request_no)],
      (r) => presentRefund(ctx, r),
    ) as unknown as RefundConnection;
  }

  @PersonalData()
  @Roles('ADMIN', 'STAFF')
  @Query(() => [Refund], { deprecationReason: 'Use refundList: a connection with totalCount and filters.' })
  async refunds(@Ctx() ctx: RequestContext, @Arg('status', () => RefundStatusEnum, { nullable: true }) status: string | null): Promise<Refund[]> {
    return (await refundsService.refunds(ctx, status)).map((r) => presentRefund(ctx, r));
  }
}

/** A person's refunds, added to the residents domain's type here, where refunds live. */
@Resolver(() => Resident)
export class ResidentRefundsResolver {
  @FieldResolver(() => [Refund], { description: "Refund requests of the person's enrolments, with their dates." })
  async refunds(@Ctx() ctx: RequestContext, @Root() resident: Resident): Promise<Refund[]> {
    return (await refundsOfPersonLoader(ctx).load(resident.idNumber)).map((r) => presentRefund(ctx, r));
  }
}
