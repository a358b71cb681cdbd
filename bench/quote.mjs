// Quotes in-process, on one core: how many the policy engine answers per second, and how many the
// GraphQL layer answers on top of it (the portal's quote executed against the schema, parsed and validated
// once, no HTTP). The HTTP figure, quotes per CPU-second of the server, is bench/run.mjs's; this one
// says where the time goes without a network or a load generator sharing the machine.
//
//   npm run bench:quote [-- --rounds 10 --seconds 2 --mode engine|graphql|both]
//
// Each round runs the same mix of requests (the bench's: 平利县 2022 paid on 2021-11-01, without assistance,
// 低保, 重度残疾 + 低保, 特困) for a fixed time after a warm-up; the report gives the median over rounds and
// the range. Figures depend on the machine's load: note `uptime` beside them. For a profile:
//   node --cpu-prof --cpu-prof-dir=/tmp/quote-prof bench/quote.mjs --rounds 3
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';

const { values: options } = parseArgs({
  options: {
    rounds: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '2' },
    mode: { type: 'string', default: 'both' },
    // Another build to measure (an older commit's dist/, copied inside the project so that its
    // node_modules resolve), to compare two versions in the same conditions.
    dist: { type: 'string', default: new URL('../dist/', import.meta.url).pathname },
  },
});
const dist = `${resolve(options.dist)}/src/`;
// Modules as the build resolves them: bench/node_modules holds the peers' own graphql, which the
// schema's types would not recognise.
const require = createRequire(`${dist}main.js`);
const ROUNDS = Number(options.rounds);
const SECONDS = Number(options.seconds);
const MODES = options.mode === 'both' ? ['engine', 'graphql'] : [options.mode];

require('reflect-metadata');
const { loadConfig } = require(`${dist}common/config.js`);
const { loadTenants } = require(`${dist}policy-data/loader.js`);
const { PolicyEngine } = require(`${dist}policy-engine/policy-engine.js`);
const { RequestContext } = require(`${dist}context/request-context.js`);
const { appSchema } = require(`${dist}server/schema.js`);
const { execute, parse, validate } = require('graphql');

const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
const { catalog } = loadTenants(config.tenantsDir);
const policyEngine = new PolicyEngine();
const tenant = catalog.get('610926');
const policy = tenant.policyFor(2022);
const CATEGORIES = [[], ['DIBAO'], ['SEVERE_DISABILITY', 'DIBAO'], ['EXTREME_POVERTY']];

// The bench's quote query (bench/run.mjs), as the portal asks it.
const QUOTE = parse(
  'query($c: [AssistanceCategory!]) { quote(input: { tenant: "610926", coverageYear: 2022, paymentDate: "2021-11-01", categories: $c }) { amountDue subsidy reimbursement coverage { start end } explanation { rule } } }',
);
const schema = appSchema();
const problems = validate(schema, QUOTE);
if (problems.length) throw new Error(problems.map((p) => p.message).join('; '));
const app = { config, catalog, policyEngine, pool: null, log: { info() {}, error() {} }, metrics: null, events: null };

const run = {
  engine: (i) => policyEngine.quote(tenant, policy, { paymentDate: '2021-11-01', categories: CATEGORIES[i % 4] }),
  graphql: async (i) => {
    const result = await execute({ schema, document: QUOTE, variableValues: { c: CATEGORIES[i % 4] }, contextValue: new RequestContext(app, {}) });
    if (result.errors) throw result.errors[0];
    return result;
  },
};

/** Calls per second of `fn` over `seconds`, checking the clock every 256 calls. */
async function measure(fn, seconds) {
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  let n = 0;
  for (;;) {
    for (let k = 0; k < 256; k += 1) await fn(n++);
    if (process.hrtime.bigint() >= end) break;
  }
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  return { perSecond: n / wall, perCpuSecond: n / ((cpu.user + cpu.system) / 1e6) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const n0 = (x) => Math.round(x).toLocaleString('en');

console.log(
  `quotes in-process (${dist}): ${ROUNDS} rounds of ${SECONDS} s per mode, interleaved; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
for (const mode of MODES) await measure(run[mode], 1); // warm-up: the JIT settles
const results = Object.fromEntries(MODES.map((m) => [m, []]));
for (let r = 0; r < ROUNDS; r += 1) {
  for (const mode of MODES) results[mode].push(await measure(run[mode], SECONDS));
}
for (const mode of MODES) {
  const perSecond = results[mode].map((x) => x.perSecond);
  const perCpu = results[mode].map((x) => x.perCpuSecond);
  console.log(
    `${mode.padEnd(8)} ${n0(median(perSecond))} per second (${n0(Math.min(...perSecond))}–${n0(Math.max(...perSecond))}); ` +
      `${n0(median(perCpu))} per CPU-second (${n0(Math.min(...perCpu))}–${n0(Math.max(...perCpu))})`,
  );
}
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
