import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { asEnum, RefundReasonEnum } from '../../graphql/enums';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import type { RefundReason } from '../../policy-data/vocabulary';
import { ExplanationStepType } from '../public-policy/public-policy.types';

export const RefundStatusEnum = asEnum(['PENDING', 'APPROVED', 'REJECTED'] as const);
registerEnumType(RefundStatusEnum, { name: 'RefundStatus' });

@ObjectType({ description: 'A refund request (退费) and what it comes to under the notice.' })
export class Refund {
  @Field({
    description: '"idNumber/coverageYear" for the enrolment\'s first refund request; "idNumber/coverageYear/N" for its Nth (requestNo) after that.',
  })
  id!: string;
  @Field(() => Int, {
    description:
      "1 for the enrolment's first refund request, 2 for the next (asked after the first was rejected, or after the enrolment was refunded and paid again), in the order asked.",
  })
  requestNo!: number;
  @Field() idNumberMasked!: string;
  @Field(() => Int) coverageYear!: number;
  @Field(() => RefundReasonEnum) reason!: RefundReason;
  @Field(() => DateScalar) requestedOn!: string;
  @Field(() => RefundStatusEnum) status!: 'PENDING' | 'APPROVED' | 'REJECTED';
  @Field(() => MoneyScalar, { description: 'What is paid back to the person: their personal part.' }) amount!: number;
  @Field(() => MoneyScalar, { description: 'A pending reimbursement cancelled instead of paid.' }) cancelledReimbursement!: number;
  @Field(() => [ExplanationStepType]) explanation!: ExplanationStepType[];
  @Field(() => String, { nullable: true }) decidedBy!: string | null;
  @Field(() => String, { nullable: true }) decisionNote!: string | null;
  @Field(() => DateScalar, { nullable: true, description: 'The day the approved refund was paid back to the person (recordRefundPayout).' }) paidOn!:
    string | null;
  @Field(() => String, { nullable: true }) payoutReference!: string | null;
  @Field({ description: 'The ID number, for the refund register (退费登记) the bureau keeps.' }) idNumber!: string;
  @Field(() => Int, {
    nullable: true,
    description: 'The version of the policy year (PolicyYear.version) that decided the amount; null for refunds recorded before versions were.',
  })
  policyVersion!: number | null;
}

@InputType()
export class RefundInput {
  @Field() idNumber!: string;
  @Field(() => Int) coverageYear!: number;
  @Field(() => RefundReasonEnum) reason!: RefundReason;
  @Field(() => DateScalar) requestedOn!: string;
}
