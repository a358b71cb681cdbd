/**
 * The policy engine. Pure: given one tenant-year's policy (as loaded from tenants/) and the facts of a
 * person and a payment date, it returns amounts, dates and the steps that led to them. No database,
 * no clock, no request: everything it needs comes in as arguments, so the notices' own numbers can be
 * tested table by table.
 */
import {
  addDays,
  addMonths,
  compareDates,
  firstDayOfNextMonth,
  type LocalDate,
  maxDate,
  nextMonth,
  yearOf,
} from '../common/dates';
import { DomainError, badInput, policyNotConfigured } from '../common/errors';
import { type Fen, formatMoney } from '../common/money';
import type { AssistanceRuleData } from '../policy-data/format';
import type { PolicyYear, Tenant } from '../policy-data/model';
import { allocateFunding, type FundingShare } from '../policy-data/funding';
import type { ExplanationStep } from './explanation';
import { evaluateRefund, type RefundDecision, type RefundFacts } from './refund';
import { type AssistanceCategory, type Circumstance, DIBAO_CLASSES, type SubsidyMode } from '../policy-data/vocabulary';

export interface QuoteFacts {
  paymentDate: LocalDate;
  categories?: readonly AssistanceCategory[] | null;
  circumstances?: readonly Circumstance[] | null;
  birthDate?: LocalDate | null;
  region?: string | null;
}


export interface DateRange {
  start: LocalDate;
  end: LocalDate;
}

/** What a person owes on a payment date, without the cover dates (which some notices leave unstated). */
export interface Contribution {
  standardContribution: Fen;
  subsidy: Fen;
  appliedCategory: AssistanceCategory | null;
  mode: SubsidyMode | null;
  amountDue: Fen;
  reimbursement: Fen;
  netCost: Fen;
  /** "YYYY-MM" in which a 先缴后补 reimbursement is paid, where the notice says when. */
  reimbursementMonth: string | null;
  fundingShares: FundingShare[];
  late: boolean;
  explanation: ExplanationStep[];
}

export interface Quote extends Contribution {
  coverage: DateRange;
}

/** How the person comes to be enrolled on the payment date, and what that means for cover. */
interface Route {
  late: boolean;
  standard: Fen;
  /** A date, or a function that fails with POLICY_NOT_CONFIGURED when the notice does not say. */
  coverStart: () => LocalDate;
  assistanceLost: { clause: string } | null;
}

interface Candidate {
  category: AssistanceCategory;
  rule: AssistanceRuleData;
  amount: Fen;
  mode: SubsidyMode;
}

/** A contribution with its cover where the notice states it, or why it cannot be known. */
export interface Settlement extends Contribution {
  coverage: DateRange | null;
  coverageUnstated: DomainError | null;
}

export class PolicyEngine {
  /** The full quote: amounts, funding, cover and the explanation. */
  quote(tenant: Tenant, policy: PolicyYear, facts: QuoteFacts): Quote {
    const { coverage, coverageUnstated, ...contribution } = this.settle(tenant, policy, facts);
    if (!coverage) throw coverageUnstated!;
    return { ...contribution, coverage };
  }

  /**
   * What a payment on that date settles: the amounts, and the cover where the notice states when it
   * starts. Where it does not (贵阳's 零星缴费), the amounts still stand and coverage is null with the
   * POLICY_NOT_CONFIGURED error that says what is missing; a payment can be taken, its cover not guessed.
   */
  settle(tenant: Tenant, policy: PolicyYear, facts: QuoteFacts): Settlement {
    const { route, contribution } = this.price(tenant, policy, facts);
    let start: LocalDate;
    try {
      start = route.coverStart();
    } catch (err) {
      if (err instanceof DomainError && err.code === 'POLICY_NOT_CONFIGURED') return { ...contribution, coverage: null, coverageUnstated: err };
      throw err;
    }
    const coverage = { start, end: policy.data.coverage.end.date };
    if (compareDates(start, coverage.end) > 0) {
      throw new DomainError(
        'ENROLLMENT_CLOSED',
        `cover would start on ${start}, after the year of cover ${policy.coverageYear} ends on ${coverage.end}`,
        { rule: 'coverage', clause: policy.data.coverage.end.clause },
      );
    }
    contribution.explanation.push({
      rule: 'coverage',
      clause: policy.data.coverage.end.clause,
      detail: `cover from ${coverage.start} to ${coverage.end}`,
      amount: null,
    });
    return { ...contribution, coverage, coverageUnstated: null };
  }

