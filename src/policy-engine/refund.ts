/**
 * Refund rules of a notice (退费), pure: given the policy, the enrolment as paid and the request, the
 * amount refunded and the reimbursement cancelled, or REFUND_NOT_ALLOWED naming the rule and clause.
 */
import { compareDates, type LocalDate } from '../common/dates';
import { DomainError, policyNotConfigured } from '../common/errors';
import { type Fen, formatMoney } from '../common/money';
import type { PolicyYear } from '../policy-data/model';
import type { ExplanationStep } from './explanation';
import { REFUND_REASON_GROUPS, type RefundReason, type SubsidyMode } from '../policy-data/vocabulary';

export interface RefundFacts {
  reason: RefundReason;
  requestedOn: LocalDate;
  status: string;
  amountPaid: Fen;
  /** The day cover starts for this enrolment (its stored cover, else the year's). */
  coverStart: LocalDate;
  mode: SubsidyMode | null;
  /** 先缴后补 subsidy already paid out to the person, and still pending. */
  reimbursedPaidOut: Fen;
  reimbursementPending: Fen;
}

export interface RefundDecision {
  amount: Fen;
  cancelledReimbursement: Fen;
  explanation: ExplanationStep[];
}

export function evaluateRefund(policy: PolicyYear, facts: RefundFacts): RefundDecision {
  const p = policy.data;
  const who = p.notice.number ?? p.notice.title;
  const refuse = (rule: string, clause: string | null, message: string, inferred?: string) =>
    new DomainError('REFUND_NOT_ALLOWED', `${message}${clause ? ` (${clause})` : ''}`, { rule, clause, ...(inferred ? { inferred } : {}) });
  const rules = p.refunds;
  if (!rules || (rules.reasons.length === 0 && rules.nonRefundable.length === 0 && !rules.noneAfterCoverStarts)) {
    throw policyNotConfigured(policy.tenantCode, policy.coverageYear, 'refunds', `${who} does not state refund rules${rules?.refersTo ? ` (it refers to ${rules.refersTo})` : ''}`);
  }
  if (facts.status !== 'PAID') throw refuse('paid', null, `only a paid enrolment can be refunded; this one is ${facts.status}`);
  const steps: ExplanationStep[] = [];

  // A narrower reason (跨省重复缴费) takes the rule the notice gives its wider one (重复缴费).
  const wider = REFUND_REASON_GROUPS[facts.reason];
  const ruleFor = <T extends { reason: RefundReason }>(list: readonly T[]) =>
    list.find((r) => r.reason === facts.reason) ?? (wider ? list.find((r) => r.reason === wider) : undefined);

  const barred = ruleFor(rules.nonRefundable);
  if (barred) throw refuse('non-refundable-reason', barred.clause, `${facts.reason}: the contribution is not refunded`, barred.inferred);
  const afterCover = rules.noneAfterCoverStarts;
  const inScope = afterCover && (!afterCover.reasons || afterCover.reasons.includes(facts.reason) || (wider !== undefined && afterCover.reasons.includes(wider)));
  if (afterCover && inScope && compareDates(facts.requestedOn, facts.coverStart) >= 0) {
    throw refuse('cover-started', afterCover.clause, `cover began on ${facts.coverStart}; no refund for ${facts.reason} once it has begun`, afterCover.inferred);
  }
  const reason = ruleFor(rules.reasons);
  if (!reason) {
    if (rules.reasons.length === 0) {
      throw policyNotConfigured(
        policy.tenantCode,
        policy.coverageYear,
        'refunds.reasons',
        `${who} does not state which reasons allow a refund; whether ${facts.reason} does is not configured${rules.refersTo ? ` (it refers to ${rules.refersTo})` : ''}`,
      );
    }
    const narrower = rules.reasons.filter((r) => REFUND_REASON_GROUPS[r.reason] === facts.reason);
    if (narrower.length > 0) {
      const alternatives = [...narrower.map((r) => r.reason), ...rules.reasons.map((r) => r.reason).filter((r) => r === 'EMPLOYEE_INSURANCE' || r === 'OTHER_POOL')];
      throw refuse(
        'reason',
        narrower[0].clause,
        `${who} refunds only some duplicates (${narrower.map((r) => r.clause).join('; ')}): give ${alternatives.join(', ')} as the case is`,
      );
    }
    throw refuse('reason', rules.clause ?? null, `${facts.reason} is not a refund reason of ${who}; it allows ${rules.reasons.map((r) => r.reason).join(', ')}`);
  }
  steps.push({ rule: 'refund-reason', clause: reason.clause, detail: `${facts.reason} allows a refund${reason.reason !== facts.reason ? ` (as ${reason.reason})` : ''}`, amount: null, inferred: reason.inferred ?? null });

  const windowEnd = p.collectionWindow.end;
  if (reason.deadline === 'COLLECTION_WINDOW_END' && compareDates(facts.requestedOn, windowEnd.date) > 0) {
    throw refuse('deadline', reason.clause, `a refund for ${facts.reason} must be asked for by the end of collection, ${windowEnd.date}`);
  }
  if (rules.withinCollectionWindow && compareDates(facts.requestedOn, windowEnd.date) > 0) {
    throw refuse('deadline', rules.withinCollectionWindow.clause, `refunds are asked for within the collection period, which ended on ${windowEnd.date}`);
  }
  if (rules.deadline && compareDates(facts.requestedOn, rules.deadline.date) > 0) {
    throw refuse('deadline', rules.deadline.clause, `the deadline for refunds was ${rules.deadline.date}`);
  }

  // What the person paid and has not had back; a reimbursement still pending is cancelled instead.
  const amount = Math.max(facts.amountPaid - facts.reimbursedPaidOut, 0);
  if (facts.reimbursedPaidOut > 0 || facts.mode === 'NET_COLLECTION' || facts.mode === 'FULL_SPONSORSHIP') {
    steps.push({
      rule: 'personal-part',
      clause: rules.personalPartOnlyForAssisted?.clause ?? null,
      detail: `only the personal part is refunded: paid ${formatMoney(facts.amountPaid)}${facts.reimbursedPaidOut ? `, less ${formatMoney(facts.reimbursedPaidOut)} already paid back` : ''}`,
      amount,
    });
  }
  if (facts.reimbursementPending > 0) {
    steps.push({ rule: 'reimbursement-cancelled', clause: null, detail: `the pending reimbursement of ${formatMoney(facts.reimbursementPending)} is cancelled`, amount: facts.reimbursementPending });
  }
  steps.push({ rule: 'refund', clause: reason.clause, detail: `refund ${formatMoney(amount)}`, amount });
  return { amount, cancelledReimbursement: facts.reimbursementPending, explanation: steps };
}
