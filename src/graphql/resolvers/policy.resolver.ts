import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { Public } from '../access';
import type { RequestContext } from '../../context/request-context';
import { services } from '../../services';
import { PolicyYear, Quote, QuoteInput, Tenant } from '../types/policy.types';

/** Public: policy notices are public documents (CONTRACT.md). */
@Resolver()
export class PolicyResolver {
  @Public()
  @Query(() => [Tenant], { description: 'Public. Every tenant with its regions and configured years.' })
  tenants(@Ctx() ctx: RequestContext): Tenant[] {
    return services.policy.tenants(ctx);
  }

  @Public()
  @Query(() => PolicyYear, { nullable: true, description: 'Public. Null when the year is not configured.' })
  policy(
    @Ctx() ctx: RequestContext,
    @Arg('tenant', () => ID) tenant: string,
    @Arg('coverageYear', () => Int) coverageYear: number,
  ): PolicyYear | null {
    return services.policy.policy(ctx, tenant, coverageYear);
  }

  @Public()
  @Query(() => Quote, { description: 'Public. What a person owes for a year of cover if they pay on paymentDate, and why.' })
  quote(@Ctx() ctx: RequestContext, @Arg('input', () => QuoteInput) input: QuoteInput): Quote {
    return services.policy.quote(ctx, input);
  }
}
