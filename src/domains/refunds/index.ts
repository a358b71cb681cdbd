/** Refunds (退费): requests judged by the notice, decided by an administrator. */
import { RefundResolver } from './refunds.resolver';

export const refundsModule = { name: 'refunds', resolvers: [RefundResolver] } as const;
