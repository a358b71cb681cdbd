/**
 * Refund rules of a notice (退费), pure: given the policy, the enrolment as paid and the request, the
 * amount refunded and the reimbursement cancelled, or REFUND_NOT_ALLOWED naming the rule and clause.
 */
import { compareDates, type LocalDate } from '../common/dates';
import { DomainError, policyNotConfigured } from '../common/errors';
import { type Localized, text } from '../common/i18n';
import { type Fen, formatMoney } from '../common/money';
import type { PolicyYear } from '../policy-data/model';
import type { ExplanationStep } from './explanation';
import { ENROLLMENT_STATUS_NAMES, REFUND_REASON_GROUPS, REFUND_REASON_NAMES, type RefundReason, type SubsidyMode } from '../policy-data/vocabulary';

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
  const whoZh = p.notice.number ?? `《${p.notice.title}》`;
  const refuse = (rule: string, clause: string | null, message: Localized, inferred?: string) =>
    new DomainError('REFUND_NOT_ALLOWED', text(`${message.zh}${clause ? `（${clause}）` : ''}`, `${message.en}${clause ? ` (${clause})` : ''}`), {
      rule,
      clause,
      ...(inferred ? { inferred } : {}),
    });
  const reasonName = (reason: RefundReason) => REFUND_REASON_NAMES[reason];
  const refersZh = p.refunds?.refersTo ? `（通知规定按${p.refunds.refersTo}执行）` : '';
  const rules = p.refunds;
  if (!rules || (rules.reasons.length === 0 && rules.nonRefundable.length === 0 && !rules.noneAfterCoverStarts)) {
    throw policyNotConfigured(
      policy.tenantCode,
      policy.coverageYear,
      'refunds',
      text(`${whoZh}未写明退费规定${refersZh}`, `${who} does not state refund rules${rules?.refersTo ? ` (it refers to ${rules.refersTo})` : ''}`),
    );
  }
  if (facts.status !== 'PAID') {
    throw refuse(
      'paid',
      null,
      text(
        `只有已缴费的参保才能退费；此项为“${ENROLLMENT_STATUS_NAMES[facts.status] ?? facts.status}”`,
        `only a paid enrolment can be refunded; this one is ${facts.status}`,
      ),
    );
  }
  const steps: ExplanationStep[] = [];

  // A narrower reason (跨省重复缴费) takes the rule the notice gives its wider one (重复缴费).
  const wider = REFUND_REASON_GROUPS[facts.reason];
  const ruleFor = <T extends { reason: RefundReason }>(list: readonly T[]) =>
    list.find((r) => r.reason === facts.reason) ?? (wider ? list.find((r) => r.reason === wider) : undefined);

  const barred = ruleFor(rules.nonRefundable);
  if (barred)
    throw refuse(
      'non-refundable-reason',
      barred.clause,
      text(`${reasonName(facts.reason)}：已缴费用不予退还`, `${facts.reason}: the contribution is not refunded`),
      barred.inferred,
    );
  const afterCover = rules.noneAfterCoverStarts;
  const inScope =
    afterCover && (!afterCover.reasons || afterCover.reasons.includes(facts.reason) || (wider !== undefined && afterCover.reasons.includes(wider)));
  if (afterCover && inScope && compareDates(facts.requestedOn, facts.coverStart) >= 0) {
    throw refuse(
      'cover-started',
      afterCover.clause,
      text(
        `待遇已于 ${facts.coverStart} 开始享受；待遇开始后，因${reasonName(facts.reason)}不予退费`,
        `cover began on ${facts.coverStart}; no refund for ${facts.reason} once it has begun`,
      ),
      afterCover.inferred,
    );
  }
  const reason = ruleFor(rules.reasons);
  if (!reason) {
    if (rules.reasons.length === 0) {
      throw policyNotConfigured(
        policy.tenantCode,
        policy.coverageYear,
        'refunds.reasons',
        text(
          `${whoZh}未写明哪些情形可以退费；${reasonName(facts.reason)}能否退费尚未配置${refersZh}`,
          `${who} does not state which reasons allow a refund; whether ${facts.reason} does is not configured${rules.refersTo ? ` (it refers to ${rules.refersTo})` : ''}`,
        ),
      );
    }
    const narrower = rules.reasons.filter((r) => REFUND_REASON_GROUPS[r.reason] === facts.reason);
    if (narrower.length > 0) {
      const alternatives = [
        ...narrower.map((r) => r.reason),
        ...rules.reasons.map((r) => r.reason).filter((r) => r === 'EMPLOYEE_INSURANCE' || r === 'OTHER_POOL'),
      ];
      throw refuse(
        'reason',
        narrower[0].clause,
        text(
          `${whoZh}只对部分重复缴费退费（${narrower.map((r) => r.clause).join('；')}）：请按实际情形改填 ${alternatives.map((a) => `${a}（${reasonName(a)}）`).join('、')}`,
          `${who} refunds only some duplicates (${narrower.map((r) => r.clause).join('; ')}): give ${alternatives.join(', ')} as the case is`,
        ),
      );
    }
    throw refuse(
      'reason',
      rules.clause ?? null,
      text(
        `${reasonName(facts.reason)}不属于${whoZh}规定的退费情形；可退费的情形为${rules.reasons.map((r) => reasonName(r.reason)).join('、')}`,
        `${facts.reason} is not a refund reason of ${who}; it allows ${rules.reasons.map((r) => r.reason).join(', ')}`,
      ),
    );
  }
  steps.push({
    rule: 'refund-reason',
    clause: reason.clause,
    detail: text(
      `${reasonName(facts.reason)}，可以退费${reason.reason !== facts.reason ? `（按${reasonName(reason.reason)}办理）` : ''}`,
      `${facts.reason} allows a refund${reason.reason !== facts.reason ? ` (as ${reason.reason})` : ''}`,
    ),
    amount: null,
    inferred: reason.inferred ?? null,
  });

  const windowEnd = p.collectionWindow.end;
  if (reason.deadline === 'COLLECTION_WINDOW_END' && compareDates(facts.requestedOn, windowEnd.date) > 0) {
    throw refuse(
      'deadline',
      reason.clause,
      text(
        `因${reasonName(facts.reason)}退费，须在集中缴费期结束（${windowEnd.date}）前申请`,
        `a refund for ${facts.reason} must be asked for by the end of collection, ${windowEnd.date}`,
      ),
    );
  }
  if (rules.withinCollectionWindow && compareDates(facts.requestedOn, windowEnd.date) > 0) {
    throw refuse(
      'deadline',
      rules.withinCollectionWindow.clause,
      text(
        `退费须在集中缴费期内申请，集中缴费期已于 ${windowEnd.date} 结束`,
        `refunds are asked for within the collection period, which ended on ${windowEnd.date}`,
      ),
    );
  }
  if (rules.deadline && compareDates(facts.requestedOn, rules.deadline.date) > 0) {
    throw refuse('deadline', rules.deadline.clause, text(`退费申请已于 ${rules.deadline.date} 截止`, `the deadline for refunds was ${rules.deadline.date}`));
  }

  // What the person paid and has not had back; a reimbursement still pending is cancelled instead.
  const amount = Math.max(facts.amountPaid - facts.reimbursedPaidOut, 0);
  if (facts.reimbursedPaidOut > 0 || facts.mode === 'NET_COLLECTION' || facts.mode === 'FULL_SPONSORSHIP') {
    steps.push({
      rule: 'personal-part',
      clause: rules.personalPartOnlyForAssisted?.clause ?? null,
      detail: text(
        `只退个人缴费部分：已缴 ${formatMoney(facts.amountPaid)} 元${facts.reimbursedPaidOut ? `，扣除已返还的 ${formatMoney(facts.reimbursedPaidOut)} 元` : ''}`,
        `only the personal part is refunded: paid ${formatMoney(facts.amountPaid)}${facts.reimbursedPaidOut ? `, less ${formatMoney(facts.reimbursedPaidOut)} already paid back` : ''}`,
      ),
      amount,
    });
  }
  if (facts.reimbursementPending > 0) {
    steps.push({
      rule: 'reimbursement-cancelled',
      clause: null,
      detail: text(
        `尚未发放的返还资助 ${formatMoney(facts.reimbursementPending)} 元予以取消`,
        `the pending reimbursement of ${formatMoney(facts.reimbursementPending)} is cancelled`,
      ),
      amount: facts.reimbursementPending,
    });
  }
  steps.push({ rule: 'refund', clause: reason.clause, detail: text(`退费 ${formatMoney(amount)} 元`, `refund ${formatMoney(amount)}`), amount });
  return { amount, cancelledReimbursement: facts.reimbursementPending, explanation: steps };
}
