/** The public policy operations: tenants, their policy years, and quotes. No database: all from tenants/. */
import { DomainError } from '../../common/errors';
import { text } from '../../common/i18n';
import type { RequestContext } from '../../context/request-context';
import type { PolicyYear, Tenant } from '../../policy-data/model';
import type { Quote, QuoteFacts } from '../../policy-engine/policy-engine';

export interface QuoteRequest extends QuoteFacts {
  tenant: string;
  coverageYear: number;
}

export class PublicPolicyService {
  tenants(ctx: RequestContext): readonly Tenant[] {
    return ctx.app.catalog.tenants;
  }

  /** Null when the tenant has no notice for that year (CONTRACT.md). */
  policy(ctx: RequestContext, tenantCode: string, coverageYear: number): { tenant: Tenant; policy: PolicyYear } | null {
    const tenant = ctx.app.catalog.get(tenantCode);
    const policy = tenant?.policies.get(coverageYear);
    return tenant && policy ? { tenant, policy } : null;
  }

  quote(ctx: RequestContext, request: QuoteRequest): Quote {
    const tenant = ctx.app.catalog.get(request.tenant);
    if (!tenant) throw new DomainError('NOT_FOUND', text(`没有代码为 ${request.tenant} 的统筹地区`, `no tenant ${request.tenant}`), { field: 'tenant' });
    return ctx.app.policyEngine.quote(tenant, tenant.policyFor(request.coverageYear), request);
  }
}

export const publicPolicyService = new PublicPolicyService();
