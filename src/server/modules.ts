/** The domains the server is made of, lowest first: each may depend only on those before it. */
import { assistanceModule } from '../domains/assistance';
import { auditModule } from '../domains/audit';
import { enrollmentModule } from '../domains/enrollment';
import { policyYearsModule } from '../domains/policy-years';
import { progressModule } from '../domains/progress';
import { publicPolicyModule } from '../domains/public-policy';
import { refundsModule } from '../domains/refunds';
import { residentsModule } from '../domains/residents';
import { subsidiesModule } from '../domains/subsidies';
import type { DomainModule } from '../graphql/domain-module';

export const DOMAIN_MODULES: readonly DomainModule[] = [
  publicPolicyModule,
  residentsModule,
  assistanceModule,
  subsidiesModule,
  enrollmentModule,
  refundsModule,
  policyYearsModule,
  progressModule,
  auditModule,
];
