// A PostgreSQL protocol proxy that counts what a target sends on the wire: statements and round trips,
// BEGIN and COMMIT included. It sits between one target and PostgreSQL in the bench's counting pass
// only; each hop adds latency, so no timed round goes through it.
//
// Client messages counted: Query 'Q', Parse 'P', Bind 'B', Describe 'D', Execute 'E' and Sync 'S'.
// Statements: those of each Query, split as PostgreSQL splits a simple-protocol query, plus one per
// Execute. A round trip is a flush after which the client waits for ReadyForQuery 'Z': it begins when
// the client sends a Query or a Sync while no earlier one is unanswered on that connection (syncs
// pipelined behind it ride the same trip).
import { connect, createServer } from 'node:net';

/** The application name of the API's connection that listens for tenants' changes (src/server/tenant-sync.ts). */
const BACKGROUND_APPLICATION = 'insurance-api-tenants';

/** application_name among a startup message's parameters (name, NUL, value, NUL, …), or null. */
function applicationName(parameters) {
  const fields = parameters.toString('utf8').split('\0');
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'application_name') return fields[i + 1];
  return null;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

/**
 * The statements in a simple-protocol query string: PostgreSQL runs each `;`-separated part outside
 * quotes, quoted identifiers, dollar quotes and comments, and ignores empty ones.
 */
export function statementsIn(sql) {
  let count = 0;
  let content = false;
  for (let i = 0; i < sql.length; i += 1) {
    const c = sql[i];
    if (c === ';') {
      if (content) count += 1;
      content = false;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
    } else if (c === '/' && sql[i + 1] === '*') {
      // Block comments nest in PostgreSQL.
      let depth = 1;
      for (i += 2; i < sql.length && depth > 0; i += 1) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth += 1;
          i += 1;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth -= 1;
          i += 1;
        }
      }
      i -= 1;
    } else if (!/\s/.test(c)) {
      content = true;
      if (c === "'") {
        // E'…' strings take backslash escapes; with standard_conforming_strings others do not.
        const escapes = /[eE]/.test(sql[i - 1] ?? '') && !/[\w$]/.test(sql[i - 2] ?? '');
        for (i += 1; i < sql.length; i += 1) {
          if (escapes && sql[i] === '\\') i += 1;
          else if (sql[i] === "'") {
            if (sql[i + 1] !== "'") break;
            i += 1;
          }
        }
      } else if (c === '"') {
        for (i += 1; i < sql.length; i += 1) {
          if (sql[i] === '"') {
            if (sql[i + 1] !== '"') break;
            i += 1;
          }
        }
      } else if (c === '$' && !/[\w$]/.test(sql[i - 1] ?? '')) {
        const tag = /^\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(sql.slice(i, i + 64));
        if (tag) {
          const end = sql.indexOf(tag[0], i + tag[0].length);
          i = end < 0 ? sql.length : end + tag[0].length - 1;
        }
      }
    }
  }
  return content ? count + 1 : count;
}

const emptyCounts = () => ({ statements: 0, roundTrips: 0, Q: 0, P: 0, B: 0, D: 0, E: 0, S: 0 });

/**
 * Starts a counting proxy on a free local port in front of PostgreSQL at `target` ({ host, port }).
 * `counts()` gives the totals since the last `reset()`; `trace()` the messages since then, a round trip
 * per entry, with the SQL of each Query, Parse and Bind; `quiet()` resolves once every connection has had
 * its answers and nothing moved for `ms` milliseconds.
 */
