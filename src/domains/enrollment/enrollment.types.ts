import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { asEnum, AssistanceCategoryEnum, CircumstanceEnum, type ImportRowStatus, ImportRowStatusEnum, SubsidyModeEnum } from '../../graphql/enums';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import type { AssistanceCategory, Circumstance, SubsidyMode } from '../../policy-data/vocabulary';
import { DateRangeType } from '../public-policy/public-policy.types';
import { ENROLLMENT_STATES } from './enrollment-state';

export const EnrollmentStateEnum = asEnum(ENROLLMENT_STATES);
/** A state as the schema shows it: the state machine's, or NOT_ENROLLED where there is no enrolment. */
export type EnrollmentStateShown = keyof typeof EnrollmentStateEnum;
registerEnumType(EnrollmentStateEnum, {
  name: 'EnrollmentState',
  description: 'NOT_ENROLLED: no enrolment, or one kept on record after the payment that made it was reversed.',
});

@ObjectType()
export class Payment {
  @Field() receiptNo!: string;
  @Field({ description: 'The payer\'s ID number, masked: birth date digits are never shown.' }) idNumberMasked!: string;
  @Field(() => Int) coverageYear!: number;
  @Field(() => MoneyScalar) amount!: number;
  @Field(() => DateScalar) paidOn!: string;
  @Field() channel!: string;
  @Field(() => String, { nullable: true }) batchId!: string | null;
}

@ObjectType({ description: 'A person\'s enrolment for one year of cover.' })
export class Enrollment {
  @Field() idNumber!: string;
  @Field(() => Int) coverageYear!: number;
  @Field(() => EnrollmentStateEnum) status!: EnrollmentStateShown;
  @Field(() => DateScalar) enrolledOn!: string;
  @Field(() => [CircumstanceEnum]) circumstances!: Circumstance[];
  @Field(() => MoneyScalar) standardContribution!: number;
  @Field(() => MoneyScalar) subsidy!: number;
  @Field(() => AssistanceCategoryEnum, { nullable: true }) appliedCategory!: AssistanceCategory | null;
  @Field(() => SubsidyModeEnum, { nullable: true }) mode!: SubsidyMode | null;
  @Field(() => MoneyScalar, { description: 'What was due: on enrolledOn while unpaid, on paidOn once paid.' }) amountDue!: number;
  @Field() late!: boolean;
  @Field(() => DateScalar, { nullable: true }) paidOn!: string | null;
  @Field(() => MoneyScalar, { nullable: true }) amountPaid!: number | null;
  @Field(() => DateRangeType, { nullable: true, description: 'Set when paid; null where the notice does not state when cover starts.' })
  coverage!: DateRangeType | null;
  @Field(() => [Payment]) payments!: Payment[];
}

@ObjectType({ description: 'What a bank needs at the counter; names and ID numbers masked.' })
export class EnrollmentStatus {
  @Field(() => EnrollmentStateEnum) status!: EnrollmentStateShown;
  @Field(() => MoneyScalar, { nullable: true, description: 'Unpaid: what is due if paid on asOf (default today). Paid: what was due.' })
  amountDue!: number | null;
  @Field(() => String, { nullable: true, description: 'Why amountDue is null: the window is closed, the policy does not say …' })
  amountDueNote!: string | null;
  @Field(() => MoneyScalar, { nullable: true }) amountPaid!: number | null;
  @Field(() => DateRangeType, { nullable: true }) coverage!: DateRangeType | null;
  @Field() idNumberMasked!: string;
  @Field(() => String, { nullable: true }) nameMasked!: string | null;
  @Field(() => [ID], { description: 'Other tenants enrolling the same person for the year (one scheme per person).' })
  enrolledElsewhere!: string[];
}

@InputType()
export class EnrollInput {
  @Field() idNumber!: string;
  @Field(() => Int) coverageYear!: number;
  @Field(() => DateScalar, { nullable: true, description: 'Defaults to today (China time); amountDue is what is due if paid that day.' })
  enrolledOn?: string | null;
  @Field(() => [CircumstanceEnum], { nullable: true }) circumstances?: Circumstance[] | null;
}

@InputType()
export class PaymentInput {
  @Field() idNumber!: string;
  @Field(() => Int) coverageYear!: number;
  @Field(() => MoneyScalar) amount!: number;
  @Field(() => DateScalar) paidOn!: string;
  @Field() channel!: string;
  @Field({ description: 'Idempotency key within the tenant.' }) receiptNo!: string;
}

@ObjectType()
export class PaymentRowResult {
  @Field(() => Int, { description: 'Position of the row in the request, from 0.' }) index!: number;
  @Field() receiptNo!: string;
  @Field(() => ImportRowStatusEnum) status!: ImportRowStatus;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => String, { nullable: true, description: 'The error code a single recordPayment would have raised.' }) code!: string | null;
}

@ObjectType()
export class PaymentImport {
  @Field() batchId!: string;
  @Field(() => Int) accepted!: number;
  @Field(() => Int) duplicates!: number;
  @Field(() => Int) rejected!: number;
  @Field(() => [PaymentRowResult]) rows!: PaymentRowResult[];
}

@ObjectType()
export class SkippedPerson {
  @Field() idNumberMasked!: string;
  @Field() code!: string;
  @Field() error!: string;
}

@ObjectType()
export class SponsorshipResult {
  @Field(() => Int) enrolled!: number;
  @Field(() => Int) alreadyEnrolled!: number;
  @Field(() => [SkippedPerson]) skipped!: SkippedPerson[];
}

@ObjectType()
export class DuplicateEnrollment {
  @Field(() => Enrollment) enrollment!: Enrollment;
  @Field(() => [ID], { description: 'The other tenants enrolling the same person for the year.' }) enrolledIn!: string[];
}
