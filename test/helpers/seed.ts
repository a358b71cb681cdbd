/** Bulk test data written beneath the API (as the owner, one statement), for the large cases. */
import { addDays } from '../../src/common/dates';
import { makeResidentId } from '../../src/domains/residents/id-number';
import type { TestServer } from './server';

/** `count` distinct valid resident ID numbers of a county, deterministic from `offset`. */
export function residentIds(county: string, count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, i) => {
    const n = i + offset;
    return makeResidentId(county, addDays('1950-01-01', Math.floor(n / 500)), 100 + (n % 500));
  });
}

export async function seedResidents(server: TestServer, tenant: string, ids: readonly string[], extra: { hukouPlace?: string } = {}): Promise<void> {
  await server.ownerQuery(
    `INSERT INTO resident (tenant_code, id_number, name, sex, birth_date, hukou_place)
     SELECT $1, id, '测试' || row_number() OVER (), CASE WHEN substr(id, 17, 1)::int % 2 = 1 THEN 'MALE' ELSE 'FEMALE' END,
            to_date(substr(id, 7, 8), 'YYYYMMDD'), $3
       FROM UNNEST($2::text[]) AS id`,
    [tenant, ids, extra.hukouPlace ?? null],
  );
}
