// `npm run dev`: the compiler watching src/, and the server restarted on each build without errors.
// The compiler says "Found N errors. Watching for file changes." after every build; only then, and only
// with none, does the running server stop (draining, as on SIGTERM) and the new build start.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { STAMP } from './build.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiler = spawn(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--watch', '--preserveWatchOutput'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});

let server = null;
let restarting = Promise.resolve();

function restart() {
  restarting = restarting.then(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const stopped = new Promise((resolve) => server.once('exit', resolve));
      server.replaced = true;
      server.kill('SIGTERM');
      await stopped;
    }
    process.stderr.write('dev: starting the server on the new build\n');
    const started = spawn(process.execPath, ['--enable-source-maps', join(root, 'dist', 'src', 'main.js')], { cwd: root, stdio: 'inherit' });
    started.once('exit', (code, signal) => {
      if (!started.replaced) process.stderr.write(`dev: the server stopped (${signal ?? `exit code ${code}`}); it starts again after the next good build\n`);
    });
    server = started;
  });
}

createInterface({ input: compiler.stdout }).on('line', (line) => {
  process.stderr.write(`${line}\n`);
  const found = /Found (\d+) errors?\. Watching for file changes/.exec(line);
  if (!found) return;
  if (found[1] === '0') {
    writeFileSync(STAMP, `${new Date().toISOString()}\n`);
    restart();
  } else process.stderr.write('dev: the server keeps running the last good build\n');
});

const stop = () => {
  compiler.kill('SIGTERM');
  if (server && server.exitCode === null && server.signalCode === null) {
    server.replaced = true;
    server.once('exit', () => process.exit(0)).kill('SIGTERM');
  } else process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
