/** Subsidies as money: grants per enrolment and the monthly disbursements of reimbursements. */
import type { DomainEvents } from '../../context/domain-events';
import type { RequestContext } from '../../context/request-context';
import { ResidentIdCorrected } from '../residents/residents.events';
import { moveGrantsToIdNumber } from './subsidies.repository';
import { DisbursementResolver } from './subsidies.resolver';

export const subsidiesModule = {
  name: 'subsidies',
  resolvers: [DisbursementResolver],
  install(events: DomainEvents<RequestContext>): void {
    // An ID-number correction: the grants follow the person (the keys are checked when it ends).
    events.on(ResidentIdCorrected, (ctx, { from, to }) => moveGrantsToIdNumber(ctx.db, from, to));
  },
} as const;
