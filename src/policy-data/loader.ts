/**
 * Reads `tenants/`: one folder per tenant named by its GB/T 2260 code, holding `tenant.yaml` and one
 * `<coverageYear>.yaml` per year of cover. Anything broken stops the start with the file, the field and,
 * where the value carries one, the notice clause.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { checkPolicyYear } from './checks';
import { PolicyYearSchema, TenantSchema, type RegionData } from './format';
import { type PolicyYear, type Region, Tenant, TenantCatalog } from './model';

export class TenantFileError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
    readonly clause?: string,
  ) {
    super(`${file}: ${field || '(file)'}: ${problem}${clause ? ` [clause: ${clause}]` : ''}`);
    this.name = 'TenantFileError';
  }
}

export interface LoadResult {
  catalog: TenantCatalog;
  /** Warnings of every tenant-year, prefixed with their file. */
  warnings: string[];
}

export function loadTenants(root: string): LoadResult {
  const tenants: Tenant[] = [];
  const warnings: string[] = [];
  const folders = readdirSync(root)
    .filter((name) => statSync(join(root, name)).isDirectory())
    .sort();
  for (const folder of folders) {
    const tenant = loadTenant(root, folder);
    tenants.push(tenant);
    for (const policy of tenant.policies.values()) warnings.push(...policy.warnings.map((w) => `${policy.file}: ${w}`));
  }
  return { catalog: new TenantCatalog(tenants), warnings };
}

function loadTenant(root: string, folder: string): Tenant {
  const dir = join(root, folder);
  const tenantFile = join(dir, 'tenant.yaml');
  const name = (path: string) => relative(root, path);
  if (!/^\d{6}$/.test(folder)) throw new TenantFileError(name(dir), '', 'a tenant folder is named by its six-digit GB/T 2260 code');
  const tenantData = parseFile(tenantFile, TenantSchema, name(tenantFile));
  if (tenantData.code !== folder) {
    throw new TenantFileError(name(tenantFile), 'code', `code ${tenantData.code} does not match its folder ${folder}`);
  }
  const regions = flattenRegions(tenantData.regions, null);
  const regionsByCode = new Map<string, Region>();
  for (const region of regions) {
    if (regionsByCode.has(region.code)) throw new TenantFileError(name(tenantFile), 'regions', `region code ${region.code} appears twice`);
    regionsByCode.set(region.code, region);
  }

  const policies = new Map<number, PolicyYear>();
  for (const file of readdirSync(dir).filter((f) => /^\d{4}\.yaml$/.test(f)).sort()) {
    const path = join(dir, file);
    const data = parseFile(path, PolicyYearSchema, name(path));
    const coverageYear = Number(file.slice(0, 4));
    if (data.tenant !== folder) throw new TenantFileError(name(path), 'tenant', `tenant ${data.tenant} does not match its folder ${folder}`);
    if (data.coverageYear !== coverageYear) {
      throw new TenantFileError(name(path), 'coverageYear', `coverageYear ${data.coverageYear} does not match the file name ${file}`);
    }
    const result = checkPolicyYear(data, regionsByCode);
    const first = result.errors[0];
    if (first) throw new TenantFileError(name(path), first.field, first.message, first.clause);
    policies.set(coverageYear, {
      tenantCode: folder,
      coverageYear,
      file: name(path),
      data,
      fiscalShares: result.fiscalShares,
      warnings: result.warnings.map((w) => `${w.field}: ${w.message}${w.clause ? ` [clause: ${w.clause}]` : ''}`),
    });
  }
  return new Tenant(folder, tenantData.name, tenantData.regionsSource, regions, policies);
}

function flattenRegions(regions: readonly RegionData[], parentCode: string | null): Region[] {
  return regions.flatMap(({ children, ...region }) => [
    { ...region, parentCode },
    ...flattenRegions(children ?? [], region.code),
  ]);
}

function parseFile<S extends z.ZodType>(path: string, schema: S, name: string): z.output<S> {
  let raw: unknown;
  try {
    // YAML 1.2 core schema: dates stay strings; merge keys (<<) let rules that share a clause say it once.
    raw = parseYaml(readFileSync(path, 'utf8'), { merge: true });
  } catch (err) {
    throw new TenantFileError(name, '', (err as Error).message.split('\n')[0]);
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  throw new TenantFileError(name, field, issue.message, clauseAt(raw, issue.path));
}

/** The nearest `clause` on the way down to the faulty field, so an error points into the notice. */
function clauseAt(raw: unknown, path: readonly PropertyKey[]): string | undefined {
  let clause: string | undefined;
  let node: unknown = raw;
  for (const key of path) {
    if (node && typeof node === 'object') {
      const value = (node as Record<string, unknown>).clause;
      if (typeof value === 'string') clause = value;
      node = (node as Record<PropertyKey, unknown>)[key];
    }
  }
  if (node && typeof node === 'object' && typeof (node as Record<string, unknown>).clause === 'string') {
    clause = (node as Record<string, string>).clause;
  }
  return clause;
}
