/** SQL of residents and households. Every statement runs in the request's tenant transaction, under RLS. */
import { type BulkColumn, countedInsert, unnestRows } from '../../db/bulk';
import { rowColumns } from '../../db/row-columns';
import type { TenantTransaction } from '../../db/tenant-transaction';

export const HEAD_OF_HOUSEHOLD = '户主';

export interface HouseholdRow {
  id: string;
  booklet_no: string;
  region_code: string;
  address: string | null;
  /** Set when the household was merged into another (its booklet closed); absent where a query does not read it. */
  dissolved_on?: string | null;
}

const HOUSEHOLD_COLUMNS = 'id, booklet_no, region_code, address, dissolved_on';

export const RESIDENT_STATUSES = ['ACTIVE', 'TRANSFERRED_OUT', 'DECEASED', 'EMIGRATED'] as const;
export type ResidentStatus = (typeof RESIDENT_STATUSES)[number];

/** The statuses as clerks say them, for messages in Chinese. */
export const RESIDENT_STATUS_NAMES: Readonly<Record<ResidentStatus, string>> = {
  ACTIVE: '正常',
  TRANSFERRED_OUT: '已转出',
  DECEASED: '已死亡',
  EMIGRATED: '已出国（境）定居',
};

export interface ResidentRow {
  id_number: string;
  id_type: string;
  name: string;
  sex: 'MALE' | 'FEMALE' | null;
  birth_date: string | null;
  phone: string | null;
  household_id: string | null;
  relationship: string | null;
  hukou_place: string | null;
  residence_permit_place: string | null;
  applicant_type: string | null;
  school: string | null;
  status: ResidentStatus;
  transferred_out_on: string | null;
  transferred_to: string | null;
  died_on: string | null;
  death_source: string | null;
  emigrated_on: string | null;
  emigrated_to: string | null;
  transferred_in_on: string | null;
  transferred_in_from: string | null;
}

export const RESIDENT_COLUMNS = rowColumns<ResidentRow>()([
  'id_number',
  'id_type',
  'name',
  'sex',
  'birth_date',
  'phone',
  'household_id',
  'relationship',
  'hukou_place',
  'residence_permit_place',
  'applicant_type',
  'school',
  'status',
  'transferred_out_on',
  'transferred_to',
  'died_on',
  'death_source',
  'emigrated_on',
  'emigrated_to',
  'transferred_in_on',
  'transferred_in_from',
]);

/** The resident columns qualified by a table alias, for queries that join. */
export function residentColumns(alias: string): string {
  return RESIDENT_COLUMNS.map((c) => `${alias}.${c}`).join(', ');
}

/**
 * SQL: the resident of table alias `r` lived here on day `day` (an SQL date expression): born by then,
 * not yet dead or settled abroad, arrived by then if transferred in, and not away on a transfer out
 * that day. A return keeps the day the person left and overwrites the day they came in, so someone
 * gone and back is here before leaving and since returning, not in between. One definition, so that
 * a budget's roll and the follow-up list on a past day count the same people.
 */
export function livedHereOn(r: string, day: string): string {
  return `(coalesce(${r}.birth_date <= ${day}, true) AND coalesce(${r}.died_on > ${day}, true) AND coalesce(${r}.emigrated_on > ${day}, true)
        AND CASE WHEN ${r}.transferred_in_on >= ${r}.transferred_out_on
                 THEN ${r}.transferred_out_on > ${day} OR ${r}.transferred_in_on <= ${day}
                 ELSE coalesce(${r}.transferred_in_on <= ${day}, true)
                  AND (${r}.status <> 'TRANSFERRED_OUT' OR coalesce(${r}.transferred_out_on > ${day}, true)) END)`;
}

export async function householdsByIds(db: TenantTransaction, ids: readonly string[]): Promise<HouseholdRow[]> {
  return db.query<HouseholdRow>(`SELECT ${HOUSEHOLD_COLUMNS} FROM household WHERE tenant_code = $1 AND id = ANY($2::uuid[])`, [db.tenantCode, ids]);
}

/**
 * A household read in one statement (function household_graph, migration HouseholdGraphFunction): its
 * row and members, and what other domains keep of the members (enrolments, grants), left to them.
 */
export interface HouseholdGraph {
  household: HouseholdRow;
  members: ResidentRow[];
  enrollments: unknown[];
  grants: unknown[];
}

