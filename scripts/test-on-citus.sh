#!/usr/bin/env bash
# Runs the integration suite against a Citus cluster (docs/scale.md, "On a real cluster").
#
#   DATABASE_URL=postgres://postgres:…@coordinator:5432/insurance scripts/test-on-citus.sh [jest arguments]
#
# DATABASE_URL: a superuser of the coordinator, on a database that has the citus extension, with the
# coordinator and its workers registered (citus_set_coordinator_host, citus_add_node) and the nodes'
# credentials in pg_dist_authinfo. Every node must accept the same user and password from this machine.
# Citus itself is not built or installed here: this script expects a running cluster.
#
# Each test file gets a Citus database of its own (created on every node, migrated: its tables are
# distributed as a deployment's would be), dropped afterwards; see test/helpers/test-databases.ts.
# Ends with "N passed, N failed" and the failing tests' names; the full report is in the JSON file named.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?set DATABASE_URL to a superuser connection of a Citus coordinator}"

node -e '
const pg = require("pg");
(async () => {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const version = (await client.query("SELECT extversion FROM pg_extension WHERE extname = $1", ["citus"])).rows[0];
  if (!version) throw new Error("DATABASE_URL has no citus extension");
  const workers = (await client.query("SELECT node_name, node_port FROM citus_get_active_worker_nodes() ORDER BY 1, 2")).rows;
  const server = (await client.query("SHOW server_version")).rows[0].server_version;
  console.log(`Citus ${version.extversion} on PostgreSQL ${server}, workers: ${workers.map((w) => `${w.node_name}:${w.node_port}`).join(", ") || "none"}`);
  await client.end();
})().catch((err) => { console.error(`cannot use DATABASE_URL: ${err.message}`); process.exit(2); });
'

[ -d dist ] || npm run build --json=false
report="${CITUS_TEST_REPORT:-$(mktemp --suffix=.json)}"
status=0
# Each test server's database is created on every node and migrated, its tables distributed: on a
# busy 2-core machine that alone took minutes, past jest's 60 s for a hook. The timeout is raised
# for every test and hook (CITUS_TEST_TIMEOUT_MS); tests with a timeout of their own keep it.
npx jest --selectProjects integration --testTimeout="${CITUS_TEST_TIMEOUT_MS:-300000}" --json --outputFile="$report" "$@" || status=$?
# A failing global teardown (the SQL rules check) stops jest before it writes the report.
[ -s "$report" ] || { echo "no report from jest (see its output above)"; exit "${status:-1}"; }
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped (report: ${process.argv[1]})`);
for (const file of r.testResults) for (const t of file.assertionResults) if (t.status === "failed") console.log(`  failed: ${file.name.replace(process.cwd() + "/", "")}: ${t.fullName}`);
' "$report"
exit "$status"
