/**
 * A draft's standard cases, run through the engine beside the year before: an ordinary resident paying
 * on the window's first and last days, the day before it opens and the day after it closes (late), in the
 * middle of the year of cover; each assistance category either year names; a newborn born in the year of
 * cover and one born just before it; a refund asked for within the window and after cover has begun.
 * Each case is placed by each year's own dates (the window's edges of the draft for the draft, of the
 * year before for the year before), so what differs is what the draft changes.
 */
import { addDays, addMonths, type LocalDate } from '../../common/dates';
import { DomainError } from '../../common/errors';
import { type Localized, text } from '../../common/i18n';
import type { Fen } from '../../common/money';
import type { PolicyYear, Tenant } from '../../policy-data/model';
import { ASSISTANCE_CATEGORY_NAMES, type AssistanceCategory } from '../../policy-data/vocabulary';
import type { PolicyEngine } from '../../policy-engine/policy-engine';

export interface PreviewOutcome {
  /** The day of the payment (of the request, for a refund). */
  date: LocalDate;
  /** OK, or the error's code: ENROLLMENT_CLOSED, POLICY_NOT_CONFIGURED, REFUND_NOT_ALLOWED … */
  outcome: string;
  /** The engine's reason where the case is refused, in both languages. */
  message: Localized | null;
  standardContribution: Fen | null;
  subsidy: Fen | null;
  amountDue: Fen | null;
  reimbursement: Fen | null;
  refund: Fen | null;
  late: boolean | null;
  coverage: { start: LocalDate; end: LocalDate } | null;
  appliedCategory: AssistanceCategory | null;
  /** Values of this answer the notice leaves unstated (the quote's unknowns). */
  unknowns: string[];
}

export interface PreviewRow {
  key: string;
  label: Localized;
  draft: PreviewOutcome;
  before: PreviewOutcome | null;
  /** The draft answers differently from the year before (amounts, refusal, lateness, cover's start in the year). */
  differs: boolean;
}

interface Case {
  key: string;
  label: Localized;
  run(engine: PolicyEngine, tenant: Tenant, policy: PolicyYear): PreviewOutcome;
}

/** Where a year's window opens: its stated start, else the inferred earliest payment. */
function windowOpens(policy: PolicyYear): LocalDate {
  const w = policy.data.collectionWindow;
  return (w.start ?? w.earliestPayment)!.date;
}

function quoteCase(
  key: string,
  label: Localized,
  facts: (p: PolicyYear) => { paymentDate: LocalDate; categories?: AssistanceCategory[]; birthDate?: LocalDate },
): Case {
  return {
    key,
    label,
    run(engine, tenant, policy) {
      const f = facts(policy);
      try {
        const q = engine.quote(tenant, policy, f);
        return {
          date: f.paymentDate,
          outcome: 'OK',
          message: null,
          standardContribution: q.standardContribution,
          subsidy: q.subsidy,
          amountDue: q.amountDue,
          reimbursement: q.reimbursement,
          refund: null,
          late: q.late,
          coverage: q.coverage,
          appliedCategory: q.appliedCategory,
          unknowns: q.unknowns.map((u) => u.path),
        };
      } catch (err) {
        return refused(f.paymentDate, err);
      }
    },
  };
}

function refundCase(key: string, label: Localized, requestedOn: (p: PolicyYear) => LocalDate): Case {
  return {
    key,
    label,
    run(engine, _tenant, policy) {
      const date = requestedOn(policy);
      const standard = policy.data.individualContribution.amount;
      try {
        const decision = engine.refund(policy, {
          reason: 'DEATH',
          requestedOn: date,
          status: 'PAID',
          amountPaid: standard,
          coverStart: policy.data.coverage.start.date,
          mode: null,
          reimbursedPaidOut: 0,
          reimbursementPending: 0,
        });
        return { ...empty(date), outcome: 'OK', standardContribution: standard, refund: decision.amount };
      } catch (err) {
        return refused(date, err);
      }
    },
  };
}

function empty(date: LocalDate): PreviewOutcome {
  return {
    date,
    outcome: 'OK',
    message: null,
    standardContribution: null,
    subsidy: null,
    amountDue: null,
    reimbursement: null,
    refund: null,
    late: null,
    coverage: null,
    appliedCategory: null,
    unknowns: [],
  };
}

