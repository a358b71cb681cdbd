import { type Localized, text } from '../common/i18n';
import { policyNotConfigured } from '../common/errors';
import { compareDates, type LocalDate, todayInChina } from '../common/dates';
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
  /** Regions the database adds beside tenants/ (added at run time, renamed, retired). */
  source?: 'TENANT_FILE' | 'API';
  establishedOn?: string | null;
  /** From this day the region takes no new households; its households count within `successorCode`, if any. */
  retiredOn?: string | null;
  successorCode?: string | null;
  /** Names taken from a date, oldest first; `name` is the name before the first. */
  renames?: ReadonlyArray<{ name: string; validFrom: string }>;
}

/** The region's name on `date` (today's when no date is given). */
export function regionNameOn(region: Region, date?: string): string {
  let name = region.name;
  for (const r of region.renames ?? []) if (!date || r.validFrom <= date) name = r.name;
  return name;
}

/** Where a published version came from: a file of tenants/ (at a start), or publishPolicyYear. */
export type PolicyOrigin = 'TENANT_FILE' | 'API';

/** One tenant-year's policy as loaded and checked; the policy engine reads nothing else. */
export interface PolicyYear {
  tenantCode: string;
  coverageYear: number;
  /**
   * The published version in force (1, 2 …; versions never change once published). 0 for a year read
   * from tenants/ that the database has not numbered yet (tenants:check, unit tests).
   */
  version: number;
  origin: PolicyOrigin;
  /** The file it was read from (relative to the tenants folder), or where the database keeps it. */
  file: string;
  /** The year document exactly as published (YAML): what an export gives back. */
  source: string;
  sourceSha256: string;
  publishedAt: string | null;
  publishedBy: string | null;
  data: PolicyYearData;
  /** The document's plain values as written (money as "350.00"), for comparing years value by value. */
  raw: unknown;
  /** The fiscal subsidy split into exact fen by payer (empty where the notice gives no split). */
  fiscalShares: FundingShare[];
  /** What the cross-checks found that does not stop the server, e.g. a stated total that disagrees. */
  warnings: Localized[];
}

export class Tenant {
  readonly regionsByCode: ReadonlyMap<string, Region>;

  constructor(
    readonly code: string,
    readonly name: string,
    readonly regionsSource: string,
    readonly regions: readonly Region[],
    readonly policies: ReadonlyMap<number, PolicyYear>,
    /** The earlier published versions of each year, oldest first: `policies` holds the one in force. */
    readonly supersededPolicies: ReadonlyMap<number, readonly PolicyYear[]> = new Map(),
  ) {
    this.regionsByCode = new Map(regions.map((r) => [r.code, r]));
  }

  /** The policy of a year of cover, or POLICY_NOT_CONFIGURED when no notice of that year is configured. */
  policyFor(coverageYear: number): PolicyYear {
    const policy = this.policies.get(coverageYear);
    if (!policy) {
      throw policyNotConfigured(
        this.code,
        coverageYear,
        'policyYear',
        text(`${this.name}尚未配置 ${coverageYear} 待遇享受年度的政策通知`, `${this.name} has no notice configured for the year of cover ${coverageYear}`),
      );
    }
    return policy;
  }

  /**
   * The versions of a year's policy in force at some moment of `date`, oldest first: the one in force when
   * the day began (the latest published before it, China time, or the year's first version when none was
   * yet: a notice read from tenants/ is published at the first start that reads it, after its year's first
   * payments may have been made), then any published during the day. Money paid what one of them asked
   * is taken as paid under it (see enrollment.service's checkPayment), whatever a later correction says.
   */
  policiesInForceOn(coverageYear: number, date: LocalDate): PolicyYear[] {
    const latest = this.policyFor(coverageYear);
    const versions = [...(this.supersededPolicies.get(coverageYear) ?? []), latest];
    const publishedOn = versions.map((v) => (v.publishedAt ? todayInChina(new Date(v.publishedAt)) : null));
    // The last published before the day (versions are published in order), else the first.
    const first = publishedOn.reduce((at, on, i) => (on !== null && compareDates(on, date) < 0 ? i : at), 0);
    return versions.filter((_, i) => i === first || (i > first && publishedOn[i] === date));
  }

  get coverageYears(): number[] {
    return [...this.policies.keys()].sort((a, b) => a - b);
  }

  /** The codes of `scope` and every region inside it (on `asOf`: see isWithin). */
  regionsWithin(scope: string, asOf?: string): string[] {
    return this.regions.filter((r) => this.isWithin(r.code, scope, asOf)).map((r) => r.code);
  }

  /**
   * True when `code` is `scope` or lies inside it (a town of 贵安新区 is within 520100-GA). On a date
   * (`asOf`), a region retired into a successor by then lies inside the successor only, not in its own
   * parent: a village moved to another township counts there, not in both. With no date, a retired
   * region lies inside both, so that a notice of a year before the move still finds it where it was.
   */
  isWithin(code: string, scope: string, asOf?: string): boolean {
    const seen = new Set<string>();
    const pending = [code];
    while (pending.length) {
      const region = this.regionsByCode.get(pending.pop()!);
      if (!region || seen.has(region.code)) continue;
      if (region.code === scope) return true;
      seen.add(region.code);
      const { successorCode, retiredOn } = region;
      const movedTo = successorCode && retiredOn && (!asOf || retiredOn <= asOf) ? successorCode : null;
      if (movedTo) pending.push(movedTo);
      if (region.parentCode && !(movedTo && asOf)) pending.push(region.parentCode);
    }
    return false;
  }

  /** The same tenant with another list of regions (the database's, read at start and when they change). */
  withRegions(regions: readonly Region[]): Tenant {
    return new Tenant(this.code, this.name, this.regionsSource, regions, this.policies, this.supersededPolicies);
  }

  /** The same tenant with other policy years (the versions in force in the database, and those they replaced). */
  withPolicies(policies: ReadonlyMap<number, PolicyYear>, superseded: ReadonlyMap<number, readonly PolicyYear[]>): Tenant {
    return new Tenant(this.code, this.name, this.regionsSource, this.regions, policies, superseded);
  }
}

export class TenantCatalog {
  private byCode: Map<string, Tenant>;
  /**
   * How many times a tenant was replaced: an answer made from the catalog at one generation (a kept
   * quote) is not given again at another.
   */
  private replaced = 0;

  constructor(private list: readonly Tenant[]) {
    this.byCode = new Map(list.map((t) => [t.code, t]));
  }

  get tenants(): readonly Tenant[] {
    return this.list;
  }

  /** Puts a new version of a tenant in place; requests already under way keep the one they took. */
  replace(tenant: Tenant): void {
    if (!this.byCode.has(tenant.code)) throw new Error(`no tenant ${tenant.code} to replace`);
    this.byCode = new Map(this.byCode).set(tenant.code, tenant);
    this.list = this.list.map((t) => (t.code === tenant.code ? tenant : t));
    this.replaced += 1;
  }

  get generation(): number {
    return this.replaced;
  }

  get(code: string): Tenant | undefined {
    return this.byCode.get(code);
  }

  policy(code: string, coverageYear: number): PolicyYear | undefined {
    return this.byCode.get(code)?.policies.get(coverageYear);
  }
}
