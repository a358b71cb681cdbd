/**
 * The policy engine. Pure: given one tenant-year's policy (as loaded from tenants/) and the facts of a
 * person and a payment date, it returns amounts, dates and the steps that led to them. No database,
 * no clock, no request: everything it needs comes in as arguments, so the notices' own numbers can be
 * tested table by table.
 *
 * A value the notice leaves unstated blocks only what depends on it: the answer carries `unknowns`
 * naming each missing value, the fields that wait for it and the clause that refers elsewhere. Where
 * whether the person may enrol at all is unstated, nothing can be answered, and POLICY_NOT_CONFIGURED
 * says so (with the amount that would be due, where it is known).
 */
import { compareDates, firstDayOfNextMonth, type LocalDate, maxDate, nextMonth, yearOf } from '../common/dates';
import { DomainError, badInput, policyNotConfigured } from '../common/errors';
import { type Language, type Localized, text } from '../common/i18n';
import { type Fen, formatMoney } from '../common/money';
import type { AssistanceRuleData } from '../policy-data/format';
import type { PolicyYear, Tenant } from '../policy-data/model';
import { allocateFunding, type FundingShare } from '../policy-data/funding';
import { type Citation, type ExplanationStep, inferences, type UnknownValue } from './explanation';
import { daysToYearEnd, describePeriod, lastDayWithin } from './periods';
import { evaluateRefund, type RefundDecision, type RefundFacts } from './refund';
import {
  ASSISTANCE_CATEGORY_NAMES,
  type AssistanceCategory,
  CATEGORY_GROUPS,
  type Circumstance,
  CIRCUMSTANCE_NAMES,
  groupOf,
  SUBSIDY_MODE_NAMES,
  type SubsidyMode,
} from '../policy-data/vocabulary';
import { eligibility, type EligibilityFacts, type EligibilityResult, regionForUnitMember } from './rules';

export interface QuoteFacts {
  paymentDate: LocalDate;
  categories?: readonly AssistanceCategory[] | null;
  circumstances?: readonly Circumstance[] | null;
  birthDate?: LocalDate | null;
  region?: string | null;
  /**
   * 错缴异地 (平利 七（三）): the date of the first payment, made in the wrong place and refunded there. The
   * window, cover and assistance are judged as of that date; the reimbursement month by `paymentDate`.
   */
  wrongLocationPaidOn?: LocalDate | null;
}

export interface DateRange {
  start: LocalDate;
  end: LocalDate;
}

/**
 * Whether the subsidy's payers add up to it: NO_SUBSIDY; COMPLETE; NEEDS_REGION (the payers differ by
 * region and none was given); NOT_STATED (the notice names no payer); SUBSIDY_UNKNOWN (the amount itself
 * is unstated).
 */
export type FundingStatus = 'NO_SUBSIDY' | 'COMPLETE' | 'NEEDS_REGION' | 'NOT_STATED' | 'SUBSIDY_UNKNOWN';

/** What a person owes on a payment date, without the cover dates (which some notices leave unstated). */
export interface Contribution {
  /** The year of cover (待遇享受年度), the label the notice gives it, and where the notice says so. */
  coverageYear: number;
  noticeLabel: string | null;
  coverageYearSource: Citation;
  /** The published version of the policy year that decided it (0: a year not numbered by the database). */
  policyVersion: number;
  standardContribution: Fen;
  /** Where `unknowns` lists it: the part already certain (the subsidy is at least this much). */
  subsidy: Fen;
  appliedCategory: AssistanceCategory | null;
  mode: SubsidyMode | null;
  amountDue: Fen;
  /** Where `unknowns` lists it: the part already certain. */
  reimbursement: Fen;
  /** Where `unknowns` lists it: the most the person bears (amountDue − the certain reimbursement). */
  netCost: Fen;
  /** "YYYY-MM" in which a 先缴后补 reimbursement is paid, where the notice says when. */
  reimbursementMonth: string | null;
  fundingShares: FundingShare[];
  fundingStatus: FundingStatus;
  /** Why the shares do not add up to the subsidy, where they do not. */
  fundingNote: Localized | null;
  late: boolean;
  explanation: ExplanationStep[];
  /** The values of this answer the notice leaves unstated; empty when every value is known. */
  unknowns: UnknownValue[];
}

/** A quote: the contribution with its cover, null where the notice does not state when cover starts. */
export interface Quote extends Contribution {
  coverage: DateRange | null;
}

/** A contribution with its cover where the notice states it, or why it cannot be known. */
export interface Settlement extends Quote {
  coverageUnstated: DomainError | null;
}

export interface SettleOptions {
  /**
   * What to do when a subsidy's amount is unstated and could change the answer (山丹's 低保, 张医保发〔2021〕52号):
   * `refuse` (the default) throws POLICY_NOT_CONFIGURED naming every missing amount; `answer` gives the
   * amounts that are known (the person pays the standard first where every candidate is 先缴后补) and lists
   * the rest in `unknowns`. Enrolment refuses until it can hold the unknown part of a payment.
   */
  unknownSubsidy?: 'refuse' | 'answer';
}

/** How the person comes to be enrolled on the payment date, and what that means for cover. */
interface Route {
  late: boolean;
  standard: Fen;
  /** A date, or a function that fails with POLICY_NOT_CONFIGURED when the notice does not say. */
  coverStart: () => LocalDate;
  assistanceLost: { clause: string; inferred: string | null } | null;
  /**
   * Set where the person enrols late and the notice does not say whether assistance still applies then
   * (`lateEnrollment.assistance`): the clause that let them enrol. Only what the subsidy decides waits.
   */
  assistanceUnstated?: { clause: string; inferred: string | null };
  /**
   * Set where the notice does not say whether this person may enrol on this date at all (a newborn's
   * payment after the registration months, a student's after the window): nothing is answered.
   */
  admission?: DomainError;
}

interface Candidate {
  category: AssistanceCategory;
  rule: AssistanceRuleData;
  amount: Fen;
  mode: SubsidyMode;
}

/** A category whose rule leaves its amount (or how it is paid) unstated. */
interface UnstatedCandidate {
  category: AssistanceCategory;
  rule: AssistanceRuleData;
  missing: string[];
  mode: SubsidyMode | null;
}

interface Funding {
  shares: FundingShare[];
  status: FundingStatus;
  note: Localized | null;
}

const QUOTE_AMOUNT_FIELDS = ['subsidy', 'reimbursement', 'netCost', 'fundingShares'];
/** The quote's fields a subsidy left unstated keeps open: with several candidate categories, which one applies too. */
const fieldsAffected = (candidates: number) => (candidates === 1 ? QUOTE_AMOUNT_FIELDS : ['appliedCategory', ...QUOTE_AMOUNT_FIELDS]);

export class PolicyEngine {
  /** The full quote: what is known of amounts, funding and cover, with the explanation and the unknowns. */
  quote(tenant: Tenant, policy: PolicyYear, facts: QuoteFacts): Quote {
    const { coverageUnstated: _, ...quote } = this.settle(tenant, policy, facts, { unknownSubsidy: 'answer' });
    return quote;
  }

