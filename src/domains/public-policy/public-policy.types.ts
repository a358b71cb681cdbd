/**
 * Public policy types (CONTRACT.md "Public operations"). Classes that share a name with the policy model or
 * engine end in Type; the schema names stay the contract's. Fields a notice may leave unstated are nullable
 * and null exactly then. Money fields hold fen; the Money scalar prints yuan.
 */
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { AssistanceCategory, Circumstance, RegionKind, SubsidyMode } from '../../policy-data/vocabulary';
import type { FundingStatus } from '../../policy-engine/policy-engine';
import { AssistanceCategoryEnum, asEnum, CircumstanceEnum, RegionKindEnum, SubsidyModeEnum } from '../../graphql/enums';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';

export const FundingStatusEnum = asEnum<FundingStatus>(['NO_SUBSIDY', 'COMPLETE', 'NEEDS_REGION', 'NOT_STATED', 'SUBSIDY_UNKNOWN']);
registerEnumType(FundingStatusEnum, {
  name: 'FundingStatus',
  description: 'Whether Quote.fundingShares add up to the subsidy.',
  valuesConfig: {
    NO_SUBSIDY: { description: 'No subsidy applies; there is nothing to fund.' },
    COMPLETE: { description: 'The shares add up to the subsidy.' },
    NEEDS_REGION: { description: 'Who pays differs by region (贵阳市 or 贵安新区) and no region was given: give QuoteInput.region.' },
    NOT_STATED: { description: 'The notice names no payer for this subsidy (肃南), or the region is in none of the regions it names.' },
    SUBSIDY_UNKNOWN: { description: "The subsidy's amount is unstated (see Quote.unknowns), so nothing can be split." },
  },
});

@ObjectType({ description: "Where a value comes from: the notice's clause, and why, when the value is a reading rather than the notice's words." })
export class Citation {
  @Field({ description: "The clause in the notice's own numbering, usually with its words quoted." }) clause!: string;
  @Field(() => String, { nullable: true, description: 'Set when the value is an inference: why it was read that way.' }) inferred!: string | null;
  @Field(() => String, { nullable: true }) note!: string | null;
}

@ObjectType('Region', { description: 'A township, district or other area of a tenant.' })
export class RegionType {
  @Field(() => ID) code!: string;
  @Field() name!: string;
  @Field(() => RegionKindEnum) kind!: RegionKind;
  @Field(() => ID, { nullable: true, description: 'The region this one lies in (贵安新区 for its towns).' })
  parentCode!: string | null;
  @Field(() => String, { nullable: true, description: 'Where the notice names this region.' }) clause?: string | null;
  @Field(() => String, { nullable: true, description: 'Set when where the region sits is an inference: why.' }) inferred?: string | null;
  @Field(() => DateScalar, { nullable: true, description: 'From this day the region takes no new households.' })
  retiredOn?: string | null;
  @Field(() => ID, { nullable: true, description: 'Where its households count from the day it retired.' })
  successorCode?: string | null;
}

@ObjectType('Tenant', { description: 'A county or city running the scheme, with its own policy per year of cover.' })
export class TenantType {
  @Field(() => ID, { description: 'GB/T 2260 division code.' }) code!: string;
  @Field() name!: string;
  @Field(() => [RegionType]) regions!: RegionType[];
  @Field(() => [Int], { description: 'Years of cover with a configured notice.' }) coverageYears!: number[];
}

@ObjectType('DateRange')
export class DateRangeType {
  @Field(() => DateScalar, { description: 'First day, inclusive.' }) start!: string;
  @Field(() => DateScalar, { description: 'Last day, inclusive.' }) end!: string;
}

@ObjectType()
export class CollectionWindow {
  @Field(() => DateScalar, { nullable: true, description: 'Null where the notice gives only a deadline.' })
  start!: string | null;
  @Field(() => DateScalar) end!: string;
  @Field(() => String, { nullable: true, description: 'The start in the notice\'s words where it gives no exact date (贵阳: "2021 年 9 月底").' })
  startText!: string | null;
  @Field(() => DateScalar, {
    nullable: true,
    description:
      'The earliest payment counted for this year of cover: start where the notice states it, else an inferred lower bound (PolicyYear.sources.collectionWindowEarliestPayment says why).',
  })
  earliestPayment!: string | null;
}

