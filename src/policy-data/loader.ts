/**
 * Reads `tenants/`: one folder per tenant named by its GB/T 2260 code, holding `tenant.yaml` and one
 * `<coverageYear>.yaml` per year of cover. A broken year is refused and reported with every problem it
 * has (file, path, line, clause), and the other years and tenants load as usual: one bad file never stops
 * a server. A broken `tenant.yaml` (or folder) leaves that tenant out, reported the same way.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { text } from '../common/i18n';
import { formatPath } from './checks';
import { chineseError, clauseAt, type PolicyIssue, type PolicyValidation, validatePolicyDocument, YearDocument } from './document';
import { TenantSchema, type RegionData } from './format';
import { type PolicyOrigin, type PolicyYear, type Region, Tenant, TenantCatalog } from './model';
import type { YearBefore } from './year-over-year';

/** A file refused, with every problem found in it; `message` names the file and the first problems. */
export class TenantFileError extends Error {
  constructor(
    readonly file: string,
    readonly tenantCode: string,
    readonly coverageYear: number | null,
    readonly issues: readonly PolicyIssue[],
  ) {
    const shown = issues
      .slice(0, 5)
      .map((i) => `${i.path || '(file)'}${i.line ? ` (line ${i.line})` : ''}: ${i.message.en}${i.clause ? ` [clause: ${i.clause}]` : ''}`);
    super(`${file}: ${shown.join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`);
    this.name = 'TenantFileError';
  }
}

export interface LoadResult {
  catalog: TenantCatalog;
  /** Warnings of every tenant-year, prefixed with their file. */
  warnings: string[];
  /** Files refused: their year (or tenant) is not loaded from tenants/. */
  problems: TenantFileError[];
}

export function loadTenants(root: string): LoadResult {
  const tenants: Tenant[] = [];
  const warnings: string[] = [];
  const problems: TenantFileError[] = [];
  const folders = readdirSync(root)
    .filter((name) => statSync(join(root, name)).isDirectory())
    .sort();
  for (const folder of folders) {
    const tenant = loadTenant(root, folder, problems);
    if (!tenant) continue;
    tenants.push(tenant);
    for (const policy of tenant.policies.values()) warnings.push(...policy.warnings.map((w) => `${policy.file}: ${w.en}`));
  }
  return { catalog: new TenantCatalog(tenants), warnings, problems };
}

const fileIssue = (message: string, zh: string, path = ''): PolicyIssue => ({
  code: 'TENANT_FILE',
  path,
  line: null,
  column: null,
  message: { zh, en: message },
  clause: null,
});