  /**
   * What a payment on that date settles: the amounts, and the cover where the notice states when it
   * starts. Where it does not (贵阳's 零星缴费, 肃南's late payers and newborns), the amounts still stand and
   * coverage is null with the POLICY_NOT_CONFIGURED error that says what is missing; a payment can be
   * taken, its cover not guessed.
   */
  settle(tenant: Tenant, policy: PolicyYear, facts: QuoteFacts, options: SettleOptions = {}): Settlement {
    const { route, contribution } = this.price(tenant, policy, facts, options);
    let start: LocalDate;
    try {
      start = route.coverStart();
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== 'POLICY_NOT_CONFIGURED') throw err;
      return this.coverUnstated(policy, facts, contribution, err);
    }
    const coverage = { start, end: policy.data.coverage.end.date };
    if (compareDates(start, coverage.end) > 0) {
      throw new DomainError(
        'ENROLLMENT_CLOSED',
        text(
          `待遇将自 ${start} 起享受，晚于 ${policy.coverageYear} 年度待遇享受期的截止日 ${coverage.end}`,
          `cover would start on ${start}, after the year of cover ${policy.coverageYear} ends on ${coverage.end}`,
        ),
        { rule: 'coverage', clause: policy.data.coverage.end.clause, ...inferredOf(policy.data.coverage.end) },
      );
    }
    contribution.explanation.push({
      rule: 'coverage',
      clause: policy.data.coverage.end.clause,
      detail: text(`待遇享受期 ${coverage.start} 至 ${coverage.end}`, `cover from ${coverage.start} to ${coverage.end}`),
      amount: null,
      inferred: policy.data.coverage.end.inferred ?? null,
    });
    // The contribution was made for this answer alone: completed in place rather than copied.
    const settlement = contribution as Settlement;
    settlement.coverage = coverage;
    settlement.coverageUnstated = null;
    return settlement;
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
    const standard = policy.data.individualContribution.amount;
    const { known, unstated } = this.candidates(policy, [...new Set(categories)], standard, steps);
    if (known.length === 0 && unstated.length === 0) return null;
    if (unstated.length > 0 && !known.some((c) => c.amount >= standard)) throw this.unstatedSubsidy(policy, unstated, null);
    const { best, tieInferred } = this.chooseCategory(tenant, policy, known, standard, region, steps);
    const funding = this.funding(tenant, best, region, steps, tieInferred);
    return { category: best.category, amount: best.amount, mode: best.mode, fundingShares: funding.shares, clause: best.rule.clause };
  }

  /**
   * The subsidy the home tenant gives a person of its own who is insured in another pool (甘州 四（二）3,
   * 肃南 二（三） 参加异地居民医保的资助对象): the home rule's amount, or for a full subsidy the whole contribution
   * owed where the person is insured (`contributionThere`, required then).
   */
  assistanceWhenInsuredElsewhere(
    tenant: Tenant,
    policy: PolicyYear,
    categories: readonly AssistanceCategory[],
    contributionThere?: Fen | null,
  ): { category: AssistanceCategory; amount: Fen; mode: SubsidyMode; clause: string; inferred: string | null; explanation: ExplanationStep[] } | null {
    const p = policy.data;
    const rule = p.assistance?.insuredElsewhere;
    if (!rule) {
      throw policyNotConfigured(
        policy.tenantCode,
        policy.coverageYear,
        'assistance.insuredElsewhere',
        text(
          `${whoZh(policy)}未明确本地资助对象在其他统筹地区参保时享受何种资助`,
          `${who(policy)} does not say what assistance its people insured in another pool receive`,
        ),
      );
    }
    const steps: ExplanationStep[] = [
      {
        rule: 'insured-elsewhere',
        clause: rule.clause,
        detail: text('在其他统筹地区参保：按本地资助标准资助', "insured in another pool: the home tenant's standard of assistance applies"),
        amount: null,
        inferred: rule.inferred ?? null,
      },
    ];
    const standard = contributionThere ?? p.individualContribution.amount;
    const { known, unstated } = this.candidates(policy, [...new Set(categories)], standard, steps);
    if (known.length === 0 && unstated.length === 0) return null;
    if (unstated.length > 0 && !known.some((c) => c.amount >= standard)) throw this.unstatedSubsidy(policy, unstated, null);
    const { best } = this.chooseCategory(tenant, policy, known, standard, null, steps);
    if (best.rule.full && (contributionThere === undefined || contributionThere === null)) {
      throw badInput(
        text(
          `${categoryName(best.category)}为全额资助：请填写参保地应缴的个人缴费额（contributionThere）`,
          `${best.category} is a full subsidy: give the contribution owed where the person is insured (contributionThere)`,
        ),
        'contributionThere',
      );
    }
    const mode = rule.mode ?? best.mode;
    steps.push({
      rule: 'assistance',
      clause: best.rule.clause,
      detail: text(`${categoryName(best.category)}：按本地标准资助 ${yuan(best.amount)}`, `${best.category}: ${formatMoney(best.amount)} at the home standard`),
      amount: best.amount,
    });
    return { category: best.category, amount: best.amount, mode, clause: rule.clause, inferred: rule.inferred ?? null, explanation: steps };
  }

  /** Who may enrol here (hukou, residence, residence permit, a child through a guardian), or ENROLLMENT_CLOSED. */
  eligibility(policy: PolicyYear, facts: EligibilityFacts): EligibilityResult {
    return eligibility(policy, facts);
  }

  /** The region that manages a member of a unit (a farm, a station), or POLICY_NOT_CONFIGURED. */
  regionForUnitMember(tenant: Tenant, policy: PolicyYear, unit: string, hukouRegion: string | null): string {
    return regionForUnitMember(tenant, policy, unit, hukouRegion);
  }

  /** What a refund request comes to under the notice's rules, or REFUND_NOT_ALLOWED with rule and clause. */
  refund(policy: PolicyYear, facts: RefundFacts): RefundDecision {
    return evaluateRefund(policy, facts);
  }

  /** What is owed on the payment date; needs no cover dates, so it also serves where cover is unstated. */
  contribution(tenant: Tenant, policy: PolicyYear, facts: QuoteFacts, options: SettleOptions = {}): Contribution {
    return this.price(tenant, policy, facts, options).contribution;
  }

  private price(tenant: Tenant, policy: PolicyYear, facts: QuoteFacts, options: SettleOptions): { route: Route; contribution: Contribution } {
    this.checkFacts(tenant, policy, facts);
    const steps: ExplanationStep[] = [];
    const route = this.route(policy, facts, steps);
    const contribution = this.applyAssistance(tenant, policy, facts, route, steps, options);
    if (route.admission) throw withAmountDue(route.admission, contribution, facts.paymentDate);
    return { route, contribution };
  }

  /** The cover start is unstated: the amounts stand, coverage is null, and the answer says what is missing. */
  private coverUnstated(policy: PolicyYear, facts: QuoteFacts, contribution: Contribution, err: DomainError): Settlement {
    const missing = String(err.details.missing);
    const clause = (err.details.clause as string | undefined) ?? null;
    const refersTo = (err.details.refersTo as string | undefined) ?? null;
    contribution.explanation.push({ rule: 'coverage-unstated', clause, detail: err.localized, amount: null, missing });
    const unknown: UnknownValue = { path: missing, affects: ['coverage'], message: err.localized, clause, refersTo };
    return {
      ...contribution,
      unknowns: [...contribution.unknowns, unknown],
      coverage: null,
      coverageUnstated: withAmountDue(err, contribution, facts.paymentDate),
    };
  }

  private checkFacts(tenant: Tenant, policy: PolicyYear, facts: QuoteFacts): void {
    if (facts.region && !tenant.regionsByCode.has(facts.region)) {
      throw badInput(
        text(`区划 ${facts.region} 不属于${tenant.name}（${tenant.code}）`, `region ${facts.region} is not a region of ${tenant.name} (${tenant.code})`),
        'region',
      );
    }
    if (facts.birthDate) {
      if (compareDates(facts.birthDate, facts.paymentDate) > 0) {
        throw badInput(
          text(`出生日期 ${facts.birthDate} 晚于缴费日期 ${facts.paymentDate}`, `birthDate ${facts.birthDate} is after paymentDate ${facts.paymentDate}`),
          'birthDate',
        );
      }
      if (compareDates(facts.birthDate, policy.data.coverage.end.date) > 0) {
        throw badInput(
          text(
            `出生日期 ${facts.birthDate} 晚于 ${policy.coverageYear} 年度待遇享受期的截止日`,
            `birthDate ${facts.birthDate} is after the year of cover ${policy.coverageYear} ends`,
          ),
          'birthDate',
        );
      }
    }
    if (facts.wrongLocationPaidOn && compareDates(facts.wrongLocationPaidOn, facts.paymentDate) > 0) {
      throw badInput(
        text(
          `异地错缴日期 ${facts.wrongLocationPaidOn} 晚于本次缴费日期 ${facts.paymentDate}：首次缴费应在前`,
          `wrongLocationPaidOn ${facts.wrongLocationPaidOn} is after paymentDate ${facts.paymentDate}: the first payment comes first`,
        ),
        'wrongLocationPaidOn',
      );
    }
  }

  /** In the window, a newborn's own rule, or a late enrolment the notice allows; otherwise closed. */
  private route(policy: PolicyYear, facts: QuoteFacts, steps: ExplanationStep[]): Route {
    const p = policy.data;
    const standard = p.individualContribution.amount;
    const coverageStart = p.coverage.start.date;
    steps.push(coverageYearStep(policy));
    steps.push({
      rule: 'individual-contribution',
      clause: p.individualContribution.clause,
      detail: text(
        `${policy.coverageYear} 年度个人缴费标准为 ${yuan(standard)}`,
        `the individual standard for ${policy.coverageYear} is ${formatMoney(standard)}`,
      ),
      amount: standard,
      inferred: p.individualContribution.inferred ?? null,
    });
    const date = this.effectiveDate(policy, facts, steps);
    const judged: QuoteFacts = { ...facts, paymentDate: date };
    /** Why the newborn rule did not take this person, added to a refusal that follows. */
    const notes: Localized[] = [];

    if (compareDates(facts.paymentDate, p.coverage.end.date) > 0) {
      const across = this.newbornAcrossYearEnd(policy, facts, steps);
      if (across) return across;
      throw new DomainError(
        'ENROLLMENT_CLOSED',
        text(
          `${policy.coverageYear} 年度待遇享受期已于 ${p.coverage.end.date} 结束，${facts.paymentDate} 已不能参加该年度医保`,
          `the year of cover ${policy.coverageYear} ended on ${p.coverage.end.date}; ${facts.paymentDate} is too late to enrol for it`,
        ),
        { rule: 'coverage', clause: p.coverage.end.clause, ...inferredOf(p.coverage.end) },
      );
    }
    const window = p.collectionWindow;
    const opens = window.start ?? window.earliestPayment!;
    const opensInferred = window.start ? (window.start.inferred ?? null) : (window.earliestPayment?.inferred ?? null);
    if (compareDates(date, opens.date) < 0) {
      throw new DomainError(
        'ENROLLMENT_CLOSED',
        window.start
          ? text(
              `${policy.coverageYear} 年度集中缴费期自 ${opens.date} 开始（${opens.clause}），${date} 尚未开始`,
              `collection for ${policy.coverageYear} opens on ${opens.date} (${opens.clause}); ${date} is before it`,
            )
          : text(
              `${policy.coverageYear} 年度集中缴费最早自 ${opens.date} 开始（据 ${opens.clause} 推定），${date} 尚未开始`,
              `collection for ${policy.coverageYear} opens no earlier than ${opens.date}, a bound inferred from ${opens.clause}; ${date} is before it`,
            ),
        { rule: 'collection-window', clause: opens.clause, ...(opensInferred ? { inferred: opensInferred } : {}) },
      );
    }
    const bornOn = facts.birthDate ?? null;
    const notBeforeBirth = (d: LocalDate) => (bornOn ? maxDate(d, bornOn) : d);

    if (compareDates(date, window.end.date) <= 0) {
      steps.push({
        rule: 'collection-window',
        clause: window.end.clause,
        detail: text(
          `${date} 缴费，在集中缴费期内（${opens.date} 至 ${window.end.date}${window.start ? '' : '，起始日系推定'}）`,
          `paid on ${date}, within the collection window ${window.start ? 'from' : 'counted from'} ${opens.date} to ${window.end.date}`,
        ),
        amount: null,
        inferred: opensInferred,
      });
      const student = p.students?.coverStart;
      if (student && facts.circumstances?.includes('UNIVERSITY_STUDENT')) {
        const start = student.beforeYearStart === 'FROM_EVENT' ? date : maxDate(date, coverageStart);
        steps.push({
          rule: 'student-cover',
          clause: student.clause,
          detail: text(
            `在校大学生自缴费之日（${date}）起享受待遇：自 ${start} 起`,
            `a university student is covered from the day of payment, ${date}: from ${start}`,
          ),
          amount: null,
          inferred: student.inferred ?? null,
        });
        return { late: false, standard, coverStart: () => start, assistanceLost: null };
      }
      const newborn = this.newbornInWindow(policy, judged, steps);
      if (newborn) return newborn;
      return { late: false, standard, coverStart: () => notBeforeBirth(coverageStart), assistanceLost: null };
    }

    const newborn = this.newbornRoute(policy, judged, steps, notes);
    if (newborn) return newborn;
    const student = p.students?.coverStart;
    if (student && facts.circumstances?.includes('UNIVERSITY_STUDENT')) {
      const admission = unstated(
        policy,
        'students.paymentDeadline',
        text(
          `${whoZh(policy)}规定在校大学生自缴费之日起享受待遇（${student.clause}），但未写明其缴费截止时间；一般人员的集中缴费期于 ${window.end.date} 截止（${window.end.clause}），${date} 已过`,
          `${who(policy)} covers students from payment (${student.clause}) but states no deadline for their payment; ${window.end.date} closes the window of the general rule (${window.end.clause}), and ${date} is after it`,
        ),
        { clause: student.clause },
      );
      return {
        late: true,
        standard: p.lateEnrollment?.contribution?.amount ?? standard,
        coverStart: () => {
          throw admission;
        },
        assistanceLost: this.lateAssistanceLoss(policy),
        admission,
      };
    }
    return this.lateRoute(policy, judged, steps, notes);
  }

  /** 错缴异地 (平利 七（三）): the first, wrongly placed payment's date decides the window, cover and assistance. */
  private effectiveDate(policy: PolicyYear, facts: QuoteFacts, steps: ExplanationStep[]): LocalDate {
    const first = facts.wrongLocationPaidOn;
    if (!first) return facts.paymentDate;
    const rule = policy.data.refunds?.wrongLocation;
    if (!rule) {
      throw policyNotConfigured(
        policy.tenantCode,
        policy.coverageYear,
        'refunds.wrongLocation',
        text(
          `${whoZh(policy)}未明确异地错缴后在本地重新缴费的如何认定`,
          `${who(policy)} does not say how a payment made in the wrong place and paid again here counts`,
        ),
      );
    }
    steps.push({
      rule: 'wrong-location',
      clause: rule.clause,
      detail: text(
        `${first} 在异地错缴并已在当地退费，${facts.paymentDate} 在本地重新缴费：缴费期、待遇享受期和资助均按 ${first} 认定`,
        `first paid on ${first} in the wrong place and refunded there; paid again here on ${facts.paymentDate}: the window, cover and assistance are judged as of ${first}`,
      ),
      amount: null,
      inferred: rule.inferred ?? null,
    });
    return first;
  }

  /**
   * Where a newborn's cover runs from birth even before the year of cover (山丹 一（三）3 "享受自出生之日起本年度…待遇"),
   * a baby paid in the window within its months is covered from birth.
   */
  private newbornInWindow(policy: PolicyYear, facts: QuoteFacts, steps: ExplanationStep[]): Route | null {
    const rule = policy.data.newborn;
    const bornOn = facts.birthDate;
    if (!rule?.coverStart || rule.coverStart.beforeYearStart !== 'FROM_EVENT' || !bornOn) return null;
    if (birthRelation(policy, bornOn) === null) return null;
    const period = rule.window ?? rule.registrationWindow!;
    const last = lastDayWithin(bornOn, period);
    if (compareDates(facts.paymentDate, last) > 0) return null;
    steps.push({
      rule: 'newborn',
      clause: period.clause,
      detail: paidWithin(bornOn, describePeriod(period), last),
      amount: null,
      inferred: period.inferred ?? null,
    });
    steps.push({
      rule: 'newborn-cover-start',
      clause: rule.coverStart.clause,
      detail: coveredFromBirth(bornOn),
      amount: null,
      inferred: rule.coverStart.inferred ?? null,
    });
    return { late: false, standard: policy.data.individualContribution.amount, coverStart: () => bornOn, assistanceLost: null };
  }

  /** After the window: a newborn's own rule, where the notice has one for this baby; else null. */
  private newbornRoute(policy: PolicyYear, facts: QuoteFacts, steps: ExplanationStep[], notes: Localized[]): Route | null {
    const p = policy.data;
    const rule = p.newborn;
    const bornOn = facts.birthDate;
    if (!rule || !bornOn) return null;
    const relation = birthRelation(policy, bornOn);
    if (!relation) return null;
    if (!rule.window && !rule.registrationWindow) {
      throw unstated(
        policy,
        'newborn.window',
        text(
          `${whoZh(policy)}未写明新生儿出生后多长时间内可以参保${refersToZh(rule.refersTo)}`,
          `${who(policy)} does not state how long after birth a newborn may enrol${refersToEn(rule.refersTo)}`,
        ),
        { refersTo: rule.refersTo },
      );
    }
    if (relation === 'YEAR_BEFORE') {
      if (rule.nextYear) return this.nextYearNewbornRoute(policy, facts, steps, notes);
      if (rule.window?.forYear === 'BIRTH_YEAR') return null;
    }
    const standard = p.individualContribution.amount;
    const lost = this.lateAssistanceLoss(policy);
    const period = rule.window ?? rule.registrationWindow!;
    const allowance = describePeriod(period);
    const last = lastDayWithin(bornOn, period);
    if (compareDates(facts.paymentDate, last) <= 0) {
      steps.push({ rule: 'newborn', clause: period.clause, detail: paidWithin(bornOn, allowance, last), amount: null, inferred: period.inferred ?? null });
      const coverStart = rule.coverStart;
      return {
        late: true,
        standard,
        assistanceLost: lost,
        coverStart: () => {
          if (!coverStart) {
            throw unstated(
              policy,
              'newborn.coverStart',
              text(
                `${whoZh(policy)}未写明新生儿何时开始享受待遇${refersToZh(rule.refersTo)}`,
                `${who(policy)} does not state when a newborn's cover starts${refersToEn(rule.refersTo)}`,
              ),
              { clause: period.clause, refersTo: rule.refersTo },
            );
          }
          const start = coverStart.beforeYearStart === 'FROM_EVENT' ? bornOn : maxDate(bornOn, p.coverage.start.date);
          steps.push({
            rule: 'newborn-cover-start',
            clause: coverStart.clause,
            detail: text(`新生儿自 ${start} 起享受待遇`, `a newborn is covered from ${start}`),
            amount: null,
            inferred: coverStart.inferred ?? null,
          });
          return start;
        },
      };
    }
    if (rule.afterWindow && relation === 'IN_YEAR') {
      const start = maxDate(firstDayOfNextMonth(facts.paymentDate), p.coverage.start.date);
      steps.push({
        rule: 'newborn',
        clause: rule.afterWindow.clause,
        detail: text(
          `${bornOn} 出生，超过出生后 ${allowance.zh}（${last}）才缴费：自缴费次月起享受待遇`,
          `born ${bornOn}, paid after ${allowance.en} (${last}): covered from the month after payment`,
        ),
        amount: null,
        inferred: period.inferred ?? null,
      });
      return { late: true, standard, coverStart: () => start, assistanceLost: lost };
    }
    if (!rule.window && rule.registrationWindow) {
      const admission = unstated(
        policy,
        'newborn.paymentDeadline',
        text(
          `${whoZh(policy)}规定新生儿在出生后 ${allowance.zh}内（截至 ${last}；${period.clause}）办理参保登记、登记后缴费，但未写明缴费截止时间；${facts.paymentDate} 已超过这 ${allowance.zh}`,
          `${who(policy)} has a newborn registered within ${allowance.en} of birth (by ${last}; ${period.clause}) and paying after registration, but states no deadline for the payment; ${facts.paymentDate} is after those ${allowance.en}`,
        ),
        { clause: period.clause },
      );
      return {
        late: true,
        standard,
        coverStart: () => {
          throw admission;
        },
        assistanceLost: lost,
        admission,
      };
    }
    notes.push(
      text(
        `新生儿应在出生后 ${allowance.zh}内缴费（${period.clause}），${bornOn} 出生的已于 ${last} 到期`,
        `a newborn pays within ${allowance.en} of birth (${period.clause}); for one born ${bornOn} that ended on ${last}`,
      ),
    );
    return null;
  }

  /** 平利 四（二）2（2）: a baby born fewer than 90 days before 12-31 may buy the next year within its 90 days. */
  private nextYearNewbornRoute(policy: PolicyYear, facts: QuoteFacts, steps: ExplanationStep[], notes: Localized[]): Route | null {
    const p = policy.data;
    const rule = p.newborn!;
    const next = rule.nextYear!;
    const bornOn = facts.birthDate!;
    if (!next.allowed) return null;
    const toYearEnd = daysToYearEnd(bornOn);
    const birthYear = yearOf(bornOn);
    if (next.bornWithinDaysOfYearEnd !== undefined && toYearEnd >= next.bornWithinDaysOfYearEnd) {
      const section = next.clause.split(' ')[0];
      const why = text(
        `${bornOn} 出生，距 ${birthYear}-12-31 尚有 ${toYearEnd} 天；参加出生次年医保的规定（${section}）要求不足 ${next.bornWithinDaysOfYearEnd} 天`,
        `born ${bornOn}, ${toYearEnd} days before ${birthYear}-12-31; the next-year rule (${section}) needs fewer than ${next.bornWithinDaysOfYearEnd}`,
      );
      steps.push({ rule: 'newborn', clause: next.clause, detail: why, amount: null, inferred: next.inferred ?? null });
      notes.push(why);
      return null;
    }
    const period = rule.window ?? rule.registrationWindow!;
    const allowance = describePeriod(period);
    const last = lastDayWithin(bornOn, period);
    const inferred = inferences(next.inferred, period.inferred);
    if (compareDates(facts.paymentDate, last) > 0) {
      throw new DomainError(
        'ENROLLMENT_CLOSED',
        text(
          `新生儿应在出生后 ${allowance.zh}内（截至 ${last}）参加出生次年的医保，${facts.paymentDate} 已逾期（${next.clause}）`,
          `a newborn enrols for the year after birth within ${allowance.en} of birth (by ${last}); ${facts.paymentDate} is too late (${next.clause})`,
        ),
        { rule: 'newborn', clause: next.clause, ...(inferred ? { inferred } : {}) },
      );
    }
    steps.push({
      rule: 'newborn',
      clause: next.clause,
      detail: text(
        `${bornOn} 出生，距 ${birthYear}-12-31 尚有 ${toYearEnd} 天，在 ${allowance.zh}内（截至 ${last}）缴纳出生次年的医保费：享受全年待遇`,
        `born ${bornOn}, ${toYearEnd} days before ${birthYear}-12-31, paid within ${allowance.en} (by ${last}) for the year after birth: the whole year is covered`,
      ),
      amount: null,
      inferred,
    });
    return { late: true, standard: p.individualContribution.amount, coverStart: () => p.coverage.start.date, assistanceLost: this.lateAssistanceLoss(policy) };
  }

  /**
   * 平利 四（二）2（2） "如享受出生当年医保待遇，须在出生后90天内缴纳出生当年医疗保险费": a baby born fewer than 90 days
   * before 12-31 may buy the year of birth within its 90 days, even after that year has ended.
   */
  private newbornAcrossYearEnd(policy: PolicyYear, facts: QuoteFacts, steps: ExplanationStep[]): Route | null {
    const p = policy.data;
    const rule = p.newborn;
    const across = rule?.birthYearAcrossYearEnd;
    const bornOn = facts.birthDate;
    if (!rule || !across || !bornOn || !rule.window || yearOf(bornOn) !== policy.coverageYear) return null;
    const toYearEnd = daysToYearEnd(bornOn);
    if (toYearEnd >= across.bornWithinDaysOfYearEnd) return null;
    const allowance = describePeriod(rule.window);
    const last = lastDayWithin(bornOn, rule.window);
    const inferred = inferences(rule.nextYear?.inferred, rule.window.inferred);
    if (compareDates(facts.paymentDate, last) > 0) {
      throw new DomainError(
        'ENROLLMENT_CLOSED',
        text(
          `${bornOn} 出生的新生儿（距 ${policy.coverageYear}-12-31 尚有 ${toYearEnd} 天）可在出生后 ${allowance.zh}内（截至 ${last}）缴纳出生当年的医保费，${facts.paymentDate} 已逾期（${rule.nextYear?.clause ?? across.clause}）`,
          `a baby born ${bornOn}, ${toYearEnd} days before ${policy.coverageYear}-12-31, could buy the year of birth within ${allowance.en} of birth (by ${last}); ${facts.paymentDate} is too late (${rule.nextYear?.clause ?? across.clause})`,
        ),
        { rule: 'newborn', clause: rule.nextYear?.clause ?? across.clause, ...(inferred ? { inferred } : {}) },
      );
    }
    steps.push({
      rule: 'newborn',
      clause: across.clause,
      detail: text(
        `${bornOn} 出生，距 ${policy.coverageYear}-12-31 尚有 ${toYearEnd} 天，在出生当年结束后、${allowance.zh}内（截至 ${last}）缴纳出生当年的医保费`,
        `born ${bornOn}, ${toYearEnd} days before ${policy.coverageYear}-12-31, paid within ${allowance.en} (by ${last}) for the year of birth, after it ended`,
      ),
      amount: null,
      inferred,
    });
    const coverStart = rule.coverStart;
    return {
      late: true,
      standard: p.individualContribution.amount,
      assistanceLost: this.lateAssistanceLoss(policy),
      coverStart: () => {
        if (!coverStart) {
          throw unstated(
            policy,
            'newborn.coverStart',
            text(`${whoZh(policy)}未写明新生儿何时开始享受待遇`, `${who(policy)} does not state when a newborn's cover starts`),
            { clause: across.clause },
          );
        }
        steps.push({
          rule: 'newborn-cover-start',
          clause: coverStart.clause,
          detail: coveredFromBirth(bornOn),
          amount: null,
          inferred: coverStart.inferred ?? null,
        });
        return maxDate(bornOn, p.coverage.start.date);
      },
    };
  }

  private lateAssistanceLoss(policy: PolicyYear): { clause: string; inferred: string | null } | null {
    const rule = policy.data.lateEnrollment?.assistance;
    return rule?.rule === 'LOST' ? { clause: rule.clause, inferred: rule.inferred ?? null } : null;
  }

  /** The rule a category earns in this notice: its own, or its group's (DIBAO for a 低保 class). */
  private ruleFor(policy: PolicyYear, category: AssistanceCategory): AssistanceRuleData | undefined {
    const rules = policy.data.assistance?.rules ?? [];
    const group = groupOf(category);
    return rules.find((r) => r.category === category) ?? (group ? rules.find((r) => r.category === group) : undefined);
  }

  private lateRoute(policy: PolicyYear, facts: QuoteFacts, steps: ExplanationStep[], notes: Localized[]): Route {
    const p = policy.data;
    const { tenantCode: tenant, coverageYear } = policy;
    const late = p.lateEnrollment;
    const end = p.collectionWindow.end;
    const notice = who(policy);
    const noticeZh = whoZh(policy);
    if (!late) {
      throw policyNotConfigured(
        tenant,
        coverageYear,
        'lateEnrollment',
        text(
          `${noticeZh}未明确集中缴费期（${end.date} 截止）结束后能否参保缴费`,
          `${notice} does not say whether anyone may enrol after the collection window ended on ${end.date}`,
        ),
      );
    }
    const circumstances = facts.circumstances ?? [];
    const categories = facts.categories ?? [];
    const listed = (list: readonly AssistanceCategory[], category: AssistanceCategory) => {
      const group = groupOf(category);
      return list.includes(category) || (group !== null && list.includes(group));
    };
    const byCircumstance = late.circumstances.find((c) => circumstances.includes(c.circumstance));
    const byCategory = late.categories.find((g) => categories.some((c) => listed(g.categories, c)));
    const allowedBy = byCircumstance ?? byCategory ?? (late.general?.allowed ? late.general : null);
    if (!allowedBy) {
      const referred = late.referredElsewhere.find((r) => r.circumstances.some((c) => circumstances.includes(c)));
      if (referred) {
        throw unstated(
          policy,
          'lateEnrollment.circumstances',
          text(
            `${noticeZh}规定${circumstanceNames(referred.circumstances)}按${referred.refersTo}执行（${referred.clause}），该文件的规定尚未配置`,
            `${notice} refers ${referred.circumstances.join(', ')} to ${referred.refersTo} (${referred.clause}), which states the rule; it is not configured`,
          ),
          { clause: referred.clause, refersTo: referred.refersTo },
        );
      }
      const mentioned = late.unstated.find((r) => r.circumstances.some((c) => circumstances.includes(c)));
      if (mentioned) {
        throw unstated(
          policy,
          'lateEnrollment.circumstances',
          text(
            // The data's note is the data author's English: the Chinese leaves it out; extensions.note keeps it.
            `${noticeZh}提到${circumstanceNames(mentioned.circumstances)}（${mentioned.clause}），但未明确其在集中缴费期（${end.date} 截止）后能否参保、如何参保`,
            `${notice} mentions ${mentioned.circumstances.join(', ')} (${mentioned.clause}) but does not say whether or how they enrol after the window ended on ${end.date}${mentioned.note ? `: ${mentioned.note}` : ''}`,
          ),
          { clause: mentioned.clause, note: mentioned.note },
        );
      }
      const open = late.openList;
      if (open) {
        const namedNowhere = (c: AssistanceCategory) => !late.categories.some((g) => listed(g.categories, c));
        const category = categories.find((c) => this.ruleFor(policy, c) && namedNowhere(c));
        if (category) {
          throw unstated(
            policy,
            `lateEnrollment.categories.${category}`,
            text(
              `${noticeZh}所列 ${end.date} 后可参保的人员以“等”字结尾（${open.clause}），未列明本通知资助的${categoryName(category)}：既未准许，也未排除`,
              `${notice}'s list of who may enrol after ${end.date} ends in 等 (${open.clause}) and does not name ${category}, whom this notice assists: it neither allows nor refuses them`,
            ),
            { clause: open.clause, inferred: open.inferred },
          );
        }
        const circumstance = circumstances.find((c) => !late.circumstances.some((x) => x.circumstance === c));
        if (circumstance) {
          throw unstated(
            policy,
            `lateEnrollment.circumstances.${circumstance}`,
            text(
              `${noticeZh}所列 ${end.date} 后可参保的人员以“等”字结尾（${open.clause}），未列明${CIRCUMSTANCE_NAMES[circumstance]}：既未准许，也未排除`,
              `${notice}'s list of who may enrol after ${end.date} ends in 等 (${open.clause}) and does not name ${circumstance}: it neither allows nor refuses them`,
            ),
            { clause: open.clause, inferred: open.inferred },
          );
        }
      }
      if (late.general) {
        throw new DomainError(
          'ENROLLMENT_CLOSED',
          text(
            `${coverageYear} 年度集中缴费期已于 ${end.date} 结束（${late.general.clause}），${facts.paymentDate} 不在缴费期内，且没有准许此人逾期参保的规定${notes.length > 0 ? `；${notes.map((n) => n.zh).join('；')}` : ''}`,
            `the collection window for ${coverageYear} ended on ${end.date} (${late.general.clause}); ${facts.paymentDate} is outside it and no rule lets this person enrol late${notes.length > 0 ? `; ${notes.map((n) => n.en).join('; ')}` : ''}`,
          ),
          { rule: 'late-enrolment', clause: late.general.clause, ...(late.general.inferred ? { inferred: late.general.inferred } : {}) },
        );
      }
      throw policyNotConfigured(
        tenant,
        coverageYear,
        'lateEnrollment.general',
        text(`${noticeZh}未明确其他人员在 ${end.date} 后能否参保`, `${notice} does not say whether others may enrol after ${end.date}`),
      );
    }
    steps.push({
      rule: 'late-enrolment',
      clause: allowedBy.clause,
      detail: text(
        `${facts.paymentDate} 缴费，已过集中缴费期（${end.date} 截止）；仍可参保`,
        `paid on ${facts.paymentDate}, after the window ended on ${end.date}; enrolment is still allowed`,
      ),
      amount: null,
      inferred: allowedBy.inferred ?? null,
    });

    const standard = late.contribution?.amount ?? p.individualContribution.amount;
    steps.push(
      late.contribution
        ? {
            rule: 'late-contribution',
            clause: late.contribution.clause,
            detail: text(`集中缴费期外的缴费标准为 ${yuan(standard)}`, `outside the window the contribution is ${formatMoney(standard)}`),
            amount: standard,
            inferred: late.contribution.inferred ?? null,
          }
        : {
            rule: 'late-contribution',
            clause: p.individualContribution.clause,
            detail: text('通知未另定逾期参保的缴费标准，按个人缴费标准缴纳', 'no separate price for late enrolment is stated; the standard applies'),
            amount: standard,
          },
    );
    if (late.assistance?.rule === 'KEPT' && categories.length > 0) {
      steps.push({
        rule: 'assistance-kept',
        clause: late.assistance.clause,
        detail: text('集中缴费期外参保仍享受资助', 'outside the window the assistance still applies'),
        amount: null,
        inferred: late.assistance.inferred ?? null,
      });
    }
    const coverStart = late.coverStart;
    const unstatedMatters = p.notice.unstatedMatters;
    return {
      late: true,
      standard,
      assistanceLost: this.lateAssistanceLoss(policy),
      ...(categories.length > 0 && !late.assistance ? { assistanceUnstated: { clause: allowedBy.clause, inferred: allowedBy.inferred ?? null } } : {}),
      coverStart: () => {
        if (!coverStart) {
          throw unstated(
            policy,
            'lateEnrollment.coverStart',
            text(
              `${noticeZh}未写明集中缴费期后缴费的待遇起始时间（${allowedBy.clause}）${unstatedMatters ? `；通知规定未尽事宜按${unstatedMatters.refersTo}执行` : ''}`,
              `${notice} does not state when cover starts for a payment after the window (${allowedBy.clause})${unstatedMatters ? `; it sends what it leaves unstated to ${unstatedMatters.refersTo}` : ''}`,
            ),
            { clause: unstatedMatters?.clause ?? allowedBy.clause, refersTo: unstatedMatters?.refersTo },
          );
        }
        const start = coverStart.rule === 'PAYMENT_DATE' ? facts.paymentDate : firstDayOfNextMonth(facts.paymentDate);
        steps.push({
          rule: 'late-cover-start',
          clause: coverStart.clause,
          detail: text(`逾期缴费人员自 ${start} 起享受待遇`, `a late payer is covered from ${start}`),
          amount: null,
          inferred: coverStart.inferred ?? null,
        });
        return maxDate(start, p.coverage.start.date);
      },
    };
  }

  private applyAssistance(tenant: Tenant, policy: PolicyYear, facts: QuoteFacts, route: Route, steps: ExplanationStep[], options: SettleOptions): Contribution {
    const p = policy.data;
    const standard = route.standard;
    // Written out rather than spread: copying yearOfCover's object with `...` was a fifth of a quote's time.
    const none = (): Contribution => ({
      coverageYear: policy.coverageYear,
      policyVersion: policy.version,
      noticeLabel: p.notice.label ?? null,
      coverageYearSource: coverageYearSource(policy),
      standardContribution: standard,
      subsidy: 0,
      appliedCategory: null,
      mode: null,
      amountDue: standard,
      reimbursement: 0,
      netCost: standard,
      reimbursementMonth: null,
      fundingShares: [],
      fundingStatus: 'NO_SUBSIDY',
      fundingNote: null,
      late: route.late,
      explanation: steps,
      unknowns: [],
    });
    const categories = [...new Set(facts.categories ?? [])];
    if (categories.length === 0) return none();
    if (route.assistanceLost) {
      steps.push({
        rule: 'assistance-lost',
        clause: route.assistanceLost.clause,
        detail: text(
          `集中缴费期外参保不享受资助（${categoryNames(categories)}）`,
          `outside the collection window no assistance applies (${categories.join(', ')})`,
        ),
        amount: 0,
        inferred: route.assistanceLost.inferred,
      });
      return none();
    }
    const { known, unstated } = this.candidates(policy, categories, standard, steps);
    if (known.length === 0 && unstated.length === 0) return none();
    this.studentSteps(tenant, policy, facts, categories, steps);
    if (route.assistanceUnstated) return this.lateAssistanceUnstated(policy, known, unstated, route.assistanceUnstated, none(), options);
    const decisive = known.filter((c) => c.amount >= standard);
    if (unstated.length > 0 && decisive.length === 0) return this.partialAssistance(policy, facts, known, unstated, none(), options);
    for (const u of unstated) {
      steps.push({
        rule: 'assistance-unstated',
        clause: u.rule.clause,
        detail: text(
          `${categoryName(u.category)}：通知未写明其资助标准${refersToZh(u.rule.refersTo)}；资助额不超过个人缴费标准 ${yuan(standard)}，${categoryName(decisive[0].category)}已按此足额资助`,
          `${u.category}: the notice does not state its subsidy${refersToEn(u.rule.refersTo)}; no subsidy can exceed the standard ${formatMoney(standard)}, which ${decisive[0].category} already gives`,
        ),
        amount: null,
        missing: u.missing[0],
      });
    }

    const { best, tieInferred } = this.chooseCategory(tenant, policy, known, standard, facts.region ?? null, steps);
    const subsidy = best.amount;
    steps.push({
      rule: 'assistance',
      clause: best.rule.clause,
      detail: text(
        `${categoryName(best.category)}：${best.rule.full ? '全额' : '定额'}资助 ${yuan(subsidy)}`,
        `${best.category}: ${best.rule.full ? 'full' : 'fixed'} subsidy of ${formatMoney(subsidy)}`,
      ),
      amount: subsidy,
      inferred: best.rule.inferred ?? null,
    });

    let amountDue = standard - subsidy;
    let reimbursement = 0;
    let reimbursementMonth: string | null = null;
    if (best.mode === 'REIMBURSEMENT') {
      amountDue = standard;
      reimbursement = subsidy;
      const timing = p.assistance?.reimbursementTiming;
      if (timing) reimbursementMonth = nextMonth(facts.paymentDate);
      steps.push({
        rule: 'subsidy-mode',
        clause: best.rule.modeClause ?? best.rule.clause,
        detail: text(
          `先缴后补：先缴纳 ${yuan(standard)}，资助 ${yuan(subsidy)}${timing ? `于 ${reimbursementMonth} 返还（${timing.clause}）` : '事后返还'}`,
          `先缴后补: pay ${formatMoney(standard)} now, ${formatMoney(subsidy)} is paid back${timing ? ` in ${reimbursementMonth} (${timing.clause})` : ''}`,
        ),
        amount: reimbursement,
      });
    } else {
      steps.push({
        rule: 'subsidy-mode',
        clause: best.rule.modeClause ?? best.rule.clause,
        detail:
          best.mode === 'FULL_SPONSORSHIP'
            ? text('全额资助：由资助资金全额代缴，个人不缴费', 'paid in full by the funding body; the person pays nothing')
            : text(`差额征缴：个人缴纳 ${yuan(amountDue)}`, `差额征缴: the person pays ${formatMoney(amountDue)}`),
        amount: amountDue,
      });
    }
    const funding = this.funding(tenant, best, facts.region ?? null, steps, tieInferred);
    const contribution = none();
    contribution.subsidy = subsidy;
    contribution.appliedCategory = best.category;
    contribution.mode = best.mode;
    contribution.amountDue = amountDue;
    contribution.reimbursement = reimbursement;
    contribution.netCost = amountDue - reimbursement;
    contribution.reimbursementMonth = reimbursementMonth;
    contribution.fundingShares = funding.shares;
    contribution.fundingStatus = funding.status;
    contribution.fundingNote = funding.note;
    return contribution;
  }

  /**
   * Some subsidy that could be the highest is unstated. Where every category that could apply is paid 先缴后补,
   * the person pays the standard now whatever it is: that is answered, and the subsidy, the reimbursement
   * and their funding wait (listed in `unknowns`). Otherwise even the amount due is unknown.
   */
  private partialAssistance(
    policy: PolicyYear,
    facts: QuoteFacts,
    known: Candidate[],
    unstatedCandidates: UnstatedCandidate[],
    base: Contribution,
    options: SettleOptions,
  ): Contribution {
    const p = policy.data;
    const standard = base.standardContribution;
    const best = this.highest(policy, known);
    const dueKnown = unstatedCandidates.every((u) => u.mode === 'REIMBURSEMENT') && (!best || best.mode === 'REIMBURSEMENT');
    if (options.unknownSubsidy !== 'answer' || !dueKnown) throw this.unstatedSubsidy(policy, unstatedCandidates, dueKnown ? standard : null);
    const steps = base.explanation;
    const candidates = known.length + unstatedCandidates.length;
    const appliedCategory = candidates === 1 ? unstatedCandidates[0].category : null;
    const unknowns = this.candidateUnknowns(policy, unstatedCandidates, candidates);
    for (const u of unstatedCandidates) {
      steps.push({
        rule: 'assistance-unstated',
        clause: u.rule.clause,
        detail: text(
          `${categoryName(u.category)}：通知未写明其资助标准${refersToZh(u.rule.refersTo)}；该类资助为先缴后补，个人先按标准缴纳 ${yuan(standard)}，返还金额待资助标准明确后确定`,
          `${u.category}: the notice does not state its subsidy${refersToEn(u.rule.refersTo)}; it is paid 先缴后补, so the person pays the standard ${formatMoney(standard)} now and the reimbursement waits for that amount`,
        ),
        amount: null,
        missing: u.missing[0],
      });
    }
    if (best) {
      steps.push({
        rule: 'assistance',
        clause: best.rule.clause,
        detail: text(
          `${categoryName(best.category)}：资助 ${yuan(best.amount)}；未写明标准的类别是否资助更多，尚不可知`,
          `${best.category}: ${formatMoney(best.amount)}; whether a category of unstated amount gives more is not known`,
        ),
        amount: best.amount,
        inferred: best.rule.inferred ?? null,
      });
    }
    const timing = p.assistance?.reimbursementTiming;
    const reimbursementMonth = timing ? nextMonth(facts.paymentDate) : null;
    const certain = best?.amount ?? 0;
    steps.push({
      rule: 'subsidy-mode',
      clause: unstatedCandidates[0].rule.modeClause ?? unstatedCandidates[0].rule.clause,
      detail: text(
        `先缴后补：先缴纳 ${yuan(standard)}；返还金额尚未确定${certain > 0 ? `（不少于 ${yuan(certain)}）` : ''}${timing ? `，于 ${reimbursementMonth} 返还（${timing.clause}）` : ''}`,
        `先缴后补: pay ${formatMoney(standard)} now; the amount paid back is not known yet${certain > 0 ? ` (at least ${formatMoney(certain)})` : ''}${timing ? `; it is paid in ${reimbursementMonth} (${timing.clause})` : ''}`,
      ),
      amount: null,
    });
    return {
      ...base,
      subsidy: certain,
      appliedCategory,
      mode: 'REIMBURSEMENT',
      amountDue: standard,
      reimbursement: certain,
      netCost: standard - certain,
      reimbursementMonth,
      fundingShares: [],
      fundingStatus: 'SUBSIDY_UNKNOWN',
      fundingNote: text(
        '资助由谁出资、各出多少，待通知未写明的资助标准明确后确定',
        'who funds the subsidy, and how much, waits for the amount the notice leaves unstated',
      ),
      unknowns,
    };
  }

  /**
   * A late enrolment where the notice does not say whether assistance still applies, for a person whose
   * categories it subsidises. Where every one of them is paid 先缴后补 the person pays the standard now
   * either way: that is answered, and whether anything is paid back waits for `lateEnrollment.assistance`.
   * Otherwise the amount due itself depends on it, and POLICY_NOT_CONFIGURED names it.
   */
  private lateAssistanceUnstated(
    policy: PolicyYear,
    known: Candidate[],
    unstatedCandidates: UnstatedCandidate[],
    allowedBy: { clause: string; inferred: string | null },
    base: Contribution,
    options: SettleOptions,
  ): Contribution {
    const standard = base.standardContribution;
    const candidates = [...known, ...unstatedCandidates];
    const names = candidates.map((c) => c.category);
    const message = text(
      `${whoZh(policy)}未明确逾期参保能否享受参保资助（${categoryNames(names)}）`,
      `${who(policy)} does not say whether assistance still applies to a late enrolment (${names.join(', ')})`,
    );
    const dueKnown = candidates.every((c) => c.mode === 'REIMBURSEMENT');
    if (options.unknownSubsidy !== 'answer' || !dueKnown) {
      const error = policyNotConfigured(policy.tenantCode, policy.coverageYear, 'lateEnrollment.assistance', message);
      error.details.clause = allowedBy.clause;
      const alsoMissing = unstatedCandidates.flatMap((u) => u.missing);
      if (alsoMissing.length > 0) error.details.alsoMissing = alsoMissing;
      if (dueKnown) error.details.amountDue = formatMoney(standard);
      throw error;
    }
    const single = candidates.length === 1 ? candidates[0].category : null;
    base.explanation.push({
      rule: 'assistance-unstated',
      clause: allowedBy.clause,
      detail: text(
        `${categoryNames(names)}：通知未明确逾期参保能否享受资助；该类资助为先缴后补，个人先按标准缴纳 ${yuan(standard)}，是否返还待明确`,
        `${names.join(', ')}: the notice does not say whether assistance applies to a late enrolment; it is paid 先缴后补, so the person pays the standard ${formatMoney(standard)} now and whether anything is paid back waits`,
      ),
      amount: null,
      inferred: allowedBy.inferred,
      missing: 'lateEnrollment.assistance',
    });
    return {
      ...base,
      appliedCategory: single,
      mode: 'REIMBURSEMENT',
      fundingStatus: 'SUBSIDY_UNKNOWN',
      fundingNote: text(
        '是否资助、由谁出资，待通知未明确的逾期参保资助规定明确后确定',
        'whether the subsidy applies, and who funds it, waits for the late-enrolment rule the notice leaves unstated',
      ),
      // Whether the assistance applies late, and what the candidates leave unstated besides: each waits
      // for its own value, so that stating one does not close the wait for another.
      unknowns: [
        { path: 'lateEnrollment.assistance', affects: fieldsAffected(candidates.length), message, clause: allowedBy.clause, refersTo: null },
        ...this.candidateUnknowns(policy, unstatedCandidates, candidates.length),
      ],
    };
  }

  /** What the candidates leave unstated: each one's subsidy, and with several of them, which applies where the notice says not. */
  private candidateUnknowns(policy: PolicyYear, unstatedCandidates: UnstatedCandidate[], candidates: number): UnknownValue[] {
    const p = policy.data;
    const affects = fieldsAffected(candidates);
    const unknowns: UnknownValue[] = unstatedCandidates.map((u) => ({
      path: u.missing[0],
      affects,
      message: text(
        `${whoZh(policy)}未写明${categoryName(u.category)}的资助标准${refersToZh(u.rule.refersTo)}`,
        `${who(policy)} does not state the subsidy for ${u.category}${refersToEn(u.rule.refersTo)}`,
      ),
      clause: u.rule.clause,
      refersTo: u.rule.refersTo ?? null,
    }));
    if (candidates > 1 && !p.assistance?.multipleCategories?.rule) {
      unknowns.push({
        path: 'assistance.multipleCategories',
        affects: ['appliedCategory', ...QUOTE_AMOUNT_FIELDS],
        message: severalCategoriesUnstated(policy),
        clause: p.assistance?.clause ?? null,
        refersTo: null,
      });
    }
    return unknowns;
  }

  /** POLICY_NOT_CONFIGURED naming every unstated subsidy that could decide the answer. */
  private unstatedSubsidy(policy: PolicyYear, candidates: UnstatedCandidate[], amountDue: Fen | null): DomainError {
    const missing = candidates.flatMap((u) => u.missing);
    const list = candidates.map((u) => `${u.category} (${u.rule.clause}${u.rule.refersTo ? `; it refers to ${u.rule.refersTo}` : ''})`).join(', ');
    const listZh = candidates
      .map((u) => `${categoryName(u.category)}（${u.rule.clause}${u.rule.refersTo ? `；通知规定按${u.rule.refersTo}执行` : ''}）`)
      .join('、');
    const error = policyNotConfigured(
      policy.tenantCode,
      policy.coverageYear,
      missing[0],
      text(
        `${whoZh(policy)}未写明${listZh}的资助标准${amountDue !== null ? `；应缴金额为 ${yuan(amountDue)}` : ''}`,
        `${who(policy)} does not state the subsidy for ${list}${amountDue !== null ? `; the amount due is ${formatMoney(amountDue)}` : ''}`,
      ),
    );
    if (missing.length > 1) error.details.alsoMissing = missing.slice(1);
    if (amountDue !== null) error.details.amountDue = formatMoney(amountDue);
    return error;
  }

  /** 甘州 五 2, 贵阳 四（三）: where an assisted student enrols. The amounts do not change. */
  private studentSteps(tenant: Tenant, policy: PolicyYear, facts: QuoteFacts, categories: AssistanceCategory[], steps: ExplanationStep[]): void {
    if (!facts.circumstances?.includes('UNIVERSITY_STUDENT')) return;
    const students = policy.data.students;
    const atHukou = students?.assistedEnrolAtHukou;
    if (atHukou && categories.some((c) => atHukou.categories.includes(c))) {
      steps.push({
        rule: 'student-hukou',
        clause: atHukou.clause,
        detail: text(
          `享受资助的大学生在户籍地参保，不在学校参保；户籍地为${tenant.name}的，按以下金额计算`,
          `an assisted student enrols at the hukou place, not the school; where that is ${tenant.name} the amounts below apply`,
        ),
        amount: null,
      });
    }
    if (students?.assistedMayEnrolAtHukou) {
      steps.push({
        rule: 'student-hukou-option',
        clause: students.assistedMayEnrolAtHukou.clause,
        detail: text('享受资助的大学生可选择在户籍地参保，不在学校参保', 'an assisted student may choose to enrol at the hukou place instead of the school'),
        amount: null,
      });
    }
  }

  /**
   * The rule and amount each given category earns under this notice; categories it does not name earn
   * nothing. A kind of a group the notice subsidises as a whole (a 低保 class, a kind of 监测对象) takes the
   * group's rule; a group given where the notice subsidises it by kind is refused.
   */
  private candidates(
    policy: PolicyYear,
    categories: readonly AssistanceCategory[],
    standard: Fen,
    steps: ExplanationStep[],
  ): { known: Candidate[]; unstated: UnstatedCandidate[] } {
    const p = policy.data;
    const rules = p.assistance?.rules ?? [];
    const known: Candidate[] = [];
    const unstatedCandidates: UnstatedCandidate[] = [];
    for (const category of categories) {
      let rule = rules.find((r) => r.category === category);
      const group = groupOf(category);
      if (!rule && group) {
        rule = rules.find((r) => r.category === group);
        if (rule) {
          steps.push({
            rule: 'assistance',
            clause: rule.clause,
            detail: text(
              `${categoryName(category)}属于${categoryName(group)}；本通知对${categoryName(group)}统一资助`,
              `${category} is a kind of ${group}; this notice subsidises ${group} as a whole`,
            ),
            amount: null,
          });
        }
      }
      if (!rule) {
        const kinds = CATEGORY_GROUPS[category];
        const byKind = kinds ? rules.filter((r) => kinds.includes(r.category)) : [];
        if (kinds && byKind.length > 0) {
          throw badInput(
            text(
              `${whoZh(policy)}对${categoryName(category)}分类资助（${byKind.map((r) => `${categoryName(r.category)}：${r.clause}`).join('；')}）：请改填具体类别 ${kinds.map((k) => `${k}（${categoryName(k)}）`).join('、')}`,
              `${who(policy)} subsidises ${category} by kind (${byKind.map((r) => `${r.category}: ${r.clause}`).join('; ')}): give ${kinds.join(', ')}`,
            ),
            'categories',
          );
        }
        steps.push({
          rule: 'assistance',
          clause: p.assistance?.clause ?? null,
          detail: text(`${categoryName(category)}不在本通知的资助范围内`, `${category} is not an assistance category of this notice`),
          amount: 0,
        });
        continue;
      }
      const amount = rule.full ? standard : rule.amount;
      const missing = [...(amount === undefined ? [`assistance.${rule.category}.amount`] : []), ...(rule.mode ? [] : [`assistance.${rule.category}.mode`])];
      if (amount === undefined || !rule.mode) {
        unstatedCandidates.push({ category, rule, missing, mode: rule.mode ?? null });
        continue;
      }
      // Never above the standard, whatever the notice's amount (贵阳: 资助数额不超过年度个人缴费标准).
      known.push({ category, rule, amount: Math.min(amount, standard), mode: rule.mode });
    }
    return { known, unstated: unstatedCandidates };
  }

  /** Candidates from the highest down; equal subsidies in the year file's explicit tie order. */
  private ordered(policy: PolicyYear, candidates: Candidate[]): Candidate[] {
    const assistance = policy.data.assistance;
    const rules = assistance?.rules ?? [];
    const order = assistance?.multipleCategories?.tie?.order;
    const rank = (c: Candidate) => (order ? order.indexOf(c.rule.category) : rules.indexOf(c.rule));
    return [...candidates].sort((a, b) => b.amount - a.amount || rank(a) - rank(b));
  }

  private highest(policy: PolicyYear, candidates: Candidate[]): Candidate | null {
    return this.ordered(policy, candidates)[0] ?? null;
  }

  /**
   * One category only: the highest, never the sum. Equal subsidies go by the year file's tie order (a full
   * sponsorship first, then the notice's order; marked inferred), and where the tie changes the mode or the
   * payer the explanation says what the others would have cost.
   */
  private chooseCategory(
    tenant: Tenant,
    policy: PolicyYear,
    candidates: Candidate[],
    standard: Fen,
    region: string | null,
    steps: ExplanationStep[],
  ): { best: Candidate; tieInferred: string | null } {
    const ordered = this.ordered(policy, candidates);
    const best = ordered[0];
    if (ordered.length <= 1) return { best, tieInferred: null };
    const multiple = policy.data.assistance?.multipleCategories;
    const allAlike = ordered.every((c) => c.amount === best.amount && c.mode === best.mode);
    const decisive = best.amount >= standard;
    if (!multiple?.rule && !allAlike && !decisive) {
      throw policyNotConfigured(policy.tenantCode, policy.coverageYear, 'assistance.multipleCategories', severalCategoriesUnstated(policy));
    }
    steps.push({
      rule: 'multiple-categories',
      clause: multiple?.clause ?? null,
      detail: text(
        `同时符合多类资助条件（${ordered.map((c) => `${categoryName(c.category)} ${yuan(c.amount)}`).join('、')}）：只按最高的${categoryName(best.category)}资助${!multiple?.rule ? `；通知未规定多重身份如何资助，但资助额不超过个人缴费标准 ${yuan(standard)}，无论如何规定均按${categoryName(best.category)}资助` : ''}`,
        `several categories (${ordered.map((c) => `${c.category} ${formatMoney(c.amount)}`).join(', ')}): only the highest, ${best.category}, applies${!multiple?.rule ? `; the notice states no rule for several categories, but no subsidy can exceed the standard ${formatMoney(standard)}, so ${best.category} decides whatever the rule` : ''}`,
      ),
      amount: best.amount,
      inferred: multiple?.inferred ?? null,
    });
    const tie = multiple?.tie;
    const payers = (c: Candidate, language: Language) => {
      const f = this.funding(tenant, c, region, [], null);
      if (f.shares.length === 0) return f.note?.[language] ?? { zh: '未写明出资方', en: 'no payer named' }[language];
      return f.shares.map((s) => (language === 'zh' ? `${s.name} ${yuan(s.amount)}` : `${s.name} ${formatMoney(s.amount)}`)).join(' + ');
    };
    const mode = (c: Candidate) => SUBSIDY_MODE_NAMES[c.mode];
    const rivals = ordered.slice(1).filter((c) => c.amount === best.amount && (c.mode !== best.mode || payers(c, 'en') !== payers(best, 'en')));
    if (rivals.length === 0) return { best, tieInferred: null };
    steps.push({
      rule: 'tie',
      clause: tie?.clause ?? null,
      detail: text(
        `${[best, ...rivals].map((c) => categoryName(c.category)).join('、')}的资助额均为 ${yuan(best.amount)}；按同额时的适用顺序，适用${categoryName(best.category)}（${mode(best)}，${payers(best, 'zh')}）；${rivals.map((c) => `若按${categoryName(c.category)}，则为${mode(c)}，${payers(c, 'zh')}`).join('；')}`,
        `${[best, ...rivals].map((c) => c.category).join(' and ')} all give ${formatMoney(best.amount)}; by the tie rule ${best.category} applies (${mode(best)}, ${payers(best, 'en')}); ${rivals.map((c) => `${c.category} would have been ${mode(c)}, ${payers(c, 'en')}`).join('; ')}`,
      ),
      amount: best.amount,
      inferred: tie?.inferred ?? null,
    });
    return { best, tieInferred: tie?.inferred ?? null };
  }

  /** Who pays the chosen subsidy; `steps` stays empty when asked only what another category would have cost. */
  private funding(tenant: Tenant, best: Candidate, region: string | null, steps: ExplanationStep[], tieInferred: string | null): Funding {
    const entries = best.rule.funding;
    if (!entries || entries.length === 0) {
      const note = text('通知未写明该项资助由谁出资', 'the notice does not name who funds this subsidy');
      steps.push({ rule: 'funding', clause: best.rule.clause, detail: note, amount: null });
      return { shares: [], status: 'NOT_STATED', note };
    }
    const entry = entries.find((e) => !e.regions || (region !== null && e.regions.some((scope) => tenant.isWithin(region, scope))));
    if (!entry) {
      const scopes = entries.flatMap((e) => e.regions ?? []).map((code) => tenant.regionsByCode.get(code)?.name ?? code);
      const section = entries[0].clause.split(' ')[0];
      const note = region
        ? text(
            `区划 ${region} 不属于${scopes.join('、')}中的任何一处，无法确定${categoryName(best.category)}的资助由谁出资`,
            `region ${region} is in none of ${scopes.join(', ')}; who funds ${best.category} cannot be told`,
          )
        : text(
            `${categoryName(best.category)}的资助由谁出资因区划而异（${scopes.join('或')}，${section}）：请填写区划（region）`,
            `who funds ${best.category} depends on the region (${scopes.join(' or ')}, ${section}); give region`,
          );
      steps.push({ rule: 'funding', clause: entries[0].clause, detail: note, amount: null });
      return { shares: [], status: region ? 'NOT_STATED' : 'NEEDS_REGION', note };
    }
    const { shares } = allocateFunding(entry.shares, best.amount, entry.clause, undefined, entry.inferred);
    const marked = tieInferred ? shares.map((s) => ({ ...s, inferred: inferences(s.inferred, tieInferred)! })) : shares;
    steps.push({
      rule: 'funding',
      clause: entry.clause,
      detail: text(marked.map((s) => `${s.name} ${yuan(s.amount)}`).join('、'), marked.map((s) => `${s.name} ${formatMoney(s.amount)}`).join(', ')),
      amount: best.amount,
      inferred: inferences(...marked.map((s) => s.inferred)),
    });
    return { shares: marked, status: 'COMPLETE', note: null };
  }
}

