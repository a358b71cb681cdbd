import { defineListLoader } from '../../graphql/loaders';
import { type GrantRow, grantsOf } from './subsidies.repository';

export interface EnrollmentKey {
  idNumber: string;
  coverageYear: number;
}

export const enrollmentKey = (k: EnrollmentKey) => `${k.idNumber}/${k.coverageYear}`;

/** The grants of an enrolment, oldest first. */
export const grantsOfEnrollmentLoader = defineListLoader<EnrollmentKey, GrantRow>(
  (ctx, keys) => grantsOf(ctx.db, keys),
  (g) => `${g.id_number}/${g.coverage_year}`,
  enrollmentKey,
);
