/** Refunds (退费): requests judged by the notice, decided by an administrator. */
import type { DomainEvents } from '../../context/domain-events';
import type { RequestContext } from '../../context/request-context';
import { ResidentIdCorrected, ResidentLeftScheme } from '../residents/residents.events';
import { moveRefundsToIdNumber } from './refunds.repository';
import { RefundResolver, ResidentRefundsResolver } from './refunds.resolver';
import { refundsService } from './refunds.service';

export const refundsModule = {
  name: 'refunds',
  resolvers: [RefundResolver, ResidentRefundsResolver],
  install(events: DomainEvents<RequestContext>): void {
    events.on(ResidentLeftScheme, (ctx, payload) => refundsService.onLeftScheme(ctx, payload));
    events.on(ResidentIdCorrected, (ctx, { from, to }) => moveRefundsToIdNumber(ctx.db, from, to));
  },
} as const;
