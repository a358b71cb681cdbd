/** Settings are checked at start: a bad one stops the server with a sentence that names it. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigError, developmentSecret, loadConfig } from '../../src/common/config';

const base = { DATA_DIR: mkdtempSync(join(tmpdir(), 'config-test-')), JWT_SECRET: 'x'.repeat(32) };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env });
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems;
  }
}

describe('loadConfig', () => {
  it('reads the defaults', () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({
      port: 4000,
      statementTimeoutMs: 5000,
      poolSize: 10,
      requestTimeoutMs: 30_000,
      tokenMaxLifetimeSeconds: 86_400,
      headersTimeoutMs: 10_000,
    });
  });

  it.each([
    [{ REQUEST_TIMEOUT_MS: '30s' }, /REQUEST_TIMEOUT_MS must be a whole number of milliseconds \(got "30s"\)/],
    [{ PORT: '70000' }, /PORT must be between 0 and 65535/],
    [{ PG_POOL_SIZE: '0' }, /PG_POOL_SIZE must be between 1 and 500/],
    [{ STATEMENT_TIMEOUT_MS: '-5' }, /STATEMENT_TIMEOUT_MS must be a whole number/],
    [{ DATABASE_URL: 'localhost:5432/db' }, /DATABASE_URL must be a postgres:\/\/ connection URL/],
    [{ LOG_LEVEL: 'debug' }, /LOG_LEVEL must be info, error or silent/],
    [{ JWT_SECRET: 'short' }, /JWT_SECRET must be at least 32 characters/],
    [{ APP_DB_PASSWORD: "x'; DROP ROLE x; --" }, /APP_DB_PASSWORD must be at least 16 letters/],
  ])('refuses %j', (env, message) => {
    expect(problemsOf(env).join('; ')).toMatch(message);
  });

  it('names every bad setting at once', () => {
    expect(problemsOf({ PORT: 'x', PG_POOL_SIZE: 'y' })).toHaveLength(2);
  });

  it('requires JWT_SECRET and APP_DB_PASSWORD in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production', JWT_SECRET: '' });
    expect(problems.join('; ')).toMatch(/JWT_SECRET must be set/);
    expect(problems.join('; ')).toMatch(/APP_DB_PASSWORD \(or APP_DATABASE_URL\) must be set/);
    expect(problemsOf({ NODE_ENV: 'production', APP_DB_PASSWORD: 'a'.repeat(16) })).toEqual([]);
  });
});

describe('developmentSecret', () => {
  it('gives processes starting together one whole secret, never an empty one, and leaves no draft behind', async () => {
    // Each process calls it once, as test workers, `npm start` and `npm run token` do at the same moment.
    const dir = mkdtempSync(join(tmpdir(), 'secret-test-'));
    const config = join(__dirname, '..', '..', 'dist', 'src', 'common', 'config.js');
    const script = `process.stdout.write(require(${JSON.stringify(config)}).developmentSecret(${JSON.stringify(dir)}, 'app-db-password'))`;
    const run = promisify(execFile);
    const secrets = await Promise.all(Array.from({ length: 8 }, () => run(process.execPath, ['-e', script]).then((r) => r.stdout)));
    expect(new Set(secrets).size).toBe(1);
    expect(secrets[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(readdirSync(dir)).toEqual(['app-db-password']);
    expect(statSync(join(dir, 'app-db-password')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'app-db-password'), 'utf8')).toBe(`${secrets[0]}\n`);
    expect(developmentSecret(dir, 'app-db-password')).toBe(secrets[0]);
  });
});