export async function startWireCounter(target) {
  let totals = emptyCounts();
  let trips = [];
  let lastActivity = Date.now();
  let waiting = 0; // connections with an unanswered Query or Sync
  const sockets = new Set();

  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    let fromClient = Buffer.alloc(0);
    let fromServer = Buffer.alloc(0);
    let startup = true; // the first message (and one after an SSL or GSSENC request) has no type byte
    let bareServerBytes = 0; // the one-byte answers to SSL and GSSENC requests
    let opaque = false; // encrypted after all: passed through uncounted
    let background = false; // serves no request: uncounted, and no activity for quiet()
    let unanswered = 0;
    /** The connection's prepared statements by name ('' the unnamed one), so that a Bind can show its SQL. */
    const prepared = new Map();
    // The messages of the flush being built; in `trips` once the client waits for its answer.
    let current = [];

    const clientMessage = (type, body) => {
      if (!(type in totals)) return; // passwords, Flush, Close, Terminate…
      totals[type] += 1;
      if (type === 'Q') {
        const sql = body.toString('utf8', 0, body.length - 1);
        const n = statementsIn(sql);
        totals.statements += n;
        current.push(`Q×${n}: ${sql.replace(/\s+/g, ' ').trim()}`);
      } else if (type === 'P') {
        const nameEnd = body.indexOf(0);
        const sql = body
          .toString('utf8', nameEnd + 1, body.indexOf(0, nameEnd + 1))
          .replace(/\s+/g, ' ')
          .trim();
        prepared.set(body.toString('utf8', 0, nameEnd), sql);
        current.push(`P: ${sql}`);
      } else if (type === 'B') {
        const portalEnd = body.indexOf(0);
        const name = body.toString('utf8', portalEnd + 1, body.indexOf(0, portalEnd + 1));
        current.push(`B: ${prepared.get(name) ?? `statement ${name}`}`);
      } else {
        if (type === 'E') totals.statements += 1;
        current.push(type);
      }
      if (type === 'Q' || type === 'S') {
        if (unanswered === 0) {
          totals.roundTrips += 1;
          waiting += 1;
          trips.push(current);
        }
        unanswered += 1;
      }
    };

    client.on('data', (chunk) => {
      if (!background) lastActivity = Date.now();
      upstream.write(chunk);
      if (opaque) return;
      fromClient = fromClient.length ? Buffer.concat([fromClient, chunk]) : chunk;
      for (;;) {
        if (startup) {
          if (fromClient.length < 8) return;
          const length = fromClient.readInt32BE(0);
          if (fromClient.length < length) return;
          const code = fromClient.readInt32BE(4);
          const parameters = fromClient.subarray(8, length);
          fromClient = fromClient.subarray(length);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) bareServerBytes += 1;
          else if (code === CANCEL_REQUEST) return;
          else {
            startup = false;
            // The API's tenants' listener serves no request: passed through uncounted, its heartbeat too.
            if (applicationName(parameters) === BACKGROUND_APPLICATION) {
              opaque = background = true;
              return;
            }
          }
          continue;
        }
        if (fromClient.length < 5) return;
        const length = fromClient.readInt32BE(1);
        if (fromClient.length < length + 1) return;
        clientMessage(String.fromCharCode(fromClient[0]), fromClient.subarray(5, length + 1));
        fromClient = fromClient.subarray(length + 1);
      }
    });

    upstream.on('data', (chunk) => {
      if (!background) lastActivity = Date.now();
      client.write(chunk);
      if (opaque) return;
      fromServer = fromServer.length ? Buffer.concat([fromServer, chunk]) : chunk;
      for (;;) {
        if (bareServerBytes > 0) {
          if (fromServer.length < 1) return;
          const answer = String.fromCharCode(fromServer[0]);
          fromServer = fromServer.subarray(1);
          bareServerBytes -= 1;
          if (answer === 'S' || answer === 'G') opaque = true; // encrypted from here on
          if (opaque) return;
          continue;
        }
        if (fromServer.length < 5) return;
        const length = fromServer.readInt32BE(1);
        if (fromServer.length < length + 1) return;
        if (fromServer[0] === 0x5a /* Z */ && unanswered > 0) {
          unanswered -= 1;
          if (unanswered === 0) {
            waiting -= 1;
            current = [];
          }
        }
        fromServer = fromServer.subarray(length + 1);
      }
    });

    const close = () => {
      if (unanswered > 0) waiting -= 1;
      unanswered = 0;
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    reset() {
      totals = emptyCounts();
      trips = [];
    },
    counts: () => ({ ...totals }),
    trace: () => trips.map((t) => [...t]),
    async quiet(ms = 25) {
      while (waiting > 0 || Date.now() - lastActivity < ms) await new Promise((r) => setTimeout(r, 5));
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