  /**
   * The subsidy a set of categories earns under the notice (one category, the highest, never above the
   * standard) and who funds it; null when none. Used when an identity changes after payment.
   */
  assistanceFor(
    tenant: Tenant,
    policy: PolicyYear,
    categories: readonly AssistanceCategory[],
    region: string | null,
  ): { category: AssistanceCategory; amount: Fen; mode: SubsidyMode; fundingShares: FundingShare[]; clause: string } | null {
    const steps: ExplanationStep[] = [];
    const candidates = this.candidates(policy, [...new Set(categories)], policy.data.individualContribution.amount, steps);
    if (candidates.length === 0) return null;
    const best = this.chooseCategory(policy, candidates, steps);
    return { category: best.category, amount: best.amount, mode: best.mode, fundingShares: this.funding(tenant, best, region, steps), clause: best.rule.clause };
  }

  /** What a refund request comes to under the notice's rules, or REFUND_NOT_ALLOWED with rule and clause. */
  refund(policy: PolicyYear, facts: RefundFacts): RefundDecision {
    return evaluateRefund(policy, facts);
  }

  /** What is owed on the payment date; needs no cover dates, so it also serves where cover is unstated. */
  contribution(tenant: Tenant, policy: PolicyYear, facts: QuoteFacts): Contribution {
    return this.price(tenant, policy, facts).contribution;
  }

  private price(tenant: Tenant, policy: PolicyYear, facts: QuoteFacts): { route: Route; contribution: Contribution } {
    this.checkFacts(tenant, policy, facts);
    const steps: ExplanationStep[] = [];
    const route = this.route(policy, facts, steps);
    const contribution = this.applyAssistance(tenant, policy, facts, route, steps);
    return { route, contribution };
  }

  private checkFacts(tenant: Tenant, policy: PolicyYear, facts: QuoteFacts): void {
    if (facts.region && !tenant.regionsByCode.has(facts.region)) {
      throw badInput(`region ${facts.region} is not a region of ${tenant.name} (${tenant.code})`, 'region');
    }
    if (facts.birthDate) {
      if (compareDates(facts.birthDate, facts.paymentDate) > 0) {
        throw badInput(`birthDate ${facts.birthDate} is after paymentDate ${facts.paymentDate}`, 'birthDate');
      }
      if (compareDates(facts.birthDate, policy.data.coverage.end.date) > 0) {
        throw badInput(`birthDate ${facts.birthDate} is after the year of cover ${policy.coverageYear} ends`, 'birthDate');
      }
    }
  }

