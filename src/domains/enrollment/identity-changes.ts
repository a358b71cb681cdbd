/**
 * What follows for enrolments already paid when an agency certifies someone (the IdentitiesCertified
 * event of the assistance domain), in the same transaction as the certification.
 */
import { compareDates, type LocalDate, maxDate, nextMonth } from '../../common/dates';
import { splitByRatio } from '../../common/money';
import type { RequestContext } from '../../context/request-context';
import { type GrantWrite, grantsOf, insertGrants, monthsPaidOut, ofRunningPeriod } from '../subsidies/subsidies.repository';
import { lockEnrollmentsOfPeople } from './enrollment.repository';
import { categoriesOn, loadPeople } from './person-facts';

/**
 * An identity certified on `certifiedOn` for people already paid: 甘州 tops up the difference when the
 * new category is worth more and never claws back (四（二）4); 肃南 changes nothing for the year
 * (三（二）); 平利 applies it next year (三（一）6). Someone paid in full and newly certified is paid the
 * subsidy the month after (甘州 四（二）3, 肃南 三（二）). Returns the grants made.
 */
export async function applyIdentityChanges(ctx: RequestContext, idNumbers: readonly string[], certifiedOn: LocalDate): Promise<GrantWrite[]> {
  if (idNumbers.length === 0) return [];
  // A refund pending holds the enrolment's reimbursements: what is granted now waits with them, is
  // cancelled if the refund is approved and owed if it is rejected. Locked: two certifications of one
  // person at once would each find no grant and each grant the newly certified subsidy in full.
  const enrollments = (await lockEnrollmentsOfPeople(ctx.db, idNumbers)).filter(
    (e) => (e.status === 'PAID' || e.status === 'REFUND_PENDING') && compareDates(certifiedOn, `${e.coverage_year}-12-31`) <= 0,
  );
  if (enrollments.length === 0) return [];
  // The month after the certificate, or after the payment where the certificate is dated before it.
  const payoutMonthOf = (e: (typeof enrollments)[number]) => nextMonth(e.paid_on ? maxDate(e.paid_on, certifiedOn) : certifiedOn);
  const [people, grants, paidOut] = await Promise.all([
    loadPeople(
      ctx.db,
      enrollments.map((e) => e.id_number),
    ),
    grantsOf(
      ctx.db,
      enrollments.map((e) => ({ idNumber: e.id_number, coverageYear: e.coverage_year })),
    ),
    monthsPaidOut(ctx.db, [...new Set(enrollments.map(payoutMonthOf))]),
  ]);
  const writes: GrantWrite[] = [];
  for (const enrollment of enrollments) {
    const policy = ctx.tenant.policies.get(enrollment.coverage_year);
    const rules = policy?.data.assistance;
    if (!policy || !rules) continue;
    const granted = grants
      // A re-issued grant's money is carried by the DUE grant that replaced it: counted once. Grants of a
      // period that an approved refund ended belong to that period, not to the one running (a pending
      // refund's deductions still do); so do those of a period a transfer out, a death or an emigration
      // ended, as the payment that re-opened the enrolment reckoned (an inference: no notice speaks of it).
      .filter((g) => g.id_number === enrollment.id_number && g.coverage_year === enrollment.coverage_year && ofRunningPeriod(g))
      .reduce((sum, g) => sum + g.amount, 0);
    const rule = granted === 0 ? rules.newlyCertifiedAfterPayment : rules.identityChange;
    const topUp = granted === 0 ? rule?.rule === 'REIMBURSE_NEXT_MONTH' : rule?.rule === 'TOP_UP_NO_CLAWBACK';
    if (!rule || !topUp) continue;
    const categories = categoriesOn(people.identities(enrollment.id_number), policy, certifiedOn);
    const best = ctx.app.policyEngine.assistanceFor(ctx.tenant, policy, categories, people.person(enrollment.id_number)?.region_code ?? null);
    const owed = Math.min(best?.amount ?? 0, enrollment.amount_paid ?? 0) - granted;
    if (!best || owed <= 0) continue;
    const month = payoutMonthOf(enrollment);
    const full = best.fundingShares.reduce((sum, s) => sum + s.amount, 0);
    const parts =
      full > 0
        ? splitByRatio(
            owed,
            best.fundingShares.map((s) => s.amount),
          )
        : [];
    writes.push({
      idNumber: enrollment.id_number,
      coverageYear: enrollment.coverage_year,
      category: best.category,
      mode: 'REIMBURSEMENT',
      kind: granted === 0 ? 'NEWLY_CERTIFIED' : 'TOP_UP',
      amount: owed,
      grantedOn: certifiedOn,
      // A month whose payout is already recorded cannot take it: DUE, to be scheduled.
      payoutMonth: paidOut.has(month) ? null : month,
      status: paidOut.has(month) ? 'DUE' : 'SCHEDULED',
      funding: best.fundingShares.map((s, i) => ({ source: s.source, name: s.name, amount: parts[i] })),
      clause: rule.clause,
      policyVersion: policy.version,
    });
  }
  // Under the lock, a live grant found here was made by no concurrent certification: refused, not doubled.
  await insertGrants(ctx.db, writes, 'refuse');
  return writes;
}
