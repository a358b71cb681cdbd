import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EmbeddedDatabase } from '../../src/db/embedded';
import { pooledSqlProblems, sqlTextProblems } from './citus-rules';

/** Resident ID numbers as they would appear unmasked: 6 + 8 (a birth date) + 3 + check character. */
const UNMASKED_ID = /(?<![0-9A-Za-z])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])/;

export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { embeddedForTests?: EmbeddedDatabase }).embeddedForTests;
  if (embedded) {
    await embedded.stop();
    // The cluster goes (about 90 MB a run, which piled up in /tmp); the servers' log stays for diagnosis.
    // Under root it may live outside the data folder, which then holds a link to it.
    rmSync(embedded.clusterDir, { recursive: true, force: true });
    if (process.env.DATA_DIR) rmSync(join(process.env.DATA_DIR, 'pg'), { recursive: true, force: true });
  }
  checkRequestSql();
  const file = process.env.LOG_FILE;
  if (!file || !existsSync(file)) return;
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const leaks = lines.filter((line) => UNMASKED_ID.test(line));
  process.stdout.write(`\nlog check: ${lines.length} log lines of the test run in ${file}, ${leaks.length} with an unmasked ID number\n`);
  if (leaks.length > 0) throw new Error(`unmasked ID numbers in the logs of the test run, e.g.: ${leaks[0].slice(0, 300)}`);
}

/**
 * The SQL texts the application sent in request transactions during the run (recorded by the test
 * servers, test/helpers/server.ts), built as they were sent, against the Citus rules and what a pooler in transaction mode allows.
 */
function checkRequestSql(): void {
  const dir = process.env.DATA_DIR;
  if (!dir || !existsSync(dir)) return;
  const texts = new Set<string>();
  for (const name of readdirSync(dir).filter((n) => /^request-sql-\d+\.jsonl$/.test(n))) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean)) texts.add(JSON.parse(line) as string);
  }
  const problems = [...texts].flatMap((text) =>
    [...sqlTextProblems(text), ...pooledSqlProblems(text)].map((problem) => `${problem}\n    in: ${text.replace(/\s+/g, ' ').slice(0, 300)}`),
  );
  process.stdout.write(`\nCitus rules: ${texts.size} distinct SQL texts sent in request transactions, ${problems.length} problems\n`);
  if (problems.length > 0) throw new Error(`SQL that Citus would refuse or run wrongly, or a pooler would break:\n  ${problems.join('\n  ')}`);
}