/**
 * FULL: every column of the rows. SUMMARY (function household_summary_graph, migration
 * HouseholdSummaryGraph): only these columns, for an operation that selects no more than
 * HOUSEHOLD_SUMMARY_FIELDS; the rows' other columns are absent.
 */
export type HouseholdGraphShape = 'FULL' | 'SUMMARY';

export async function householdGraph(db: TenantTransaction, id: string, shape: HouseholdGraphShape): Promise<HouseholdGraph | null> {
  const fn = shape === 'SUMMARY' ? 'household_summary_graph' : 'household_graph';
  // Usually the request's only statement: on plain PostgreSQL one prepared statement that sets the tenant
  // itself (migration ReadsWithoutTransaction), with no transaction of its own (see valueSettingTenant).
  return db.valueSettingTenant<HouseholdGraph>(`SELECT ${fn}_in_tenant($1, $2::uuid) AS value`, [db.tenantCode, id], `SELECT ${fn}($1, $2::uuid) AS value`);
}

export async function residentsOfHouseholds(db: TenantTransaction, ids: readonly string[]): Promise<ResidentRow[]> {
  return db.query<ResidentRow>(
    `SELECT ${RESIDENT_COLUMNS.join(', ')} FROM resident
      WHERE tenant_code = $1 AND household_id = ANY($2::uuid[])
      ORDER BY relationship = '${HEAD_OF_HOUSEHOLD}' DESC, id_number`,
    [db.tenantCode, ids],
  );
}

export async function existingResidents(db: TenantTransaction, idNumbers: readonly string[]): Promise<string[]> {
  // Township staff register people one by one before a roster import checks its thousands here.
  const rows = await db.query<{ id_number: string }>(
    'SELECT id_number FROM resident WHERE tenant_code = $1 AND id_number = ANY($2::text[])',
    [db.tenantCode, idNumbers],
    { planLargeArraysEachTime: true },
  );
  return rows.map((r) => r.id_number);
}

export async function residentDetails(db: TenantTransaction, idNumbers: readonly string[]): Promise<ResidentRow[]> {
  return db.query<ResidentRow>(`SELECT ${RESIDENT_COLUMNS.join(', ')} FROM resident WHERE tenant_code = $1 AND id_number = ANY($2::text[])`, [
    db.tenantCode,
    idNumbers,
  ]);
}

export async function bookletsTaken(db: TenantTransaction, bookletNos: readonly string[]): Promise<Set<string>> {
  const rows = await db.query<{ booklet_no: string }>(
    'SELECT booklet_no FROM household WHERE tenant_code = $1 AND booklet_no = ANY($2::text[])',
    [db.tenantCode, bookletNos],
    { planLargeArraysEachTime: true },
  );
  return new Set(rows.map((r) => r.booklet_no));
}

export interface HouseholdWrite {
  bookletNo: string;
  region: string;
  address: string | null;
}

const HOUSEHOLD_WRITE: ReadonlyArray<BulkColumn<HouseholdWrite>> = [
  { name: 'booklet_no', type: 'text', value: (h) => h.bookletNo },
  { name: 'region_code', type: 'text', value: (h) => h.region },
  { name: 'address', type: 'text', value: (h) => h.address },
];

/** Inserts households; a booklet already there (a concurrent registration) is skipped and missing from the result. */
export async function insertHouseholds(db: TenantTransaction, households: readonly HouseholdWrite[]): Promise<HouseholdRow[]> {
  const rows = unnestRows('h', HOUSEHOLD_WRITE, households, 2);
  return db.query<HouseholdRow>(
    `INSERT INTO household (tenant_code, booklet_no, region_code, address)
     SELECT $1, h.booklet_no, h.region_code, h.address FROM ${rows.from}
     ON CONFLICT (tenant_code, booklet_no) DO NOTHING
     RETURNING ${HOUSEHOLD_COLUMNS}`,
    [db.tenantCode, ...rows.parameters],
  );
}

export interface ResidentWrite {
  householdId: string | null;
  idNumber: string;
  idType: string;
  name: string;
  sex: string | null;
  birthDate: string | null;
  phone: string | null;
  relationship: string | null;
  hukouPlace: string | null;
  residencePermitPlace: string | null;
  applicantType: string | null;
  school: string | null;
  bankAccount: string | null;
  bankName: string | null;
}

