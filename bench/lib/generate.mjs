// Deterministic test data for one tenant, loaded with COPY: residents with valid ID numbers, households
// of 1–8, about 10% with assistance identities, enrolments (90%, of which 95% paid), payments and
// subsidy grants, with the amounts of 平利's notice. Same seed, same data.
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';

const require = createRequire(import.meta.url);
const { makeResidentId } = require('../../dist/src/domains/residents/id-number.js');
const { addDays } = require('../../dist/src/common/dates.js');

/** mulberry32: a small deterministic generator. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The i-th person's ID number in a county: unique for i below 25 million. */
export function idNumberOf(county, i) {
  return makeResidentId(county, addDays('1940-01-01', i % 25_000), Math.floor(i / 25_000) % 1000);
}

const uuidOf = (n) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

async function copy(client, table, columns, rows, { analyze = true } = {}) {
  const source = Readable.from(
    (function* () {
      let chunk = [];
      for (const row of rows) {
        chunk.push(row.map((v) => (v === null ? '\\N' : String(v))).join('\t'));
        if (chunk.length === 5000) {
          yield `${chunk.join('\n')}\n`;
          chunk = [];
        }
      }
      if (chunk.length) yield `${chunk.join('\n')}\n`;
    })(),
  );
  await pipeline(source, client.query(copyStreams.from(`COPY ${table} (${columns.join(', ')}) FROM STDIN`)));
  // Fresh statistics before the next table's foreign keys look these rows up one by one; without them
  // the planner takes the table for empty and scans it for every row (100,000 residents: minutes).
  if (analyze) await client.query(`ANALYZE ${table}`);
}

const CATEGORIES = [
  // [category, share of all people, subsidy fen, mode]: 平利 2022 (三（一）)
  ['DIBAO', 0.04, 16000, 'REIMBURSEMENT'],
  ['SEVERE_DISABILITY', 0.02, 7000, 'REIMBURSEMENT'],
  ['AT_RISK_UNSTABLE_LIFTED', 0.02, 7000, 'REIMBURSEMENT'],
  ['RETURNED_TO_POVERTY', 0.01, 16000, 'REIMBURSEMENT'],
  ['EXTREME_POVERTY', 0.01, 32000, 'FULL_SPONSORSHIP'],
];
const CHANNELS = ['税务代征', '农商银行', '微信', '支付宝'];

/**
 * 平利 (610926), year of cover 2022: `residents` people in households across its 11 towns.
 * Returns a sample of ID numbers and household ids for the load to pick from. The ID numbers are of
 * people enrolled and paid: their amount due is the one stored, so the floor can answer for them
 * without the policy engine, which the API runs for a person unpaid or not enrolled.
 */
