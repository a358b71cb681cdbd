import { Authorized, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { asEnum, AssistanceCategoryEnum, CircumstanceEnum, type ImportRowStatus, ImportRowStatusEnum, SubsidyModeEnum } from '../../graphql/enums';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import type { AssistanceCategory, Circumstance, SubsidyMode } from '../../policy-data/vocabulary';
import { DateRangeType } from '../public-policy/public-policy.types';
import { connectionTypes } from '../../graphql/connection';
import { SortDirectionEnum } from '../residents/residents.types';
import { ENROLLMENT_STATES } from './enrollment-state';
import { PAYER_KINDS, type PayerKind } from './enrollment.repository';

export const EnrollmentStateEnum = asEnum(ENROLLMENT_STATES);
/** A state as the schema shows it: the state machine's, or NOT_ENROLLED where there is no enrolment. */
export type EnrollmentStateShown = keyof typeof EnrollmentStateEnum;
registerEnumType(EnrollmentStateEnum, {
  name: 'EnrollmentState',
  description: 'NOT_ENROLLED: no enrolment, or one kept on record after the payment that made it was reversed.',
});
export const EnrollmentEndEnum = asEnum(['TRANSFER_OUT', 'DEATH', 'EMIGRATION', 'REFUND'] as const);
export type EnrollmentEnd = keyof typeof EnrollmentEndEnum;
registerEnumType(EnrollmentEndEnum, { name: 'EnrollmentEnd', description: 'Why an enrolment stopped counting.' });
export const EnrollmentOrderFieldEnum = asEnum(['ID_NUMBER', 'PAID_ON', 'ENROLLED_ON'] as const);
registerEnumType(EnrollmentOrderFieldEnum, { name: 'EnrollmentOrderField', description: 'PAID_ON puts unpaid enrolments last.' });
const EnrollmentSortDirectionEnum = SortDirectionEnum;

export const PayerKindEnum = asEnum(PAYER_KINDS);
registerEnumType(PayerKindEnum, {
  name: 'PayerKind',
  description: "Who paid: the insured PERSON, a FAMILY_MEMBER, an EMPLOYER, or a FUNDING_BODY (a full sponsorship's fund or budget).",
});

@ObjectType()
export class Payment {
  @Field({ description: "Unique within its channel (a bank's and the tax system's numbers may be alike)." }) receiptNo!: string;
  @Field({ description: "The insured person's ID number, masked: birth date digits are never shown." }) idNumberMasked!: string;
  @Field(() => Int) coverageYear!: number;
  @Field(() => MoneyScalar) amount!: number;
  @Field(() => DateScalar) paidOn!: string;
  @Field() channel!: string;
  @Field(() => String, { nullable: true }) batchId!: string | null;
  @Field(() => String, { nullable: true, description: 'Who paid: 本人 for the person, else the name given (a family member, an employer, the funding body).' })
  payer!: string | null;
  @Field(() => PayerKindEnum) payerKind!: PayerKind;
  @Field({ description: 'True once the payment was reversed (reversePayment); it stays on record.' }) reversed!: boolean;
  @Field(() => DateScalar, { nullable: true }) reversedOn!: string | null;
  @Field(() => String, { nullable: true }) reversalReason!: string | null;
}

@ObjectType({ description: "A person's enrolment for one year of cover." })
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
  @Field(() => DateScalar, { nullable: true, description: 'The day it stopped counting: transferred out, died, emigrated, refunded.' }) endedOn!: string | null;
  @Field(() => EnrollmentEndEnum, { nullable: true }) endReason!: EnrollmentEnd | null;
  @Field(() => Int, {
    nullable: true,
    description: 'The version of the policy year (PolicyYear.version) that decided its amounts; null for enrolments recorded before versions were.',
  })
  policyVersion!: number | null;
  @Field(() => [Payment]) payments!: Payment[];
}

export const { ConnectionType: EnrollmentConnection } = connectionTypes(Enrollment, 'Enrollment');
export type EnrollmentConnection = InstanceType<typeof EnrollmentConnection>;

@InputType({ description: 'Which enrolments of the year to list; every condition given must hold.' })
export class EnrollmentFilter {
  @Field(() => [EnrollmentStateEnum], { nullable: true }) status?: EnrollmentStateShown[] | null;
  @Field(() => ID, { nullable: true, description: 'The region of the enrolment, with every region inside it.' }) region?: string | null;
  @Field(() => AssistanceCategoryEnum, { nullable: true, description: 'The assistance category applied to the enrolment.' })
  category?: AssistanceCategory | null;
  @Field(() => Boolean, { nullable: true, description: 'Enrolled or paid outside the concentrated window.' }) late?: boolean | null;
}

@InputType()
export class EnrollmentOrder {
  @Field(() => EnrollmentOrderFieldEnum) field!: 'ID_NUMBER' | 'PAID_ON' | 'ENROLLED_ON';
  @Field(() => EnrollmentSortDirectionEnum, { defaultValue: 'ASC' }) direction!: 'ASC' | 'DESC';
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
  @Field({
    description:
      'Whether another tenant (county) insures the person for the year, by the national one-scheme index (不重复参保): all a bank or the tax system needs, and all it may know of it. Asked of the index only when selected.',
  })
  insuredElsewhere!: boolean;
  @Authorized('ADMIN', 'STAFF')
  @Field(() => [ID], {
    nullable: true,
    description:
      'ADMIN and STAFF: the other tenants insuring the person for the year, shown only for a person registered in this tenant (null otherwise): the county holding the registration settles a duplicate enrolment with them. Other roles: FORBIDDEN; they read insuredElsewhere. Each answer is recorded in the audit log.',
  })
  enrolledElsewhere!: string[] | null;
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
  @Field({ description: 'Idempotency key within the channel.' }) receiptNo!: string;
  @Field(() => PayerKindEnum, { nullable: true, description: 'Who paid; default PERSON.' }) payerKind?: PayerKind | null;
  @Field(() => String, { nullable: true, description: "The payer's name where it is not the person (required then)." }) payer?: string | null;
}

@InputType({ description: 'A mistaken payment to reverse: by its channel and receipt, with the reason and the date.' })
export class PaymentReversalInput {
  @Field() receiptNo!: string;
  @Field() channel!: string;
  @Field() reason!: string;
  @Field(() => DateScalar) reversedOn!: string;
}

@ObjectType()
export class PaymentRowResult {
  @Field(() => Int, { description: 'Position of the row in the request, from 0.' }) index!: number;
  @Field() receiptNo!: string;
  @Field(() => ImportRowStatusEnum) status!: ImportRowStatus;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => String, { nullable: true, description: 'The error code a single recordPayment would have raised.' }) code!: string | null;
  @Field({
    description:
      'ACCEPTED into the suspense list: the money is kept, but no enrolment is paid yet (error and code say why); it is matched when the person registers or the value is configured.',
  })
  held!: boolean;
  @Field() channel!: string;
  @Field(() => Int, {
    nullable: true,
    description:
      'ACCEPTED and recorded as a payment: the version of the policy year (PolicyYear.version) whose amount it paid, the latest or an earlier one in force on paidOn that asked that amount (按缴费当日有效的版本收取), as Enrollment.policyVersion records it. Null for held, DUPLICATE and REJECTED rows.',
  })
  policyVersion!: number | null;
}

@ObjectType()
export class PaymentImport {
  @Field() batchId!: string;
  @Field(() => Int, { description: 'Rows whose money was taken: recorded against an enrolment, or held in suspense (held).' }) accepted!: number;
  @Field(() => Int, { description: 'Accepted rows held in the suspense list.' }) held!: number;
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
