/** Refunds (退费): requests judged by the notice, decided by an administrator. */
import type { DomainEvents } from '../../context/domain-events';
import type { RequestContext } from '../../context/request-context';
import { DeathWithdrawalRequested, DeathWithdrawn, ResidentIdCorrected, ResidentLeftScheme } from '../residents/residents.events';
import { moveRefundsToIdNumber } from './refunds.repository';
import { RefundResolver, ResidentRefundsResolver } from './refunds.resolver';
import { refundsService } from './refunds.service';

export const refundsModule = {
  name: 'refunds',
  resolvers: [RefundResolver, ResidentRefundsResolver],
  install(events: DomainEvents<RequestContext>): void {
    events.on(ResidentLeftScheme, (ctx, payload) => refundsService.onLeftScheme(ctx, payload));
    // A death withdrawn: refused where its refund was approved; a refund it asked for that waits is rejected.
    events.on(DeathWithdrawalRequested, (ctx, payload) => refundsService.checkDeathWithdrawal(ctx, payload));
    events.on(DeathWithdrawn, (ctx, payload) => refundsService.onDeathWithdrawn(ctx, payload));
    events.on(ResidentIdCorrected, (ctx, { from, to }) => moveRefundsToIdNumber(ctx.db, from, to));
  },
} as const;