@ObjectType()
export class Notice {
  @Field(() => String, { nullable: true }) number!: string | null;
  @Field() title!: string;
  @Field(() => DateScalar, { nullable: true }) issuedOn!: string | null;
  @Field(() => [String], { nullable: true, description: 'Who issued it; null where the notice does not say (山丹).' }) issuers!: string[] | null;
  @Field(() => String, { nullable: true, description: 'The year the notice itself names where it differs from the year of cover ("2021年度").' })
  label!: string | null;
  @Field(() => String, { nullable: true, description: 'The file the notice was read from.' }) seedFile!: string | null;
}

@ObjectType('FundingShare', { description: 'Who pays a share of an amount.' })
export class FundingShareType {
  @Field({ description: 'Payer code, e.g. CENTRAL_FISCAL, MEDICAL_ASSISTANCE_FUND, GUIAN_FISCAL.' }) source!: string;
  @Field() name!: string;
  @Field(() => MoneyScalar) amount!: number;
  @Field(() => String, { nullable: true, description: 'The clause that names this payer.' }) clause?: string | null;
  @Field(() => String, { nullable: true, description: "Set when who pays this share is a reading of the notice (平利's 5.80 / 52.20): why." })
  inferred?: string | null;
}

@ObjectType({ description: "One value in the year's data that is an inference, with where it sits and why." })
export class PolicyInference {
  @Field({ description: 'Where the value sits in the year file, e.g. fiscalSubsidy.split[1].parts[1].' }) path!: string;
  @Field(() => String, { nullable: true, description: 'The nearest clause on the way to the value.' }) clause!: string | null;
  @Field() inferred!: string;
}

@ObjectType({ description: 'A rule of the notice without a typed field of its own (late enrolment, newborns, students, refunds, enrolment, ties …).' })
export class PolicyRule {
  @Field({ description: 'Where the rule sits in the year file, e.g. lateEnrollment.circumstances[5], students.graduates.' }) key!: string;
  @Field({ description: 'What the rule holds, compactly: its values other than the citation (circumstance: LOST_CONTACT).' }) detail!: string;
  @Field() clause!: string;
  @Field(() => String, { nullable: true }) inferred!: string | null;
  @Field(() => String, { nullable: true }) note!: string | null;
  @Field(() => String, { nullable: true, description: 'The document the notice refers to for this rule, which it does not quote.' }) refersTo!: string | null;
}

@ObjectType({ description: 'Where each typed value of a policy year comes from.' })
export class PolicySources {
  @Field(() => Citation, { description: "The line the notice's number, title and date come from." }) notice!: Citation;
  @Field(() => Citation, { description: 'Where the notice says which year of cover its label means.' }) coverageYear!: Citation;
  @Field(() => Citation) individualContribution!: Citation;
  @Field(() => Citation, { nullable: true, description: 'Null exactly when fiscalSubsidy is null.' }) fiscalSubsidy!: Citation | null;
  @Field(() => Citation, { nullable: true, description: "The fiscal subsidy's split by payer, where stated." }) fiscalShares!: Citation | null;
  @Field(() => Citation, { nullable: true }) fundingStandard!: Citation | null;
  @Field(() => Citation, { nullable: true, description: 'Null exactly when collectionWindow.start is null.' }) collectionWindowStart!: Citation | null;
  @Field(() => Citation, { description: 'The stated start, or the inferred lower bound.' }) collectionWindowEarliestPayment!: Citation;
  @Field(() => Citation) collectionWindowEnd!: Citation;
  @Field(() => Citation) coverageStart!: Citation;
  @Field(() => Citation) coverageEnd!: Citation;
}

