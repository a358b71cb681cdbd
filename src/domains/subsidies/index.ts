/** Subsidies as money: grants per enrolment and the monthly disbursements of reimbursements. */
import { DisbursementResolver } from './subsidies.resolver';

export const subsidiesModule = { name: 'subsidies', resolvers: [DisbursementResolver] } as const;
