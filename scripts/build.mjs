// `npm run build` (and `npm install`, through `prepare`): compiles the TypeScript into dist/, from
// scratch, so that files moved or removed in src/ leave nothing behind. With --if-stale (before
// `npm start` and each command) it builds only when a source is newer than the last good build, which
// takes a few milliseconds to find out; a running command never runs code older than its sources.
// Plain JavaScript with no dependency but TypeScript itself: it runs before anything is built.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
/** Written after a build without errors; a build that failed leaves none, so the next start tries again. */
export const STAMP = join(dist, '.build-stamp');

/** The newest source the build reads: tsconfig.build.json's folders and files, what they import, the configs. */
export function newestSource() {
  const config = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8'));
  const roots = [...(config.include ?? []), 'schema/generated', 'tsconfig.json', 'tsconfig.build.json'];
  let newest = { file: null, mtimeMs: 0 };
  const visit = (path) => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) if (entry !== 'node_modules') visit(join(path, entry));
    } else if (/\.(ts|json)$/.test(path) && stat.mtimeMs > newest.mtimeMs) {
      newest = { file: relative(root, path), mtimeMs: stat.mtimeMs };
    }
  };
  for (const entry of roots) visit(join(root, entry));
  return newest;
}

function build(reason) {
  const started = Date.now();
  process.stderr.write(`building… (${reason})\n`);
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    process.stderr.write('cannot build: TypeScript is not installed here; run npm install (or npm ci) in this folder first\n');
    process.exit(1);
  }
  rmSync(dist, { recursive: true, force: true });
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write('the build failed: the TypeScript errors are above\n');
    process.exit(result.status ?? 1);
  }
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  process.stderr.write(`built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!process.argv.includes('--if-stale')) build(process.env.npm_lifecycle_event === 'prepare' ? 'at install' : 'npm run build');
  else if (!existsSync(join(root, 'src'))) {
    // An image with dist/ alone (the Dockerfile's runtime stage): nothing to build from.
    if (!existsSync(STAMP)) {
      process.stderr.write('there is neither a build (dist/) nor the sources (src/) here\n');
      process.exit(1);
    }
  } else if (!existsSync(STAMP)) build('no build yet');
  else {
    const newest = newestSource();
    if (newest.mtimeMs > statSync(STAMP).mtimeMs) build(`${newest.file} changed since the last build`);
  }
}