  /** In the window, a newborn's own rule, or a late enrolment the notice allows; otherwise closed. */
  private route(policy: PolicyYear, facts: QuoteFacts, steps: ExplanationStep[]): Route {
    const p = policy.data;
    const { paymentDate } = facts;
    const standard = p.individualContribution.amount;
    const coverageStart = p.coverage.start.date;
    steps.push({
      rule: 'individual-contribution',
      clause: p.individualContribution.clause,
      detail: `the individual standard for ${policy.coverageYear} is ${formatMoney(standard)}`,
      amount: standard,
    });

    if (compareDates(paymentDate, p.coverage.end.date) > 0) {
      throw new DomainError(
        'ENROLLMENT_CLOSED',
        `the year of cover ${policy.coverageYear} ended on ${p.coverage.end.date}; ${paymentDate} is too late to enrol for it`,
        { rule: 'coverage', clause: p.coverage.end.clause },
      );
    }
    const window = p.collectionWindow;
    if (window.start && compareDates(paymentDate, window.start.date) < 0) {
      throw new DomainError(
        'ENROLLMENT_CLOSED',
        `collection for ${policy.coverageYear} opens on ${window.start.date} (${window.start.clause}); ${paymentDate} is before it`,
        { rule: 'collection-window', clause: window.start.clause },
      );
    }
    const bornOn = facts.birthDate ?? null;
    const notBeforeBirth = (date: LocalDate) => (bornOn ? maxDate(date, bornOn) : date);

    if (compareDates(paymentDate, window.end.date) <= 0) {
      steps.push({
        rule: 'collection-window',
        clause: window.end.clause,
        detail: `paid on ${paymentDate}, within the collection window ending ${window.end.date}`,
        amount: null,
      });
      const student = p.students?.coverStart;
      if (student && facts.circumstances?.includes('UNIVERSITY_STUDENT')) {
        steps.push({ rule: 'student-cover', clause: student.clause, detail: `a university student is covered from the day of payment, ${paymentDate}`, amount: null });
        return { late: false, standard, coverStart: () => paymentDate, assistanceLost: null };
      }
      return { late: false, standard, coverStart: () => notBeforeBirth(coverageStart), assistanceLost: null };
    }

    const newborn = this.newbornRoute(policy, facts, steps);
    if (newborn) return newborn;
    return this.lateRoute(policy, facts, steps);
  }

  private newbornRoute(policy: PolicyYear, facts: QuoteFacts, steps: ExplanationStep[]): Route | null {
    const p = policy.data;
    const rule = p.newborn;
    const bornOn = facts.birthDate;
    if (!rule || !bornOn) return null;
    const bornInYear = yearOf(bornOn) === policy.coverageYear;
    const bornYearBefore = yearOf(bornOn) === policy.coverageYear - 1;
    if (!bornInYear && !bornYearBefore) return null;
    const { tenantCode: tenant, coverageYear } = policy;
    if (!rule.window) {
      throw policyNotConfigured(
        tenant,
        coverageYear,
        'newborn.window',
        `${p.notice.number ?? p.notice.title} does not state how long after birth a newborn may enrol${rule.refersTo ? ` (it refers to ${rule.refersTo})` : ''}`,
      );
    }
    const deadline = rule.window.days !== undefined ? addDays(bornOn, rule.window.days) : addMonths(bornOn, rule.window.months ?? 0);
    const within = compareDates(facts.paymentDate, deadline) <= 0;
    const allowance = rule.window.days !== undefined ? `${rule.window.days} days` : `${rule.window.months} months`;
    const standard = p.individualContribution.amount;
    const lost = this.lateAssistanceLoss(policy);

    if (bornYearBefore) {
      if (!rule.nextYear?.allowed) return null;
      if (!within) {
        throw new DomainError(
          'ENROLLMENT_CLOSED',
          `a newborn enrols for the year after birth within ${allowance} of birth (by ${deadline}); ${facts.paymentDate} is too late (${rule.nextYear.clause})`,
          { rule: 'newborn', clause: rule.nextYear.clause },
        );
      }
      steps.push({ rule: 'newborn', clause: rule.nextYear.clause, detail: `born ${bornOn}, paid within ${allowance} for the year after birth: the whole year is covered`, amount: null });
      return { late: true, standard, coverStart: () => p.coverage.start.date, assistanceLost: lost };
    }
    if (within) {
      steps.push({ rule: 'newborn', clause: rule.window.clause, detail: `born ${bornOn}, paid within ${allowance} of birth (by ${deadline})`, amount: null });
      const coverStart = rule.coverStart;
      return {
        late: true,
        standard,
        coverStart: () => {
          if (!coverStart) {
            throw policyNotConfigured(tenant, coverageYear, 'newborn.coverStart', `${p.notice.number ?? p.notice.title} does not state when a newborn's cover starts${rule.refersTo ? ` (it refers to ${rule.refersTo})` : ''}`);
          }
          return maxDate(bornOn, p.coverage.start.date);
        },
        assistanceLost: lost,
      };
    }
    if (rule.afterWindow) {
      const start = maxDate(firstDayOfNextMonth(facts.paymentDate), p.coverage.start.date);
      steps.push({ rule: 'newborn', clause: rule.afterWindow.clause, detail: `born ${bornOn}, paid after ${allowance} (${deadline}): covered from the month after payment`, amount: null });
      return { late: true, standard, coverStart: () => start, assistanceLost: lost };
    }
    return null;
  }

