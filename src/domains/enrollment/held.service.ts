/**
 * What is held rather than refused, and how it is released. A paid enrolment whose answer left a value
 * unstated (山丹's 低保 reimbursement, 张医保发〔2021〕52号; 贵阳's late cover start) waits for it; money the
 * tax system collected for someone not registered, or not payable yet, waits in suspense. `releaseHeld`
 * computes what waits as soon as the value is configured and matches held money: it runs at start for
 * every tenant (values come from tenants/ then) and is the step to run when a policy year is published.
 */
import { todayInChina } from '../../common/dates';
import { badInput } from '../../common/errors';
import { type Localized, text } from '../../common/i18n';
import { formatMoney } from '../../common/money';
import type { RequestContext } from '../../context/request-context';
import type { Circumstance } from '../../policy-data/vocabulary';
import type { Settlement } from '../../policy-engine/policy-engine';
import { grantsOf, isLiveGrant } from '../subsidies/subsidies.repository';
import { subsidiesService } from '../subsidies/subsidies.service';
import { enrollmentService } from './enrollment.service';
import { type EnrollmentRow, enrollmentsToJudge, setResolvedAmounts } from './enrollment.repository';
import {
  batchPage,
  closeWaits,
  countWaiting,
  heldPage,
  markSuspenseMatched,
  noteWaitsStillOpen,
  openWaits,
  type SuspenseRow,
  suspenseRows,
  suspenseTotals,
  takeReleaseTurn,
  updateSuspenseReasons,
  type WaitingFilter,
  type WaitingRow,
  type WaitsAfter,
  waitingSummary,
  waitingValues,
} from './held.repository';
import { loadPeople } from './person-facts';

/**
 * A run reads open waits in pages of this many enrolments, and held payments in pages of this many
 * people, until none is left.
 */
const RUN_LIMIT = 10_000;

export interface ReleaseResult {
  resolved: number;
  stillWaiting: number;
  matched: number;
  stillHeld: number;
}

export class HeldService {
  /**
   * Computes every wait whose value is now configured, and matches held money that is payable now.
   * `perPage` (enrolments whose waits, people whose held money, are judged at once) is RUN_LIMIT but in a
   * test of the paging.
   */
  async releaseHeld(ctx: RequestContext, perPage = RUN_LIMIT): Promise<ReleaseResult> {
    await takeReleaseTurn(ctx.db);
    const waits = await this.resolveWaits(ctx, perPage);
    const { matched, still } = await this.matchAll(ctx, null, perPage);
    return { ...waits, matched, stillHeld: still };
  }

  /** Held money of people just registered (ResidentsRegistered): matched in the same transaction. */
  async matchRegistered(ctx: RequestContext, idNumbers: readonly string[]): Promise<void> {
    if (idNumbers.length === 0) return;
    await this.matchAll(ctx, idNumbers, RUN_LIMIT);
  }

  /**
   * Every held payment (of `idNumbers` where given), page after page until a page comes back short: reading
   * only the oldest 10,000, a run never reached the money held after them while those stayed unmatchable
   * (their payers still not registered). All pages in the caller's one transaction, as the one read was:
   * a failure leaves every payment held, never a part matched.
   */
  private async matchAll(ctx: RequestContext, idNumbers: readonly string[] | null, perPage: number): Promise<{ matched: number; still: number }> {
    const total = { matched: 0, still: 0 };
    for (let after: string | null = null; ;) {
      const { people, rows } = await heldPage(ctx.db, idNumbers, after, perPage);
      const page = await this.match(ctx, rows);
      total.matched += page.matched;
      total.still += page.still;
      if (people.length < perPage) return total;
      after = people[people.length - 1];
    }
  }

  private async match(ctx: RequestContext, held: readonly SuspenseRow[]): Promise<{ matched: number; still: number }> {
    if (held.length === 0) return { matched: 0, still: 0 };
    const result = await enrollmentService.matchHeld(ctx, held);
    await markSuspenseMatched(ctx.db, result.matched);
    await updateSuspenseReasons(
      ctx.db,
      result.still.map((s) => ({
        id: s.id,
        reasonCode: s.error.code,
        reason: s.error.localized,
        missing: (s.error.details.missing as string | undefined) ?? null,
      })),
    );
    return { matched: result.matched.length, still: result.still.length };
  }

