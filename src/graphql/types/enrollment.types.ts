import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { AssistanceCategory, Circumstance, SubsidyMode } from '../../policy/vocabulary';
import { asEnum, AssistanceCategoryEnum, CircumstanceEnum, SubsidyModeEnum } from '../enums';
import { DateScalar, MoneyScalar } from '../scalars';
import { DateRange } from './policy.types';

export const EnrollmentStateEnum = asEnum(['NOT_ENROLLED', 'UNPAID', 'PAID', 'REFUND_PENDING', 'REFUNDED', 'TERMINATED'] as const);
export type EnrollmentState = keyof typeof EnrollmentStateEnum;
export const ImportRowStatusEnum = asEnum(['ACCEPTED', 'DUPLICATE', 'REJECTED'] as const);
registerEnumType(EnrollmentStateEnum, { name: 'EnrollmentState', description: 'NOT_ENROLLED only in EnrollmentStatus.' });
registerEnumType(ImportRowStatusEnum, { name: 'ImportRowStatus', description: 'The outcome of one row of a bulk import.' });

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
  @Field(() => EnrollmentStateEnum) status!: EnrollmentState;
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
  @Field(() => DateRange, { nullable: true, description: 'Set when paid; null where the notice does not state when cover starts.' })
  coverage!: DateRange | null;
  @Field(() => [Payment]) payments!: Payment[];
}

@ObjectType({ description: 'What a bank needs at the counter; names and ID numbers masked.' })
export class EnrollmentStatus {
  @Field(() => EnrollmentStateEnum) status!: EnrollmentState;
  @Field(() => MoneyScalar, { nullable: true, description: 'Unpaid: what is due if paid on asOf (default today). Paid: what was due.' })
  amountDue!: number | null;
  @Field(() => String, { nullable: true, description: 'Why amountDue is null: the window is closed, the policy does not say …' })
  amountDueNote!: string | null;
  @Field(() => MoneyScalar, { nullable: true }) amountPaid!: number | null;
  @Field(() => DateRange, { nullable: true }) coverage!: DateRange | null;
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
  @Field(() => ImportRowStatusEnum) status!: 'ACCEPTED' | 'DUPLICATE' | 'REJECTED';
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

@ObjectType({ description: 'A certified category of a person in difficulty.' })
export class AssistanceIdentity {
  @Field(() => ID) id!: string;
  @Field() idNumber!: string;
  @Field(() => AssistanceCategoryEnum) category!: AssistanceCategory;
  @Field() certifiedBy!: string;
  @Field(() => DateScalar) validFrom!: string;
  @Field(() => DateScalar, { nullable: true }) validTo!: string | null;
}

@InputType()
export class AssistanceInput {
  @Field() idNumber!: string;
  @Field(() => AssistanceCategoryEnum) category!: AssistanceCategory;
  @Field({ description: 'The certifying agency: 民政局, 乡村振兴局, 残联 …' }) certifiedBy!: string;
  @Field(() => DateScalar) validFrom!: string;
  @Field(() => DateScalar, { nullable: true }) validTo?: string | null;
}
