/** The fields a household's summary read answers, and whether an operation asks for no more. */
import type { GraphQLResolveInfo } from 'graphql';
import { type SelectionAllowance, selectionWithin } from '../../graphql/selection';
import type { HouseholdGraphShape } from './residents.repository';

/**
 * What a household's summary answers, read by household_summary_graph (migration HouseholdSummaryGraph)
 * with only the columns these fields show: the household's own fields (its row is read whole), and of
 * its members, their enrolments and those enrolments' subsidies, the fields below. A field added here
 * must be one whose value (and whose resolver's) comes from those columns alone; the tests ask for every
 * field here both ways and compare the answers.
 */
export const HOUSEHOLD_SUMMARY_FIELDS: SelectionAllowance = {
  id: true,
  bookletNo: true,
  address: true,
  dissolvedOn: true,
  region: { code: true, name: true, kind: true, parentCode: true, clause: true, inferred: true, retiredOn: true, successorCode: true },
  members: {
    idNumber: true,
    idType: true,
    name: true,
    sex: true,
    birthDate: true,
    relationship: true,
    status: true,
    enrollments: {
      coverageYear: true,
      status: true,
      amountDue: true,
      paidOn: true,
      amountPaid: true,
      coverage: { start: true, end: true },
      subsidies: { category: true, kind: true, amount: true, status: true },
    },
  },
};

/** How a household query's resolver reads the household: as a SUMMARY when the operation selects no more. */
export function householdGraphShape(info: GraphQLResolveInfo): HouseholdGraphShape {
  return selectionWithin(info, HOUSEHOLD_SUMMARY_FIELDS) ? 'SUMMARY' : 'FULL';
}
