import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { asEnum, AssistanceCategoryEnum, type ImportRowStatus, ImportRowStatusEnum, SubsidyModeEnum } from '../../graphql/enums';
import { connectionTypes } from '../../graphql/connection';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import type { AssistanceCategory, SubsidyMode } from '../../policy-data/vocabulary';
import { FundingShareType } from '../public-policy/public-policy.types';
import type { GrantStatus, PayoutResult } from './subsidies.repository';

export const GrantStatusEnum = asEnum(['SETTLED', 'DUE', 'SCHEDULED', 'PAID_OUT', 'REISSUED', 'CANCELLED'] as const);
export const GrantKindEnum = asEnum(['AT_PAYMENT', 'TOP_UP', 'NEWLY_CERTIFIED'] as const);
export const PayoutResultEnum = asEnum(['PAID', 'FAILED', 'RETURNED'] as const);
registerEnumType(GrantStatusEnum, {
  name: 'GrantStatus',
  description:
    'SETTLED: netted at collection or paid by the funding body. A 先缴后补 reimbursement is DUE (no payout month: the notice states none, or its month was already paid out) until an administrator schedules it, SCHEDULED for a month, PAID_OUT in it, or REISSUED (its payout failed or came back; a new DUE grant takes its place). CANCELLED: no longer owed.',
});
registerEnumType(GrantKindEnum, { name: 'GrantKind' });
registerEnumType(PayoutResultEnum, {
  name: 'PayoutResult',
  description: 'What the bank says of one payout: PAID into the account, FAILED, or RETURNED afterwards.',
});

@ObjectType({ description: 'A subsidy granted for an enrolment, with who funds it.' })
export class SubsidyGrant {
  @Field(() => AssistanceCategoryEnum) category!: AssistanceCategory;
  @Field(() => SubsidyModeEnum) mode!: SubsidyMode;
  @Field(() => GrantKindEnum) kind!: 'AT_PAYMENT' | 'TOP_UP' | 'NEWLY_CERTIFIED';
  @Field(() => MoneyScalar) amount!: number;
  @Field(() => DateScalar) grantedOn!: string;
  @Field(() => String, { nullable: true, description: '"YYYY-MM" of a reimbursement\'s payout; null while it is DUE (not scheduled).' })
  payoutMonth!: string | null;
  @Field(() => GrantStatusEnum) status!: GrantStatus;
  @Field(() => PayoutResultEnum, { nullable: true, description: "The bank's result of the payout, once recorded." }) payoutResult!: PayoutResult | null;
  @Field(() => [FundingShareType]) funding!: FundingShareType[];
  @Field(() => Int, {
    nullable: true,
    description: 'The version of the policy year (PolicyYear.version) that decided the grant; null for grants recorded before versions were.',
  })
  policyVersion!: number | null;
}

@ObjectType({ description: "A reimbursement to be paid into a person's 一卡通 account." })
export class Disbursement {
  @Field() idNumber!: string;
  @Field() name!: string;
  @Field(() => Int) coverageYear!: number;
  @Field(() => AssistanceCategoryEnum) category!: AssistanceCategory;
  @Field(() => GrantKindEnum) kind!: 'AT_PAYMENT' | 'TOP_UP' | 'NEWLY_CERTIFIED';
  @Field(() => MoneyScalar) amount!: number;
  @Field(() => String, { nullable: true, description: 'The 一卡通 or bank account, masked (the full number only in exportPayoutFile).' })
  bankAccountMasked!: string | null;
  @Field(() => PayoutResultEnum, { nullable: true }) payoutResult!: PayoutResult | null;
  @Field(() => String, { nullable: true }) payoutNote!: string | null;
}

@ObjectType({ description: "How many of a month's payouts the bank reported paid, failed or returned, and how many it has not yet." })
export class PayoutResultCounts {
  @Field(() => Int) paid!: number;
  @Field(() => Int) failed!: number;
  @Field(() => Int) returned!: number;
  @Field(() => Int, { description: 'Paid out, no result recorded yet.' }) pending!: number;
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
  @Field(() => PayoutResultCounts, { description: "The bank's results, person by person." }) results!: PayoutResultCounts;
  @Field(() => [Disbursement], { description: 'One row per reimbursement, for the bank that pays into 一卡通 accounts.' }) items!: Disbursement[];
}

@ObjectType({ description: 'One line of the payout file for the bank: the full account number, which only this export shows.' })
export class PayoutFileLine {
  @Field() idNumber!: string;
  @Field() name!: string;
  @Field(() => Int) coverageYear!: number;
  @Field(() => AssistanceCategoryEnum) category!: AssistanceCategory;
  @Field(() => MoneyScalar) amount!: number;
  @Field(() => String, { nullable: true, description: 'Null where the person has no account on record: the bank cannot pay them.' }) bankAccount!:
    string | null;
  @Field(() => String, { nullable: true }) bankName!: string | null;
}

