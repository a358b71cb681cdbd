import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EmbeddedDatabase } from '../../src/db/embedded';

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
  const file = process.env.LOG_FILE;
  if (!file || !existsSync(file)) return;
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const leaks = lines.filter((line) => UNMASKED_ID.test(line));
  process.stdout.write(`\nlog check: ${lines.length} log lines of the test run in ${file}, ${leaks.length} with an unmasked ID number\n`);
  if (leaks.length > 0) throw new Error(`unmasked ID numbers in the logs of the test run, e.g.: ${leaks[0].slice(0, 300)}`);
}