  private lateAssistanceLoss(policy: PolicyYear): { clause: string } | null {
    const rule = policy.data.lateEnrollment?.assistance;
    return rule?.rule === 'LOST' ? { clause: rule.clause } : null;
  }

  private lateRoute(policy: PolicyYear, facts: QuoteFacts, steps: ExplanationStep[]): Route {
    const p = policy.data;
    const { tenantCode: tenant, coverageYear } = policy;
    const late = p.lateEnrollment;
    const end = p.collectionWindow.end;
    const who = p.notice.number ?? p.notice.title;
    if (!late) {
      throw policyNotConfigured(tenant, coverageYear, 'lateEnrollment', `${who} does not say whether anyone may enrol after the collection window ended on ${end.date}`);
    }
    const circumstances = facts.circumstances ?? [];
    const categories = facts.categories ?? [];
    const byCircumstance = late.circumstances.find((c) => circumstances.includes(c.circumstance));
    const byCategory = late.categories.find((g) => g.categories.some((c) => categories.includes(c)));
    const allowedBy = byCircumstance?.clause ?? byCategory?.clause ?? (late.general?.allowed ? late.general.clause : null);
    if (!allowedBy) {
      const referred = late.referredElsewhere.find((r) => r.circumstances.some((c) => circumstances.includes(c)));
      if (referred) {
        throw policyNotConfigured(tenant, coverageYear, 'lateEnrollment.circumstances', `${who} refers ${referred.circumstances.join(', ')} to ${referred.refersTo} (${referred.clause}), which states the rule; it is not configured`);
      }
      if (late.general) {
        throw new DomainError(
          'ENROLLMENT_CLOSED',
          `the collection window for ${coverageYear} ended on ${end.date} (${late.general.clause}); ${facts.paymentDate} is outside it and no rule lets this person enrol late`,
          { rule: 'late-enrolment', clause: late.general.clause },
        );
      }
      throw policyNotConfigured(tenant, coverageYear, 'lateEnrollment.general', `${who} does not say whether others may enrol after ${end.date}`);
    }
    steps.push({ rule: 'late-enrolment', clause: allowedBy, detail: `paid on ${facts.paymentDate}, after the window ended on ${end.date}; enrolment is still allowed`, amount: null });

    const standard = late.contribution?.amount ?? p.individualContribution.amount;
    steps.push(
      late.contribution
        ? { rule: 'late-contribution', clause: late.contribution.clause, detail: `outside the window the contribution is ${formatMoney(standard)}`, amount: standard }
        : { rule: 'late-contribution', clause: p.individualContribution.clause, detail: 'no separate price for late enrolment is stated; the standard applies', amount: standard },
    );
    if (categories.length > 0 && !late.assistance) {
      throw policyNotConfigured(tenant, coverageYear, 'lateEnrollment.assistance', `${who} does not say whether assistance still applies to a late enrolment`);
    }
    const coverStart = late.coverStart;
    return {
      late: true,
      standard,
      assistanceLost: this.lateAssistanceLoss(policy),
      coverStart: () => {
        if (!coverStart) {
          throw policyNotConfigured(
            tenant,
            coverageYear,
            'lateEnrollment.coverStart',
            `${who} does not state when cover starts for a payment after the window (the amount due would be ${formatMoney(standard)})`,
          );
        }
        const start =
          coverStart.rule === 'PAYMENT_DATE' ? facts.paymentDate : firstDayOfNextMonth(facts.paymentDate);
        steps.push({ rule: 'late-cover-start', clause: coverStart.clause, detail: `a late payer is covered from ${start}`, amount: null });
        return maxDate(start, p.coverage.start.date);
      },
    };
  }