  /**
   * Every open wait, page after page until a page comes back short: reading only the first page, a run
   * never reached the waits after it while the first page's values stayed unstated, and those waits stayed
   * open for ever. All pages in the caller's one transaction, as a run of one page was: the release turn
   * (takeReleaseTurn) is held until it ends, so no other run judges these waits again and grants what they
   * resolve meanwhile (the key of live grants would leave a second grant out, and the wait would say it
   * was granted already); a failure leaves every wait open
   * for the next run, never a part computed; and an administrator's releaseHeld answers for one outcome.
   * A page's rows are let go before the next is read.
   */
  private async resolveWaits(ctx: RequestContext, perPage: number): Promise<{ resolved: number; stillWaiting: number }> {
    const total = { resolved: 0, stillWaiting: 0 };
    for (let after: WaitsAfter | null = null; ;) {
      const waits = await openWaits(ctx.db, after, perPage);
      const page = await this.resolvePage(ctx, waits);
      total.resolved += page.resolved;
      total.stillWaiting += page.stillWaiting;
      const enrolments = new Set(waits.map((w) => `${w.id_number}/${w.coverage_year}`)).size;
      if (enrolments < perPage) return total;
      const last = waits[waits.length - 1];
      after = { idNumber: last.id_number, coverageYear: last.coverage_year };
    }
  }

  /**
   * Each open wait of a page re-judged as of the day it began (the payment, or the enrolment), with the
   * policy as now configured: where the value is stated now, what depended on it is computed (the grant of
   * a reimbursement, the cover of a late payment) and the wait closes; an enrolment no longer standing
   * closes its waits as cancelled.
   */
  private async resolvePage(ctx: RequestContext, waits: readonly WaitingRow[]): Promise<{ resolved: number; stillWaiting: number }> {
    if (waits.length === 0) return { resolved: 0, stillWaiting: 0 };
    const keys = [...new Map(waits.map((w) => [`${w.id_number}/${w.coverage_year}`, { idNumber: w.id_number, coverageYear: w.coverage_year }])).values()];
    const [enrollments, people] = await Promise.all([
      enrollmentsToJudge(ctx.db, keys),
      loadPeople(
        ctx.db,
        keys.map((k) => k.idNumber),
      ),
    ]);
    const byKey = new Map(enrollments.map((e) => [`${e.id_number}/${e.coverage_year}`, e]));
    const today = todayInChina();
    const closes: Array<{ id: number; status: 'RESOLVED' | 'CANCELLED'; on: string; resolution: Record<string, unknown> }> = [];
    /** The closes of waits for a subsidy, by enrolment: what they say once the grant is written or not. */
    const subsidyCloses = new Map<string, Array<(typeof closes)[number]>>();
    const granted: Parameters<typeof subsidiesService.recordResolved>[1][number][] = [];
    const amounts: Parameters<typeof setResolvedAmounts>[1][number][] = [];
    // Why the waits judged here and staying open do (null: the value is still unstated). Waits not judged
    // (a refund pending, no policy, a settlement refused) keep what the last judgment said.
    const stillOpen = new Map<number, Localized | null>();
    for (const [key, group] of groupBy(waits, (w) => `${w.id_number}/${w.coverage_year}`)) {
      const enrollment = byKey.get(key);
      const policy = ctx.tenant.policies.get(group[0].coverage_year);
      // A refund pending decides: rejected, the enrolment is PAID and its waits are resolved then;
      // approved, they are cancelled.
      if (enrollment?.status === 'REFUND_PENDING') continue;
      if (!enrollment || !['UNPAID', 'PAID'].includes(enrollment.status)) {
        for (const w of group)
          closes.push({ id: w.id, status: 'CANCELLED', on: today, resolution: { reason: `the enrolment is ${enrollment?.status ?? 'gone'}` } });
        continue;
      }
      if (!policy) continue;
      const on = enrollment.paid_on ?? enrollment.enrolled_on;
      let settlement;
      try {
        settlement = ctx.app.policyEngine.settle(
          ctx.tenant,
          policy,
          people.facts(enrollment.id_number, policy, on, enrollment.circumstances as Circumstance[]),
          { unknownSubsidy: 'answer' },
        );
      } catch {
        continue; // still not answerable as a whole: it keeps waiting
      }
      const open = new Set(settlement.unknowns.map((u) => u.path));
      const done = group.filter((w) => !open.has(w.missing));
      for (const w of group) stillOpen.set(w.id, null);
      if (done.length === 0) continue;
      // The amount due never changes after payment: a value that would change it is left waiting.
      if (enrollment.status === 'PAID' && !sameAmountDue(enrollment, settlement, policy.version)) {
        const because = amountsDiffer(enrollment, settlement, policy.version);
        for (const w of done) stillOpen.set(w.id, because);
        continue;
      }
      const subsidyResolved = done.some((w) => w.affects.includes('subsidy')) && !settlement.unknowns.some((u) => u.affects.includes('subsidy'));
      if (subsidyResolved && enrollment.status === 'PAID')
        granted.push({ idNumber: enrollment.id_number, coverageYear: enrollment.coverage_year, paidOn: on, settlement });
      amounts.push({ idNumber: enrollment.id_number, coverageYear: enrollment.coverage_year, settlement, paid: enrollment.status === 'PAID' });
      for (const w of done) {
        const close = {
          id: w.id,
          status: 'RESOLVED' as const,
          on: today,
          resolution: {
            subsidy: settlement.subsidy,
            appliedCategory: settlement.appliedCategory,
            reimbursementMonth: settlement.reimbursementMonth,
            coverage: settlement.coverage,
            explanation: settlement.explanation.filter(
              (s) => s.rule === 'assistance' || s.rule === 'subsidy-mode' || s.rule.startsWith('late-cover') || s.rule === 'coverage',
            ),
          } as Record<string, unknown>,
        };
        closes.push(close);
        if (subsidyResolved && enrollment.status === 'PAID' && w.affects.includes('subsidy'))
          subsidyCloses.set(key, [...(subsidyCloses.get(key) ?? []), close]);
      }
    }
    const { skipped } = await subsidiesService.recordResolved(ctx, granted);
    // An enrolment whose subsidy a grant made meanwhile pays (sayGrantStanding) keeps the amounts of that
    // grant; what else the value decided (the cover) is written.
    await setResolvedAmounts(
      ctx.db,
      amounts.map((a) => ({ ...a, grantStands: skipped.has(`${a.idNumber}/${a.coverageYear}`) })),
    );
    await this.sayGrantStanding(
      ctx,
      granted.filter((g) => skipped.has(`${g.idNumber}/${g.coverageYear}`)),
      subsidyCloses,
    );
    await closeWaits(ctx.db, closes);
    for (const c of closes) stillOpen.delete(c.id);
    await noteWaitsStillOpen(
      ctx.db,
      [...stillOpen].map(([id, because]) => ({ id, because })),
    );
    const resolved = closes.filter((c) => c.status === 'RESOLVED').length;
    return { resolved, stillWaiting: waits.length - closes.length };
  }

