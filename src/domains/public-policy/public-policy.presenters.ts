/** The policy model as the schema shows it: tenants, their regions and policy years. */
import { type PolicyYear, regionNameOn, type Tenant } from '../../policy-data/model';
import type { PolicyYearType, RegionType, TenantType } from './public-policy.types';

/** A region of the tenant with its name on `asOf` (today's by default); a code it does not know shows as itself. */
export function presentRegion(tenant: Tenant, code: string, asOf?: string): RegionType {
  const region = tenant.regionsByCode.get(code);
  return region
    ? { code: region.code, name: regionNameOn(region, asOf), kind: region.kind, parentCode: region.parentCode, retiredOn: region.retiredOn ?? null, successorCode: region.successorCode ?? null }
    : { code, name: code, kind: 'TOWNSHIP', parentCode: null, retiredOn: null, successorCode: null };
}

export function presentTenant(tenant: Tenant): TenantType {
  return {
    code: tenant.code,
    name: tenant.name,
    regions: tenant.regions.map((r) => presentRegion(tenant, r.code)),
    coverageYears: tenant.coverageYears,
  };
}

export function presentPolicy(tenant: Tenant, policy: PolicyYear): PolicyYearType {
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
