import { policyNotConfigured } from '../common/errors';
import type { FundingShare } from './funding';
import type { RegionKind } from './vocabulary';
import type { PolicyYearData } from './format';

export interface Region {
  code: string;
  name: string;
  kind: RegionKind;
  parentCode: string | null;
  clause?: string;
  inferred?: string;
  note?: string;
}

/** One tenant-year's policy as loaded and checked; the policy engine reads nothing else. */
export interface PolicyYear {
  tenantCode: string;
  coverageYear: number;
  /** Path of the file it was read from, relative to the tenants folder. */
  file: string;
  data: PolicyYearData;
  /** The fiscal subsidy split into exact fen by payer (empty where the notice gives no split). */
  fiscalShares: FundingShare[];
  /** What the cross-checks found that does not stop the server, e.g. a stated total that disagrees. */
  warnings: string[];
}

export class Tenant {
  readonly regionsByCode: ReadonlyMap<string, Region>;

  constructor(
    readonly code: string,
    readonly name: string,
    readonly regionsSource: string,
    readonly regions: readonly Region[],
    readonly policies: ReadonlyMap<number, PolicyYear>,
  ) {
    this.regionsByCode = new Map(regions.map((r) => [r.code, r]));
  }

  /** The policy of a year of cover, or POLICY_NOT_CONFIGURED when no notice of that year is configured. */
  policyFor(coverageYear: number): PolicyYear {
    const policy = this.policies.get(coverageYear);
    if (!policy) {
      throw policyNotConfigured(this.code, coverageYear, 'policyYear', `${this.name} has no notice configured for the year of cover ${coverageYear}`);
    }
    return policy;
  }

  get coverageYears(): number[] {
    return [...this.policies.keys()].sort((a, b) => a - b);
  }

  /** The codes of `scope` and every region inside it. */
  regionsWithin(scope: string): string[] {
    return this.regions.filter((r) => this.isWithin(r.code, scope)).map((r) => r.code);
  }

  /** True when `code` is `scope` or lies inside it (a town of 贵安新区 is within 520100-GA). */
  isWithin(code: string, scope: string): boolean {
    for (let region = this.regionsByCode.get(code); region; ) {
      if (region.code === scope) return true;
      region = region.parentCode ? this.regionsByCode.get(region.parentCode) : undefined;
    }
    return false;
  }
}

export class TenantCatalog {
  private readonly byCode: ReadonlyMap<string, Tenant>;

  constructor(readonly tenants: readonly Tenant[]) {
    this.byCode = new Map(tenants.map((t) => [t.code, t]));
  }

  get(code: string): Tenant | undefined {
    return this.byCode.get(code);
  }

  policy(code: string, coverageYear: number): PolicyYear | undefined {
    return this.byCode.get(code)?.policies.get(coverageYear);
  }
}
