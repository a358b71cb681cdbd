import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { connectionTypes } from '../../graphql/connection';
import { asEnum, type ImportRowStatus, ImportRowStatusEnum } from '../../graphql/enums';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import { PayerKindEnum } from './enrollment.types';
import type { PayerKind } from './enrollment.repository';

export const WaitStatusEnum = asEnum(['WAITING', 'RESOLVED', 'CANCELLED'] as const);
registerEnumType(WaitStatusEnum, {
  name: 'WaitStatus',
  description: 'WAITING for a value the notice leaves unstated; RESOLVED once it is configured; CANCELLED when the enrolment no longer stands.',
});
export const HeldStatusEnum = asEnum(['HELD', 'MATCHED'] as const);
registerEnumType(HeldStatusEnum, {
  name: 'HeldStatus',
  description: 'HELD in suspense; MATCHED: now a payment of an enrolment, under the same channel and receipt.',
});

@ObjectType({ description: 'A value an enrolment waits for: the notice leaves it unstated (or refers elsewhere); computed as soon as it is configured.' })
export class WaitingValue {
  @Field(() => ID) id!: string;
  @Field() idNumber!: string;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => Int) coverageYear!: number;
  @Field({ description: 'The policy value missing, as POLICY_NOT_CONFIGURED names it: assistance.DIBAO.amount, lateEnrollment.coverStart …' }) missing!: string;
  @Field(() => [String], { description: 'What waits for it: subsidy, reimbursement, coverage …' }) affects!: string[];
  @Field(() => String, { nullable: true }) clause!: string | null;
  @Field(() => String, { nullable: true, description: 'The document the notice refers to for the value.' }) refersTo!: string | null;
  @Field() message!: string;
  @Field(() => DateScalar, { description: 'Since when: the payment, or the enrolment.' }) since!: string;
  @Field(() => WaitStatusEnum) status!: keyof typeof WaitStatusEnum;
  @Field(() => DateScalar, { nullable: true }) resolvedOn!: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'Why a wait whose value is configured now stays open: the version in force would ask other amounts of a paid enrolment than the version its money was taken under. Null while the value itself is unstated, and once the wait is closed.',
  })
  stillOpenBecause!: string | null;
  @Field(() => GraphQLJSON, { nullable: true, description: 'What the value came to once configured: subsidy, reimbursement month, cover.' })
  resolution!: unknown;
}
const waiting = connectionTypes(WaitingValue, 'WaitingValue');
@ObjectType()
export class WaitingValueConnection extends waiting.ConnectionType {}

@ObjectType({ description: 'What waits, by the value it waits for.' })
export class WaitingSummary {
  @Field(() => Int) coverageYear!: number;
  @Field() missing!: string;
  @Field(() => String, { nullable: true }) clause!: string | null;
  @Field(() => String, { nullable: true }) refersTo!: string | null;
  @Field(() => Int) people!: number;
  @Field(() => DateScalar, { description: 'The earliest wait began then.' }) since!: string;
}

@ObjectType({
  description:
    'Money the tax system collected that is held in suspense: for someone not registered, or not payable yet. Never dropped; matched when the person registers or the value is configured.',
})
export class HeldPayment {
  @Field(() => ID) id!: string;
  @Field() channel!: string;
  @Field() receiptNo!: string;
  @Field() idNumber!: string;
  @Field(() => Int) coverageYear!: number;
  @Field(() => MoneyScalar) amount!: number;
  @Field(() => DateScalar) paidOn!: string;
  @Field(() => PayerKindEnum) payerKind!: PayerKind;
  @Field(() => String, { nullable: true }) payer!: string | null;
  @Field(() => String, { nullable: true }) batchId!: string | null;
  @Field(() => Int, { nullable: true, description: "The row's position in its batch, from 0." }) rowIndex!: number | null;
  @Field(() => GraphQLJSON, { description: 'The row as the tax system sent it.' }) received!: unknown;
  @Field({ description: 'Why it is held: NOT_FOUND (not registered here), POLICY_NOT_CONFIGURED (the notice leaves what is due unstated) …' }) code!: string;
  @Field() reason!: string;
  @Field(() => String, { nullable: true }) missing!: string | null;
  @Field(() => HeldStatusEnum) status!: 'HELD' | 'MATCHED';
  @Field({ description: 'ISO 8601 instant it was received.' }) receivedAt!: string;
  @Field(() => String, { nullable: true }) matchedAt!: string | null;
}
const held = connectionTypes(HeldPayment, 'HeldPayment');
@ObjectType()
export class HeldPaymentConnection extends held.ConnectionType {
  @Field(() => MoneyScalar, { description: 'The amount of every item the filter selects.' }) total!: number;
}

@ObjectType({ description: 'One row of an import batch as it came out.' })
export class PaymentBatchRow {
  @Field(() => Int) index!: number;
  @Field() receiptNo!: string;
  @Field() channel!: string;
  @Field() idNumberMasked!: string;
  @Field(() => Int, { nullable: true }) coverageYear!: number | null;
  @Field(() => MoneyScalar, { nullable: true }) amount!: number | null;
  @Field(() => DateScalar, { nullable: true }) paidOn!: string | null;
  @Field(() => ImportRowStatusEnum) status!: ImportRowStatus;
  @Field() held!: boolean;
  @Field(() => String, { nullable: true }) code!: string | null;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => Int, {
    nullable: true,
    description:
      'ACCEPTED and recorded as a payment: the version of the policy year (PolicyYear.version) whose amount it paid, as the import answered it (PaymentRowResult.policyVersion): the latest or an earlier one in force on paidOn that asked that amount (按缴费当日有效的版本收取). Null for held, DUPLICATE and REJECTED rows, and for rows recorded before it was kept.',
  })
  policyVersion!: number | null;
}
const batchRows = connectionTypes(PaymentBatchRow, 'PaymentBatchRow');
@ObjectType()
export class PaymentBatchRowConnection extends batchRows.ConnectionType {}

@ObjectType({ description: "An import batch's results, read back by its id (对账)." })
export class PaymentBatch {
  @Field() batchId!: string;
  @Field(() => Int) rows!: number;
  @Field(() => Int) accepted!: number;
  @Field(() => Int) held!: number;
  @Field(() => Int) duplicates!: number;
  @Field(() => Int) rejected!: number;
  @Field(() => MoneyScalar, { description: 'Recorded against enrolments.' }) acceptedAmount!: number;
  @Field(() => MoneyScalar, { description: 'Held in suspense.' }) heldAmount!: number;
  @Field(() => String, {
    nullable: true,
    description: 'ISO 8601 instant of the latest call with this batch id that changed the outcome of a row (a replay that changes nothing leaves it).',
  })
  recordedAt!: string | null;
  @Field(() => PaymentBatchRowConnection) results!: PaymentBatchRowConnection;
}

@ObjectType({ description: 'What a release of held values and money did.' })
export class HeldRelease {
  @Field(() => Int, { description: 'Waits computed now that their value is configured.' }) resolved!: number;
  @Field(() => Int) stillWaiting!: number;
  @Field(() => Int, { description: 'Held payments recorded against enrolments.' }) matched!: number;
  @Field(() => Int) stillHeld!: number;
}
