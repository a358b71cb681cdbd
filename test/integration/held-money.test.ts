/**
 * Money held in suspense is matched however much held before it cannot be: a registration and a release
 * read the held payments page after page, past 10,000 that still cannot be matched, and a page holds
 * a person's payments whole. People are registered here with seedResidents, in the database, so that
 * their money is left for the matching under test (the API's registration matches it at once).
 */
import { RequestContext } from '../../src/context/request-context';
import { heldService } from '../../src/domains/enrollment/held.service';
import { residentIds, seedResidents } from '../helpers/seed';
import { startTestServer, type TestServer } from '../helpers/server';

const GZ = '620702';
const IMPORT = `mutation($b: String!, $p: [PaymentInput!]!) { importPayments(batchId: $b, payments: $p) { accepted held rejected } }`;

/** 甘州 2023's 350.00, paid at the tax office; another year as asked. */
function taxPayment(idNumber: string, receiptNo: string, coverageYear = 2023) {
  return {
    idNumber,
    coverageYear,
    amount: '350.00',
    paidOn: coverageYear === 2023 ? '2022-10-12' : `${coverageYear - 1}-10-12`,
    channel: '税务代征',
    receiptNo,
  };
}

/** Imports a tax batch whose every row is held. */
async function importHeld(server: TestServer, batchId: string, payments: ReturnType<typeof taxPayment>[]): Promise<void> {
  const res = await server.gql(IMPORT, { b: batchId, p: payments }, { as: 'TAX', tenant: GZ });
  expect(res.errors).toBeUndefined();
  expect(res.data!.importPayments).toEqual({ accepted: payments.length, held: payments.length, rejected: 0 });
}

async function heldStatus(server: TestServer, receipts: readonly string[]): Promise<Array<[string, string, string]>> {
  const rows = await server.ownerQuery<{ receipt_no: string; status: string; reason_code: string }>(
    `SELECT receipt_no, status, reason_code FROM payment_suspense WHERE tenant_code = $1 AND receipt_no = ANY ($2::text[]) ORDER BY id`,
    [GZ, receipts],
  );
  return rows.map((r) => [r.receipt_no, r.status, r.reason_code]);
}

describe('more held payments than a run judges at once', () => {
  let server: TestServer;
  // 10,000 registered people whose money paid a year not configured (2026): held, and still not payable.
  const stuck = residentIds(GZ, 10_000);
  // After them by ID number and by when their money came: people not registered when it came.
  const [late, later] = residentIds(GZ, 2, 10_000);
  beforeAll(async () => {
    server = await startTestServer();
    await seedResidents(server, GZ, stuck);
    await importHeld(
      server,
      'GZ-2026-TAX',
      stuck.map((idNumber, i) => taxPayment(idNumber, `T26-${i}`, 2026)),
    );
  });
  afterAll(async () => server?.close());

  it('at a registration: the money of the one payable is matched, after 10,000 of the others that are not', async () => {
    await importHeld(server, 'GZ-LATE-TAX', [taxPayment(late, 'LATE-1')]);
    await seedResidents(server, GZ, [late]);
    const ctx = RequestContext.system(server.running.state, GZ, 'test');
    await heldService.matchRegistered(ctx, [...stuck, late]);
    await ctx.finish(true);
    expect(await heldStatus(server, ['T26-0', 'T26-9999', 'LATE-1'])).toEqual([
      ['T26-0', 'HELD', 'POLICY_NOT_CONFIGURED'],
      ['T26-9999', 'HELD', 'POLICY_NOT_CONFIGURED'],
      ['LATE-1', 'MATCHED', 'NOT_FOUND'],
    ]);
  });

  it('at a release: money held after 10,000 payments that cannot be matched is matched', async () => {
    await importHeld(server, 'GZ-LATER-TAX', [taxPayment(later, 'LATER-1')]);
    await seedResidents(server, GZ, [later]);
    const ctx = RequestContext.system(server.running.state, GZ, 'test');
    const result = await heldService.releaseHeld(ctx);
    await ctx.finish(true);
    expect(await heldStatus(server, ['T26-9999', 'LATER-1'])).toEqual([
      ['T26-9999', 'HELD', 'POLICY_NOT_CONFIGURED'],
      ['LATER-1', 'MATCHED', 'NOT_FOUND'],
    ]);
    expect(result).toMatchObject({ matched: 1, stillHeld: 10_000 });
    const [paid] = await server.ownerQuery<{ status: string }>(`SELECT status FROM enrollment WHERE tenant_code = $1 AND id_number = $2`, [GZ, later]);
    expect(paid).toEqual({ status: 'PAID' });
  });
});