const RESIDENT_WRITE: ReadonlyArray<BulkColumn<ResidentWrite>> = [
  { name: 'household_id', type: 'uuid', value: (p) => p.householdId },
  { name: 'id_number', type: 'text', value: (p) => p.idNumber },
  { name: 'id_type', type: 'text', value: (p) => p.idType },
  { name: 'name', type: 'text', value: (p) => p.name },
  { name: 'sex', type: 'text', value: (p) => p.sex },
  { name: 'birth_date', type: 'date', value: (p) => p.birthDate },
  { name: 'phone', type: 'text', value: (p) => p.phone },
  { name: 'relationship', type: 'text', value: (p) => p.relationship },
  { name: 'hukou_place', type: 'text', value: (p) => p.hukouPlace },
  { name: 'residence_permit_place', type: 'text', value: (p) => p.residencePermitPlace },
  { name: 'applicant_type', type: 'text', value: (p) => p.applicantType },
  { name: 'school', type: 'text', value: (p) => p.school },
  { name: 'bank_account', type: 'text', value: (p) => p.bankAccount },
  { name: 'bank_name', type: 'text', value: (p) => p.bankName },
];

/** Inserts people; the unique keys (one 户主 a household, one person a tenant) raise 23505. */
export async function insertResidents(db: TenantTransaction, people: readonly ResidentWrite[]): Promise<void> {
  const rows = unnestRows('p', RESIDENT_WRITE, people, 2);
  const columns = RESIDENT_WRITE.map((c) => c.name).join(', ');
  await db.query(
    countedInsert(`INSERT INTO resident (tenant_code, ${columns}) SELECT $1, ${RESIDENT_WRITE.map((c) => `p.${c.name}`).join(', ')} FROM ${rows.from}`),
    [db.tenantCode, ...rows.parameters],
  );
}

/** The fields a change may set; the update is written from this list, never from caller text. */
export const UPDATABLE_RESIDENT_FIELDS = [
  'id_number',
  'birth_date',
  'sex',
  'name',
  'phone',
  'hukou_place',
  'residence_permit_place',
  'applicant_type',
  'school',
  'bank_account',
  'bank_name',
] as const;
export type UpdatableResidentField = (typeof UPDATABLE_RESIDENT_FIELDS)[number];

export async function updateResident(
  db: TenantTransaction,
  idNumber: string,
  changes: ReadonlyArray<readonly [UpdatableResidentField, string | null]>,
): Promise<void> {
  if (changes.length === 0) return;
  for (const [field] of changes) if (!UPDATABLE_RESIDENT_FIELDS.includes(field)) throw new Error(`not an updatable resident field: ${field}`);
  const columns = changes.map(([field], i) => `${field} = $${i + 3}`).join(', ');
  await db.query(`UPDATE resident SET ${columns}, updated_at = now() WHERE tenant_code = $1 AND id_number = $2`, [
    db.tenantCode,
    idNumber,
    ...changes.map(([, value]) => value),
  ]);
}

/**
 * The account for the 一卡通 payout, in clear: read apart from the person's other details (not in
 * RESIDENT_COLUMNS), only where an answer shows it masked, an update compares it, or the payout export.
 */
export interface BankAccountRow {
  id_number: string;
  bank_account: string | null;
  bank_name: string | null;
}

export async function bankAccountsOf(db: TenantTransaction, idNumbers: readonly string[]): Promise<BankAccountRow[]> {
  return db.query<BankAccountRow>('SELECT id_number, bank_account, bank_name FROM resident WHERE tenant_code = $1 AND id_number = ANY($2::text[])', [
    db.tenantCode,
    idNumbers,
  ]);
}

/**
 * 停保或流出, and its entry in the national index of transfers out (scheme_transfer), which other
 * counties read when the person registers with them. The index is another shard group on Citus: its
 * SECURITY DEFINER function runs as a statement of its own, in this transaction.
 */
export async function markTransferredOut(db: TenantTransaction, idNumber: string, on: string, destination: string | null): Promise<void> {
  const moved = await db.query(
    `UPDATE resident SET status = 'TRANSFERRED_OUT', transferred_out_on = $3, transferred_to = $4, updated_at = now()
      WHERE tenant_code = $1 AND id_number = $2 RETURNING id_number`,
    [db.tenantCode, idNumber, on, destination],
  );
  if (moved.length > 0) await db.query('SELECT scheme_transfer_record($1::text[], $2::date[], $3::text[])', [[idNumber], [on], [destination]]);
}