  /**
   * A wait for a subsidy whose enrolment was granted its subsidy meanwhile (certified after payment while
   * the value was unstated: NEWLY_CERTIFIED) is resolved without a second grant: its resolution says so
   * (`granted: false`) and names the grant that stands, for a clerk to weigh what the value came to
   * against it. Nothing is taken back or added on here: the notices say nothing of such a case.
   */
  private async sayGrantStanding(
    ctx: RequestContext,
    skipped: ReadonlyArray<{ idNumber: string; coverageYear: number }>,
    subsidyCloses: ReadonlyMap<string, Array<{ resolution: Record<string, unknown> }>>,
  ): Promise<void> {
    if (skipped.length === 0) return;
    const standing = (await grantsOf(ctx.db, skipped)).filter(isLiveGrant);
    for (const g of standing) {
      for (const close of subsidyCloses.get(`${g.id_number}/${g.coverage_year}`) ?? []) {
        close.resolution.granted = false;
        close.resolution.grantStanding = { id: g.id, kind: g.kind, category: g.category, amount: g.amount, status: g.status, grantedOn: g.granted_on };
      }
    }
  }

  async waiting(ctx: RequestContext, filter: WaitingFilter, first: number, afterId: number | null) {
    const [rows, count] = await Promise.all([waitingValues(ctx.db, filter, afterId, first + 1), countWaiting(ctx.db, filter)]);
    return { rows, count };
  }