/** The notice as a clause would name it: its number, else its title. */
function who(policy: PolicyYear): string {
  return policy.data.notice.number ?? policy.data.notice.title;
}

/** The notice in Chinese text: its number, else its title in 《》. */
function whoZh(policy: PolicyYear): string {
  return policy.data.notice.number ?? `《${policy.data.notice.title}》`;
}

/** A category as clerks call it (CONTRACT.md's table). */
function categoryName(category: AssistanceCategory): string {
  return ASSISTANCE_CATEGORY_NAMES[category];
}

function categoryNames(categories: readonly AssistanceCategory[]): string {
  return categories.map(categoryName).join('、');
}

function circumstanceNames(circumstances: readonly Circumstance[]): string {
  return circumstances.map((c) => CIRCUMSTANCE_NAMES[c]).join('、');
}

/** An amount in Chinese text: 350.00 元. */
function yuan(fen: Fen): string {
  return `${formatMoney(fen)} 元`;
}

/** The document a notice sends the reader to for a value it leaves out, as a clause's aside. */
function refersToZh(refersTo: string | null | undefined): string {
  return refersTo ? `（通知规定按${refersTo}执行）` : '';
}

function refersToEn(refersTo: string | null | undefined): string {
  return refersTo ? ` (it refers to ${refersTo})` : '';
}

