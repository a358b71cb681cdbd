// `npm run bench:smoke`: the benchmark runs end to end (2,000 residents, a few requests per load, every
// scenario, peer and the counting pass) and writes every section of its report. It measures nothing;
// CI runs it as a step of its own so that the bench cannot rot, with its output shown when it fails.
// What it does check: the floor and PostGraphile answer as the API does (run.mjs stops otherwise), and
// the wire counter counts what it must.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { statementsIn } from './lib/wire.mjs';

// The simple-protocol rule: semicolons outside quotes, dollar quotes and comments; empty parts ignored.
assert.equal(statementsIn("BEGIN READ ONLY; SELECT set_config('app.tenant', '610926', true); SELECT f('a;b'); COMMIT"), 4);
assert.equal(statementsIn('SELECT 1;;'), 1);
assert.equal(statementsIn('SELECT $$;$$; SELECT $t$ ; $t$ -- ;\n'), 2);
assert.equal(statementsIn("/* ; /* ; */ ; */ SELECT E'\\';', 'it''s;', \"a;\""), 1);

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(mkdtempSync(join(tmpdir(), 'bench-smoke-')), 'RESULTS.md');
execFileSync(process.execPath, [join(root, 'bench', 'run.mjs'), '--smoke', '--out', out], { cwd: root, stdio: 'inherit', timeout: 600_000 });
const results = readFileSync(out, 'utf8');
const sections = [
  '## Targets',
  '## 1. Bank lookup',
  'floor (node:http + pg)',
  'PostGraphile 5',
  '## 2. Household read',
  '## 3. On the wire',
  '## 4. Quotes',
  '## Every round',
  '## 5. Imports',
  'raw `COPY`',
  '## 6. `enrollmentProgress`',
];
const missing = sections.filter((s) => !results.includes(s));
if (missing.length > 0) {
  console.error(`bench smoke: the report lacks ${missing.join(', ')}`);
  process.exit(1);
}
// The floor's lookup is one Bind, Execute and Sync: one statement in one round trip.
if (!results.includes('| floor (node:http + pg) | 1 | 1 | 0 | 0 | 1 | 1 | 1 |')) {
  console.error("bench smoke: the wire counter did not count the floor's lookup as one statement in one round trip");
  process.exit(1);
}
console.log(`bench smoke: every section written (${out})`);