  async waitingSummary(ctx: RequestContext, coverageYear: number | null) {
    return waitingSummary(ctx.db, coverageYear);
  }

  async heldPayments(
    ctx: RequestContext,
    filter: { coverageYear: number | null; status: 'HELD' | 'MATCHED'; batchId: string | null },
    first: number,
    afterId: number | null,
  ) {
    const [rows, totals] = await Promise.all([suspenseRows(ctx.db, { ...filter, idNumbers: null }, afterId, first + 1), suspenseTotals(ctx.db, filter)]);
    return { rows, totals };
  }

  /** A batch's results read back by its id: every row's outcome, with the totals. */
  async batch(ctx: RequestContext, batchId: string, status: string | null, first: number, afterIndex: number | null) {
    if (!batchId.trim()) throw badInput(text('批次号不能为空', 'batchId must not be empty'), 'batchId');
    const { summary, rows } = await batchPage(ctx.db, batchId.trim(), status, afterIndex, first + 1);
    return { batchId: batchId.trim(), summary, rows };
  }
}

/**
 * Whether a settlement under the version in force asks of a paid enrolment what it was asked when paid.
 * Money taken under an earlier version (one in force on its day, checkPayment) may have paid another
 * standard than the one in force asks now: a correction's doing, not the value's. Its amounts were
 * decided by that version, recorded on the row: the value changes nothing when the settlement takes as
 * much off its own standard as that version took off the standard paid. That version is amounts_version:
 * policy_version names the version that computed an earlier wait of the row, if one did.
 */
function sameAmountDue(
  enrollment: Pick<EnrollmentRow, 'amount_due' | 'standard_contribution'> & { amounts_version: number | null },
  settlement: Pick<Settlement, 'amountDue' | 'standardContribution' | 'reimbursement'>,
  inForce: number,
): boolean {
  if (settlement.amountDue === enrollment.amount_due) return true;
  if (enrollment.amounts_version === null || enrollment.amounts_version === inForce) return false;
  if (settlement.standardContribution - settlement.amountDue !== enrollment.standard_contribution - enrollment.amount_due) return false;
  // 先缴后补 takes nothing off either standard, so the check above holds whatever is paid back, and the
  // standard paid is what is paid back on. Only an amount the latest would pay back on that standard too
  // is computed: a fixed one, below its own standard (not a full subsidy, nor one capped at it) and no more
  // than the standard paid. Another (330.00 in full of 320.00 paid) waits for a version that agrees.
  return settlement.reimbursement < settlement.standardContribution && settlement.reimbursement <= enrollment.standard_contribution;
}

/** Why a paid enrolment's wait is not computed under the version in force: the amounts it would ask, and those paid. */
function amountsDiffer(
  enrollment: Pick<EnrollmentRow, 'amount_due' | 'standard_contribution'> & { amounts_version: number | null },
  settlement: Pick<Settlement, 'amountDue' | 'standardContribution' | 'reimbursement'>,
  inForce: number,
): Localized {
  const money = formatMoney;
  const paidUnder = enrollment.amounts_version;
  const back = settlement.reimbursement > 0;
  return text(
    `所缺的值已由第 ${inForce} 版配置，但未按该版计算：该版标准 ${money(settlement.standardContribution)} 元、应缴 ${money(settlement.amountDue)} 元${
      back ? `、返还 ${money(settlement.reimbursement)} 元` : ''
    }，与缴费时${paidUnder ? `第 ${paidUnder} 版` : ''}的标准 ${money(enrollment.standard_contribution)} 元、应缴 ${money(enrollment.amount_due)} 元不一致。已缴的钱不变；本项等待与缴费时一致的政策版本。`,
    `the value is configured in version ${inForce} but not computed under it: that version's standard is ${money(settlement.standardContribution)}, ${money(
      settlement.amountDue,
    )} due${back ? `, ${money(settlement.reimbursement)} paid back` : ''}, where the payment was taken under ${
      paidUnder ? `version ${paidUnder}` : 'an earlier version'
    } with a standard of ${money(enrollment.standard_contribution)} and ${money(enrollment.amount_due)} due. The money paid stays as it is; this waits for a version that agrees with it.`,
  );
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(keyOf(item), [...(map.get(keyOf(item)) ?? []), item]);
  return map;
}

export const heldService = new HeldService();
