/**
 * The bank lookup's one SQL statement, shared by the service and by the bench's bare node:http + pg
 * handler, so that the two are measured on the very same query. Parameters: tenant, ID number, year.
 * The query itself is the PL/pgSQL function of migration StatusLookupFunction, whose plan PostgreSQL
 * keeps per connection: planning it anew was half the database's time per lookup.
 */
import { rowColumns } from '../../db/row-columns';
import type { EnrollmentState } from './enrollment-state';
import type { IdentityRow, PersonRow } from './person-facts';

export const STATUS_SQL = 'SELECT * FROM enrollment_status_lookup($1, $2, $3)';

/** A row of enrollment_status_lookup: the person (null fields when not registered) and their enrolment of the year. */
export interface StatusRow extends Omit<PersonRow, 'id_number' | 'status' | 'name'> {
  name: string | null;
  resident_status: PersonRow['status'] | null;
  status: EnrollmentState | null;
  amount_due: number;
  amount_paid: number | null;
  cover_start: string | null;
  cover_end: string | null;
  circumstances: string[] | null;
  identities: Array<Omit<IdentityRow, 'id_number'>> | null;
  elsewhere: string[];
}

/** The function's result columns, in its order. */
export const STATUS_COLUMNS = rowColumns<StatusRow>()([
  'name',
  'birth_date',
  'applicant_type',
  'hukou_place',
  'residence_permit_place',
  'resident_status',
  'transferred_out_on',
  'transferred_to',
  'household_id',
  'region_code',
  'status',
  'amount_due',
  'amount_paid',
  'cover_start',
  'cover_end',
  'circumstances',
  'identities',
  'elsewhere',
]);
