/**
 * Public policy types (CONTRACT.md "Public operations"). Classes that share a name with the policy model or
 * engine end in Type; the schema names stay the contract's. Fields a notice may leave unstated are nullable
 * and null exactly then. Money fields hold fen; the Money scalar prints yuan.
 */
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { AssistanceCategory, Circumstance, RegionKind, SubsidyMode } from '../../policy-data/vocabulary';
import { AssistanceCategoryEnum, CircumstanceEnum, RegionKindEnum, SubsidyModeEnum } from '../../graphql/enums';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';

@ObjectType('Region', { description: 'A township, district or other area of a tenant.' })
export class RegionType {
  @Field(() => ID) code!: string;
  @Field() name!: string;
  @Field(() => RegionKindEnum) kind!: RegionKind;
  @Field(() => ID, { nullable: true, description: 'The region this one lies in (贵安新区 for its towns).' })
  parentCode!: string | null;
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
}

@ObjectType()
export class Notice {
  @Field(() => String, { nullable: true }) number!: string | null;
  @Field() title!: string;
  @Field(() => DateScalar, { nullable: true }) issuedOn!: string | null;
}

@ObjectType('FundingShare', { description: 'Who pays a share of an amount.' })
export class FundingShareType {
  @Field({ description: 'Payer code, e.g. CENTRAL_FISCAL, MEDICAL_ASSISTANCE_FUND, GUIAN_FISCAL.' }) source!: string;
  @Field() name!: string;
  @Field(() => MoneyScalar) amount!: number;
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
}

@ObjectType()
export class RegionTarget {
  @Field(() => RegionType) region!: RegionType;
  @Field(() => Int) target!: number;
  @Field() clause!: string;
}

@ObjectType({ description: 'A date by which a share of the year\'s target is to be enrolled.' })
export class Milestone {
  @Field(() => DateScalar) date!: string;
  @Field(() => Float, { description: '0..1' }) share!: number;
  @Field() clause!: string;
}

@ObjectType('PolicyYear', { description: 'One tenant\'s policy for one year of cover, as its notice states it.' })
export class PolicyYearType {
  @Field(() => TenantType) tenant!: TenantType;
  @Field(() => Int, { description: 'The year of cover (待遇享受年度), whatever label the notice uses.' }) coverageYear!: number;
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
  @Field(() => Int, { nullable: true, description: 'The notice\'s stated total target, where it states one.' }) targetTotal!: number | null;
  @Field(() => [Milestone]) milestones!: Milestone[];
  @Field(() => [String], { description: 'What validating the notice\'s data found, e.g. totals that disagree.' }) warnings!: string[];
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
}

@ObjectType('ExplanationStep')
export class ExplanationStepType {
  @Field({ description: 'Which rule this step applied, e.g. collection-window, assistance, subsidy-mode.' }) rule!: string;
  @Field(() => String, { nullable: true }) clause!: string | null;
  @Field() detail!: string;
  @Field(() => MoneyScalar, { nullable: true }) amount!: number | null;
}

@ObjectType('Quote', { description: 'What a person owes for a year of cover if they pay on a given date, and why.' })
export class QuoteType {
  @Field(() => MoneyScalar, { description: 'The individual standard that applies (after late-payment rules).' })
  standardContribution!: number;
  @Field(() => MoneyScalar, { description: 'Assistance applied: the highest single category, never above the standard.' })
  subsidy!: number;
  @Field(() => AssistanceCategoryEnum, { nullable: true }) appliedCategory!: AssistanceCategory | null;
  @Field(() => SubsidyModeEnum, { nullable: true, description: 'Null when no subsidy applies.' }) mode!: SubsidyMode | null;
  @Field(() => MoneyScalar, { description: 'What the person pays at collection.' }) amountDue!: number;
  @Field(() => MoneyScalar, { description: 'What is paid back to the person afterwards.' }) reimbursement!: number;
  @Field(() => String, { nullable: true, description: '"YYYY-MM" in which the reimbursement is paid, where the notice says.' })
  reimbursementMonth!: string | null;
  @Field(() => MoneyScalar, { description: 'amountDue - reimbursement.' }) netCost!: number;
  @Field(() => [FundingShareType], { description: 'Who pays the subsidy.' }) fundingShares!: FundingShareType[];
  @Field(() => DateRangeType) coverage!: DateRangeType;
  @Field({ description: 'Paid outside the concentrated window.' }) late!: boolean;
  @Field(() => [ExplanationStepType]) explanation!: ExplanationStepType[];
}
