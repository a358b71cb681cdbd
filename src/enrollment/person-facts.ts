/**
 * What the policy engine needs to know about people on a date, read for many people at once: birth
 * date, region (their household's), applicant type and the assistance identities that count on that
 * date for that year of cover. Two statements whatever the number of people.
 */
import { compareDates, type LocalDate } from '../common/dates';
import type { TenantTransaction } from '../db/tenant-transaction';
import type { QuoteFacts } from '../policy/policy.service';
import type { AssistanceCategory, Circumstance } from '../policy/vocabulary';
import type { PolicyYear } from '../tenants/model';

export interface PersonRow {
  id_number: string;
  name: string;
  birth_date: string | null;
  applicant_type: string | null;
  hukou_place: string | null;
  residence_permit_place: string | null;
  status: 'ACTIVE' | 'TRANSFERRED_OUT';
  transferred_out_on: string | null;
  transferred_to: string | null;
  household_id: string | null;
  region_code: string | null;
}

export interface IdentityRow {
  id_number: string;
  category: AssistanceCategory;
  valid_from: string;
  valid_to: string | null;
}

export interface People {
  person(idNumber: string): PersonRow | undefined;
  /** The facts for a payment on `date` for `policy`'s year, with the enrolment's own circumstances. */
  facts(idNumber: string, policy: PolicyYear, date: LocalDate, circumstances: readonly Circumstance[]): QuoteFacts;
  identities(idNumber: string): IdentityRow[];
}

export async function loadPeople(db: TenantTransaction, idNumbers: readonly string[]): Promise<People> {
  const unique = [...new Set(idNumbers)];
  const [persons, identities] = await Promise.all([
    db.query<PersonRow>(
      `SELECT r.id_number, r.name, r.birth_date, r.applicant_type, r.hukou_place, r.residence_permit_place,
              r.status, r.transferred_out_on, r.transferred_to, r.household_id, h.region_code
         FROM resident r
         LEFT JOIN household h ON h.tenant_code = r.tenant_code AND h.id = r.household_id
        WHERE r.tenant_code = $1 AND r.id_number = ANY($2::text[])`,
      [db.tenantCode, unique],
    ),
    db.query<IdentityRow>(
      `SELECT id_number, category, valid_from, valid_to FROM assistance_identity
        WHERE tenant_code = $1 AND id_number = ANY($2::text[]) ORDER BY valid_from`,
      [db.tenantCode, unique],
    ),
  ]);
  return makePeople(persons, identities);
}

/** People from rows already read (one person's lookup reads them in a single statement). */
export function makePeople(persons: readonly PersonRow[], identities: readonly IdentityRow[]): People {
  const byId = new Map(persons.map((p) => [p.id_number, p]));
  const identitiesById = new Map<string, IdentityRow[]>();
  for (const row of identities) {
    const list = identitiesById.get(row.id_number);
    if (list) list.push(row);
    else identitiesById.set(row.id_number, [row]);
  }
  return {
    person: (id) => byId.get(id),
    identities: (id) => identitiesById.get(id) ?? [],
    facts(id, policy, date, circumstances) {
      const person = byId.get(id);
      const all = new Set<Circumstance>(circumstances);
      if (person?.applicant_type === 'UNIVERSITY_STUDENT') all.add('UNIVERSITY_STUDENT');
      return {
        paymentDate: date,
        birthDate: person?.birth_date ?? null,
        region: person?.region_code ?? null,
        circumstances: [...all],
        categories: categoriesOn(identitiesById.get(id) ?? [], policy, date),
      };
    },
  };
}

/**
 * The categories whose certification is valid on `date`; where the notice sets a cut-off (平利: 认定时间以
 * 2021 年 9 月 30 日前…为准), identities certified later count from the next year of cover.
 */
export function categoriesOn(identities: readonly IdentityRow[], policy: PolicyYear, date: LocalDate): AssistanceCategory[] {
  const cutoff = policy.data.assistance?.certificationCutoff?.date;
  return [
    ...new Set(
      identities
        .filter((i) => compareDates(i.valid_from, date) <= 0 && (!i.valid_to || compareDates(i.valid_to, date) >= 0))
        .filter((i) => !cutoff || compareDates(i.valid_from, cutoff) <= 0)
        .map((i) => i.category),
    ),
  ];
}