@ObjectType({ description: 'The subsidy a category of people in difficulty gets under a notice.' })
export class AssistanceRule {
  @Field(() => AssistanceCategoryEnum) category!: AssistanceCategory;
  @Field(() => MoneyScalar, { nullable: true, description: 'The amount as the notice states it; null where it does not.' })
  amount!: number | null;
  @Field({ description: '全额资助: the whole individual contribution.' }) full!: boolean;
  @Field(() => SubsidyModeEnum, { nullable: true }) mode!: SubsidyMode | null;
  @Field() clause!: string;
  @Field(() => String, { nullable: true, description: 'Where the notice says how the subsidy is paid.' }) modeClause!: string | null;
  @Field(() => String, { nullable: true, description: 'Present when part of the rule is an inference: why.' }) inferred!: string | null;
  @Field(() => [PolicyInference], { description: 'Every part of this rule that is an inference (its amount, its funding …).' })
  inferences!: PolicyInference[];
  @Field(() => String, { nullable: true, description: 'The document the notice refers to for this subsidy, which it does not quote (张医保发〔2021〕52号).' })
  refersTo!: string | null;
}

@ObjectType()
export class RegionTarget {
  @Field(() => RegionType) region!: RegionType;
  @Field(() => Int) target!: number;
  @Field() clause!: string;
}

@ObjectType({ description: "A date by which a share of the year's target is to be enrolled." })
export class Milestone {
  @Field(() => DateScalar) date!: string;
  @Field(() => Float, { description: '0..1' }) share!: number;
  @Field() clause!: string;
}

@ObjectType('PolicyYear', { description: "One tenant's policy for one year of cover, as its notice states it." })
export class PolicyYearType {
  @Field(() => TenantType) tenant!: TenantType;
  @Field(() => Int, { description: 'The year of cover (待遇享受年度), whatever label the notice uses.' }) coverageYear!: number;
  @Field(() => Int, {
    description: 'The published version in force (1, 2 …): versions never change, a correction is a new one. Enrolments record the version that decided them.',
  })
  version!: number;
  @Field(() => String, { nullable: true, description: 'ISO 8601 instant the version in force was published.' }) publishedAt!: string | null;
  @Field(() => String, { nullable: true, description: 'Set when the year of cover itself is an inference: why.' })
  coverageYearInferred!: string | null;
  @Field(() => Notice) notice!: Notice;
  @Field(() => MoneyScalar) individualContribution!: number;
  @Field(() => MoneyScalar, { nullable: true }) fiscalSubsidy!: number | null;
  @Field({ description: 'True where the notice gives the fiscal subsidy as a floor (不低于).' }) fiscalSubsidyIsMinimum!: boolean;
  @Field(() => [FundingShareType]) fiscalShares!: FundingShareType[];
  @Field(() => MoneyScalar, { nullable: true, description: 'The total funding per person (筹资标准) where stated.' })
  fundingStandard!: number | null;
  @Field(() => CollectionWindow) collectionWindow!: CollectionWindow;
  @Field(() => DateRangeType) coverage!: DateRangeType;
  @Field(() => [AssistanceRule]) assistance!: AssistanceRule[];
  @Field(() => [RegionTarget]) targets!: RegionTarget[];
  @Field(() => Int, { nullable: true, description: "The notice's stated total target, where it states one." }) targetTotal!: number | null;
  @Field(() => [Milestone]) milestones!: Milestone[];
  @Field(() => [String], { description: "What validating the notice's data found, e.g. totals that disagree." }) warnings!: string[];
  @Field(() => PolicySources, { description: 'The clause (and any inference) of each typed value above.' }) sources!: PolicySources;
  @Field(() => [PolicyInference], { description: "Every value in the year's data that is an inference, by path." }) inferences!: PolicyInference[];
  @Field(() => [PolicyRule], { description: "The notice's rules that have no typed field above, each with its clause." }) rules!: PolicyRule[];
}

@InputType()
export class QuoteInput {
  @Field(() => ID) tenant!: string;
  @Field(() => Int) coverageYear!: number;
  @Field(() => DateScalar) paymentDate!: string;
  @Field(() => [AssistanceCategoryEnum], { nullable: true }) categories?: AssistanceCategory[] | null;
  @Field(() => [CircumstanceEnum], { nullable: true }) circumstances?: Circumstance[] | null;
  @Field(() => DateScalar, { nullable: true }) birthDate?: string | null;
  @Field(() => ID, { nullable: true }) region?: string | null;
  @Field(() => DateScalar, {
    nullable: true,
    description: '错缴异地 (平利 七（三）): the first payment, made in the wrong place and refunded there; the window, cover and assistance count from it.',
  })
  wrongLocationPaidOn?: string | null;
}

