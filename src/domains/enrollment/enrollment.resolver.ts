/** Enrolments and their money: enrol, pay (one at a counter, thousands from the tax system), status, sponsorships. */
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { PersonalData, ReplicaRead, Roles } from '../../graphql/access';
import { DateScalar } from '../../graphql/scalars';
import { argumentOfEveryCall, selectedFields } from '../../graphql/selection';
import { maskIdNumber } from '../residents/id-number';
import { presentHousehold } from '../residents/residents.presenters';
import { Household, Resident } from '../residents/residents.types';
import { grantsOfEnrollmentLoader } from '../subsidies/subsidies.loaders';
import { presentGrant } from '../subsidies/subsidies.presenters';
import { SubsidyGrant } from '../subsidies/subsidies.types';
import { enrollmentsOfPersonLoader, paymentsOfEnrollmentLoader } from './enrollment.loaders';
import { presentEnrollment, presentPayment, presentPaymentImport } from './enrollment.presenters';
import { enrollmentService } from './enrollment.service';
import { mapConnection, MAX_PAGE } from '../../graphql/connection';
import { residentsService } from '../residents/residents.service';
import {
  DuplicateEnrollment,
  EnrollInput,
  Enrollment,
  EnrollmentConnection,
  EnrollmentFilter,
  EnrollmentOrder,
  EnrollmentStatus,
  Payment,
  PaymentImport,
  PaymentInput,
  PaymentReversalInput,
  SponsorshipResult,
} from './enrollment.types';

@Resolver(() => Enrollment)
export class EnrollmentResolver {
  @Roles('ADMIN', 'STAFF')
  @Mutation(() => Enrollment, { description: 'Enrols a registered person for a year of cover; amountDue is what is due if paid on enrolledOn.' })
  async enroll(@Ctx() ctx: RequestContext, @Arg('input', () => EnrollInput) input: EnrollInput) {
    return presentEnrollment(await enrollmentService.enroll(ctx, input));
  }

  @Roles('ADMIN', 'BANK', 'TAX')
  @Mutation(() => Payment, { description: 'Idempotent by receiptNo. The amount must be what is due on paidOn.' })
  async recordPayment(@Ctx() ctx: RequestContext, @Arg('input', () => PaymentInput) input: PaymentInput): Promise<Payment> {
    return presentPayment(await enrollmentService.recordPayment(ctx, input));
  }

  @Roles('ADMIN', 'BANK', 'TAX')
  @Mutation(() => Payment, {
    description:
      'Reverses a mistaken payment: a bank or the tax system its own, an administrator any. Nothing is deleted; the enrolment returns to where it was before the payment; asking twice changes nothing. Refused with REFUND_NOT_ALLOWED once cover has begun (a refund decides then).',
  })
  async reversePayment(@Ctx() ctx: RequestContext, @Arg('input', () => PaymentReversalInput) input: PaymentReversalInput): Promise<Payment> {
    return presentPayment(await enrollmentService.reversePayment(ctx, input));
  }

  @Roles('ADMIN', 'TAX')
  @Mutation(() => PaymentImport, {
    description:
      'Up to 10,000 payments; per-row results; a replay changes nothing. Money for someone not registered, or whose amount due the notice leaves unstated, is held in suspense (held), never dropped. Calls with the same batchId run one after another: a retry sent while the first call runs waits for it to end, then is judged against what it committed (a replay, when it committed). A request with several importPayments waits, before the first, for every batch it names.',
  })
  async importPayments(
    @Ctx() ctx: RequestContext,
    @Arg('batchId') batchId: string,
    @Arg('payments', () => [PaymentInput]) payments: PaymentInput[],
    @Info() info: GraphQLResolveInfo,
  ): Promise<PaymentImport> {
    const result = await enrollmentService.importPayments(ctx, batchId, payments, argumentOfEveryCall(info, 'batchId'));
    for (const status of ['ACCEPTED', 'DUPLICATE', 'REJECTED'] as const) {
      ctx.app.metrics.importRows.inc({ kind: 'payments', status }, result.rows.filter((r) => r.status === status).length);
    }
    return presentPaymentImport(ctx, result);
  }

  @Roles('ADMIN')
  @Mutation(() => SponsorshipResult, { description: 'Enrols as paid by their funding body everyone whose assistance on paidOn is a full sponsorship.' })
  async sponsorEnrollments(
    @Ctx() ctx: RequestContext,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('paidOn', () => DateScalar) paidOn: string,
  ): Promise<SponsorshipResult> {
    const result = await enrollmentService.sponsorEnrollments(ctx, coverageYear, paidOn);
    return {
      ...result,
      skipped: result.skipped.map((s) => ({ idNumberMasked: maskIdNumber(s.idNumber), code: s.error.code, error: ctx.say(s.error.localized) })),
    };
  }

