/**
 * Schema stability for the client teams: the schema the code emits, compared by graphql-inspector with
 * schema/released.graphql (the schema clients were last given, committed, so the gate needs no git
 * history and works in a shallow clone), may not break clients unless the Unreleased section of
 * schema/CHANGELOG.md declares the change. `npm run schema:release` moves those declarations under a
 * dated heading and makes the current schema the released one, so a break is accepted once, for that
 * change. The example operations of each client validate, and the typed client code generated from them
 * is the committed one (npm run codegen).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from 'graphql';
import { loadOperations } from '../../src/graphql/operations';
import { undeclaredBreakingChanges, unreleasedSection } from '../../src/cli/schema-gate';
import { appSchema, printAppSchema } from '../../src/server/schema';

const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('schema stability', () => {
  it('emits no breaking change against the released schema that the Unreleased changelog does not declare', async () => {
    expect(await undeclaredBreakingChanges(read('schema/released.graphql'), printAppSchema(), read('schema/CHANGELOG.md'))).toEqual([]);
  });

  it('catches a breaking change (a field removed) and a type change', async () => {
    const current = printAppSchema();
    const broken = current.replace(/\n {2}amountDue: Money!\n/, '\n').replace('idNumberMasked: String!', 'idNumberMasked: Int!');
    const found = await undeclaredBreakingChanges(current, broken, read('schema/CHANGELOG.md'));
    expect(found.some((f) => f.includes('amountDue'))).toBe(true);
    expect(found.some((f) => f.startsWith('EnrollmentStatus.idNumberMasked') || f.includes('idNumberMasked'))).toBe(true);
  });

  it('exempts a break declared under Unreleased only, not one declared for an earlier release', async () => {
    const current = printAppSchema();
    const broken = current.replace(/\n {2}amountDue: Money!\n/, '\n');
    const declared = '# Schema changelog\n\n## Unreleased\n\n- `Enrollment.amountDue` removed: read amountPaid.\n';
    const earlier = '# Schema changelog\n\n## Unreleased\n\nNo breaking changes.\n\n## 2026-01-01\n\n- `Enrollment.amountDue` removed.\n';
    expect(await undeclaredBreakingChanges(current, broken, declared)).toEqual([]);
    expect((await undeclaredBreakingChanges(current, broken, earlier)).some((f) => f.includes('amountDue'))).toBe(true);
    expect(unreleasedSection(earlier)).not.toContain('amountDue');
  });

  it('keeps the contract\'s public names', () => {
    const schema = appSchema();
    const query = schema.getQueryType()!.getFields();
    const mutation = schema.getMutationType()!.getFields();
    for (const name of ['tenants', 'policy', 'quote', 'resident', 'household', 'enrollmentStatus', 'incompleteHouseholds', 'enrollmentProgress', 'disbursements']) expect(query[name]).toBeDefined();
    for (const name of ['registerHousehold', 'grantAssistance', 'enroll', 'recordPayment', 'importPayments', 'requestRefund', 'markDisbursementsPaid']) expect(mutation[name]).toBeDefined();
  });
});

describe('client operations and generated code', () => {
  it('has example operations for banks, the tax system, portals, agencies and the bureau dashboard', () => {
    expect(loadOperations().map((o) => o.location)).toEqual([
      'schema/operations/agency.graphql',
      'schema/operations/bank.graphql',
      'schema/operations/dashboard.graphql',
      'schema/operations/portal.graphql',
      'schema/operations/tax.graphql',
    ]);
  });

  it('validates every example operation against the schema', () => {
    for (const { location, document } of loadOperations()) expect([location, validate(appSchema(), document).map((e) => e.message)]).toEqual([location, []]);
  });

  it('generates the committed typed client code (npm run codegen -- --check, on the build)', () => {
    // graphql-codegen loads ES modules, which this test runner cannot; the built command runs in Node.
    const out = execFileSync(process.execPath, [join(root, 'dist', 'src', 'cli', 'codegen.js'), '--check'], { cwd: root, encoding: 'utf8' });
    expect(out).toContain('schema/generated/client.ts is current');
  });
});
