/**
 * PostgreSQL servers and PgBouncer started by a test from the machine's own packages (Debian's
 * postgresql and pgbouncer; .ci/run installs them): a primary with a streaming standby made by
 * pg_basebackup, and a pooler in transaction mode. Under root they run as the `postgres` account,
 * as PostgreSQL and PgBouncer refuse root. Everything lives in one temporary folder, removed at the end.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The newest Debian PostgreSQL whose bin folder has pg_basebackup beside initdb, pg_ctl and postgres. */
export function postgresBinaries(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = join(root, v, 'bin');
    if (['pg_basebackup', 'initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(bin, b)))) return bin;
  }
  return null;
}

export function pgbouncerBinary(): string | null {
  return ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer'].find((p) => existsSync(p)) ?? null;
}

interface Account {
  uid: number;
  gid: number;
}

/** The account servers run as: the `postgres` user under root, else whoever runs the tests. */
function serverAccount(): Account | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const [uid, gid] = [id('-u'), id('-g')];
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0)
    throw new Error('running as root needs a postgres account to run PostgreSQL and PgBouncer (apt-get install postgresql creates it)');
  return { uid, gid };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A scratch folder that the server account can use. */
export class Workspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'insurance-local-pg-'));
  readonly account = serverAccount();

  constructor() {
    chmodSync(this.dir, 0o755);
    if (this.account) chownSync(this.dir, this.account.uid, this.account.gid);
  }

  run(file: string, args: string[], options: { env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
    const result = spawnSync(file, args, { encoding: 'utf8', cwd: this.dir, env: { ...process.env, ...options.env }, ...(this.account ?? {}) });
    if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} failed: ${result.stderr || result.stdout || result.error?.message}`);
    return result;
  }

  write(name: string, content: string, mode = 0o644): string {
    const file = join(this.dir, name);
    writeFileSync(file, content, { mode });
    if (this.account) chownSync(file, this.account.uid, this.account.gid);
    return file;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function query<Row extends object = Record<string, unknown>>(url: string, sql: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}

/**
 * A primary and its streaming standby (pg_basebackup -R), on loopback, trusting local connections
 * (test data only), with a database `insurance` on both.
 */
export class StreamingPair {
  private constructor(
    private readonly ws: Workspace,
    private readonly bin: string,
    readonly primaryPort: number,
    readonly standbyPort: number,
  ) {}

  static async start(bin: string): Promise<StreamingPair> {
    const ws = new Workspace();
    const pair = new StreamingPair(ws, bin, await freePort(), await freePort());
    try {
      ws.run(join(bin, 'initdb'), ['-D', join(ws.dir, 'primary'), '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8', '--auth=trust']);
      ws.write(
        'primary.conf',
        `listen_addresses = '127.0.0.1'\nport = ${pair.primaryPort}\nunix_socket_directories = '${ws.dir}'\nwal_level = replica\nmax_wal_senders = 5\nmax_replication_slots = 5\n` +
          'hot_standby = on\nhot_standby_feedback = on\nwal_receiver_status_interval = 1s\nfsync = off\nsynchronous_commit = on\nmax_connections = 60\n',
      );
      ws.run('sh', ['-c', `cat "${join(ws.dir, 'primary.conf')}" >> "${join(ws.dir, 'primary', 'postgresql.conf')}"`]);
      pair.pgCtl('primary', 'start');
      await query(pair.url('primary', 'postgres'), 'CREATE DATABASE insurance');
      await query(pair.url('primary', 'postgres'), "SELECT pg_create_physical_replication_slot('standby1')");
      ws.run(join(bin, 'pg_basebackup'), [
        '-h',
        '127.0.0.1',
        '-p',
        String(pair.primaryPort),
        '-U',
        'postgres',
        '-D',
        join(ws.dir, 'standby'),
        '-X',
        'stream',
        '-S',
        'standby1',
        '-R',
        '-c',
        'fast',
      ]);
      ws.run('sh', ['-c', `printf "port = ${pair.standbyPort}\\n" >> "${join(ws.dir, 'standby', 'postgresql.auto.conf')}"`]);
      pair.pgCtl('standby', 'start');
      return pair;
    } catch (err) {
      await pair.stop();
      throw err;
    }
  }

  url(node: 'primary' | 'standby', database = 'insurance', user = 'postgres'): string {
    return `postgres://${user}@127.0.0.1:${node === 'primary' ? this.primaryPort : this.standbyPort}/${database}`;
  }

  pgCtl(node: 'primary' | 'standby', action: 'start' | 'stop'): void {
    const args =
      action === 'start'
        ? ['-D', join(this.ws.dir, node), '-l', join(this.ws.dir, `${node}.log`), '-w', '-t', '60', 'start']
        : ['-D', join(this.ws.dir, node), '-m', 'fast', '-w', 'stop'];
    this.ws.run(join(this.bin, 'pg_ctl'), args);
  }

  /** Runs SQL on one of the two, as the superuser. */
  query<Row extends object = Record<string, unknown>>(node: 'primary' | 'standby', sql: string): Promise<Row[]> {
    return query<Row>(this.url(node), sql);
  }

  /** Waits until the standby has replayed everything the primary has written by now. */
  async caughtUp(timeoutMs = 20_000): Promise<void> {
    const [{ lsn }] = await this.query<{ lsn: string }>('primary', 'SELECT pg_current_wal_lsn()::text AS lsn');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [{ done }] = await this.query<{ done: boolean }>('standby', `SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn AS done`);
      if (done) return;
      if (Date.now() > deadline) throw new Error('the standby did not catch up');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    for (const node of ['standby', 'primary'] as const) {
      if (existsSync(join(this.ws.dir, node, 'postmaster.pid'))) {
        try {
          this.pgCtl(node, 'stop');
        } catch {
          // already stopped
        }
      }
    }
    this.ws.remove();
  }
}

