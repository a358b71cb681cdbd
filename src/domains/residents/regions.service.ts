/**
 * A tenant's regions beside those of tenants/: townships (9-digit statistical codes) and villages (12
 * digits) added by an administrator, renamed and retired from a date. The database is their source: it
 * holds the regions of tenants/ too (written at start), and every server reloads a tenant's regions when
 * they change (NOTIFY region_changed, src/server/tenant-sync.ts). Writes check against the database in
 * their own transaction, so a region another server added or retired a moment ago is judged rightly.
 */
import { compareDates, isLocalDate, type LocalDate } from '../../common/dates';
import { badInput, DomainError } from '../../common/errors';
import { type Localized, text } from '../../common/i18n';
import type { RequestContext } from '../../context/request-context';
import { type Region, regionNameOn } from '../../policy-data/model';
import { REGION_KIND_NAMES, type RegionKind } from '../../policy-data/vocabulary';
import { householdsIn, insertRegionName, insertRegions, type RegionWrite, regionsOf, retireRegions } from './regions.repository';

export interface RegionRequest {
  code: string;
  name: string;
  kind: RegionKind;
  parentCode?: string | null;
  establishedOn?: LocalDate | null;
}

export type RegionRowStatus = 'ACCEPTED' | 'DUPLICATE' | 'REJECTED';

export interface RegionRowOutcome {
  index: number;
  code: string;
  status: RegionRowStatus;
  error: DomainError | null;
  region: Region | null;
}

export const MAX_REGIONS_PER_CALL = 5000;

/** The statistical codes of a tenant start with this: 620702 for a county, 5201 for a city (520100). */
export function divisionPrefix(tenantCode: string): string {
  return tenantCode.endsWith('00') ? tenantCode.slice(0, 4) : tenantCode;
}

const KINDS_BY_LENGTH: Record<number, readonly RegionKind[]> = {
  6: ['DISTRICT'],
  9: ['TOWNSHIP', 'SUB_DISTRICT', 'UNIT'],
  12: ['VILLAGE'],
};

export class RegionsService {
  async addRegion(ctx: RequestContext, input: RegionRequest): Promise<Region> {
    const [result] = await this.addRegions(ctx, [input]);
    if (result.error) throw result.error;
    return result.region!;
  }

