import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { asEnum, AssistanceCategoryEnum, SubsidyModeEnum } from '../../graphql/enums';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import type { AssistanceCategory, SubsidyMode } from '../../policy-data/vocabulary';
import { FundingShareType } from '../public-policy/public-policy.types';

export const GrantStatusEnum = asEnum(['SETTLED', 'SCHEDULED', 'PAID_OUT', 'CANCELLED'] as const);
export const GrantKindEnum = asEnum(['AT_PAYMENT', 'TOP_UP', 'NEWLY_CERTIFIED'] as const);
registerEnumType(GrantStatusEnum, { name: 'GrantStatus', description: 'SETTLED: netted at collection or paid by the funding body; SCHEDULED/PAID_OUT: a 先缴后补 reimbursement.' });
registerEnumType(GrantKindEnum, { name: 'GrantKind' });

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
  @Field(() => [FundingShareType]) funding!: FundingShareType[];
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
  @Field(() => [FundingShareType], { description: 'Totals by funding source.' }) bySource!: FundingShareType[];
  @Field(() => [Disbursement], { description: 'One row per reimbursement, for the bank that pays into 一卡通 accounts.' }) items!: Disbursement[];
}
