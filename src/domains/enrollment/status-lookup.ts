/**
 * The bank lookup's one SQL statement. Parameters: tenant, ID number, year. The query itself is the PL/pgSQL function of migration StatusLookupFunction (as migration
 * StatusLookupAsksIndexOnDemand, StatusLookupIdentitiesWhenDue and StatusLookupReadsWhatIsDue left it), whose plan PostgreSQL keeps
 * per connection: planning it anew was half the database's time per lookup.
 */
import { rowColumns } from '../../db/row-columns';
import type { EnrollmentState } from './enrollment-state';
import type { IdentityRow, PersonRow } from './person-facts';

export const STATUS_SQL = 'SELECT * FROM enrollment_status_lookup($1, $2, $3)';

/**
 * The same read setting the tenant itself (migrations StatusLookupSetsTenant and StatusLookupReadsWhatIsDue), for
 * TenantTransaction.readSettingTenant: on plain PostgreSQL the whole lookup is one prepared statement.
 * Its one column `status` holds the row of STATUS_SQL as JSON, with the same names and values; for an
 * enrolment not UNPAID, only what the API shows of it (PaidStatusRow, migration StatusLookupPaidAnswersWhatIsShown).
 */
export const STATUS_SETTING_TENANT_SQL = 'SELECT enrollment_status_in_tenant($1, $2, $3) AS status';

/**
 * The same read for several ID numbers of one tenant and year ($2, a text array), for lookups coalesced
 * when they arrive faster than the running ones end (migration StatusLookupsTogether): one JSON array,
 * in the ID numbers' order, of what STATUS_SETTING_TENANT_SQL answers for each.
 */
export const STATUS_EACH_SETTING_TENANT_SQL = 'SELECT enrollment_status_each_in_tenant($1, $2::text[], $3) AS status';

/**
 * The same lookup with what the national one-scheme index says, asked only when the operation selects
 * it, and still one statement: whether another tenant insures the person that year (every role of the
 * lookup) and, with `tenants`, which ones, for a person registered in this tenant only (ADMIN and
 * STAFF: the county holding the registration settles a duplicate enrolment with the other county).
 */
export function statusSql(elsewhere: { insured: boolean; tenants: boolean }): string {
  if (!elsewhere.insured && !elsewhere.tenants) return STATUS_SQL;
  const columns = ['s.*', 'insured_elsewhere($2, $3) AS insured_elsewhere'];
  if (elsewhere.tenants)
    columns.push('CASE WHEN s.name IS NOT NULL THEN ARRAY(SELECT m.tenant_code FROM scheme_elsewhere(ARRAY[$2], $3) m ORDER BY 1) END AS elsewhere');
  return `SELECT ${columns.join(', ')} FROM enrollment_status_lookup($1, $2, $3) s`;
}

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
}

/** What STATUS_SETTING_TENANT_SQL answers of an enrolment not UNPAID: nothing is due, so no fact the policy engine reads. */
export type PaidStatusRow = Pick<StatusRow, 'name' | 'status' | 'amount_due' | 'amount_paid' | 'cover_start' | 'cover_end'>;

/** What statusSql adds to the function's row when asked: absent when not asked, elsewhere null for a person not registered here. */
export interface StatusElsewhere {
  insured_elsewhere?: boolean;
  elsewhere?: string[] | null;
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
]);
