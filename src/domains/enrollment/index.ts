/** Enrolments and payments, and the one state machine of an enrolment. */
import type { DomainEvents } from '../../context/domain-events';
import type { RequestContext } from '../../context/request-context';
import { IdentitiesCertified } from '../assistance/assistance.events';
import { HouseholdGraphRead, ResidentTransferredOut } from '../residents/residents.events';
import { primeFromHouseholdGraph } from './enrollment.loaders';
import { terminateOnTransferOut } from './enrollment.repository';
import { EnrollmentResolver, ResidentEnrollmentsResolver } from './enrollment.resolver';
import { applyIdentityChanges } from './identity-changes';

export const enrollmentModule = {
  name: 'enrollment',
  resolvers: [EnrollmentResolver, ResidentEnrollmentsResolver],
  install(events: DomainEvents<RequestContext>): void {
    events.on(IdentitiesCertified, async (ctx, { idNumbers, certifiedOn }) => {
      await applyIdentityChanges(ctx, idNumbers, certifiedOn);
    });
    events.on(ResidentTransferredOut, (ctx, { idNumber, on }) => terminateOnTransferOut(ctx.db, idNumber, on));
    events.on(HouseholdGraphRead, (ctx, graph) => primeFromHouseholdGraph(ctx, graph));
  },
} as const;