@ObjectType({ description: "A month's payout file (一卡通), exported by an administrator; the export is in the audit log." })
export class PayoutFile {
  @Field() month!: string;
  @Field(() => Int) count!: number;
  @Field(() => MoneyScalar) total!: number;
  @Field(() => Int, { description: 'People without an account on record.' }) withoutAccount!: number;
  @Field(() => [PayoutFileLine]) lines!: PayoutFileLine[];
}

@ObjectType({ description: 'A reimbursement due and not yet scheduled into a payout month.' })
export class DueReimbursement {
  @Field(() => ID) id!: string;
  @Field() idNumber!: string;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => Int) coverageYear!: number;
  @Field(() => AssistanceCategoryEnum) category!: AssistanceCategory;
  @Field(() => GrantKindEnum) kind!: 'AT_PAYMENT' | 'TOP_UP' | 'NEWLY_CERTIFIED';
  @Field(() => MoneyScalar) amount!: number;
  @Field(() => DateScalar, { description: 'When it became due: the payment, or the certification, it follows.' }) grantedOn!: string;
  @Field(() => [FundingShareType]) funding!: FundingShareType[];
}

const due = connectionTypes(DueReimbursement, 'DueReimbursement');
@ObjectType({ description: 'Reimbursements due and unscheduled, a page at a time, with their total.' })
export class DueReimbursementConnection extends due.ConnectionType {
  @Field(() => MoneyScalar, { description: 'The amount of every item the filter selects.' }) total!: number;
}

@ObjectType({ description: 'Due reimbursements scheduled into a payout month.' })
export class ReimbursementSchedule {
  @Field() month!: string;
  @Field(() => Int) count!: number;
  @Field(() => MoneyScalar) total!: number;
  @Field(() => Int, { description: 'Still due and unscheduled afterwards (of the same filter).' }) remaining!: number;
}

@InputType({ description: "One row of the bank's result file of a month's payout." })
export class PayoutResultInput {
  @Field() idNumber!: string;
  @Field(() => Int) coverageYear!: number;
  @Field(() => MoneyScalar) amount!: number;
  @Field(() => PayoutResultEnum) result!: PayoutResult;
  @Field(() => DateScalar) resultOn!: string;
  @Field(() => String, { nullable: true, description: "The bank's reason for a failure or a return: 账户已销户, 户名不符 …" }) note?: string | null;
  @Field(() => String, { nullable: true }) reference?: string | null;
}

@ObjectType()
export class PayoutResultRow {
  @Field(() => Int, { description: 'Position of the row in the request, from 0.' }) index!: number;
  @Field() idNumberMasked!: string;
  @Field(() => ImportRowStatusEnum) status!: ImportRowStatus;
  @Field(() => String, { nullable: true }) code!: string | null;
  @Field(() => String, { nullable: true }) error!: string | null;
}

@ObjectType()
export class PayoutResultImport {
  @Field() month!: string;
  @Field(() => Int) accepted!: number;
  @Field(() => Int) duplicates!: number;
  @Field(() => Int) rejected!: number;
  @Field(() => Int, { description: 'Reimbursements re-issued as DUE because their payout failed or came back.' }) reissued!: number;
  @Field(() => [PayoutResultRow]) rows!: PayoutResultRow[];
}

@ObjectType()
export class SubsidyCategoryTotal {
  @Field(() => AssistanceCategoryEnum) category!: AssistanceCategory;
  @Field(() => SubsidyModeEnum) mode!: SubsidyMode;
  @Field(() => Int) people!: number;
  @Field(() => MoneyScalar) amount!: number;
  @Field(() => MoneyScalar, { description: "Reimbursements paid into people's accounts." }) paidOut!: number;
  @Field(() => MoneyScalar, { description: 'Reimbursements still owed to people (due or scheduled).' }) owed!: number;
}

@ObjectType({ description: "A year's subsidies that stand (not cancelled or superseded), by category and by funding source." })
export class SubsidyTotals {
  @Field(() => Int) coverageYear!: number;
  @Field(() => MoneyScalar) total!: number;
  @Field(() => MoneyScalar) paidOut!: number;
  @Field(() => MoneyScalar) owed!: number;
  @Field(() => [SubsidyCategoryTotal]) byCategory!: SubsidyCategoryTotal[];
  @Field(() => [FundingShareType], { description: 'By funding source; NOT_STATED where the notice names no payer. Adds up to total.' })
  bySource!: FundingShareType[];
}