@ObjectType('ExplanationStep')
export class ExplanationStepType {
  @Field({ description: 'Which rule this step applied, e.g. collection-window, assistance, subsidy-mode.' }) rule!: string;
  @Field(() => String, { nullable: true }) clause!: string | null;
  @Field() detail!: string;
  @Field(() => MoneyScalar, { nullable: true }) amount!: number | null;
  @Field(() => String, { nullable: true, description: 'Set when the step rests on a value the data marks as an inference: why.' }) inferred?: string | null;
  @Field(() => String, { nullable: true, description: 'Set when the step names a value the notice leaves unstated (as extensions.missing would).' })
  missing?: string | null;
}

@ObjectType({ description: 'A value the notice leaves unstated, the fields of the answer that wait for it, and where the notice sends the reader.' })
export class MissingValue {
  @Field({ description: "The policy value that is missing, as POLICY_NOT_CONFIGURED's extensions.missing names it (assistance.DIBAO.amount)." })
  path!: string;
  @Field(() => [String], { description: 'The Quote fields that depend on it: coverage, subsidy, reimbursement, netCost, fundingShares, appliedCategory.' })
  affects!: string[];
  @Field() message!: string;
  @Field(() => String, { nullable: true, description: 'The clause that refers elsewhere, or else the clause of the rule that leaves the value out.' })
  clause!: string | null;
  @Field(() => String, { nullable: true, description: 'The document the notice refers to for the value, where it names one.' }) refersTo!: string | null;
}

@ObjectType('Quote', { description: 'What a person owes for a year of cover if they pay on a given date, and why.' })
export class QuoteType {
  @Field(() => MoneyScalar, { description: 'The individual standard that applies (after late-payment rules).' })
  standardContribution!: number;
  @Field(() => MoneyScalar, {
    description: 'Assistance applied: the highest single category, never above the standard. Where unknowns lists it, the part already certain.',
  })
  subsidy!: number;
  @Field(() => AssistanceCategoryEnum, { nullable: true }) appliedCategory!: AssistanceCategory | null;
  @Field(() => SubsidyModeEnum, { nullable: true, description: 'Null when no subsidy applies.' }) mode!: SubsidyMode | null;
  @Field(() => MoneyScalar, { description: 'What the person pays at collection.' }) amountDue!: number;
  @Field(() => MoneyScalar, { description: 'What is paid back to the person afterwards. Where unknowns lists it, the part already certain.' })
  reimbursement!: number;
  @Field(() => String, { nullable: true, description: '"YYYY-MM" in which the reimbursement is paid, where the notice says.' })
  reimbursementMonth!: string | null;
  @Field(() => MoneyScalar, { description: 'amountDue - reimbursement. Where unknowns lists it, the most the person bears.' }) netCost!: number;
  @Field(() => [FundingShareType], { description: 'Who pays the subsidy; fundingStatus says whether the shares add up to it.' })
  fundingShares!: FundingShareType[];
  @Field(() => FundingStatusEnum) fundingStatus!: FundingStatus;
  @Field(() => String, { nullable: true, description: 'Why the shares do not add up to the subsidy, where they do not.' }) fundingNote!: string | null;
  @Field(() => DateRangeType, {
    nullable: true,
    description: 'Null where the notice does not state when cover starts for this case (unknowns names the missing value).',
  })
  coverage!: DateRangeType | null;
  @Field({ description: 'Paid outside the concentrated window.' }) late!: boolean;
  @Field(() => [ExplanationStepType]) explanation!: ExplanationStepType[];
  @Field(() => Int, { description: 'The year of cover (待遇享受年度) this quote is for.' }) coverageYear!: number;
  @Field(() => Int, { description: 'The published version of the policy year that decided this quote (PolicyYear.version).' }) policyVersion!: number;
  @Field(() => String, { nullable: true, description: 'The year as the notice labels it, where it names one ("2021年度").' }) noticeLabel!: string | null;
  @Field(() => Citation, { description: 'Where the notice says which year of cover its label means; inferred for 山丹.' }) coverageYearSource!: Citation;
  @Field(() => [MissingValue], { description: 'The values of this answer the notice leaves unstated; empty when every value is known.' })
  unknowns!: MissingValue[];
  @Field({ description: 'True when unknowns is empty: every value of the quote is stated by the notice.' }) complete!: boolean;
}
