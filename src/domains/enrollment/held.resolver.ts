/** What is held rather than refused: the values enrolments wait for, money in suspense, import batches read back. */
import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { PersonalData, Roles } from '../../graphql/access';
import { pageSize, toConnection } from '../../graphql/connection';
import { decodeCursor } from '../../graphql/cursor';
import { presentExplanation, type Speaker, type StoredExplanationStep } from '../public-policy/public-policy.presenters';
import { maskIdNumber } from '../residents/id-number';
import type { BatchRowRow, SuspenseRow, WaitingRow } from './held.repository';
import { heldService } from './held.service';
import {
  type HeldPayment,
  HeldPaymentConnection,
  HeldRelease,
  HeldStatusEnum,
  PaymentBatch,
  type PaymentBatchRow,
  WaitingSummary,
  type WaitingValue,
  WaitingValueConnection,
  WaitStatusEnum,
} from './held.types';

const NUMBER = /^\d{1,18}$/;

/** A resolution as kept, its explanation's details in the request's language (older rows hold English only). */
function presentResolution(ctx: Speaker, resolution: Record<string, unknown> | null): unknown {
  const steps = resolution?.explanation;
  return Array.isArray(steps) ? { ...resolution, explanation: presentExplanation(ctx, steps as StoredExplanationStep[]) } : resolution;
}

const presentWaiting = (ctx: Speaker, w: WaitingRow): WaitingValue => ({
  id: String(w.id),
  idNumber: w.id_number,
  name: w.name,
  coverageYear: w.coverage_year,
  missing: w.missing,
  affects: w.affects,
  clause: w.clause,
  refersTo: w.refers_to,
  message: ctx.say({ zh: w.message_zh ?? w.message, en: w.message }),
  since: w.since,
  status: w.status,
  resolvedOn: w.resolved_on,
  stillOpenBecause: w.status === 'WAITING' && w.still_open ? ctx.say(w.still_open) : null,
  resolution: presentResolution(ctx, w.resolution),
});

export const presentHeld = (ctx: Speaker, h: SuspenseRow): HeldPayment => ({
  id: String(h.id),
  channel: h.channel,
  receiptNo: h.receipt_no,
  idNumber: h.id_number,
  coverageYear: h.coverage_year,
  amount: h.amount,
  paidOn: h.paid_on,
  payerKind: h.payer_kind,
  payer: h.payer,
  batchId: h.batch_id,
  rowIndex: h.row_index,
  received: h.received,
  code: h.reason_code,
  reason: ctx.say({ zh: h.reason_zh ?? h.reason, en: h.reason }),
  missing: h.missing,
  status: h.status,
  receivedAt: h.received_at.toISOString(),
  matchedAt: h.matched_at?.toISOString() ?? null,
});

const presentBatchRow = (ctx: Speaker, r: BatchRowRow): PaymentBatchRow => ({
  index: r.row_index,
  receiptNo: r.receipt_no,
  channel: r.channel,
  idNumberMasked: maskIdNumber(r.id_number),
  coverageYear: r.coverage_year,
  amount: r.amount,
  paidOn: r.paid_on,
  status: r.status,
  held: r.held,
  code: r.code,
  error: r.error === null ? null : ctx.say({ zh: r.error_zh ?? r.error, en: r.error }),
  policyVersion: r.policy_version,
});