export async function generateTenantData(client, { residents, seed = 20211015 }) {
  const tenant = '610926';
  const random = prng(seed);
  const towns = Array.from({ length: 11 }, (_, i) => `610926-${String(i + 1).padStart(2, '0')}`);
  const households = [];
  const people = [];
  for (let i = 0, h = 0; i < residents; h += 1) {
    const size = 1 + Math.floor(random() * 8);
    const region = towns[Math.floor(random() * towns.length)];
    households.push([tenant, uuidOf(h), `PL-${h}`, region, null]);
    for (let k = 0; k < size && i < residents; k += 1, i += 1) {
      const r = random();
      let acc = 0;
      const category = CATEGORIES.find(([, share]) => (acc += share) > r) ?? null;
      const enrolled = random() < 0.9;
      const paid = enrolled && random() < 0.95;
      const paidOn = addDays('2021-10-15', Math.floor(random() * 72));
      people.push({
        i,
        household: h,
        region,
        relationship: k === 0 ? '户主' : '子女',
        category,
        enrolled,
        paid,
        paidOn,
        channel: CHANNELS[Math.floor(random() * CHANNELS.length)],
      });
    }
  }
  const id = (p) => idNumberOf(tenant, p.i);
  await client.query('BEGIN');
  await client.query("SELECT set_config('app.tenant', $1, true)", [tenant]);
  await copy(client, 'household', ['tenant_code', 'id', 'booklet_no', 'region_code', 'address'], households);
  await copy(
    client,
    'resident',
    ['tenant_code', 'id_number', 'name', 'sex', 'birth_date', 'household_id', 'relationship', 'hukou_place'],
    people.map((p) => {
      const n = id(p);
      return [
        tenant,
        n,
        `居民${p.i}`,
        Number(n[16]) % 2 ? 'MALE' : 'FEMALE',
        `${n.slice(6, 10)}-${n.slice(10, 12)}-${n.slice(12, 14)}`,
        uuidOf(p.household),
        p.relationship,
        '610926',
      ];
    }),
  );
  await copy(
    client,
    'assistance_identity',
    ['tenant_code', 'id_number', 'category', 'certified_by', 'valid_from', 'recorded_by'],
    people.filter((p) => p.category).map((p) => [tenant, id(p), p.category[0], '县民政局', '2021-06-01', 'bench']),
  );
  const amounts = (p) => {
    const [, , subsidy, mode] = p.category ?? [null, 0, 0, null];
    const full = mode === 'FULL_SPONSORSHIP';
    return { subsidy, mode, due: full ? 0 : 32000 };
  };
  await copy(
    client,
    'enrollment',
    [
      'tenant_code',
      'id_number',
      'coverage_year',
      'status',
      'enrolled_on',
      'region_code',
      'standard_contribution',
      'subsidy',
      'applied_category',
      'subsidy_mode',
      'amount_due',
      'late',
      'paid_on',
      'amount_paid',
      'cover_start',
      'cover_end',
    ],
    people
      .filter((p) => p.enrolled)
      .map((p) => {
        const a = amounts(p);
        return [
          tenant,
          id(p),
          2022,
          p.paid ? 'PAID' : 'UNPAID',
          p.paidOn,
          p.region,
          32000,
          a.subsidy,
          p.category?.[0] ?? null,
          a.mode,
          a.due,
          'false',
          p.paid ? p.paidOn : null,
          p.paid ? a.due : null,
          p.paid ? '2022-01-01' : null,
          p.paid ? '2022-12-31' : null,
        ];
      }),
  );
  await copy(
    client,
    'payment',
    ['tenant_code', 'receipt_no', 'id_number', 'coverage_year', 'amount', 'paid_on', 'channel', 'recorded_by'],
    people.filter((p) => p.paid && amounts(p).due > 0).map((p) => [tenant, `PL22-${p.i}`, id(p), 2022, amounts(p).due, p.paidOn, p.channel, 'bench']),
  );
  // A reimbursement is DUE: 平利's notice names no month to pay it back in, so no payout month (the API
  // writes the same for a payment it records).
  await copy(
    client,
    'subsidy_grant',
    ['tenant_code', 'id_number', 'coverage_year', 'category', 'mode', 'kind', 'amount', 'granted_on', 'status', 'funding'],
    people
      .filter((p) => p.paid && p.category)
      .map((p) => {
        const a = amounts(p);
        return [
          tenant,
          id(p),
          2022,
          p.category[0],
          a.mode,
          'AT_PAYMENT',
          a.subsidy,
          p.paidOn,
          a.mode === 'REIMBURSEMENT' ? 'DUE' : 'SETTLED',
          JSON.stringify([{ source: 'MEDICAL_ASSISTANCE_FUND', name: '医疗救助资金', amount: a.subsidy }]),
        ];
      }),
  );
  await client.query('COMMIT');
  const sample = (list, n) => Array.from({ length: n }, () => list[Math.floor(random() * list.length)]);
  return {
    residents: people.length,
    households: households.length,
    enrolled: people.filter((p) => p.enrolled).length,
    paid: people.filter((p) => p.paid).length,
    assisted: people.filter((p) => p.category).length,
    lookupIds: sample(
      people.filter((p) => p.paid),
      2000,
    ).map(id),
    householdIds: sample(households, 500).map((h) => h[1]),
  };
}

/**
 * People registered without enrolment in another tenant, to receive imported payments. It returns
 * nothing: registeredIds() makes their ID numbers when the imports need them, so that the load client
 * does not hold a full run's 2,200,000 strings through the rounds (a heap of about 800 MB: its
 * scavenges took 10–17 ms, a full collection of it 200 ms and more).
 */
export async function generateRegistered(client, { tenant, count, offset = 0 }) {
  await client.query('BEGIN');
  await client.query("SELECT set_config('app.tenant', $1, true)", [tenant]);
  await copy(
    client,
    'resident',
    ['tenant_code', 'id_number', 'name', 'hukou_place'],
    Array.from({ length: count }, (_, k) => [tenant, idNumberOf(tenant, offset + k), `居民${offset + k}`, tenant]),
  );
  await client.query('COMMIT');
}

/** The ID numbers of the people generateRegistered registered, from the `from`th, `count` of them. */
export const registeredIds = (tenant, from, count) => Array.from({ length: count }, (_, k) => idNumberOf(tenant, from + k));

export { copy };
