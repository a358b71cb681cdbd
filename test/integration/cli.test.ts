/**
 * The commands as a person runs them: the built files (`npm run <command>` runs them), their --help as
 * the README shows it, their exit codes, and errors as one sentence. Their work itself is tested where
 * its domain is (the importers in enrollment, subsidies and roster tests).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { residentIds, seedResidents } from '../helpers/seed';
import { startTestServer, type TestServer } from '../helpers/server';

const root = join(__dirname, '..', '..');
const COMMANDS: Record<string, string> = {
  token: 'token',
  migrate: 'migrate',
  'tenants:check': 'tenants-check',
  'schema:emit': 'emit-schema',
  'schema:check': 'schema-check',
  'schema:release': 'schema-release',
  codegen: 'codegen',
  'import:payments': 'import-payments',
  'import:assistance': 'import-assistance',
  'import:roster': 'import-roster',
  'import:regions': 'import-regions',
  'divisions:generate': 'divisions-generate',
  'export:disbursements': 'export-disbursements',
  'export:report': 'export-report',
  'policy:export': 'export-policy-year',
};

/** Runs a built command; asynchronously, as the test server answering it runs in this process. */
function command(file: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  // PORT unset: the help shows the default address as the README does.
  const { PORT: _port, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'dist', 'src', 'cli', `${file}.js`), ...args], { cwd: root, encoding: 'utf8', env }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

/** A port nothing listens on: one the system just gave out and took back. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe('every command', () => {
  it('has --help with examples, exits 0, and the README shows that help as printed', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const [script, file] of Object.entries(COMMANDS)) {
      const help = await command(file, ['--help']);
      expect([script, help.status]).toEqual([script, 0]);
      expect(help.stdout).toContain(`Usage: npm run ${script} -- `);
      expect(help.stdout).toContain('Examples:');
      expect([script, readme.includes(help.stdout.trimEnd())]).toEqual([script, true]);
    }
    // One process per command, one after another: more than 60 s on a crowded 2-core machine.
  }, 300_000);

  it('exits 2 with one line and a pointer to --help on a mistake in its arguments', async () => {
    const missing = await command('export-report', ['--tenant', '610926']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe("error: required option '--year <year>' not specified\n(npm run export:report -- --help shows the usage and examples)\n");
    expect((await command('token', ['--tenant', '620702', '--role', 'KING'])).stderr).toContain('Allowed choices are ADMIN, STAFF, BANK, TAX, AGENCY');
  });
});

describe('npm run token', () => {
  it("prints the token and nothing else on stdout, npm's banner included (CONTRACT.md)", () => {
    const stdout = execFileSync('npm', ['run', 'token', '--', '--tenant', '620702', '--role', 'ADMIN'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  });
});

describe('the importers and exporters', () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'cli-'));
  });

  afterAll(async () => {
    await server?.close();
  });

  it("exit 1 when a row was rejected, after the tally, naming each rejected row's line and column", async () => {
    const [id] = residentIds('620702', 1, 31_000);
    await seedResidents(server, '620702', [id]);
    const file = join(dir, 'tax.csv');
    writeFileSync(
      file,
      ['身份证号码,参保年度,金额,缴费日期,缴费渠道,票据号', `${id},2023,350.00,2022-11-11,bank,CLI-1`, `${id},2023,三百五十,2022-11-11,bank,CLI-2`].join('\n'),
    );
    const run = await command('import-payments', ['--tenant', '620702', '--url', server.url, '--token', server.token('TAX', ['620702']), file]);
    expect(run.stdout).toMatch(/^2 rows \(UTF-8\): 1 accepted, 0 duplicates, 1 rejected in [\d.]+ s\n$/);
    // Clerks run it: the reasons in Chinese unless --language en asks for English (below).
    expect(run.stderr).toBe(`${file} 第 3 行「金额」列（CLI-2）：BAD_USER_INPUT 「三百五十」不是以元为单位的金额（如 350.00）\n`);
    expect(run.status).toBe(1);

    const again = await command('import-payments', [
      '--tenant',
      '620702',
      '--url',
      server.url,
      '--token',
      server.token('TAX', ['620702']),
      '--language',
      'en',
      '--errors',
      join(dir, 'rejected.csv'),
      file,
    ]);
    expect(again.stdout).toMatch(/^2 rows \(UTF-8\): 0 accepted, 1 duplicates, 1 rejected in/);
    expect(readFileSync(join(dir, 'rejected.csv'), 'utf8')).toBe(
      'line,column,row,code,error\n3,"金额","CLI-2",BAD_USER_INPUT,"""三百五十"" is not an amount of yuan"\n',
    );
    expect(again.status).toBe(1);
  });

  it('exit 0 when every row went through', async () => {
    const file = join(dir, 'none.csv');
    writeFileSync(file, 'idNumber,category,certifiedBy,validFrom,validTo\n');
    const run = await command('import-assistance', ['--tenant', '610926', '--url', server.url, '--token', server.token('AGENCY', ['610926']), file]);
    expect(run).toMatchObject({ status: 0, stdout: expect.stringMatching(/^0 rows \(UTF-8\): 0 accepted, 0 duplicates, 0 rejected/), stderr: '' });
  });

  it('say in one sentence that a stopped server cannot be reached, and how to start it', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/graphql`;
    const run = await command('export-disbursements', ['--tenant', '620702', '--month', '2022-11', '--url', url]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `error: cannot reach the server at ${url} (ECONNREFUSED): is it running? Start it with npm start, or give its address with --url\n`,
    );
  });

  it("name the refusal's code and what to do about it", async () => {
    const run = await command('export-disbursements', [
      '--tenant',
      '620702',
      '--month',
      '2022-11',
      '--url',
      server.url,
      '--token',
      server.token('BANK', ['620702']),
    ]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^error: the server refused PortalExportPayoutFile \(FORBIDDEN\): .*; the token's role or tenants do not allow this \(see docs\/security.md\)\n$/,
    );
  });
});
