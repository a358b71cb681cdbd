import type { Circumstance } from '../../policy-data/vocabulary';
import type { RequestContext } from '../../context/request-context';
import { maskIdNumber } from '../residents/id-number';
import type { EnrollmentRow, PaymentRow } from './enrollment.repository';
import type { PaymentImportResult } from './enrollment.service';
import type { Enrollment, Payment, PaymentImport } from './enrollment.types';

/** An enrolment without its payments and subsidies, which field resolvers add. */
export const presentEnrollment = (row: EnrollmentRow): Omit<Enrollment, 'payments'> => ({
  idNumber: row.id_number,
  coverageYear: row.coverage_year,
  status: row.status,
  enrolledOn: row.enrolled_on,
  circumstances: row.circumstances as Circumstance[],
  standardContribution: row.standard_contribution,
  subsidy: row.subsidy,
  appliedCategory: row.applied_category as Enrollment['appliedCategory'],
  mode: row.subsidy_mode as Enrollment['mode'],
  amountDue: row.amount_due,
  late: row.late,
  paidOn: row.paid_on,
  amountPaid: row.amount_paid,
  coverage: row.cover_start && row.cover_end ? { start: row.cover_start, end: row.cover_end } : null,
  endedOn: row.ended_on ?? null,
  endReason: (row.end_reason ?? null) as Enrollment['endReason'],
  policyVersion: row.policy_version,
});

export const presentPayment = (row: PaymentRow): Payment => ({
  receiptNo: row.receipt_no,
  idNumberMasked: maskIdNumber(row.id_number),
  coverageYear: row.coverage_year,
  amount: row.amount,
  paidOn: row.paid_on,
  channel: row.channel,
  batchId: row.batch_id,
  payer: row.payer ?? (row.payer_kind === 'PERSON' ? '本人' : null),
  payerKind: row.payer_kind,
  reversed: row.reversed,
  reversedOn: row.reversed_on,
  reversalReason: row.reversal_reason,
});

export const presentPaymentImport = (ctx: Pick<RequestContext, 'say'>, result: PaymentImportResult): PaymentImport => ({
  ...result,
  rows: result.rows.map((r) => ({
    index: r.index,
    receiptNo: r.receiptNo,
    channel: r.channel,
    status: r.status,
    held: r.held !== null,
    error: r.error ? ctx.say(r.error.localized) : r.held ? ctx.say(r.held.localized) : null,
    code: r.error?.code ?? r.held?.code ?? null,
    policyVersion: r.policyVersion,
  })),
});
