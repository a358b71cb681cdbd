import { Ctx, Query, Resolver } from 'type-graphql';
import { ANY_ROLE, Roles } from '../access';
import type { RequestContext } from '../../context/request-context';
import { services } from '../../services';
import { Viewer } from '../types/viewer.types';

@Resolver()
export class ViewerResolver {
  @Roles(...ANY_ROLE)
  @Query(() => Viewer, { description: 'Any role. The caller and the tenant they act for.' })
  viewer(@Ctx() ctx: RequestContext): Viewer {
    return services.policy.viewer(ctx);
  }
}
