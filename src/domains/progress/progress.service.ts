/**
 * Enrolment campaigns (参保缴费任务): progress against township targets and milestone dates, the lists
 * of people still to be reached (催缴), and what each day's collection adds up to. Counts come from
 * `paid_daily`, kept by the writes of enrolments (at most sixteen rows a region and day), so a county of millions
 * answers from some thousands of rows.
 */
import { compareDates, type LocalDate } from '../../common/dates';
import { badInput, DomainError } from '../../common/errors';
import { text } from '../../common/i18n';
import type { RequestContext } from '../../context/request-context';
import { type PolicyYear, type Region, regionNameOn } from '../../policy-data/model';
import { type Connection, decodeKeyCursor, MAX_PAGE, pageSize, toKeyConnection } from '../../graphql/pages';
import { residentsService } from '../residents/residents.service';
import { collectionOn, countFollowUps, type FollowUpRow, followUps, paidCountsByRegion, setTargets, targetsSetOn } from './progress.repository';

export interface MilestoneView {
  date: string;
  share: number;
  clause: string;
}

export interface RegionProgressRow {
  region: Region;
  target: number | null;
  targetSource: string | null;
  /** When an administrator set the target (ISO 8601 instant); null for a notice's target or none. */
  targetSetAt: string | null;
  /** The version of the policy year whose notice states the target; null for one set by hand or none. */
  targetPolicyVersion: number | null;
  paid: number;
  rate: number | null;
  milestone: MilestoneView | null;
  required: number | null;
  onTrack: boolean | null;
  gap: number | null;
  nextMilestone: MilestoneView | null;
}

interface Target {
  target: number;
  source: string;
  byDate: Map<string, number>;
  setAt: string | null;
  version: number | null;
}

export class ProgressService {
  /**
   * Everything as it stood at the end of `asOf` (China time), so that a past day's figures stay as they
   * were whatever is published or set later: the payments made by then, the regions of that day, the
   * version of the year's policy in force then (its targets and milestones), and the targets an
   * administrator had set by then.
   */
  async enrollmentProgress(ctx: RequestContext, coverageYear: number, asOf: LocalDate): Promise<RegionProgressRow[]> {
    const tenant = ctx.tenant;
    // The last of the versions in force during the day is the one in force at its end (Tenant.policiesInForceOn).
    const policy = tenant.policies.has(coverageYear) ? tenant.policiesInForceOn(coverageYear, asOf).at(-1) : undefined;
    const [counts, targets] = await Promise.all([paidCountsByRegion(ctx.db, coverageYear, asOf), this.targets(ctx, coverageYear, policy, asOf)]);
    const paidByRegion = new Map(counts.map((c) => [c.region_code, c.paid]));
    const paidWithin = (code: string) =>
      [...paidByRegion].filter(([region]) => region === code || (region && tenant.isWithin(region, code, asOf))).reduce((sum, [, n]) => sum + n, 0);
    const milestones = (policy?.data.milestones ?? []).map((m) => ({ date: m.date, share: m.share, clause: m.clause }));
    const due = [...milestones].reverse().find((m) => compareDates(m.date, asOf) <= 0) ?? null;
    const next = milestones.find((m) => compareDates(m.date, asOf) > 0) ?? null;

    const row = (region: Region, paid: number, target: Target | undefined): RegionProgressRow => {
      const goal = target?.target ?? null;
      const required = due && goal !== null ? (target?.byDate.get(due.date) ?? Math.ceil(goal * due.share)) : null;
      return {
        region,
        target: goal,
        targetSource: target?.source ?? null,
        targetSetAt: target?.setAt ?? null,
        targetPolicyVersion: target?.version ?? null,
        paid,
        rate: goal ? paid / goal : null,
        milestone: due,
        required,
        onTrack: required === null ? null : paid >= required,
        gap: required === null ? null : Math.max(required - paid, 0),
        nextMilestone: next,
      };
    };
    const whole: Region = { code: tenant.code, name: tenant.name, kind: 'TENANT', parentCode: null };
    const total = counts.reduce((sum, c) => sum + c.paid, 0);
    // The regions as they were on asOf: those not yet established or already retired are left out, and
    // each has the name it had then, so a report for a past day reads as it did that day.
    const then = tenant.regions.filter((r) => (!r.establishedOn || r.establishedOn <= asOf) && (!r.retiredOn || r.retiredOn > asOf));
    return [
      row(whole, total, targets.get(tenant.code)),
      ...then.map((r) => row({ ...r, name: regionNameOn(r, asOf) }, paidWithin(r.code), targets.get(r.code))),
    ];
  }

