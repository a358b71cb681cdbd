/** Policy years as managed data: drafts checked, compared, previewed and priced; published by a second administrator. */
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { Roles } from '../../graphql/access';
import { DateScalar } from '../../graphql/scalars';
import { presentPolicy } from '../public-policy/public-policy.presenters';
import { PolicyYearType } from '../public-policy/public-policy.types';
import { presentBudget, presentDraft, presentPreview, presentVersion } from './policy-years.presenters';
import { policyYearsService } from './policy-years.service';
import { PolicyBudget, PolicyDraftInput, PolicyDraftType, PolicyPreview, PolicyVersion, PolicyYearDocument } from './policy-years.types';

@Resolver(() => PolicyDraftType)
export class PolicyYearsResolver {
  @Roles('ADMIN')
  @Mutation(() => PolicyDraftType, {
    description:
      'Checks a year document and keeps it as a draft: every error and warning at once (path, line, message in the language of Accept-Language), and its changes against the year before.',
  })
  async draftPolicyYear(@Ctx() ctx: RequestContext, @Arg('input', () => PolicyDraftInput) input: PolicyDraftInput): Promise<PolicyDraftType> {
    return presentDraft(ctx, await policyYearsService.draft(ctx, input));
  }

  @Roles('ADMIN')
  @Mutation(() => PolicyDraftType, {
    description:
      "Starts a year from the closest earlier year in force: every year-dependent value (dates, amounts, targets, the notice's number and title, the citations quoting them) blanked to 待填写 with last year's value beside it as a comment; each blank is an error (TO_FILL) until filled.",
  })
  async draftNextPolicyYear(
    @Ctx() ctx: RequestContext,
    @Arg('tenant', () => ID) tenant: string,
    @Arg('coverageYear', () => Int) coverageYear: number,
  ): Promise<PolicyDraftType> {
    return presentDraft(ctx, await policyYearsService.draftNextYear(ctx, tenant, coverageYear));
  }

  @Roles('ADMIN')
  @Mutation(() => PolicyYearType, {
    description:
      'Publishes a draft as the next version of its year, in force at once on every server. Only an administrator other than its author (else FORBIDDEN); BAD_USER_INPUT while it has errors; CONFLICT when published already, or when another version of the year was published since it was drafted.',
  })
  async publishPolicyYear(@Ctx() ctx: RequestContext, @Arg('draftId', () => ID) draftId: string): Promise<PolicyYearType> {
    const policy = await policyYearsService.publish(ctx, draftId);
    const tenant = ctx.tenant.withPolicies(new Map(ctx.tenant.policies).set(policy.coverageYear, policy), ctx.tenant.supersededPolicies);
    return presentPolicy(ctx, tenant, policy);
  }

  @Roles('ADMIN')
  @Query(() => PolicyDraftType, {
    nullable: true,
    description: 'A draft by id, checked again against what is in force now; null when the tenant has none of that id.',
  })
  async policyDraft(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<PolicyDraftType | null> {
    const review = await policyYearsService.find(ctx, id);
    return review && presentDraft(ctx, review);
  }

  @Roles('ADMIN')
  @Query(() => [PolicyDraftType], { description: 'The latest 50 drafts of a year (or of every year), newest first.' })
  async policyDrafts(@Ctx() ctx: RequestContext, @Arg('coverageYear', () => Int, { nullable: true }) coverageYear: number | null): Promise<PolicyDraftType[]> {
    return (await policyYearsService.list(ctx, coverageYear ?? null)).map((r) => presentDraft(ctx, r));
  }

  @Roles('ADMIN', 'STAFF')
  @Query(() => [PolicyVersion], { description: 'Every published version of a year (or of every year), newest first.' })
  async policyVersions(@Ctx() ctx: RequestContext, @Arg('coverageYear', () => Int, { nullable: true }) coverageYear: number | null): Promise<PolicyVersion[]> {
    const rows = await policyYearsService.versions(ctx, coverageYear ?? null);
    return rows.map((r) => presentVersion(r, ctx.tenant.policies.get(r.coverage_year)?.version === r.version));
  }

  @Roles('ADMIN', 'STAFF')
  @Query(() => PolicyYearDocument, {
    description:
      "A published version's document exactly as published (the version in force unless `version` is given): what tenants/<code>/<year>.yaml holds. `npm run policy:export` writes it there.",
  })
  async policyYearDocument(
    @Ctx() ctx: RequestContext,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('version', () => Int, { nullable: true }) version: number | null,
  ): Promise<PolicyYearDocument> {
    const row = await policyYearsService.document(ctx, coverageYear, version ?? null);
    return {
      version: presentVersion(row, ctx.tenant.policies.get(coverageYear)?.version === row.version),
      source: row.source,
      fileName: `${ctx.tenant.code}/${coverageYear}.yaml`,
    };
  }

  @FieldResolver(() => PolicyPreview, {
    nullable: true,
    description: 'The standard cases on the draft beside the year before; null while the draft does not meet the format.',
  })
  preview(@Ctx() ctx: RequestContext, @Root() draft: PolicyDraftType): PolicyPreview | null {
    const rows = policyYearsService.preview(ctx, draft.review);
    return rows && presentPreview(ctx, draft.review, rows);
  }

  @FieldResolver(() => PolicyBudget, {
    nullable: true,
    description: "The draft priced on the tenant's roll against the year before; null while the draft does not meet the format.",
  })
  async budget(
    @Ctx() ctx: RequestContext,
    @Root() draft: PolicyDraftType,
    @Arg('asOf', () => DateScalar, { nullable: true, description: 'The day the roll and its certifications are read on; today (China) by default.' })
    asOf: string | null,
  ): Promise<PolicyBudget | null> {
    const found = await policyYearsService.budget(ctx, draft.review, asOf ?? null);
    return found && presentBudget(ctx, draft.review, found.asOf, found.budget);
  }
}
