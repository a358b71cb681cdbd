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
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  it("keeps the contract's public names", () => {
    const schema = appSchema();
    const query = schema.getQueryType()!.getFields();
    const mutation = schema.getMutationType()!.getFields();
    for (const name of [
      'tenants',
      'policy',
      'quote',
      'resident',
      'household',
      'enrollmentStatus',
      'incompleteHouseholds',
      'enrollmentProgress',
      'disbursements',
    ])
      expect(query[name]).toBeDefined();
    for (const name of [
      'registerHousehold',
      'grantAssistance',
      'enroll',
      'recordPayment',
      'importPayments',
      'requestRefund',
      'markDisbursementsPaid',
      'draftPolicyYear',
      'publishPolicyYear',
    ])
      expect(mutation[name]).toBeDefined();
    // Issue 21's names: PolicyDraftInput { tenant coverageYear source }, PolicyDraft, PolicyIssue { path message }, PolicyChange { path before after }.
    const type = (name: string) => schema.getType(name) as { getFields(): Record<string, unknown> } | undefined;
    expect(Object.keys(type('PolicyDraftInput')!.getFields())).toEqual(['tenant', 'coverageYear', 'source']);
    expect(Object.keys(type('PolicyDraft')!.getFields())).toEqual(expect.arrayContaining(['id', 'tenant', 'coverageYear', 'errors', 'warnings', 'changes']));
    expect(Object.keys(type('PolicyIssue')!.getFields())).toEqual(expect.arrayContaining(['path', 'message']));
    expect(Object.keys(type('PolicyChange')!.getFields())).toEqual(expect.arrayContaining(['path', 'before', 'after']));
    expect(String((mutation.publishPolicyYear as { type: unknown }).type)).toBe('PolicyYear!');
  });
});

describe('the schema gate in a shallow clone (npm run schema:check)', () => {
  const inGit = (() => {
    try {
      execFileSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: root, stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  const check = (checkout: string) => {
    try {
      return {
        status: 0,
        output: execFileSync(process.execPath, [join(root, 'dist', 'src', 'cli', 'schema-check.js'), '--root', checkout], { encoding: 'utf8', stdio: 'pipe' }),
      };
    } catch (err) {
      const e = err as { status: number; stderr: string };
      return { status: e.status, output: e.stderr };
    }
  };

  (inGit ? it : it.skip)('fails on a breaking change in a clone of depth 1 with one branch, and passes once it is declared', () => {
    const clone = join(mkdtempSync(join(tmpdir(), 'schema-gate-')), 'clone');
    execFileSync('git', ['clone', '--quiet', '--depth', '1', '--single-branch', `file://${root}`, clone], { stdio: 'ignore' });
    expect(execFileSync('git', ['rev-list', '--count', 'HEAD'], { cwd: clone, encoding: 'utf8' }).trim()).toBe('1');
    // The released schema had a field the code no longer emits: a removal, which breaks clients.
    const released = join(clone, 'schema', 'released.graphql');
    writeFileSync(released, readFileSync(released, 'utf8').replace(/^type Viewer \{\n/m, 'type Viewer {\n  nickname: String!\n'));
    const refused = check(clone);
    expect(refused.status).toBe(1);
    expect(refused.output).toContain('Viewer.nickname');
    const changelog = join(clone, 'schema', 'CHANGELOG.md');
    writeFileSync(changelog, readFileSync(changelog, 'utf8').replace('## Unreleased\n\n', '## Unreleased\n\n- `Viewer.nickname` removed: read sub.\n'));
    expect(check(clone).status).toBe(0);
  });
});

describe('client operations and generated code', () => {
  it('has example operations for banks, the tax system, portals, agencies, the bureau dashboard and the policy years page', () => {
    expect(loadOperations().map((o) => o.location)).toEqual([
      'schema/operations/agency.graphql',
      'schema/operations/bank.graphql',
      'schema/operations/dashboard.graphql',
      'schema/operations/policy-years.graphql',
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