@Resolver()
export class HeldResolver {
  @PersonalData()
  @Roles('ADMIN', 'STAFF')
  @Query(() => WaitingValueConnection, {
    description: 'Enrolments waiting for a value the notice leaves unstated: for whom, since when, which value, which clause; oldest first.',
  })
  async waitingValues(
    @Ctx() ctx: RequestContext,
    @Arg('coverageYear', () => Int, { nullable: true }) coverageYear: number | null,
    @Arg('missing', () => String, { nullable: true }) missing: string | null,
    @Arg('status', () => WaitStatusEnum, { defaultValue: 'WAITING' }) status: string,
    @Arg('first', () => Int, { defaultValue: 100 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<WaitingValueConnection> {
    const size = pageSize(first);
    const { rows, count } = await heldService.waiting(
      ctx,
      { coverageYear: coverageYear ?? null, missing: missing ?? null, status },
      size,
      after ? Number(decodeCursor(after, NUMBER)) : null,
    );
    return toConnection(
      rows,
      size,
      count,
      (r) => String(r.id),
      (r) => presentWaiting(ctx, r),
    ) as WaitingValueConnection;
  }

  @Roles('ADMIN', 'STAFF')
  @Query(() => [WaitingSummary], { description: 'What waits, by the value it waits for: how many enrolments, since when.' })
  async waitingSummary(@Ctx() ctx: RequestContext, @Arg('coverageYear', () => Int, { nullable: true }) coverageYear: number | null): Promise<WaitingSummary[]> {
    return (await heldService.waitingSummary(ctx, coverageYear ?? null)).map((r) => ({
      coverageYear: r.coverage_year,
      missing: r.missing,
      clause: r.clause,
      refersTo: r.refers_to,
      people: r.people,
      since: r.since,
    }));
  }

  @PersonalData()
  @Roles('ADMIN', 'STAFF', 'TAX')
  @Query(() => HeldPaymentConnection, {
    description: 'Paid at the tax office but not enrolled: money held in suspense (or, with status MATCHED, matched since), oldest first.',
  })
  async heldPayments(
    @Ctx() ctx: RequestContext,
    @Arg('coverageYear', () => Int, { nullable: true }) coverageYear: number | null,
    @Arg('batchId', () => String, { nullable: true }) batchId: string | null,
    @Arg('status', () => HeldStatusEnum, { defaultValue: 'HELD' }) status: 'HELD' | 'MATCHED',
    @Arg('first', () => Int, { defaultValue: 100 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<HeldPaymentConnection> {
    const size = pageSize(first);
    const { rows, totals } = await heldService.heldPayments(
      ctx,
      { coverageYear: coverageYear ?? null, status, batchId: batchId ?? null },
      size,
      after ? Number(decodeCursor(after, NUMBER)) : null,
    );
    return {
      ...toConnection(
        rows,
        size,
        totals.count,
        (r) => String(r.id),
        (r) => presentHeld(ctx, r),
      ),
      total: totals.amount,
    } as HeldPaymentConnection;
  }

  @PersonalData()
  @Roles('ADMIN', 'TAX')
  @Query(() => PaymentBatch, {
    description: "An import batch's results read back by its batchId: each row's outcome (accepted, held, duplicate, rejected with why) and the totals.",
  })
  async paymentBatch(
    @Ctx() ctx: RequestContext,
    @Arg('batchId') batchId: string,
    @Arg('status', () => String, { nullable: true, description: 'ACCEPTED, DUPLICATE or REJECTED: only those rows.' }) status: string | null,
    @Arg('first', () => Int, { defaultValue: 500 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<PaymentBatch> {
    const size = pageSize(first);
    const { summary, rows } = await heldService.batch(ctx, batchId, status, size, after ? Number(decodeCursor(after, NUMBER)) : null);
    return {
      batchId: batchId.trim(),
      rows: summary.rows,
      accepted: summary.accepted,
      held: summary.held,
      duplicates: summary.duplicates,
      rejected: summary.rejected,
      acceptedAmount: summary.accepted_amount,
      heldAmount: summary.held_amount,
      recordedAt: summary.last_recorded_at?.toISOString() ?? null,
      results: toConnection(
        rows,
        size,
        ({ ACCEPTED: summary.accepted, DUPLICATE: summary.duplicates, REJECTED: summary.rejected } as Record<string, number>)[status ?? ''] ?? summary.rows,
        (r) => String(r.row_index),
        (r) => presentBatchRow(ctx, r),
      ) as PaymentBatch['results'],
    };
  }

  @Roles('ADMIN')
  @Mutation(() => HeldRelease, {
    description:
      'Computes what waits where its value is now configured and matches held money that is payable now (the server does this at start; run it after publishing a policy year).',
  })
  async releaseHeld(@Ctx() ctx: RequestContext): Promise<HeldRelease> {
    return heldService.releaseHeld(ctx);
  }
}
