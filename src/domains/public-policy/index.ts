/** The public policy area: tenants, their policy years, quotes, and who the caller is. */
import { PublicPolicyResolver } from './public-policy.resolver';
import { ViewerResolver } from './viewer.resolver';

export const publicPolicyModule = { name: 'public-policy', resolvers: [PublicPolicyResolver, ViewerResolver] } as const;
