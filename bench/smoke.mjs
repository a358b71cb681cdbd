// `npm run bench:smoke`: the benchmark runs end to end (2,000 residents, one-second loads, every scenario
// and peer) and writes every section of its report. It measures nothing worth reading; CI runs it as a
// step of its own so that the bench cannot rot, with its output shown when it fails.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(mkdtempSync(join(tmpdir(), 'bench-smoke-')), 'RESULTS.md');
execFileSync(process.execPath, [join(root, 'bench', 'run.mjs'), '--smoke', '--out', out], { cwd: root, stdio: 'inherit', timeout: 600_000 });
const results = readFileSync(out, 'utf8');
const sections = ['## Targets', '## 1. Bank lookup', 'bare node:http + pg', 'PostGraphile 5', '## 2. A household', '## 3. Quotes', '## 4. Imports', 'raw `COPY`', '## 5. `enrollmentProgress`'];
const missing = sections.filter((s) => !results.includes(s));
if (missing.length > 0) {
  console.error(`bench smoke: the report lacks ${missing.join(', ')}`);
  process.exit(1);
}
console.log(`bench smoke: every section written (${out})`);