/** Puts a person into a household (or none, with nulls). */
export async function setHousehold(db: TenantTransaction, idNumber: string, householdId: string | null, relationship: string | null): Promise<void> {
  await db.query('UPDATE resident SET household_id = $3, relationship = $4, updated_at = now() WHERE tenant_code = $1 AND id_number = $2', [
    db.tenantCode,
    idNumber,
    householdId,
    relationship,
  ]);
}

export async function householdHasHead(db: TenantTransaction, householdId: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM resident WHERE tenant_code = $1 AND household_id = $2 AND relationship = $3', [
    db.tenantCode,
    householdId,
    HEAD_OF_HOUSEHOLD,
  ]);
  return rows.length > 0;
}

export async function householdHasOthers(db: TenantTransaction, householdId: string, idNumber: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM resident WHERE tenant_code = $1 AND household_id = $2 AND id_number <> $3', [
    db.tenantCode,
    householdId,
    idNumber,
  ]);
  return rows.length > 0;
}

export interface MembershipWrite {
  householdId: string;
  idNumber: string;
  relationship: string;
  joinedOn: string;
}

const MEMBERSHIP_WRITE: ReadonlyArray<BulkColumn<MembershipWrite>> = [
  { name: 'household_id', type: 'uuid', value: (m) => m.householdId },
  { name: 'id_number', type: 'text', value: (m) => m.idNumber },
  { name: 'relationship', type: 'text', value: (m) => m.relationship },
  { name: 'joined_on', type: 'date', value: (m) => m.joinedOn },
];

export async function recordMemberships(db: TenantTransaction, memberships: readonly MembershipWrite[]): Promise<void> {
  if (memberships.length === 0) return;
  const rows = unnestRows('m', MEMBERSHIP_WRITE, memberships, 2);
  await db.query(
    countedInsert(`INSERT INTO household_membership (tenant_code, household_id, id_number, relationship, joined_on)
     SELECT $1, m.household_id, m.id_number, m.relationship, m.joined_on FROM ${rows.from}`),
    [db.tenantCode, ...rows.parameters],
  );
}

/**
 * Closes the open membership of a person (moved out or removed) on `leftOn`. Returns the day they
 * joined when `leftOn` is before it (nothing is changed then), or null.
 */
export async function closeMembership(db: TenantTransaction, idNumber: string, leftOn: string): Promise<string | null> {
  const rows = await db.query<{ joined_on: string; closed: boolean }>(
    `WITH open AS (SELECT id, joined_on FROM household_membership WHERE tenant_code = $1 AND id_number = $2 AND left_on IS NULL),
          closed AS (UPDATE household_membership m SET left_on = $3 FROM open
                      WHERE m.tenant_code = $1 AND m.id = open.id AND open.joined_on <= $3 RETURNING m.id)
     SELECT open.joined_on, EXISTS (SELECT 1 FROM closed WHERE closed.id = open.id) AS closed FROM open`,
    [db.tenantCode, idNumber, leftOn],
  );
  const refused = rows.find((r) => !r.closed);
  return refused ? refused.joined_on : null;
}

export interface MembershipRow {
  household_id: string;
  id_number: string;
  relationship: string;
  joined_on: string;
  left_on: string | null;
}

export async function membershipHistory(db: TenantTransaction, householdIds: readonly string[]): Promise<MembershipRow[]> {
  return db.query<MembershipRow>(
    `SELECT household_id, id_number, relationship, joined_on, left_on FROM household_membership
      WHERE tenant_code = $1 AND household_id = ANY($2::uuid[]) ORDER BY joined_on, id`,
    [db.tenantCode, householdIds],
  );
}

export interface ChangeRow {
  id_number: string;
  field: string;
  key_information: boolean;
  before: string | null;
  after: string | null;
  actor: string;
  role: string;
  changed_at: Date;
}

export interface ChangeWrite {
  idNumber: string;
  field: string;
  keyInformation: boolean;
  before: string | null;
  after: string | null;
}

const CHANGE_WRITE: ReadonlyArray<BulkColumn<ChangeWrite>> = [
  { name: 'id_number', type: 'text', value: (c) => c.idNumber },
  { name: 'field', type: 'text', value: (c) => c.field },
  { name: 'key_information', type: 'boolean', value: (c) => c.keyInformation },
  { name: 'before', type: 'text', value: (c) => c.before },
  { name: 'after', type: 'text', value: (c) => c.after },
];