  /**
   * Adds regions, set-based, with a result per row: ACCEPTED, DUPLICATE (the same code and name are
   * already there: a replay changes nothing) or REJECTED with the reason. A row's parent may be added
   * by an earlier row of the same call.
   */
  async addRegions(ctx: RequestContext, inputs: readonly RegionRequest[]): Promise<RegionRowOutcome[]> {
    if (inputs.length > MAX_REGIONS_PER_CALL)
      throw badInput(
        text(
          `每次最多添加 ${MAX_REGIONS_PER_CALL} 个区划，本次有 ${inputs.length} 个`,
          `at most ${MAX_REGIONS_PER_CALL} regions per call, got ${inputs.length}`,
        ),
        'regions',
      );
    const existing = new Map((await regionsOf(ctx.db)).map((r) => [r.code, r]));
    const prefix = divisionPrefix(ctx.tenant.code);
    const added = new Map<string, Region>();
    const writes: RegionWrite[] = [];
    const results: RegionRowOutcome[] = inputs.map((input, index) => {
      const code = input.code.trim();
      const result: RegionRowOutcome = { index, code, status: 'REJECTED', error: null, region: null };
      const reject = (message: Localized, field: string, code: 'BAD_USER_INPUT' | 'CONFLICT' = 'BAD_USER_INPUT') => {
        result.error = new DomainError(code, message, { field });
        return result;
      };
      const name = input.name.trim();
      const known = existing.get(code) ?? added.get(code);
      if (known) {
        if (regionNameOn(known) === name || known.name === name) {
          result.status = 'DUPLICATE';
          result.region = known;
          return result;
        }
        return reject(
          text(`区划 ${code} 已存在，名称为${regionNameOn(known)}`, `region ${code} is already there as ${regionNameOn(known)}`),
          'code',
          'CONFLICT',
        );
      }
      if (!/^\d+$/.test(code) || !KINDS_BY_LENGTH[code.length])
        return reject(
          text(
            `代码 ${code} 不是 9 位（乡镇）或 12 位（村）的统计用区划代码`,
            `code ${code} is not a statistical division code of 9 digits (township) or 12 (village)`,
          ),
          'code',
        );
      if (!code.startsWith(prefix) || code.length <= prefix.length)
        return reject(
          text(`代码 ${code} 不在${ctx.tenant.name}（${ctx.tenant.code}）范围内`, `code ${code} does not lie inside ${ctx.tenant.name} (${ctx.tenant.code})`),
          'code',
        );
      if (!KINDS_BY_LENGTH[code.length].includes(input.kind))
        return reject(
          text(
            `${code.length} 位代码是${KINDS_BY_LENGTH[code.length].map((k) => REGION_KIND_NAMES[k]).join('或')}，不是${REGION_KIND_NAMES[input.kind] ?? input.kind}`,
            `a ${code.length}-digit code is a ${KINDS_BY_LENGTH[code.length].join(' or ')}, not ${input.kind}`,
          ),
          'kind',
        );
      if (!name) return reject(text('名称不能为空', 'name must not be empty'), 'name');
      if (input.establishedOn && !isLocalDate(input.establishedOn))
        return reject(text('设立日期应为日期（YYYY-MM-DD）', 'establishedOn must be a date YYYY-MM-DD'), 'establishedOn');
      const lookup = (c: string) => existing.get(c) ?? added.get(c);
      let parentCode: string | null;
      if (input.parentCode != null && input.parentCode.trim() !== '' && input.parentCode.trim() !== ctx.tenant.code) {
        parentCode = input.parentCode.trim();
        const parent = lookup(parentCode);
        if (!parent)
          return reject(
            text(`上级区划代码 ${parentCode} 不属于${ctx.tenant.name}`, `parentCode ${parentCode} is not a region of ${ctx.tenant.name}`),
            'parentCode',
          );
        if (/^\d+$/.test(parentCode) && !code.startsWith(parentCode))
          return reject(text(`代码 ${code} 不在 ${parentCode} 范围内`, `code ${code} does not lie inside ${parentCode}`), 'parentCode');
        if (parent.retiredOn)
          return reject(
            text(
              `${parentCode} ${regionNameOn(parent)} 已于 ${parent.retiredOn} 撤销`,
              `${parentCode} ${regionNameOn(parent)} was retired on ${parent.retiredOn}`,
            ),
            'parentCode',
          );
      } else {
        // The township (or district) the code lies in, where it is a region; else the tenant itself.
        const enclosing = code.length === 12 ? code.slice(0, 9) : code.length === 9 ? code.slice(0, 6) : null;
        parentCode = enclosing && lookup(enclosing) ? enclosing : null;
      }
      const sibling = [...existing.values(), ...added.values()].find((r) => r.parentCode === parentCode && !r.retiredOn && regionNameOn(r) === name);
      if (sibling) return reject(text(`该处已有名为${name}的区划：${sibling.code}`, `${name} is already a region there: ${sibling.code}`), 'name', 'CONFLICT');
      const region: Region = {
        code,
        name,
        kind: input.kind,
        parentCode,
        source: 'API',
        establishedOn: input.establishedOn ?? null,
        retiredOn: null,
        successorCode: null,
        renames: [],
      };
      added.set(code, region);
      writes.push({ code, name, kind: input.kind, parentCode, establishedOn: input.establishedOn ?? null });
      result.status = 'ACCEPTED';
      result.region = region;
      return result;
    });
    const inserted = await insertRegions(ctx.db, writes, actor(ctx));
    if (inserted.size !== writes.length)
      throw new DomainError(
        'CONFLICT',
        text(
          '另一请求同时添加了其中部分区划；本次未写入任何数据，请重试',
          'another request added some of these regions at the same time; nothing was written, retry',
        ),
      );
    if (writes.length) reloadAfterCommit(ctx);
    return results;
  }