  /**
   * The targets of `policy`'s notice (the version in force on `asOf`), or where it states none, those an
   * administrator had set by the end of `asOf`; the whole tenant's too.
   */
  private async targets(ctx: RequestContext, coverageYear: number, policy: PolicyYear | undefined, asOf: LocalDate): Promise<Map<string, Target>> {
    const tenant = ctx.tenant;
    const stated = policy?.data.targets;
    const result = new Map<string, Target>();
    if (policy && stated && stated.regions.length > 0) {
      const source = policy.data.notice.number ?? policy.data.notice.title;
      const version = policy.version > 0 ? policy.version : null;
      for (const t of stated.regions) {
        result.set(t.region, {
          target: t.target,
          source: `${source} ${t.clause}`,
          byDate: new Map((t.byDate ?? []).map((d) => [d.date, d.count])),
          setAt: null,
          version,
        });
      }
      // The whole tenant's target is the sum of its top regions' (the check keeps parts over a total that disagrees).
      const top = stated.regions.filter((t) => !stated.regions.some((p) => p.region !== t.region && tenant.isWithin(t.region, p.region)));
      const byDate = new Map<string, number>();
      for (const t of top) for (const d of t.byDate ?? []) byDate.set(d.date, (byDate.get(d.date) ?? 0) + d.count);
      result.set(tenant.code, { target: top.reduce((s, t) => s + t.target, 0), source: `${source} ${stated.clause}`, byDate, setAt: null, version });
      return result;
    }
    const rows = await targetsSetOn(ctx.db, coverageYear, asOf);
    for (const r of rows) result.set(r.region_code, { target: r.target, source: r.source, byDate: new Map(), setAt: r.set_at, version: null });
    return result;
  }

  /** Targets for a year whose notice states none; the source (a 任务分解表, a meeting's minutes …) is kept. */
  async setTargets(ctx: RequestContext, coverageYear: number, targets: Array<{ region: string; target: number }>, source: string): Promise<void> {
    const stated = ctx.tenant.policies.get(coverageYear)?.data.targets;
    if (stated && stated.regions.length > 0) {
      throw new DomainError(
        'CONFLICT',
        text(
          `${coverageYear} 年度的任务数以通知为准（${stated.clause}），须起草并发布该年度政策的新版本（draftPolicyYear、publishPolicyYear）更改`,
          `the targets of ${coverageYear} are those of the notice (${stated.clause}); they are changed by a new version of the year's policy (draftPolicyYear, publishPolicyYear)`,
        ),
        { field: 'coverageYear' },
      );
    }
    if (!source.trim()) throw badInput(text('须写明任务数的来源', 'source must say where the targets come from'), 'source');
    for (const [i, t] of targets.entries()) {
      if (t.region !== ctx.tenant.code && !ctx.tenant.regionsByCode.has(t.region))
        throw badInput(
          text(`第 ${i + 1} 项任务的区划 ${t.region} 不属于${ctx.tenant.name}`, `targets[${i}].region ${t.region} is not a region of ${ctx.tenant.name}`),
          `targets[${i}].region`,
        );
      if (!Number.isInteger(t.target) || t.target < 0)
        throw badInput(text(`第 ${i + 1} 项任务数应为整数人数`, `targets[${i}].target must be a whole number of people`), `targets[${i}].target`);
    }
    await setTargets(ctx.db, coverageYear, targets, source.trim(), ctx.actor?.sub ?? 'system');
  }

  /**
   * People paid for last year and not yet for this one (催缴), without a waiver in force, still living
   * here: in ID order, a page at a time. As of a day, everything is taken as it stood then: the
   * enrolments paid and not yet ended, the person's status, the household (and so region) they belonged
   * to, the waivers signed and not yet withdrawn.
   */
  async followUps(
    ctx: RequestContext,
    coverageYear: number,
    region: string | null,
    first: number,
    after: string | null,
    asOf: LocalDate | null,
  ): Promise<Connection<FollowUpRow>> {
    pageSize(first, MAX_PAGE);
    const regions = region ? await residentsService.regionScope(ctx, region, asOf ?? undefined) : null;
    const key = after ? decodeKeyCursor(after, 1)[0] : null;
    const rows = await followUps(ctx.db, coverageYear, regions, key, first + 1, asOf);
    return toKeyConnection(
      rows,
      first,
      () => countFollowUps(ctx.db, coverageYear, regions, asOf),
      (r) => [r.id_number],
      (r) => r,
    );
  }

  /** A day's payments by channel and region: what the tax system's daily push adds up to. */
  async dailyCollection(ctx: RequestContext, date: LocalDate, coverageYear: number | null) {
    const rows = await collectionOn(ctx.db, date, coverageYear);
    const byChannel = new Map<string, { count: number; amount: number }>();
    for (const r of rows) {
      const c = byChannel.get(r.channel) ?? { count: 0, amount: 0 };
      byChannel.set(r.channel, { count: c.count + r.count, amount: c.amount + r.amount });
    }
    return {
      date,
      count: rows.reduce((s, r) => s + r.count, 0),
      amount: rows.reduce((s, r) => s + r.amount, 0),
      rows,
      byChannel: [...byChannel].map(([channel, v]) => ({ channel, ...v })),
    };
  }
}

export const progressService = new ProgressService();