function paidWithin(bornOn: LocalDate, allowance: Localized, last: LocalDate): Localized {
  return text(`${bornOn} 出生，在出生后 ${allowance.zh}内（截至 ${last}）缴费`, `born ${bornOn}, paid within ${allowance.en} of birth (by ${last})`);
}

function coveredFromBirth(bornOn: LocalDate): Localized {
  return text(`新生儿自出生之日（${bornOn}）起享受待遇`, `a newborn is covered from birth, ${bornOn}`);
}

function severalCategoriesUnstated(policy: PolicyYear): Localized {
  return text(
    `${whoZh(policy)}未明确同时符合多类资助条件的人员按哪一类资助`,
    `${who(policy)} does not say which subsidy applies to a person in several categories`,
  );
}

/** A baby born in the year of cover or the year before; the newborn rules concern no one else. */
function birthRelation(policy: PolicyYear, bornOn: LocalDate): 'IN_YEAR' | 'YEAR_BEFORE' | null {
  const year = yearOf(bornOn);
  return year === policy.coverageYear ? 'IN_YEAR' : year === policy.coverageYear - 1 ? 'YEAR_BEFORE' : null;
}

/** POLICY_NOT_CONFIGURED for a value the notice leaves out, with the clause and the document it refers to. */
function unstated(
  policy: PolicyYear,
  missing: string,
  message: Localized,
  where: { clause?: string | null; refersTo?: string | null; inferred?: string | null; note?: string | null },
): DomainError {
  const error = policyNotConfigured(policy.tenantCode, policy.coverageYear, missing, message);
  if (where.clause) error.details.clause = where.clause;
  if (where.refersTo) error.details.refersTo = where.refersTo;
  if (where.inferred) error.details.inferred = where.inferred;
  if (where.note) error.details.note = where.note;
  return error;
}

