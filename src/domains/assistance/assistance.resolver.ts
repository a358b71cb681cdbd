/** Certifications of people in difficulty, recorded by the agencies that certify them. */
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { PersonalData, Roles } from '../../graphql/access';
import { defineListLoader } from '../../graphql/loaders';
import { DateScalar } from '../../graphql/scalars';
import { Resident } from '../residents/residents.types';
import { presentCertificationChange, presentCertificationImport, presentIdentity } from './assistance.presenters';
import { certificationChangesOfPeople, type CertificationChangeRow, identitiesOf, type AssistanceIdentityRow } from './assistance.repository';
import { assistanceService } from './assistance.service';
import { AssistanceIdentity, AssistanceImport, AssistanceInput, CertificationChange, CertificationCorrection } from './assistance.types';

const certificationsOfPersonLoader = defineListLoader<string, AssistanceIdentityRow>(
  (ctx, ids) => identitiesOf(ctx.db, ids),
  (r) => r.id_number,
);
const certificationChangesOfPersonLoader = defineListLoader<string, CertificationChangeRow>(
  (ctx, ids) => certificationChangesOfPeople(ctx.db, ids),
  (r) => r.id_number,
);

@Resolver(() => AssistanceIdentity)
export class AssistanceResolver {
  @Roles('ADMIN', 'AGENCY')
  @Mutation(() => AssistanceIdentity, {
    description: 'Records a certified category of a person in difficulty; for someone not registered yet it waits and attaches when they register.',
  })
  async grantAssistance(@Ctx() ctx: RequestContext, @Arg('input', () => AssistanceInput) input: AssistanceInput): Promise<AssistanceIdentity> {
    return presentIdentity(await assistanceService.grant(ctx, input));
  }

  @Roles('ADMIN', 'AGENCY')
  @Mutation(() => AssistanceIdentity, { description: 'Ends a certification on a date, with the reason; its history keeps it.' })
  async endCertification(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('endedOn', () => DateScalar, { description: 'The last day it counts.' }) endedOn: string,
    @Arg('reason') reason: string,
  ): Promise<AssistanceIdentity> {
    return presentIdentity(await assistanceService.end(ctx, id, endedOn, reason));
  }

  @Roles('ADMIN', 'AGENCY')
  @Mutation(() => AssistanceIdentity, {
    description: 'Corrects a certification recorded wrongly; the history keeps what it was. Money already settled is not taken back.',
  })
  async correctCertification(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('correction', () => CertificationCorrection) correction: CertificationCorrection,
    @Arg('reason') reason: string,
    @Arg('effectiveOn', () => DateScalar, { nullable: true, description: 'Defaults to today (China time).' }) effectiveOn: string | null,
  ): Promise<AssistanceIdentity> {
    return presentIdentity(await assistanceService.correct(ctx, id, correction, reason, effectiveOn));
  }

  @Roles('ADMIN', 'AGENCY')
  @Mutation(() => AssistanceIdentity, {
    description: 'Revokes a certification made in error (撤销): it counts for no day any more; its history keeps it with the reason.',
  })
  async revokeCertification(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('reason') reason: string,
    @Arg('revokedOn', () => DateScalar, { nullable: true, description: 'Defaults to today (China time).' }) revokedOn: string | null,
  ): Promise<AssistanceIdentity> {
    return presentIdentity(await assistanceService.revoke(ctx, id, revokedOn, reason));
  }

  @PersonalData()
  @Roles('ADMIN', 'STAFF', 'AGENCY')
  @Query(() => [AssistanceIdentity])
  async assistanceIdentities(@Ctx() ctx: RequestContext, @Arg('idNumber') idNumber: string): Promise<AssistanceIdentity[]> {
    return (await assistanceService.identities(ctx, idNumber)).map((r) => presentIdentity(r));
  }

  @Roles('ADMIN', 'AGENCY')
  @Mutation(() => AssistanceImport, {
    description: "An agency's list of certified people: per-row results (people not yet registered wait for it); a replay changes nothing.",
  })
  async importAssistance(@Ctx() ctx: RequestContext, @Arg('identities', () => [AssistanceInput]) identities: AssistanceInput[]): Promise<AssistanceImport> {
    const result = await assistanceService.importIdentities(ctx, identities);
    for (const status of ['ACCEPTED', 'DUPLICATE', 'REJECTED'] as const) {
      ctx.app.metrics.importRows.inc({ kind: 'assistance', status }, result.rows.filter((r) => r.status === status).length);
    }
    return presentCertificationImport(ctx, result);
  }

  @FieldResolver(() => [CertificationChange], { description: 'Granted, attached, ended, corrected: each step with its date and reason.' })
  async history(@Ctx() ctx: RequestContext, @Root() identity: AssistanceIdentity): Promise<CertificationChange[]> {
    if (identity.status === 'PENDING_REGISTRATION') return [];
    return (await certificationChangesOfPersonLoader(ctx).load(identity.idNumber))
      .filter((c) => String(c.certification_id) === identity.id)
      .map(presentCertificationChange);
  }
}

/** A person's certifications, added to the residents domain's type here, where certifications live. */
@Resolver(() => Resident)
export class ResidentCertificationsResolver {
  @FieldResolver(() => [AssistanceIdentity], { description: 'Certifications in force or ended, oldest first (revoked ones are in certificationHistory).' })
  async certifications(@Ctx() ctx: RequestContext, @Root() resident: Resident): Promise<AssistanceIdentity[]> {
    return (await certificationsOfPersonLoader(ctx).load(resident.idNumber)).map((r) => presentIdentity(r));
  }

  @FieldResolver(() => [CertificationChange], { description: 'Every step of every certification of the person, revocations included, oldest first.' })
  async certificationHistory(@Ctx() ctx: RequestContext, @Root() resident: Resident): Promise<CertificationChange[]> {
    return (await certificationChangesOfPersonLoader(ctx).load(resident.idNumber)).map(presentCertificationChange);
  }
}
