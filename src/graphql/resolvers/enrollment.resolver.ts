import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Roles } from '../access';
import type { RequestContext } from '../../context/request-context';
import { maskIdNumber } from '../../registry/id-number';
import { services } from '../../services';
import { presentEnrollment, presentGrant, presentIdentity, presentPayment } from '../presenters';
import { DateScalar } from '../scalars';
import {
  AssistanceIdentity,
  AssistanceInput,
  DuplicateEnrollment,
  EnrollInput,
  Enrollment,
  EnrollmentStatus,
  Payment,
  PaymentImport,
  PaymentInput,
  SponsorshipResult,
} from '../types/enrollment.types';
import { SubsidyGrant } from '../types/subsidy.types';

@Resolver(() => Enrollment)
export class EnrollmentResolver {
  @Roles('ADMIN', 'STAFF')
  @Mutation(() => Enrollment, { description: 'Enrols a registered person for a year of cover; amountDue is what is due if paid on enrolledOn.' })
  async enroll(@Ctx() ctx: RequestContext, @Arg('input', () => EnrollInput) input: EnrollInput) {
    return presentEnrollment(await services.enrollment.enroll(ctx, input));
  }

  @Roles('ADMIN', 'BANK', 'TAX')
  @Mutation(() => Payment, { description: 'Idempotent by receiptNo. The amount must be what is due on paidOn.' })
  async recordPayment(@Ctx() ctx: RequestContext, @Arg('input', () => PaymentInput) input: PaymentInput): Promise<Payment> {
    return presentPayment(await services.enrollment.recordPayment(ctx, input));
  }

  @Roles('ADMIN', 'TAX')
  @Mutation(() => PaymentImport, { description: 'Up to 10,000 payments; per-row results; a replay changes nothing.' })
  async importPayments(
    @Ctx() ctx: RequestContext,
    @Arg('batchId') batchId: string,
    @Arg('payments', () => [PaymentInput]) payments: PaymentInput[],
  ): Promise<PaymentImport> {
    const result = await services.enrollment.importPayments(ctx, batchId, payments);
    for (const status of ['ACCEPTED', 'DUPLICATE', 'REJECTED'] as const) {
      ctx.app.metrics.importRows.inc({ kind: 'payments', status }, result.rows.filter((r) => r.status === status).length);
    }
    return {
      ...result,
      rows: result.rows.map((r) => ({ index: r.index, receiptNo: r.receiptNo, status: r.status, error: r.error?.message ?? null, code: r.error?.code ?? null })),
    };
  }

  @Roles('ADMIN')
  @Mutation(() => SponsorshipResult, { description: 'Enrols as paid by their funding body everyone whose assistance on paidOn is a full sponsorship.' })
  async sponsorEnrollments(
    @Ctx() ctx: RequestContext,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('paidOn', () => DateScalar) paidOn: string,
  ): Promise<SponsorshipResult> {
    const result = await services.enrollment.sponsorEnrollments(ctx, coverageYear, paidOn);
    return { ...result, skipped: result.skipped.map((s) => ({ idNumberMasked: maskIdNumber(s.idNumber), code: s.error.code, error: s.error.message })) };
  }

  @Roles('ADMIN', 'STAFF', 'BANK', 'TAX')
  @Query(() => EnrollmentStatus, { description: 'Status, amount due and paid, cover; the person masked.' })
  async enrollmentStatus(
    @Ctx() ctx: RequestContext,
    @Arg('idNumber') idNumber: string,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('asOf', () => DateScalar, { nullable: true, description: 'The payment date amountDue is for; default today (China time).' }) asOf: string | null,
  ): Promise<EnrollmentStatus> {
    return services.enrollment.enrollmentStatus(ctx, idNumber, coverageYear, asOf);
  }

  @Roles('ADMIN', 'BANK', 'TAX')
  @Query(() => [Payment], { name: 'payments', description: 'A day\'s payments, for reconciliation (对账): BANK and TAX see the ones they recorded.' })
  async paymentsOn(@Ctx() ctx: RequestContext, @Arg('paidOn', () => DateScalar) paidOn: string): Promise<Payment[]> {
    return (await services.enrollment.paymentsOn(ctx, paidOn)).map(presentPayment);
  }

  @Roles('ADMIN', 'STAFF')
  @Query(() => [DuplicateEnrollment], { description: 'Enrolments of people another tenant also enrols for the year, for follow-up.' })
  async duplicateEnrollments(@Ctx() ctx: RequestContext, @Arg('coverageYear', () => Int) coverageYear: number): Promise<DuplicateEnrollment[]> {
    return (await services.enrollment.duplicateEnrollments(ctx, coverageYear)).map((d) => ({
      enrollment: { ...presentEnrollment(d.enrollment), payments: [] },
      enrolledIn: d.elsewhere,
    }));
  }

  @Roles('ADMIN', 'AGENCY')
  @Mutation(() => AssistanceIdentity, { description: 'Records a certified category of a person in difficulty.' })
  async grantAssistance(@Ctx() ctx: RequestContext, @Arg('input', () => AssistanceInput) input: AssistanceInput): Promise<AssistanceIdentity> {
    return presentIdentity(await services.assistance.grant(ctx, input));
  }

  @Roles('ADMIN', 'STAFF', 'AGENCY')
  @Query(() => [AssistanceIdentity])
  async assistanceIdentities(@Ctx() ctx: RequestContext, @Arg('idNumber') idNumber: string): Promise<AssistanceIdentity[]> {
    return (await services.assistance.identities(ctx, idNumber)).map(presentIdentity);
  }

  @FieldResolver(() => [SubsidyGrant], { description: 'The subsidies granted for this enrolment.' })
  async subsidies(@Ctx() ctx: RequestContext, @Root() enrollment: Enrollment): Promise<SubsidyGrant[]> {
    return (await ctx.loaders.grantsOfEnrollment.load(`${enrollment.idNumber}/${enrollment.coverageYear}`)).map(presentGrant);
  }

  @FieldResolver(() => [Payment])
  async payments(@Ctx() ctx: RequestContext, @Root() enrollment: Enrollment): Promise<Payment[]> {
    return (await ctx.loaders.paymentsOfEnrollment.load(`${enrollment.idNumber}/${enrollment.coverageYear}`)).map(presentPayment);
  }
}
