/**
 * Per-request DataLoaders: nested fields (a household's members, their enrolments, an enrolment's
 * payments) load in one set-based query per level, whatever the number of parents. Created lazily.
 */
import DataLoader from 'dataloader';
import { type GrantRow, grantsOf } from '../assistance/subsidy.repository';
import { type EnrollmentRow, enrollmentsOfPeople, type PaymentRow, paymentsOfEnrollments } from '../enrollment/enrollment.repository';
import { type HouseholdGraph, type HouseholdRow, householdsByIds, type ResidentDetailRow, residentsOfHouseholds } from '../registry/registry.repository';
import type { RequestContext } from './request-context';

const groupBy = <T, K>(rows: readonly T[], keyOf: (row: T) => K): Map<K, T[]> => {
  const groups = new Map<K, T[]>();
  for (const row of rows) groups.set(keyOf(row), [...(groups.get(keyOf(row)) ?? []), row]);
  return groups;
};

const splitKey = (key: string) => {
  const [idNumber, year] = key.split('/');
  return { idNumber, coverageYear: Number(year) };
};

export class Loaders {
  readonly membersOfHousehold: DataLoader<string, ResidentDetailRow[]>;
  readonly household: DataLoader<string, HouseholdRow | null>;
  readonly enrollmentsOfPerson: DataLoader<string, EnrollmentRow[]>;
  /** Keyed "idNumber/coverageYear". */
  readonly paymentsOfEnrollment: DataLoader<string, PaymentRow[]>;
  /** Keyed "idNumber/coverageYear". */
  readonly grantsOfEnrollment: DataLoader<string, GrantRow[]>;

  constructor(ctx: RequestContext) {
    this.membersOfHousehold = new DataLoader(async (ids) => {
      const groups = groupBy(await residentsOfHouseholds(ctx.db, ids), (r) => r.household_id);
      return ids.map((id) => groups.get(id) ?? []);
    });
    this.household = new DataLoader(async (ids) => {
      const byId = new Map((await householdsByIds(ctx.db, ids)).map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    this.enrollmentsOfPerson = new DataLoader(async (ids) => {
      const groups = groupBy(await enrollmentsOfPeople(ctx.db, ids), (r) => r.id_number);
      return ids.map((id) => groups.get(id) ?? []);
    });
    this.paymentsOfEnrollment = new DataLoader(async (keys) => {
      const groups = groupBy(await paymentsOfEnrollments(ctx.db, keys.map(splitKey)), (p) => `${p.id_number}/${p.coverage_year}`);
      return keys.map((k) => groups.get(k) ?? []);
    });
    this.grantsOfEnrollment = new DataLoader(async (keys) => {
      const groups = groupBy(await grantsOf(ctx.db, keys.map(splitKey)), (g) => `${g.id_number}/${g.coverage_year}`);
      return keys.map((k) => groups.get(k) ?? []);
    });
  }

  /**
   * Fills the loaders with a household read in one statement, so that its members, their enrolments
   * and their grants are found here instead of being queried level by level.
   */
  primeHousehold(graph: HouseholdGraph): void {
    const { household, members, enrollments, grants } = graph;
    this.household.prime(household.id, household);
    this.membersOfHousehold.prime(household.id, members);
    const enrollmentsBy = groupBy(enrollments, (e) => e.id_number);
    const grantsBy = groupBy(grants, (g) => `${g.id_number}/${g.coverage_year}`);
    for (const member of members) {
      const own = enrollmentsBy.get(member.id_number) ?? [];
      this.enrollmentsOfPerson.prime(member.id_number, own);
      for (const e of own) this.grantsOfEnrollment.prime(`${e.id_number}/${e.coverage_year}`, grantsBy.get(`${e.id_number}/${e.coverage_year}`) ?? []);
    }
  }
}