function refused(date: LocalDate, err: unknown): PreviewOutcome {
  if (err instanceof DomainError) return { ...empty(date), outcome: err.code, message: err.localized };
  // A draft with errors can break the engine's assumptions (a window that ends before it opens): shown, not thrown.
  const reason = err instanceof Error ? err.message : String(err);
  return { ...empty(date), outcome: 'INVALID', message: text(`草稿数据有误，无法计算（${reason}）`, reason) };
}

function standardCases(categories: readonly AssistanceCategory[]): Case[] {
  const year = (p: PolicyYear) => p.coverageYear;
  return [
    quoteCase('WINDOW_OPENS', text('普通居民，缴费期第一天缴费', "a resident paying on the window's first day"), (p) => ({ paymentDate: windowOpens(p) })),
    quoteCase('WINDOW_CLOSES', text('普通居民，缴费期最后一天缴费', "a resident paying on the window's last day"), (p) => ({
      paymentDate: p.data.collectionWindow.end.date,
    })),
    quoteCase('BEFORE_WINDOW', text('普通居民，缴费期开始前一天缴费', 'a resident paying the day before the window opens'), (p) => ({
      paymentDate: addDays(windowOpens(p), -1),
    })),
    quoteCase('LATE', text('普通居民，缴费期结束后第二天缴费（逾期）', 'a resident paying the day after the window closes (late)'), (p) => ({
      paymentDate: addDays(p.data.collectionWindow.end.date, 1),
    })),
    quoteCase('LATE_MID_YEAR', text('普通居民，待遇年度年中（7 月 1 日）缴费', 'a resident paying in the middle of the year of cover (1 July)'), (p) => ({
      paymentDate: `${year(p)}-07-01`,
    })),
    ...categories.map((category) =>
      quoteCase(`CATEGORY_${category}`, text(`${ASSISTANCE_CATEGORY_NAMES[category]}，缴费期内缴费`, `${category}, paying within the window`), (p) => ({
        paymentDate: p.data.collectionWindow.end.date,
        categories: [category],
      })),
    ),
    quoteCase(
      'NEWBORN_IN_YEAR',
      text('新生儿：待遇年度 6 月 15 日出生，出生后第 10 天缴费', 'a newborn born on 15 June of the year of cover, paid 10 days after birth'),
      (p) => ({
        birthDate: `${year(p)}-06-15`,
        paymentDate: `${year(p)}-06-25`,
      }),
    ),
    quoteCase(
      'NEWBORN_BEFORE_YEAR',
      text('新生儿：上一年 12 月 20 日出生，1 月 5 日缴费', 'a newborn born on 20 December before the year of cover, paid on 5 January'),
      (p) => ({
        birthDate: `${year(p) - 1}-12-20`,
        paymentDate: `${year(p)}-01-05`,
      }),
    ),
    refundCase(
      'REFUND_IN_WINDOW',
      text('死亡退费：缴费期最后一天申请', "a refund for a death, asked for on the window's last day"),
      (p) => p.data.collectionWindow.end.date,
    ),
    refundCase('REFUND_AFTER_COVER', text('死亡退费：待遇开始一个月后申请', 'a refund for a death, asked for a month after cover began'), (p) =>
      addMonths(p.data.coverage.start.date, 1),
    ),
  ];
}

export function previewCases(engine: PolicyEngine, tenant: Tenant, draft: PolicyYear, before: PolicyYear | null): PreviewRow[] {
  const categoriesOf = (p: PolicyYear | null) => (p?.data.assistance?.rules ?? []).map((r) => r.category);
  const categories = [...new Set([...categoriesOf(draft), ...categoriesOf(before)])];
  return standardCases(categories).map((c) => {
    const now = c.run(engine, tenant, draft);
    const then = before ? c.run(engine, tenant, before) : null;
    return { key: c.key, label: c.label, draft: now, before: then, differs: then !== null && differs(now, then) };
  });
}

function differs(a: PreviewOutcome, b: PreviewOutcome): boolean {
  const shape = (o: PreviewOutcome) =>
    JSON.stringify([
      o.outcome,
      o.standardContribution,
      o.subsidy,
      o.amountDue,
      o.reimbursement,
      o.refund,
      o.late,
      o.coverage?.start.slice(5) ?? null,
      o.appliedCategory,
    ]);
  return shape(a) !== shape(b);
}