/** The same error, saying what is due on that date after assistance (肃南's 一类低保 owes 70.00, not 380.00). */
function withAmountDue(err: DomainError, contribution: Contribution, paymentDate: LocalDate): DomainError {
  const known = !contribution.unknowns.some((u) => u.affects.includes('amountDue'));
  if (!known) return err;
  const amount = formatMoney(contribution.amountDue);
  return new DomainError(
    err.code,
    text(`${err.localized.zh}；${paymentDate} 缴费应缴 ${amount} 元`, `${err.message}; on ${paymentDate} the amount due is ${amount}`),
    { ...err.details, amountDue: amount },
  );
}

/** Where the notice says which year of cover its label means. */
function coverageYearSource(policy: PolicyYear): Contribution['coverageYearSource'] {
  const from = policy.data.coverageYearFrom;
  return { clause: from.clause, inferred: from.inferred ?? null, note: from.note ?? null };
}

/** The first step of every answer: which year of cover the notice's label means, and where it says so. */
function coverageYearStep(policy: PolicyYear): ExplanationStep {
  const { label } = policy.data.notice;
  const from = policy.data.coverageYearFrom;
  return {
    rule: 'coverage-year',
    clause: from.clause,
    detail: label
      ? text(
          `${whoZh(policy)}所称“${label}”，即待遇享受年度 ${policy.coverageYear} 年`,
          `${who(policy)} calls it "${label}": the year of cover (待遇享受年度) ${policy.coverageYear}`,
        )
      : text(`待遇享受年度为 ${policy.coverageYear} 年`, `the year of cover (待遇享受年度) is ${policy.coverageYear}`),
    amount: null,
    inferred: from.inferred ?? null,
  };
}

/** A refusal's `inferred` detail, when the value it rests on is an inference and not the notice's words. */
function inferredOf(value: { inferred?: string }): { inferred?: string } {
  return value.inferred ? { inferred: value.inferred } : {};
}
