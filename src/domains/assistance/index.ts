/** Assistance identities: who an agency certified, for which category, from when. */
import type { DomainEvents } from '../../context/domain-events';
import type { RequestContext } from '../../context/request-context';
import { ResidentIdCorrected, ResidentsRegistered } from '../residents/residents.events';
import { moveCertificationsToIdNumber } from './assistance.repository';
import { AssistanceResolver, ResidentCertificationsResolver } from './assistance.resolver';
import { assistanceService } from './assistance.service';

export const assistanceModule = {
  name: 'assistance',
  resolvers: [AssistanceResolver, ResidentCertificationsResolver],
  install(events: DomainEvents<RequestContext>): void {
    // Certifications that waited for people not yet registered attach when they register.
    events.on(ResidentsRegistered, (ctx, { idNumbers, on }) => assistanceService.attachPending(ctx, idNumbers, on));
    events.on(ResidentIdCorrected, (ctx, { from, to }) => moveCertificationsToIdNumber(ctx.db, from, to));
  },
} as const;