/** PgBouncer in transaction mode in front of one database, letting in one user with its password. */
export class Bouncer {
  private constructor(
    private readonly ws: Workspace,
    readonly port: number,
  ) {}

  static async start(
    binary: string,
    backend: { host: string; port: number; database: string; user: string; password: string },
    poolSize: number,
  ): Promise<Bouncer> {
    const ws = new Workspace();
    const bouncer = new Bouncer(ws, await freePort());
    try {
      ws.write('userlist.txt', `"${backend.user}" "${backend.password}"\n`, 0o600);
      const ini = ws.write(
        'pgbouncer.ini',
        [
          '[databases]',
          `${backend.database} = host=${backend.host} port=${backend.port} dbname=${backend.database}`,
          '[pgbouncer]',
          'listen_addr = 127.0.0.1',
          `listen_port = ${bouncer.port}`,
          `unix_socket_dir = ${ws.dir}`,
          // The client's password is checked against the file and reused to log in to the server.
          'auth_type = plain',
          `auth_file = ${join(ws.dir, 'userlist.txt')}`,
          'pool_mode = transaction',
          `default_pool_size = ${poolSize}`,
          'max_client_conn = 500',
          // 'options' is not ignored: a client that sends -c statement_timeout=… is refused, not silently run without it.
          'ignore_startup_parameters = extra_float_digits',
          `logfile = ${join(ws.dir, 'pgbouncer.log')}`,
          `pidfile = ${join(ws.dir, 'pgbouncer.pid')}`,
          '',
        ].join('\n'),
      );
      ws.run(binary, ['-d', ini]);
      for (let i = 0; i < 100 && !existsSync(join(ws.dir, 'pgbouncer.pid')); i++) await new Promise((r) => setTimeout(r, 50));
      return bouncer;
    } catch (err) {
      bouncer.stop();
      throw err;
    }
  }

  stop(): void {
    const pidFile = join(this.ws.dir, 'pgbouncer.pid');
    if (existsSync(pidFile)) {
      const pid = Number(spawnSync('cat', [pidFile], { encoding: 'utf8' }).stdout.trim());
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGINT');
        } catch {
          // gone already
        }
      }
    }
    this.ws.remove();
  }
}
