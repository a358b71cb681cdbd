/**
 * The reports the bureau sends: the 全额资助对象花名册 (甘州 四（二）1: who the funding bodies pay for in full,
 * living and insured here), the 预征清册 of identity marks for the tax office (贵阳 四（二）, 平利 八（二）:
 * each assisted person with the reduced or zero amount due), and the year's money to the fen.
 */
import { compareDates, type LocalDate } from '../../common/dates';
import { badInput } from '../../common/errors';
import type { RequestContext } from '../../context/request-context';
import { DomainError } from '../../common/errors';
import { text } from '../../common/i18n';
import type { AssistanceCategory, SubsidyMode } from '../../policy-data/vocabulary';
import { certifiedResidentsOn, identitiesOf } from '../assistance/assistance.repository';
import { enrollmentsOf, paymentTotals, reversalTotals, unpaidTotals } from '../enrollment/enrollment.repository';
import { suspenseTotals } from '../enrollment/held.repository';
import { loadPeople } from '../enrollment/person-facts';
import { refundTotalsOfYear } from '../refunds/refunds.repository';

export interface RosterLine {
  idNumber: string;
  name: string;
  regionCode: string | null;
  category: AssistanceCategory | null;
  categories: AssistanceCategory[];
  certifiedBy: string | null;
  mode: SubsidyMode | null;
  standardContribution: number;
  subsidy: number | null;
  amountDue: number | null;
  fundingBody: string | null;
  enrollmentStatus: string;
  note: string | null;
}

export class ReportsService {
  /**
   * Everyone certified on `asOf` with the amounts the notice gives them for the year: the 预征清册. Where the
   * notice leaves the subsidy unstated the amount due may still be known (山丹's 低保 pays 320.00); where
   * even that is unstated (平利's 计生) the line says which value is missing. Only people living and
   * registered here (剔除已死亡人员), in ID order.
   */
  async assistedRoster(ctx: RequestContext, coverageYear: number, asOf: LocalDate): Promise<RosterLine[]> {
    const policy = ctx.tenant.policyFor(coverageYear);
    if (compareDates(asOf, policy.data.coverage.end.date) > 0)
      throw badInput(
        text(`统计日期 ${asOf} 晚于 ${coverageYear} 年度待遇享受期的截止日`, `asOf ${asOf} is after the year of cover ${coverageYear} ends`),
        'asOf',
      );
    const ids = (await certifiedResidentsOn(ctx.db, asOf)).sort();
    const [people, identities, enrollments] = await Promise.all([
      loadPeople(ctx.db, ids),
      identitiesOf(ctx.db, ids),
      enrollmentsOf(
        ctx.db,
        ids.map((idNumber) => ({ idNumber, coverageYear })),
      ),
    ]);
    const enrollmentById = new Map(enrollments.map((e) => [e.id_number, e]));
    const certifier = new Map(identities.map((i) => [`${i.id_number}/${i.category}`, i.certified_by]));
    const lines: RosterLine[] = [];
    for (const idNumber of ids) {
      const person = people.person(idNumber)!;
      const facts = people.facts(idNumber, policy, asOf, []);
      const categories = [...(facts.categories ?? [])];
      const base = {
        idNumber,
        name: person.name,
        regionCode: person.region_code,
        categories,
        standardContribution: policy.data.individualContribution.amount,
        enrollmentStatus: enrollmentById.get(idNumber)?.status ?? 'NOT_ENROLLED',
      };
      try {
        const s = ctx.app.policyEngine.contribution(ctx.tenant, policy, facts, { unknownSubsidy: 'answer' });
        if (!s.mode) continue; // certified, but for nothing this notice subsidises
        const subsidyUnknown = s.unknowns.find((u) => u.affects.includes('subsidy'));
        lines.push({
          ...base,
          category: s.appliedCategory,
          certifiedBy: s.appliedCategory ? (certifier.get(`${idNumber}/${s.appliedCategory}`) ?? null) : null,
          mode: s.mode,
          subsidy: subsidyUnknown ? null : s.subsidy,
          amountDue: s.amountDue,
          fundingBody: s.fundingShares.length > 0 ? [...new Set(s.fundingShares.map((f) => f.name))].join('、') : null,
          note: subsidyUnknown ? ctx.say(text(`资助金额待定：${subsidyUnknown.message.zh}`, `subsidy to be decided: ${subsidyUnknown.message.en}`)) : null,
        });
      } catch (err) {
        if (!(err instanceof DomainError) || err.code !== 'POLICY_NOT_CONFIGURED') throw err;
        lines.push({
          ...base,
          category: categories[0] ?? null,
          certifiedBy: null,
          mode: null,
          subsidy: null,
          amountDue: null,
          fundingBody: null,
          note: ctx.say(
            text(
              `应缴金额待定（${String(err.details.missing)}）：${err.localized.zh}`,
              `amount due to be decided (${String(err.details.missing)}): ${err.message}`,
            ),
          ),
        });
      }
    }
    return lines;
  }

  /** The 全额资助对象花名册: the roster's full sponsorships only (个人不再缴费, the funding body pays it all). */
  async fullSponsorshipRoster(ctx: RequestContext, coverageYear: number, asOf: LocalDate): Promise<RosterLine[]> {
    return (await this.assistedRoster(ctx, coverageYear, asOf)).filter((l) => l.mode === 'FULL_SPONSORSHIP');
  }

  /**
   * The year's money, to the fen: payments (the funding bodies' too), reversals and approved refunds, what
   * is collected net of them, and the two lists of reconciliation in figures: paid at the tax office but
   * not enrolled (held in suspense) and enrolled but unpaid.
   */
  async collectionBalance(ctx: RequestContext, coverageYear: number) {
    const [payments, reversals, refunds, held, unpaid] = await Promise.all([
      paymentTotals(ctx.db, coverageYear),
      reversalTotals(ctx.db, coverageYear),
      refundTotalsOfYear(ctx.db, coverageYear),
      suspenseTotals(ctx.db, { coverageYear, status: 'HELD', batchId: null }),
      unpaidTotals(ctx.db, coverageYear),
    ]);
    return {
      coverageYear,
      payments,
      reversals,
      refunds,
      collected: payments.amount - reversals.amount - refunds.amount,
      heldInSuspense: held,
      enrolledUnpaid: unpaid,
    };
  }
}

export const reportsService = new ReportsService();
