/**
 * What the policy engine needs to know about people on a date, read for many people at once: birth
 * date, region (their household's), applicant type and the assistance identities that count on that
 * date for that year of cover. Two statements whatever the number of people.
 */
import { compareDates, type LocalDate } from '../../common/dates';
import type { TenantTransaction } from '../../db/tenant-transaction';
import type { PolicyYear } from '../../policy-data/model';
import type { AssistanceCategory, Circumstance } from '../../policy-data/vocabulary';
import type { QuoteFacts } from '../../policy-engine/policy-engine';
import { identitiesOf } from '../assistance/assistance.repository';
import { type PersonFactsRow, personFacts } from '../residents/residents.repository';

export type PersonRow = PersonFactsRow;

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
  const [persons, identities] = await Promise.all([personFacts(db, unique), identitiesOf(db, unique)]);
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
  if (identities.length === 0) return [];
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
