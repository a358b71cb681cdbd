/**
 * The benchmark runs (it is not a test of speed: `npm run bench` measures, and writes bench/RESULTS.md).
 * A tiny run: 2,000 residents, 2,000 imported payments, one-second loads, every scenario and peer.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

it('runs every scenario beside its peers and writes the results', () => {
  execFileSync('npm', ['--prefix', 'bench', 'ci', '--loglevel=error'], { cwd: root, stdio: 'ignore' });
  const out = join(mkdtempSync(join(tmpdir(), 'bench-smoke-')), 'RESULTS.md');
  execFileSync(process.execPath, [join(root, 'bench', 'run.mjs'), '--smoke', '--out', out], { cwd: root, stdio: 'ignore', timeout: 240_000 });
  const results = readFileSync(out, 'utf8');
  for (const section of ['## Targets', '## 1. Bank lookup', 'bare node:http + pg', 'PostGraphile 5', '## 2. A household', '## 3. Quotes', '## 4. Imports', 'raw `COPY`', '## 5. `enrollmentProgress`']) {
    expect(results).toContain(section);
  }
}, 300_000);