  @Roles('ADMIN', 'STAFF', 'BANK', 'TAX')
  @ReplicaRead()
  @Query(() => EnrollmentStatus, { description: 'Status, amount due and paid, cover; the person masked.' })
  async enrollmentStatus(
    @Ctx() ctx: RequestContext,
    @Arg('idNumber') idNumber: string,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('asOf', () => DateScalar, { nullable: true, description: 'The payment date amountDue is for; default today (China time).' }) asOf: string | null,
    @Info() info: GraphQLResolveInfo,
  ): Promise<EnrollmentStatus> {
    const selected = selectedFields(info);
    const view = await enrollmentService.enrollmentStatus(
      ctx,
      idNumber,
      coverageYear,
      asOf,
      { insured: selected.has('insuredElsewhere'), tenants: selected.has('enrolledElsewhere') },
      selected.has('amountDue') || selected.has('amountDueNote'),
    );
    // insuredElsewhere is null only where it was not selected, and so is never shown.
    return { ...view, insuredElsewhere: view.insuredElsewhere ?? false };
  }

  @Roles('ADMIN', 'BANK', 'TAX')
  @Query(() => [Payment], { name: 'payments', description: "A day's payments, for reconciliation (对账): BANK and TAX see the ones they recorded." })
  async paymentsOn(@Ctx() ctx: RequestContext, @Arg('paidOn', () => DateScalar) paidOn: string): Promise<Payment[]> {
    return (await enrollmentService.paymentsOn(ctx, paidOn)).map(presentPayment);
  }

  @PersonalData()
  @Roles('ADMIN', 'STAFF')
  @ReplicaRead()
  @Query(() => EnrollmentConnection, {
    description: "A year's enrolments by status, region (with its sub-regions), category and lateness, in a stable order, a page at a time.",
  })
  async enrollments(
    @Ctx() ctx: RequestContext,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('filter', () => EnrollmentFilter, { nullable: true }) filter: EnrollmentFilter | null,
    @Arg('first', () => Int, { defaultValue: 50, description: `At most ${MAX_PAGE}.` }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('orderBy', () => EnrollmentOrder, { nullable: true, description: 'Default: by ID number.' }) orderBy: EnrollmentOrder | null,
  ): Promise<EnrollmentConnection> {
    const regions = filter?.region ? await residentsService.regionScope(ctx, filter.region) : null;
    const page = await enrollmentService.list(
      ctx,
      coverageYear,
      filter ?? {},
      regions,
      first,
      after,
      orderBy?.field ?? 'ID_NUMBER',
      orderBy?.direction === 'DESC',
    );
    return mapConnection(page, presentEnrollment) as unknown as EnrollmentConnection;
  }

  @PersonalData()
  @Roles('ADMIN', 'STAFF')
  @ReplicaRead()
  @Query(() => [DuplicateEnrollment], { description: 'Enrolments of people another tenant also enrols for the year, for follow-up.' })
  async duplicateEnrollments(@Ctx() ctx: RequestContext, @Arg('coverageYear', () => Int) coverageYear: number): Promise<DuplicateEnrollment[]> {
    return (await enrollmentService.duplicateEnrollments(ctx, coverageYear)).map((d) => ({
      enrollment: { ...presentEnrollment(d.enrollment), payments: [] },
      enrolledIn: d.elsewhere,
    }));
  }

  @PersonalData()
  @Roles('ADMIN', 'STAFF')
  @ReplicaRead()
  @Query(() => [Household], { description: 'Households with a member not enrolled for the year (no waiver, not transferred out); 肃南 enrols by household.' })
  async incompleteHouseholds(
    @Ctx() ctx: RequestContext,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('first', () => Int, { defaultValue: 500 }) first: number,
    @Arg('afterBookletNo', () => String, { nullable: true }) afterBookletNo: string | null,
  ) {
    return (await enrollmentService.incompleteHouseholds(ctx, coverageYear, first, afterBookletNo)).map(presentHousehold);
  }

  @FieldResolver(() => [SubsidyGrant], { description: 'The subsidies granted for this enrolment.' })
  async subsidies(@Ctx() ctx: RequestContext, @Root() enrollment: Enrollment): Promise<SubsidyGrant[]> {
    return (await grantsOfEnrollmentLoader(ctx).load(enrollment)).map(presentGrant);
  }

  @FieldResolver(() => [Payment])
  async payments(@Ctx() ctx: RequestContext, @Root() enrollment: Enrollment): Promise<Payment[]> {
    return (await paymentsOfEnrollmentLoader(ctx).load(enrollment)).map(presentPayment);
  }
}

/** A resident's enrolments, added to the residents domain's type here, where enrolments live. */
@Resolver(() => Resident)
export class ResidentEnrollmentsResolver {
  @FieldResolver(() => [Enrollment])
  async enrollments(@Ctx() ctx: RequestContext, @Root() resident: Resident) {
    return (await enrollmentsOfPersonLoader(ctx).load(resident.idNumber)).map(presentEnrollment);
  }
}
