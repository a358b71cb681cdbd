import { defineListLoader, groupBy } from '../../graphql/loaders';
import type { HouseholdGraph } from '../residents/residents.repository';
import { enrollmentKey, type EnrollmentKey, grantsOfEnrollmentLoader } from '../subsidies/subsidies.loaders';
import type { GrantRow } from '../subsidies/subsidies.repository';
import { type EnrollmentRow, enrollmentsOfPeople, type PaymentRow, paymentsOfEnrollments } from './enrollment.repository';
import type { RequestContext } from '../../context/request-context';

/** A person's enrolments, by year of cover. */
export const enrollmentsOfPersonLoader = defineListLoader<string, EnrollmentRow>(
  (ctx, ids) => enrollmentsOfPeople(ctx.db, ids),
  (e) => e.id_number,
);

export const paymentsOfEnrollmentLoader = defineListLoader<EnrollmentKey, PaymentRow>(
  (ctx, keys) => paymentsOfEnrollments(ctx.db, keys),
  (p) => `${p.id_number}/${p.coverage_year}`,
  enrollmentKey,
);

/**
 * A household read in one statement brings its members' enrolments and grants: they fill these
 * loaders, so the members' nested fields are answered without another query.
 */
export function primeFromHouseholdGraph(ctx: RequestContext, graph: HouseholdGraph): void {
  const enrollmentsBy = groupBy(graph.enrollments as EnrollmentRow[], (e) => e.id_number);
  const grantsBy = groupBy(graph.grants as GrantRow[], (g) => `${g.id_number}/${g.coverage_year}`);
  for (const member of graph.members) {
    const own = enrollmentsBy.get(member.id_number) ?? [];
    enrollmentsOfPersonLoader(ctx).prime(member.id_number, own);
    for (const e of own) {
      const key = { idNumber: e.id_number, coverageYear: e.coverage_year };
      grantsOfEnrollmentLoader(ctx).prime(key, grantsBy.get(enrollmentKey(key)) ?? []);
    }
  }
}
