// The floor: the smallest code that answers the API's two questions with the API's own JSON, through
// node:http and pg, one prepared SELECT each, in no transaction (PostgreSQL's implicit one per Sync).
//   GET /status?id=…&year=… — the bank's BankEnrollmentStatus (schema/operations/bank.graphql);
//   GET /household?id=…     — a household with its members, their enrolments and subsidies.
// What it leaves out, by design: authentication, the tenant from a token, input checks, row-level
// security (it reads as a role that bypasses it), the audit of personal reads, and the policy engine.
// So it answers a lookup only where the API's answer needs no policy: a person not registered, or
// enrolled and not UNPAID (the amount due is then the one stored). Anyone else gets 501, never a
// guess; the bench looks up paid people only and checks the floor's answers against the API's.
// Usage: READER_DATABASE_URL=… PORT=… TENANT=… node bench/peers/floor.mjs
import { createServer } from 'node:http';
import pg from 'pg';
import { maskIdNumber as maskId, maskName, money } from '../lib/present.mjs';

const tenant = process.env.TENANT;
// Dates as the API gives them ("YYYY-MM-DD"); bigint money stays a string until formatted.
const types = { getTypeParser: (oid, format) => (oid === pg.types.builtins.DATE ? (v) => v : pg.types.getTypeParser(oid, format)) };
// No connection closes while idle. With pg's default of 10 s the floor closed them while the other targets
// ran, and began its run at 70% of its peak reconnecting (each connection authenticated and its statement
// prepared again), 270–520 ms behind in its first seconds. The API keeps PG_POOL_KEEP_IDLE (2) of its own
// open through a lull; the floor keeps all of its: whatever a lull costs, it costs the floor nothing.
const size = Number(process.env.PG_POOL_SIZE ?? 10);
const pool = new pg.Pool({ connectionString: process.env.READER_DATABASE_URL, max: size, min: size, idleTimeoutMillis: 30_000, types });
pool.on('error', () => {});

const STATUS = {
  name: 'floor_status',
  text: `SELECT r.name, e.status, e.amount_due, e.amount_paid, e.cover_start, e.cover_end
           FROM resident r
           LEFT JOIN enrollment e ON e.tenant_code = r.tenant_code AND e.id_number = r.id_number AND e.coverage_year = $3
          WHERE r.tenant_code = $1 AND r.id_number = $2`,
};
// Members in the API's order (the head first, then by ID number), enrolments by year, grants by id.
const HOUSEHOLD = {
  name: 'floor_household',
  text: `SELECT h.booklet_no, r.id_number, r.name, e.coverage_year, e.status, e.amount_paid, g.amount, g.status AS grant_status
           FROM household h
           LEFT JOIN resident r ON r.tenant_code = h.tenant_code AND r.household_id = h.id
           LEFT JOIN enrollment e ON e.tenant_code = r.tenant_code AND e.id_number = r.id_number
           LEFT JOIN subsidy_grant g ON g.tenant_code = e.tenant_code AND g.id_number = e.id_number AND g.coverage_year = e.coverage_year
          WHERE h.tenant_code = $1 AND h.id = $2
          ORDER BY r.relationship = '户主' DESC, r.id_number, e.coverage_year, g.id`,
};

async function status(params) {
  const id = params.get('id');
  const { rows } = await pool.query({ ...STATUS, values: [tenant, id, Number(params.get('year'))] });
  const [row] = rows;
  if (!row)
    return {
      status: 'NOT_ENROLLED',
      amountDue: null,
      amountDueNote: 'not registered in this tenant',
      amountPaid: null,
      coverage: null,
      idNumberMasked: maskId(id),
      nameMasked: null,
    };
  if (row.status === null || row.status === 'UNPAID') return null;
  return {
    status: row.status,
    amountDue: money(row.amount_due),
    amountDueNote: null,
    amountPaid: money(row.amount_paid),
    coverage: row.cover_start && row.cover_end ? { start: row.cover_start, end: row.cover_end } : null,
    idNumberMasked: maskId(id),
    nameMasked: maskName(row.name),
  };
}

async function household(params) {
  const { rows } = await pool.query({ ...HOUSEHOLD, values: [tenant, params.get('id')] });
  if (rows.length === 0) return null;
  const members = [];
  let member = null;
  let enrollment = null;
  for (const r of rows) {
    if (r.id_number === null) continue;
    if (member?.idNumber !== r.id_number) {
      members.push((member = { idNumber: r.id_number, name: r.name, enrollments: [] }));
      enrollment = null;
    }
    if (r.coverage_year === null) continue;
    if (enrollment?.coverageYear !== r.coverage_year)
      member.enrollments.push((enrollment = { coverageYear: r.coverage_year, status: r.status, amountPaid: money(r.amount_paid), subsidies: [] }));
    if (r.amount !== null) enrollment.subsidies.push({ amount: money(r.amount), status: r.grant_status });
  }
  return { bookletNo: rows[0].booklet_no, members };
}

createServer(async (req, res) => {
  const url = new URL(req.url, 'http://floor');
  try {
    if (url.pathname === '/status') {
      const answer = await status(url.searchParams);
      if (!answer) {
        res.writeHead(501, { 'content-type': 'text/plain' });
        return res.end('the amount due of a person not enrolled or unpaid needs the policy engine\n');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ data: { enrollmentStatus: answer } }));
    }
    if (url.pathname === '/household') {
      const answer = await household(url.searchParams);
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ data: { household: answer } }));
    }
    res.writeHead(404);
    res.end();
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(err));
  }
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
// A clean exit on SIGTERM, so that a CPU profile asked with --cpu-prof is written.
process.on('SIGTERM', () => process.exit(0));