export async function recordChanges(db: TenantTransaction, changes: readonly ChangeWrite[], actor: { sub: string; role: string }): Promise<void> {
  if (changes.length === 0) return;
  const rows = unnestRows('c', CHANGE_WRITE, changes, 4);
  await db.query(
    countedInsert(`INSERT INTO resident_change (tenant_code, id_number, field, key_information, before, after, actor, role)
     SELECT $1, c.id_number, c.field, c.key_information, c.before, c.after, $2, $3 FROM ${rows.from}`),
    [db.tenantCode, actor.sub, actor.role, ...rows.parameters],
  );
}

export async function changesOfPeople(db: TenantTransaction, idNumbers: readonly string[]): Promise<ChangeRow[]> {
  return db.query<ChangeRow>(
    `SELECT id_number, field, key_information, before, after, actor, role, changed_at FROM resident_change
      WHERE tenant_code = $1 AND id_number = ANY($2::text[]) ORDER BY changed_at, id`,
    [db.tenantCode, idNumbers],
  );
}

export async function changesOf(db: TenantTransaction, idNumber: string): Promise<ChangeRow[]> {
  return db.query<ChangeRow>(
    `SELECT id_number, field, key_information, before, after, actor, role, changed_at FROM resident_change
      WHERE tenant_code = $1 AND id_number = $2 ORDER BY changed_at, id`,
    [db.tenantCode, idNumber],
  );
}

export interface WaiverRow {
  id: number;
  id_number: string;
  coverage_year: number;
  reason: string;
  reason_text: string | null;
  recorded_by: string;
  signed_on: string;
  withdrawn_on: string | null;
  withdrawal_reason: string | null;
  withdrawn_by: string | null;
}

const WAIVER_COLUMNS = 'id, id_number, coverage_year, reason, reason_text, recorded_by, signed_on, withdrawn_on, withdrawal_reason, withdrawn_by';

/** Records a 放弃参保确认书; null when one is already in force for that person and year. */
export async function insertWaiver(
  db: TenantTransaction,
  waiver: Pick<WaiverRow, 'id_number' | 'coverage_year' | 'reason' | 'reason_text' | 'signed_on'>,
  recordedBy: string,
): Promise<WaiverRow | null> {
  const rows = await db.query<WaiverRow>(
    `INSERT INTO waiver (tenant_code, id_number, coverage_year, reason, reason_text, recorded_by, signed_on) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (tenant_code, id_number, coverage_year) WHERE withdrawn_on IS NULL DO NOTHING
     RETURNING ${WAIVER_COLUMNS}`,
    [db.tenantCode, waiver.id_number, waiver.coverage_year, waiver.reason, waiver.reason_text, recordedBy, waiver.signed_on],
  );
  return rows[0] ?? null;
}

/** Withdraws the waiver in force; null when there is none. */
export async function withdrawWaiver(
  db: TenantTransaction,
  idNumber: string,
  coverageYear: number,
  on: string,
  reason: string | null,
  by: string,
): Promise<WaiverRow | null> {
  const rows = await db.query<WaiverRow>(
    `UPDATE waiver SET withdrawn_on = $4, withdrawal_reason = $5, withdrawn_by = $6
      WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = $3 AND withdrawn_on IS NULL
      RETURNING ${WAIVER_COLUMNS}`,
    [db.tenantCode, idNumber, coverageYear, on, reason, by],
  );
  return rows[0] ?? null;
}

/** The waivers in force (not withdrawn) of a year; withdrawn ones too when asked. */
export async function waivers(db: TenantTransaction, coverageYear: number, reason: string | null, withWithdrawn = false): Promise<WaiverRow[]> {
  return db.query<WaiverRow>(
    `SELECT ${WAIVER_COLUMNS} FROM waiver
      WHERE tenant_code = $1 AND coverage_year = $2 AND ($3::text IS NULL OR reason = $3) AND ($4 OR withdrawn_on IS NULL) ORDER BY recorded_at, id_number`,
    [db.tenantCode, coverageYear, reason, withWithdrawn],
  );
}

export interface WaiverListQuery {
  coverageYear: number;
  reason: string | null;
  regions: string[] | null;
  includeWithdrawn: boolean;
  order: 'SIGNED_ON' | 'ID_NUMBER';
  descending: boolean;
  after: [string, string] | null;
  limit: number;
}