describe('held payments read in pages of two people', () => {
  let fresh: TestServer;
  beforeAll(async () => {
    fresh = await startTestServer();
  });
  afterAll(async () => fresh?.close());

  it("are all reached, and one person's two receipts on one page are judged together", async () => {
    // By ID number and by when their money came: two never registered, then three who are now.
    const [a, b, c, d, e] = residentIds(GZ, 5);
    await importHeld(fresh, 'GZ-T-1', [taxPayment(a, 'A-1'), taxPayment(b, 'B-1')]);
    // c paid twice for 2023 in one batch, with d's money between: one receipt pays, the other stays held.
    await importHeld(fresh, 'GZ-T-2', [taxPayment(c, 'C-1'), taxPayment(d, 'D-1'), taxPayment(c, 'C-2'), taxPayment(e, 'E-1')]);
    await seedResidents(fresh, GZ, [c, d, e]);

    // Pages of two people: a and b, whose money cannot be matched; c and d; then e, a short page.
    const ctx = RequestContext.system(fresh.running.state, GZ, 'test');
    const result = await heldService.releaseHeld(ctx, 2);
    await ctx.finish(true);
    expect(await heldStatus(fresh, ['A-1', 'B-1', 'C-1', 'D-1', 'C-2', 'E-1'])).toEqual([
      ['A-1', 'HELD', 'NOT_FOUND'],
      ['B-1', 'HELD', 'NOT_FOUND'],
      ['C-1', 'MATCHED', 'NOT_FOUND'],
      ['D-1', 'MATCHED', 'NOT_FOUND'],
      ['C-2', 'HELD', 'CONFLICT'],
      ['E-1', 'MATCHED', 'NOT_FOUND'],
    ]);
    expect(result).toMatchObject({ matched: 3, stillHeld: 3 });
    // Judged with C-1, in one call, as when one read took them all: not as a page after C-1's had paid.
    const [second] = await fresh.ownerQuery<{ reason: string }>(`SELECT reason FROM payment_suspense WHERE tenant_code = $1 AND receipt_no = 'C-2'`, [GZ]);
    expect(second.reason).toBe('already paid for 2023 by receipt C-1 in this batch');
  });
});

describe('held money from many batches released at once', () => {
  let fresh: TestServer;
  beforeAll(async () => {
    fresh = await startTestServer();
  });
  afterAll(async () => fresh?.close());

  it('is written behind one savepoint, not one per batch: the transaction never overflows the cache of subtransactions', async () => {
    // 70 batches of one payment each, of people registered only afterwards: one page of a release.
    const people = residentIds(GZ, 70, 20_000);
    for (const [i, idNumber] of people.entries()) await importHeld(fresh, `GZ-MANY-${i}`, [taxPayment(idNumber, `MANY-${i}`)]);
    await seedResidents(fresh, GZ, people);
    const ctx = RequestContext.system(fresh.running.state, GZ, 'test');
    const result = await heldService.releaseHeld(ctx);
    const [version] = await ctx.db.query<{ number: number }>("SELECT current_setting('server_version_num')::int AS number");
    // pg_stat_get_backend_subxact came with PostgreSQL 16.
    const subtransactions =
      version.number < 160000
        ? null
        : await ctx.db.query<{ count: number; overflowed: boolean }>(
            `SELECT s.subxact_count AS count, s.subxact_overflowed AS overflowed
               FROM pg_stat_get_backend_idset() AS b(procnumber), pg_stat_get_backend_subxact(b.procnumber) AS s
              WHERE pg_stat_get_backend_pid(b.procnumber) = pg_backend_pid()`,
          );
    await ctx.finish(true);
    expect(result).toMatchObject({ matched: 70, stillHeld: 0 });
    // One for the page (on Citus the writes, and their subtransactions, are the workers': none here).
    if (subtransactions) {
      expect(subtransactions[0].count).toBeLessThanOrEqual(1);
      expect(subtransactions[0].overflowed).toBe(false);
    }
    const [{ paid }] = await fresh.ownerQuery<{ paid: number }>(
      `SELECT count(*)::int AS paid FROM enrollment WHERE tenant_code = $1 AND id_number = ANY ($2::text[]) AND status = 'PAID'`,
      [GZ, people],
    );
    expect(paid).toBe(70);
  });
});
