import { Ctx, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { ANY_ROLE, Roles } from '../../graphql/access';
import { presentTenant } from './public-policy.presenters';
import { Viewer } from './viewer.types';

@Resolver()
export class ViewerResolver {
  @Roles(...ANY_ROLE)
  @Query(() => Viewer, { description: 'Any role. The caller and the tenant they act for.' })
  viewer(@Ctx() ctx: RequestContext): Viewer {
    const actor = ctx.actor!;
    return { sub: actor.sub, role: actor.role, tenant: presentTenant(ctx.tenant), tenants: actor.tenants };
  }
}