const WAIVER_FILTER = `w.tenant_code = $1 AND w.coverage_year = $2 AND ($3::text IS NULL OR w.reason = $3) AND ($4 OR w.withdrawn_on IS NULL)
  AND ($5::text[] IS NULL OR EXISTS (SELECT 1 FROM resident r JOIN household h ON h.tenant_code = r.tenant_code AND h.id = r.household_id
        WHERE r.tenant_code = w.tenant_code AND r.id_number = w.id_number AND h.region_code = ANY ($5::text[])))`;

/** A page of waivers in a stable order (the sort key, then the ID number and id). */
export async function waiverPage(db: TenantTransaction, q: WaiverListQuery): Promise<WaiverRow[]> {
  const key = q.order === 'SIGNED_ON' ? "w.signed_on::text || '/' || lpad(w.id::text, 19, '0')" : "w.id_number || '/' || lpad(w.id::text, 19, '0')";
  const cmp = q.descending ? '<' : '>';
  return db.query<WaiverRow>(
    `SELECT ${WAIVER_COLUMNS.split(', ')
      .map((c) => `w.${c}`)
      .join(', ')} FROM waiver w
      WHERE ${WAIVER_FILTER} AND ($6::text IS NULL OR ${key} ${cmp} $6)
      ORDER BY ${key} ${q.descending ? 'DESC' : 'ASC'} LIMIT $7`,
    [db.tenantCode, q.coverageYear, q.reason, q.includeWithdrawn, q.regions, q.after ? q.after.join('/') : null, q.limit],
  );
}

export async function waiverCount(db: TenantTransaction, q: WaiverListQuery): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM waiver w WHERE ${WAIVER_FILTER}`, [
    db.tenantCode,
    q.coverageYear,
    q.reason,
    q.includeWithdrawn,
    q.regions,
  ]);
  return row.n;
}

export function waiverSortKey(w: WaiverRow, order: 'SIGNED_ON' | 'ID_NUMBER'): string {
  return `${order === 'SIGNED_ON' ? w.signed_on : w.id_number}/${String(w.id).padStart(19, '0')}`;
}

/** The waivers of these people, withdrawn ones too, oldest first. */
export async function waiversOfPeople(db: TenantTransaction, idNumbers: readonly string[]): Promise<WaiverRow[]> {
  return db.query<WaiverRow>(`SELECT ${WAIVER_COLUMNS} FROM waiver WHERE tenant_code = $1 AND id_number = ANY($2::text[]) ORDER BY coverage_year, id`, [
    db.tenantCode,
    idNumbers,
  ]);
}

export interface ResidentSearch {
  namePrefix?: string | null;
  idPrefix?: string | null;
  /** Part of the name, anywhere in it. */
  name?: string | null;
  /** The last digits (or X) of the ID number. */
  idSuffix?: string | null;
  /** A region and every region inside it. */
  regions?: string[] | null;
  statuses?: readonly ResidentStatus[] | null;
}

export type ResidentOrder = 'ID_NUMBER' | 'NAME';

const SEARCH_FILTER = `r.tenant_code = $1
        AND ($2::text IS NULL OR r.name LIKE $2 || '%')
        AND ($3::text IS NULL OR r.id_number LIKE $3 || '%')
        AND ($4::text[] IS NULL OR h.region_code = ANY($4::text[]))
        AND ($5::text IS NULL OR r.name LIKE '%' || $5 || '%')
        AND ($6::text IS NULL OR reverse(r.id_number) LIKE reverse($6) || '%')
        AND ($7::text[] IS NULL OR r.status = ANY($7::text[]))`;

function searchParameters(db: TenantTransaction, search: ResidentSearch): unknown[] {
  return [
    db.tenantCode,
    escapeLike(search.namePrefix),
    escapeLike(search.idPrefix),
    search.regions ?? null,
    escapeLike(search.name),
    escapeLike(search.idSuffix),
    search.statuses ?? null,
  ];
}

/**
 * Keyset pagination on the order's key (the name, then the ID number; or the ID number): stable under
 * inserts, one statement a page. The last digits of an ID number use the index on its reverse.
 */
export async function searchResidents(
  db: TenantTransaction,
  search: ResidentSearch,
  order: ResidentOrder,
  descending: boolean,
  after: string[] | null,
  limit: number,
): Promise<ResidentRow[]> {
  const byName = order === 'NAME';
  const direction = descending ? 'DESC' : 'ASC';
  const afterCondition = byName
    ? `($8::text IS NULL OR (r.name, r.id_number) ${descending ? '<' : '>'} ($8::text, $9::text))`
    : `($8::text IS NULL OR r.id_number ${descending ? '<' : '>'} $8::text)`;
  return db.query<ResidentRow>(
    `SELECT ${residentColumns('r')}
       FROM resident r
       LEFT JOIN household h ON h.tenant_code = r.tenant_code AND h.id = r.household_id
      WHERE ${SEARCH_FILTER}
        AND ${afterCondition}
      ORDER BY ${byName ? `r.name ${direction}, ` : ''}r.id_number ${direction}
      LIMIT ${byName ? '$10' : '$9'}`,
    [...searchParameters(db, search), after?.[0] ?? null, ...(byName ? [after?.[1] ?? null] : []), limit],
  );
}

export async function countResidents(db: TenantTransaction, search: ResidentSearch): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM resident r LEFT JOIN household h ON h.tenant_code = r.tenant_code AND h.id = r.household_id WHERE ${SEARCH_FILTER}`,
    searchParameters(db, search),
  );
  return row.n;
}

