import { Field, Int, ObjectType, InputType, registerEnumType } from 'type-graphql';
import type { AssistanceCategory, RefundReason, SubsidyMode } from '../../policy/vocabulary';
import { asEnum, AssistanceCategoryEnum, RefundReasonEnum, SubsidyModeEnum } from '../enums';
import { DateScalar, MoneyScalar } from '../scalars';
import { ImportRowStatusEnum } from './enrollment.types';
import { ExplanationStep, FundingShare } from './policy.types';

export const GrantStatusEnum = asEnum(['SETTLED', 'SCHEDULED', 'PAID_OUT', 'CANCELLED'] as const);
export const GrantKindEnum = asEnum(['AT_PAYMENT', 'TOP_UP', 'NEWLY_CERTIFIED'] as const);
export const RefundStatusEnum = asEnum(['PENDING', 'APPROVED', 'REJECTED'] as const);
registerEnumType(GrantStatusEnum, { name: 'GrantStatus', description: 'SETTLED: netted at collection or paid by the funding body; SCHEDULED/PAID_OUT: a 先缴后补 reimbursement.' });
registerEnumType(GrantKindEnum, { name: 'GrantKind' });
registerEnumType(RefundStatusEnum, { name: 'RefundStatus' });

@ObjectType({ description: 'A subsidy granted for an enrolment, with who funds it.' })
export class SubsidyGrant {
  @Field(() => AssistanceCategoryEnum) category!: AssistanceCategory;
  @Field(() => SubsidyModeEnum) mode!: SubsidyMode;
  @Field(() => GrantKindEnum) kind!: 'AT_PAYMENT' | 'TOP_UP' | 'NEWLY_CERTIFIED';
  @Field(() => MoneyScalar) amount!: number;
  @Field(() => DateScalar) grantedOn!: string;
  @Field(() => String, { nullable: true, description: '"YYYY-MM" of a reimbursement\'s payout; null where the notice does not say.' })
  payoutMonth!: string | null;
  @Field(() => GrantStatusEnum) status!: 'SETTLED' | 'SCHEDULED' | 'PAID_OUT' | 'CANCELLED';
  @Field(() => [FundingShare]) funding!: FundingShare[];
}

@ObjectType({ description: 'A reimbursement to be paid into a person\'s 一卡通 account.' })
export class Disbursement {
  @Field() idNumber!: string;
  @Field() name!: string;
  @Field(() => Int) coverageYear!: number;
  @Field(() => AssistanceCategoryEnum) category!: AssistanceCategory;
  @Field(() => GrantKindEnum) kind!: 'AT_PAYMENT' | 'TOP_UP' | 'NEWLY_CERTIFIED';
  @Field(() => MoneyScalar) amount!: number;
}

@ObjectType({ description: 'The 先缴后补 reimbursements due to people in a month.' })
export class DisbursementBatch {
  @Field({ description: 'YYYY-MM' }) month!: string;
  @Field(() => Int) count!: number;
  @Field(() => MoneyScalar) total!: number;
  @Field() paid!: boolean;
  @Field(() => String, { nullable: true, description: 'ISO 8601 instant the payout was recorded.' }) paidAt!: string | null;
  @Field(() => String, { nullable: true }) paidBy!: string | null;
  @Field(() => [FundingShare], { description: 'Totals by funding source.' }) bySource!: FundingShare[];
  @Field(() => [Disbursement], { description: 'One row per reimbursement, for the bank that pays into 一卡通 accounts.' }) items!: Disbursement[];
}

@ObjectType({ description: 'A refund request (退费) and what it comes to under the notice.' })
export class Refund {
  @Field({ description: '"idNumber/coverageYear": one refund per enrolment.' }) id!: string;
  @Field() idNumberMasked!: string;
  @Field(() => Int) coverageYear!: number;
  @Field(() => RefundReasonEnum) reason!: RefundReason;
  @Field(() => DateScalar) requestedOn!: string;
  @Field(() => RefundStatusEnum) status!: 'PENDING' | 'APPROVED' | 'REJECTED';
  @Field(() => MoneyScalar, { description: 'What is paid back to the person: their personal part.' }) amount!: number;
  @Field(() => MoneyScalar, { description: 'A pending reimbursement cancelled instead of paid.' }) cancelledReimbursement!: number;
  @Field(() => [ExplanationStep]) explanation!: ExplanationStep[];
  @Field(() => String, { nullable: true }) decidedBy!: string | null;
  @Field(() => String, { nullable: true }) decisionNote!: string | null;
}

@InputType()
export class RefundInput {
  @Field() idNumber!: string;
  @Field(() => Int) coverageYear!: number;
  @Field(() => RefundReasonEnum) reason!: RefundReason;
  @Field(() => DateScalar) requestedOn!: string;
}

@ObjectType()
export class AssistanceRowResult {
  @Field(() => Int) index!: number;
  @Field() idNumberMasked!: string;
  @Field(() => ImportRowStatusEnum) status!: 'ACCEPTED' | 'DUPLICATE' | 'REJECTED';
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => String, { nullable: true }) code!: string | null;
}

@ObjectType()
export class AssistanceImport {
  @Field(() => Int) accepted!: number;
  @Field(() => Int) duplicates!: number;
  @Field(() => Int) rejected!: number;
  @Field(() => [AssistanceRowResult]) rows!: AssistanceRowResult[];
}