function loadTenant(root: string, folder: string, problems: TenantFileError[]): Tenant | null {
  const dir = join(root, folder);
  const tenantFile = join(dir, 'tenant.yaml');
  const name = (path: string) => relative(root, path);
  if (!/^\d{6}$/.test(folder)) {
    problems.push(
      new TenantFileError(name(dir), folder, null, [
        fileIssue('a tenant folder is named by its six-digit GB/T 2260 code', '地区文件夹要以六位 GB/T 2260 代码命名'),
      ]),
    );
    return null;
  }
  let tenantText: string;
  try {
    tenantText = readFileSync(tenantFile, 'utf8');
  } catch (err) {
    problems.push(
      new TenantFileError(name(tenantFile), folder, null, [
        fileIssue(
          `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
          `无法读取（${(err as NodeJS.ErrnoException).code ?? (err as Error).message}）`,
        ),
      ]),
    );
    return null;
  }
  const document = new YearDocument(tenantText);
  const raw = document.toJS();
  const parsed = raw === null ? null : TenantSchema.safeParse(raw);
  if (!parsed?.success || document.syntaxErrors.length > 0) {
    // The same parse with Chinese messages, issue for issue.
    const chinese = parsed?.success === false ? TenantSchema.safeParse(raw, { error: chineseError }) : null;
    const zhIssues = chinese?.success === false ? chinese.error.issues : [];
    const schemaIssues = (parsed?.success === false ? parsed.error.issues : []).map((issue, i) => {
      const path = issue.path as Array<string | number>;
      const position = document.positionOf(path);
      return {
        ...fileIssue(issue.message, zhIssues[i]?.message ?? issue.message, formatPath(path)),
        line: position?.line ?? null,
        column: position?.column ?? null,
        clause: clauseAt(raw, path) ?? null,
      };
    });
    problems.push(new TenantFileError(name(tenantFile), folder, null, [...document.syntaxErrors, ...schemaIssues]));
    return null;
  }
  const tenantData = parsed.data;
  if (tenantData.code !== folder) {
    problems.push(
      new TenantFileError(name(tenantFile), folder, null, [
        fileIssue(`code ${tenantData.code} does not match its folder ${folder}`, `code ${tenantData.code} 与文件夹 ${folder} 不符`, 'code'),
      ]),
    );
    return null;
  }
  const regions = flattenRegions(tenantData.regions, null);
  const regionsByCode = new Map<string, Region>();
  for (const region of regions) {
    if (regionsByCode.has(region.code)) {
      problems.push(
        new TenantFileError(name(tenantFile), folder, null, [
          fileIssue(`region code ${region.code} appears twice`, `区域代码 ${region.code} 出现了两次`, 'regions'),
        ]),
      );
      return null;
    }
    regionsByCode.set(region.code, region);
  }

  const policies = new Map<number, PolicyYear>();
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}\.yaml$/.test(f))
    .sort();
  const numbers = noticeNumbersOf(dir, files);
  let yearBefore: YearBefore | null = null;
  for (const file of files) {
    const path = join(dir, file);
    const coverageYear = Number(file.slice(0, 4));
    const source = readFileSync(path, 'utf8');
    const validation = validatePolicyDocument(source, { tenantCode: folder, coverageYear, regions: regionsByCode, yearBefore, noticeNumbersInUse: numbers });
    if (!validation.data || validation.errors.length > 0) {
      problems.push(new TenantFileError(name(path), folder, coverageYear, validation.errors));
      continue;
    }
    const policy = policyYearOf(validation, {
      tenantCode: folder,
      coverageYear,
      file: name(path),
      source,
      version: 0,
      origin: 'TENANT_FILE',
      publishedAt: null,
      publishedBy: null,
    });
    policies.set(coverageYear, policy);
    yearBefore = { coverageYear, raw: validation.raw };
  }
  return new Tenant(folder, tenantData.name, tenantData.regionsSource, regions, policies);
}

/** The notice numbers the files of a tenant use, by number: a number used by two years is refused. */
function noticeNumbersOf(dir: string, files: readonly string[]): Map<string, number[]> {
  const numbers = new Map<string, number[]>();
  for (const file of files) {
    const raw = new YearDocument(readFileSync(join(dir, file), 'utf8')).toJS() as { notice?: { number?: unknown } } | null;
    const number = raw?.notice?.number;
    if (typeof number === 'string') numbers.set(number, [...(numbers.get(number) ?? []), Number(file.slice(0, 4))]);
  }
  return numbers;
}

export interface PolicyYearOrigin {
  tenantCode: string;
  coverageYear: number;
  file: string;
  source: string;
  version: number;
  origin: PolicyOrigin;
  publishedAt: string | null;
  publishedBy: string | null;
}

/** The model of a year from a validation without errors. */
export function policyYearOf(validation: PolicyValidation, origin: PolicyYearOrigin): PolicyYear {
  if (!validation.data) throw new Error(`${origin.file}: the document does not meet the format`);
  return {
    ...origin,
    sourceSha256: sha256(origin.source),
    data: validation.data,
    raw: validation.raw,
    fiscalShares: validation.fiscalShares,
    warnings: validation.warnings.map((w) =>
      text(`${w.path}：${w.message.zh}${w.clause ? `〔条款：${w.clause}〕` : ''}`, `${w.path}: ${w.message.en}${w.clause ? ` [clause: ${w.clause}]` : ''}`),
    ),
  };
}

export function sha256(source: string): string {
  return createHash('sha256').update(source, 'utf8').digest('hex');
}

function flattenRegions(regions: readonly RegionData[], parentCode: string | null): Region[] {
  return regions.flatMap(({ children, ...region }) => [{ ...region, parentCode }, ...flattenRegions(children ?? [], region.code)]);
}
