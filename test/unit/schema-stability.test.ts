/**
 * Schema stability for the client teams: the schema the code emits, compared with schema/schema.graphql
 * on main by graphql-inspector, may not break clients unless schema/CHANGELOG.md declares the change;
 * the example operations of each client validate, and the typed client code generated from them is
 * the committed one (npm run codegen).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema, validate } from 'graphql';
import { loadOperations } from '../../src/cli/operations';
import { appSchema, printAppSchema } from '../../src/server/schema';

const root = join(__dirname, '..', '..');

/** schema/schema.graphql as main has it (HEAD where there is no main branch); null outside git. */
function mainSchema(): string | null {
  for (const ref of ['main', 'HEAD']) {
    try {
      return execFileSync('git', ['show', `${ref}:schema/schema.graphql`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      // try the next
    }
  }
  return null;
}

async function undeclaredBreakingChanges(before: string, after: string): Promise<string[]> {
  const changelog = readFileSync(join(root, 'schema', 'CHANGELOG.md'), 'utf8');
  const changes = await diff(buildSchema(before), buildSchema(after));
  return changes
    .filter((c) => c.criticality.level === CriticalityLevel.Breaking)
    .filter((c) => !(c.path && changelog.includes(c.path)))
    .map((c) => `${c.path}: ${c.message}`);
}

describe('schema stability', () => {
  it('emits no breaking change against main that schema/CHANGELOG.md does not declare', async () => {
    const baseline = mainSchema();
    if (baseline === null) return console.warn('no git history here: nothing to compare with');
    expect(await undeclaredBreakingChanges(baseline, printAppSchema())).toEqual([]);
  });

  it('catches a breaking change (a field removed) and a type change', async () => {
    const current = printAppSchema();
    const broken = current.replace(/\n  amountDue: Money!\n/, '\n').replace('idNumberMasked: String!', 'idNumberMasked: Int!');
    const found = await undeclaredBreakingChanges(current, broken);
    expect(found.some((f) => f.includes('amountDue'))).toBe(true);
    expect(found.some((f) => f.startsWith('EnrollmentStatus.idNumberMasked') || f.includes('idNumberMasked'))).toBe(true);
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
  it('has example operations for banks, the tax system, portals and agencies', () => {
    expect(loadOperations().map((o) => o.location)).toEqual(['schema/operations/agency.graphql', 'schema/operations/bank.graphql', 'schema/operations/portal.graphql', 'schema/operations/tax.graphql']);
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