function escapeLike(text: string | null | undefined): string | null {
  return text ? text.replace(/[\\%_]/g, (c) => `\\${c}`) : null;
}

export interface HouseholdSearch {
  regions: string[] | null;
  bookletPrefix: string | null;
  headName: string | null;
  includeDissolved: boolean;
}

const HOUSEHOLD_FILTER = `h.tenant_code = $1 AND ($2::text[] IS NULL OR h.region_code = ANY($2::text[])) AND ($3::text IS NULL OR h.booklet_no LIKE $3 || '%')
  AND ($4 OR h.dissolved_on IS NULL)
  AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM resident r WHERE r.tenant_code = h.tenant_code AND r.household_id = h.id AND r.relationship = '${HEAD_OF_HOUSEHOLD}' AND r.name LIKE '%' || $5 || '%'))`;

/** Households in booklet order, a page after `afterBookletNo`. */
export async function searchHouseholds(
  db: TenantTransaction,
  search: HouseholdSearch,
  descending: boolean,
  afterBookletNo: string | null,
  limit: number,
): Promise<HouseholdRow[]> {
  return db.query<HouseholdRow>(
    `SELECT ${HOUSEHOLD_COLUMNS.split(', ')
      .map((c) => `h.${c}`)
      .join(', ')} FROM household h
      WHERE ${HOUSEHOLD_FILTER} AND ($6::text IS NULL OR h.booklet_no ${descending ? '<' : '>'} $6)
      ORDER BY h.booklet_no ${descending ? 'DESC' : 'ASC'} LIMIT $7`,
    [db.tenantCode, search.regions, escapeLike(search.bookletPrefix), search.includeDissolved, escapeLike(search.headName), afterBookletNo, limit],
  );
}

export async function countHouseholds(db: TenantTransaction, search: HouseholdSearch): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM household h WHERE ${HOUSEHOLD_FILTER}`, [
    db.tenantCode,
    search.regions,
    escapeLike(search.bookletPrefix),
    search.includeDissolved,
    escapeLike(search.headName),
  ]);
  return row.n;
}

/** What the policy engine needs of a person: details, status, and the region of their household. */
export interface PersonFactsRow {
  id_number: string;
  name: string;
  birth_date: string | null;
  applicant_type: string | null;
  hukou_place: string | null;
  residence_permit_place: string | null;
  status: ResidentStatus;
  transferred_out_on: string | null;
  transferred_to: string | null;
  household_id: string | null;
  region_code: string | null;
}

export async function personFacts(db: TenantTransaction, idNumbers: readonly string[]): Promise<PersonFactsRow[]> {
  return db.query<PersonFactsRow>(
    `SELECT r.id_number, r.name, r.birth_date, r.applicant_type, r.hukou_place, r.residence_permit_place,
            r.status, r.transferred_out_on, r.transferred_to, r.household_id, h.region_code
       FROM resident r
       LEFT JOIN household h ON h.tenant_code = r.tenant_code AND h.id = r.household_id
      WHERE r.tenant_code = $1 AND r.id_number = ANY($2::text[])`,
    [db.tenantCode, idNumbers],
    { planLargeArraysEachTime: true },
  );
}
