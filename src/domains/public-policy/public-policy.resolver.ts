import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { Public, PureAnswer } from '../../graphql/access';
import { presentQuoteAnswer, presentPolicy, presentTenant } from './public-policy.presenters';
import { publicPolicyService } from './public-policy.service';
import { PolicyYearType, QuoteInput, QuoteType, TenantType } from './public-policy.types';

/** Public: policy notices are public documents (CONTRACT.md). */
@Resolver()
export class PublicPolicyResolver {
  @Public()
  @Query(() => [TenantType], { description: 'Public. Every tenant with its regions and configured years.' })
  tenants(@Ctx() ctx: RequestContext): TenantType[] {
    return publicPolicyService.tenants(ctx).map(presentTenant);
  }

  @Public()
  @Query(() => PolicyYearType, { nullable: true, description: 'Public. Null when the year is not configured.' })
  policy(@Ctx() ctx: RequestContext, @Arg('tenant', () => ID) tenant: string, @Arg('coverageYear', () => Int) coverageYear: number): PolicyYearType | null {
    const found = publicPolicyService.policy(ctx, tenant, coverageYear);
    return found && presentPolicy(ctx, found.tenant, found.policy);
  }

  @Public()
  @PureAnswer()
  @Query(() => QuoteType, {
    description: 'Public. What a person owes for a year of cover if they pay on paymentDate, and why; what the notice leaves unstated is named in unknowns.',
  })
  quote(@Ctx() ctx: RequestContext, @Arg('input', () => QuoteInput) input: QuoteInput): QuoteType {
    return presentQuoteAnswer(ctx, publicPolicyService.quote(ctx, input));
  }
}
