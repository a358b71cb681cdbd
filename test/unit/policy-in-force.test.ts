/** Which published versions of a year were in force on a day: those money paid that day is judged by. */
import { type PolicyYear, Tenant } from '../../src/policy-data/model';

const version = (n: number, publishedAt: string | null) => ({ tenantCode: '610926', coverageYear: 2022, version: n, publishedAt }) as PolicyYear;

describe('Tenant.policiesInForceOn', () => {
  // Version 2 published at 17:00 UTC on 2021-11-01, which is 01:00 on 2021-11-02 in China.
  const [v1, v2, v3] = [version(1, '2021-09-01T02:00:00.000Z'), version(2, '2021-11-01T17:00:00.000Z'), version(3, '2022-03-01T02:00:00.000Z')];
  const tenant = new Tenant('610926', '平利县', 'test', [], new Map([[2022, v3]]), new Map([[2022, [v1, v2]]]));
  const inForce = (t: Tenant, date: string) => t.policiesInForceOn(2022, date).map((v) => v.version);

  it.each([
    ['2021-08-31', [1], 'before any version was published: the first'],
    ['2021-09-01', [1], 'the day version 1 was published'],
    ['2021-11-01', [1], 'the day before version 2, in China'],
    ['2021-11-02', [1, 2], 'the day version 2 was published, in China: in force when the day began, and from 01:00'],
    ['2021-11-03', [2], 'the day after'],
    ['2022-03-01', [2, 3], 'the day version 3 was published'],
    ['2023-01-01', [3], 'after every version'],
  ])('on %s: versions %j (%s)', (date, expected) => {
    expect(inForce(tenant, date)).toEqual(expected);
  });

  it('is the version in force alone when no earlier one is kept (a year read from tenants/ only)', () => {
    const alone = new Tenant('610926', '平利县', 'test', [], new Map([[2022, v3]]));
    expect(inForce(alone, '2021-11-01')).toEqual([3]);
    expect(inForce(alone.withRegions([]), '2021-11-01')).toEqual([3]);
    expect(inForce(tenant.withRegions([]), '2021-11-01')).toEqual([1]);
  });

  it('refuses a year with no notice, naming it', () => {
    expect(() => tenant.policiesInForceOn(2030, '2029-11-01')).toThrow(expect.objectContaining({ code: 'POLICY_NOT_CONFIGURED' }));
  });
});