  /** Renames a region from a date; reports for earlier dates keep the name it had then. */
  async renameRegion(ctx: RequestContext, code: string, name: string, from: LocalDate): Promise<Region> {
    const region = await this.current(ctx, code);
    const newName = name.trim();
    if (!newName) throw badInput(text('名称不能为空', 'name must not be empty'), 'name');
    if (!isLocalDate(from)) throw badInput(text('启用日期应为日期（YYYY-MM-DD）', 'from must be a date YYYY-MM-DD'), 'from');
    if (regionNameOn(region, from) === newName)
      throw new DomainError('CONFLICT', text(`${code} 在 ${from} 的名称已是${newName}`, `${code} is already called ${newName} on ${from}`), { field: 'name' });
    if (!(await insertRegionName(ctx.db, region.code, newName, from, actor(ctx)))) {
      throw new DomainError('CONFLICT', text(`${code} 已有自 ${from} 起生效的名称`, `${code} already has a name taking effect on ${from}`), { field: 'from' });
    }
    reloadAfterCommit(ctx);
    const renames = [...(region.renames ?? []), { name: newName, validFrom: from }].sort((a, b) => compareDates(a.validFrom, b.validFrom));
    return { ...region, renames };
  }

  /**
   * Retires a region from a date: it takes no new households from then. Households still there stay
   * where they are (their history is theirs); with a successor they count within it from that date,
   * without one the region must be empty. Its sub-regions retire with it.
   */
  async retireRegion(ctx: RequestContext, code: string, on: LocalDate, successorCode: string | null, reason: string | null): Promise<Region> {
    const regions = await regionsOf(ctx.db);
    const region = regions.find((r) => r.code === code);
    if (!region) throw new DomainError('NOT_FOUND', text(`${ctx.tenant.name}没有区划 ${code}`, `no region ${code} in ${ctx.tenant.name}`), { field: 'code' });
    if (region.retiredOn)
      throw new DomainError('CONFLICT', text(`${code} 已于 ${region.retiredOn} 撤销`, `${code} was already retired on ${region.retiredOn}`), { field: 'code' });
    if (!isLocalDate(on)) throw badInput(text('撤销日期应为日期（YYYY-MM-DD）', 'on must be a date YYYY-MM-DD'), 'on');
    const tenant = ctx.tenant.withRegions(regions);
    // What lies inside it on the day it retires: a village moved away before then is no longer its own.
    const within = tenant.regionsWithin(code, on);
    let successor: string | null = null;
    if (successorCode) {
      const target = regions.find((r) => r.code === successorCode);
      if (!target || target.retiredOn)
        throw badInput(
          text(`接续区划代码 ${successorCode} 不是${ctx.tenant.name}在用的区划`, `successorCode ${successorCode} is not a region of ${ctx.tenant.name} in use`),
          'successorCode',
        );
      if (within.includes(successorCode)) throw badInput(text(`${successorCode} 位于 ${code} 之内`, `${successorCode} lies inside ${code}`), 'successorCode');
      successor = successorCode;
    } else if ((await householdsIn(ctx.db, within)) > 0) {
      throw new DomainError(
        'CONFLICT',
        text(
          `仍有户登记在 ${code} ${regionNameOn(region)} 或其下级区划：请填写这些户自 ${on} 起所属的接续区划代码（successorCode）`,
          `households are still registered in ${code} ${regionNameOn(region)} or inside it: name a successorCode they belong to from ${on}`,
        ),
        { field: 'successorCode' },
      );
    }
    await retireRegions(ctx.db, [code], on, successor, reason?.trim() || null);
    await retireRegions(
      ctx.db,
      within.filter((c) => c !== code),
      on,
      null,
      `${code} retired`,
    );
    reloadAfterCommit(ctx);
    return { ...region, retiredOn: on, successorCode: successor };
  }

  /** The region as the database has it now, or NOT_FOUND. */
  private async current(ctx: RequestContext, code: string): Promise<Region> {
    const region = (await regionsOf(ctx.db)).find((r) => r.code === code);
    if (!region) throw new DomainError('NOT_FOUND', text(`${ctx.tenant.name}没有区划 ${code}`, `no region ${code} in ${ctx.tenant.name}`), { field: 'code' });
    return region;
  }
}

/**
 * This server reloads the tenant's regions once the change is committed, before it answers, so the
 * caller's next request here sees it; the others reload on the notification the commit sends.
 */
function reloadAfterCommit(ctx: RequestContext): void {
  const tenant = ctx.tenant.code;
  ctx.afterCommit(async () => ctx.app.regionsChanged?.(tenant));
}

function actor(ctx: RequestContext): string {
  return ctx.actor?.sub ?? 'system';
}

export const regionsService = new RegionsService();