  private applyAssistance(
    tenant: Tenant,
    policy: PolicyYear,
    facts: QuoteFacts,
    route: Route,
    steps: ExplanationStep[],
  ): Contribution {
    const standard = route.standard;
    const none = (): Contribution => ({
      standardContribution: standard,
      subsidy: 0,
      appliedCategory: null,
      mode: null,
      amountDue: standard,
      reimbursement: 0,
      netCost: standard,
      reimbursementMonth: null,
      fundingShares: [],
      late: route.late,
      explanation: steps,
    });
    const categories = [...new Set(facts.categories ?? [])];
    if (categories.length === 0) return none();
    if (route.assistanceLost) {
      steps.push({ rule: 'assistance-lost', clause: route.assistanceLost.clause, detail: `outside the collection window no assistance applies (${categories.join(', ')})`, amount: 0 });
      return none();
    }
    const candidates = this.candidates(policy, categories, standard, steps);
    if (candidates.length === 0) return none();
    const best = this.chooseCategory(policy, candidates, steps);
    const subsidy = best.amount;
    steps.push({ rule: 'assistance', clause: best.rule.clause, detail: `${best.category}: ${best.rule.full ? 'full' : 'fixed'} subsidy of ${formatMoney(subsidy)}`, amount: subsidy });

    let amountDue = standard - subsidy;
    let reimbursement = 0;
    let reimbursementMonth: string | null = null;
    if (best.mode === 'REIMBURSEMENT') {
      amountDue = standard;
      reimbursement = subsidy;
      const timing = policy.data.assistance?.reimbursementTiming;
      if (timing) reimbursementMonth = nextMonth(facts.paymentDate);
      steps.push({
        rule: 'subsidy-mode',
        clause: best.rule.modeClause ?? best.rule.clause,
        detail: `先缴后补: pay ${formatMoney(standard)} now, ${formatMoney(subsidy)} is paid back${timing ? ` in ${reimbursementMonth} (${timing.clause})` : ''}`,
        amount: reimbursement,
      });
    } else {
      steps.push({
        rule: 'subsidy-mode',
        clause: best.rule.modeClause ?? best.rule.clause,
        detail: best.mode === 'FULL_SPONSORSHIP' ? 'paid in full by the funding body; the person pays nothing' : `差额征缴: the person pays ${formatMoney(amountDue)}`,
        amount: amountDue,
      });
    }
    return {
      standardContribution: standard,
      subsidy,
      appliedCategory: best.category,
      mode: best.mode,
      amountDue,
      reimbursement,
      netCost: amountDue - reimbursement,
      reimbursementMonth,
      fundingShares: this.funding(tenant, best, facts.region ?? null, steps),
      late: route.late,
      explanation: steps,
    };
  }

