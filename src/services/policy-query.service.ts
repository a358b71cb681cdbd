/** The public policy operations: tenants, their policy years, and quotes. No database: all from tenants/. */
import { DomainError } from '../common/errors';
import type { RequestContext } from '../context/request-context';
import type { Quote, QuoteFacts } from '../policy/policy.service';
import type { PolicyYear, Tenant } from '../tenants/model';
import type * as gql from '../graphql/types/policy.types';
import type { Viewer } from '../graphql/types/viewer.types';


export interface QuoteRequest extends QuoteFacts {
  tenant: string;
  coverageYear: number;
}

export class PolicyQueryService {
  tenants(ctx: RequestContext): gql.Tenant[] {
    return ctx.app.registry.tenants.map(presentTenant);
  }

  viewer(ctx: RequestContext): Viewer {
    const actor = ctx.actor!;
    return { sub: actor.sub, role: actor.role, tenant: presentTenant(ctx.tenant), tenants: actor.tenants };
  }

  /** Null when the tenant has no notice for that year (CONTRACT.md). */
  policy(ctx: RequestContext, tenantCode: string, coverageYear: number): gql.PolicyYear | null {
    const tenant = ctx.app.registry.get(tenantCode);
    const policy = tenant?.policies.get(coverageYear);
    return tenant && policy ? presentPolicy(tenant, policy) : null;
  }

  quote(ctx: RequestContext, request: QuoteRequest): Quote {
    const tenant = ctx.app.registry.get(request.tenant);
    if (!tenant) throw new DomainError('NOT_FOUND', `no tenant ${request.tenant}`, { field: 'tenant' });
    return ctx.app.policyEngine.quote(tenant, tenant.policyFor(request.coverageYear), request);
  }
}

export function presentRegion(tenant: Tenant, code: string): gql.Region {
  const region = tenant.regionsByCode.get(code);
  return region
    ? { code: region.code, name: region.name, kind: region.kind, parentCode: region.parentCode }
    : { code, name: code, kind: 'TOWNSHIP', parentCode: null };
}

function presentTenant(tenant: Tenant): gql.Tenant {
  return {
    code: tenant.code,
    name: tenant.name,
    regions: tenant.regions.map((r) => presentRegion(tenant, r.code)),
    coverageYears: tenant.coverageYears,
  };
}

function presentPolicy(tenant: Tenant, policy: PolicyYear): gql.PolicyYear {
  const p = policy.data;
  return {
    tenant: presentTenant(tenant),
    coverageYear: policy.coverageYear,
    coverageYearInferred: p.coverageYearInferred ?? null,
    notice: { number: p.notice.number, title: p.notice.title, issuedOn: p.notice.issuedOn },
    individualContribution: p.individualContribution.amount,
    fiscalSubsidy: p.fiscalSubsidy?.amount ?? null,
    fiscalSubsidyIsMinimum: p.fiscalSubsidy?.atLeast ?? false,
    fiscalShares: policy.fiscalShares.map(({ source, name, amount }) => ({ source, name, amount })),
    fundingStandard: p.fundingStandard?.amount ?? null,
    collectionWindow: {
      start: p.collectionWindow.start?.date ?? null,
      end: p.collectionWindow.end.date,
      startText: p.collectionWindow.startText ?? null,
    },
    coverage: { start: p.coverage.start.date, end: p.coverage.end.date },
    assistance: (p.assistance?.rules ?? []).map((r) => ({
      category: r.category,
      amount: r.amount ?? null,
      full: r.full,
      mode: r.mode ?? null,
      clause: r.clause,
      modeClause: r.modeClause ?? null,
      inferred: r.inferred ?? r.funding?.find((f) => f.inferred)?.inferred ?? null,
    })),
    targets: (p.targets?.regions ?? []).map((t) => ({ region: presentRegion(tenant, t.region), target: t.target, clause: t.clause })),
    targetTotal: p.targets?.total?.count ?? null,
    milestones: p.milestones.map((m) => ({ date: m.date, share: m.share, clause: m.clause })),
    warnings: policy.warnings,
  };
}
