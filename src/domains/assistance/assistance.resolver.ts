/** Certifications of people in difficulty, recorded by the agencies that certify them. */
import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { Roles } from '../../graphql/access';
import { presentCertificationImport, presentIdentity } from './assistance.presenters';
import { assistanceService } from './assistance.service';
import { AssistanceIdentity, AssistanceImport, AssistanceInput } from './assistance.types';

@Resolver(() => AssistanceIdentity)
export class AssistanceResolver {
  @Roles('ADMIN', 'AGENCY')
  @Mutation(() => AssistanceIdentity, { description: 'Records a certified category of a person in difficulty.' })
  async grantAssistance(@Ctx() ctx: RequestContext, @Arg('input', () => AssistanceInput) input: AssistanceInput): Promise<AssistanceIdentity> {
    return presentIdentity(await assistanceService.grant(ctx, input));
  }

  @Roles('ADMIN', 'STAFF', 'AGENCY')
  @Query(() => [AssistanceIdentity])
  async assistanceIdentities(@Ctx() ctx: RequestContext, @Arg('idNumber') idNumber: string): Promise<AssistanceIdentity[]> {
    return (await assistanceService.identities(ctx, idNumber)).map(presentIdentity);
  }

  @Roles('ADMIN', 'AGENCY')
  @Mutation(() => AssistanceImport, { description: 'An agency\'s list of certified people: per-row results; a replay changes nothing.' })
  async importAssistance(@Ctx() ctx: RequestContext, @Arg('identities', () => [AssistanceInput]) identities: AssistanceInput[]): Promise<AssistanceImport> {
    const result = await assistanceService.importIdentities(ctx, identities);
    for (const status of ['ACCEPTED', 'DUPLICATE', 'REJECTED'] as const) {
      ctx.app.metrics.importRows.inc({ kind: 'assistance', status }, result.rows.filter((r) => r.status === status).length);
    }
    return presentCertificationImport(result);
  }
}