  /** The rule and amount each given category earns under this notice; categories it does not name earn nothing. */
  private candidates(
    policy: PolicyYear,
    categories: readonly AssistanceCategory[],
    standard: Fen,
    steps: ExplanationStep[],
  ): Candidate[] {
    const p = policy.data;
    const rules = p.assistance?.rules ?? [];
    const byClass = rules.some((r) => DIBAO_CLASSES.includes(r.category));
    const result: Candidate[] = [];
    for (const category of categories) {
      let rule = rules.find((r) => r.category === category);
      if (!rule && DIBAO_CLASSES.includes(category)) {
        rule = rules.find((r) => r.category === 'DIBAO');
        if (rule) steps.push({ rule: 'assistance', clause: rule.clause, detail: `${category} is a 低保 class; this notice subsidises 低保 without classes`, amount: null });
      }
      if (!rule) {
        if (category === 'DIBAO' && byClass) {
          throw badInput(`${p.notice.number ?? p.notice.title} subsidises 低保 by class: give DIBAO_RURAL_1…4, DIBAO_URBAN_FULL or DIBAO_URBAN_PARTIAL`, 'categories');
        }
        steps.push({ rule: 'assistance', clause: p.assistance?.clause ?? null, detail: `${category} is not an assistance category of this notice`, amount: 0 });
        continue;
      }
      const amount = rule.full ? standard : rule.amount;
      if (amount === undefined) {
        throw policyNotConfigured(policy.tenantCode, policy.coverageYear, `assistance.${category}.amount`, `${p.notice.number ?? p.notice.title} does not state the subsidy for ${category} (${rule.clause})`);
      }
      if (!rule.mode) {
        throw policyNotConfigured(policy.tenantCode, policy.coverageYear, `assistance.${category}.mode`, `${p.notice.number ?? p.notice.title} does not state how the subsidy for ${category} is paid`);
      }
      // Never above the standard, whatever the notice's amount (贵阳: 资助数额不超过年度个人缴费标准).
      result.push({ category, rule, amount: Math.min(amount, standard), mode: rule.mode });
    }
    return result;
  }

  /** One category only: the highest, earlier in the notice on a tie; never the sum. */
  private chooseCategory(policy: PolicyYear, candidates: Candidate[], steps: ExplanationStep[]): Candidate {
    const rules = policy.data.assistance?.rules ?? [];
    const ordered = [...candidates].sort(
      (a, b) => b.amount - a.amount || rules.indexOf(a.rule) - rules.indexOf(b.rule),
    );
    const best = ordered[0];
    if (ordered.length > 1) {
      const multiple = policy.data.assistance?.multipleCategories;
      const allAlike = ordered.every((c) => c.amount === best.amount && c.mode === best.mode);
      if (!multiple && !allAlike) {
        throw policyNotConfigured(policy.tenantCode, policy.coverageYear, 'assistance.multipleCategories', `${policy.data.notice.number ?? policy.data.notice.title} does not say which subsidy applies to a person in several categories`);
      }
      steps.push({
        rule: 'multiple-categories',
        clause: multiple?.clause ?? null,
        detail: `several categories (${ordered.map((c) => `${c.category} ${formatMoney(c.amount)}`).join(', ')}): only the highest, ${best.category}, applies`,
        amount: best.amount,
      });
    }
    return best;
  }

  private funding(tenant: Tenant, best: Candidate, region: string | null, steps: ExplanationStep[]): FundingShare[] {
    const entries = best.rule.funding;
    if (!entries || entries.length === 0) {
      steps.push({ rule: 'funding', clause: best.rule.clause, detail: 'the notice does not name who funds this subsidy', amount: null });
      return [];
    }
    const entry = entries.find((e) => !e.regions || (region !== null && e.regions.some((scope) => tenant.isWithin(region, scope))));
    if (!entry) {
      const scopes = entries.flatMap((e) => e.regions ?? []).map((code) => tenant.regionsByCode.get(code)?.name ?? code);
      steps.push({
        rule: 'funding',
        clause: entries[0].clause,
        detail: region ? `region ${region} is in none of ${scopes.join(', ')}; funding cannot be split` : `who funds it depends on the region (${scopes.join(' or ')}); give region`,
        amount: null,
      });
      return [];
    }
    const { shares } = allocateFunding(entry.shares, best.amount, entry.clause);
    steps.push({ rule: 'funding', clause: entry.clause, detail: shares.map((s) => `${s.name} ${formatMoney(s.amount)}`).join(', '), amount: best.amount });
    return shares;
  }
}
