// Load at a fixed rate, open loop: request i is due at start + i / rate whatever the answers before it,
// and its latency runs from when it was due, not from when a connection was free to send it. So a target
// that falls behind shows its backlog in the percentiles (no coordinated omission). autocannon's rate
// option is no such thing: each connection sends back to back until that second's quota is spent, then
// waits for the next second, so "70% of peak" there is full load for 70% of each second.
//
// The client shares the two cores with the target, so it is kept as cheap as autocannon: HTTP/1.1 over
// plain keep-alive sockets, each request written as one buffer, and of each answer only the status and
// where it ends are read (Content-Length or chunked framing). node:http's client cost about twice
// autocannon's CPU per request, enough for the floor itself to fall behind at 70% of its own peak.
import net from 'node:net';
import { performance } from 'node:perf_hooks';

function percentile(sorted, p) {
  return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 10) / 10 : null;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/**
 * Where the first complete HTTP response in `buffer` ends and its status, or null while it is incomplete.
 * Answers are framed by Content-Length or chunked transfer coding (no trailers); anything else is an error.
 */
function responseEnd(buffer) {
  const headerEnd = buffer.indexOf(HEADER_END);
  if (headerEnd < 0) return null;
  const status = Number(buffer.toString('latin1', 9, 12));
  const head = buffer.toString('latin1', 0, headerEnd).toLowerCase();
  const length = /\r\ncontent-length:\s*(\d+)/.exec(head);
  let at = headerEnd + 4;
  if (length) {
    const end = at + Number(length[1]);
    return end <= buffer.length ? { end, status } : null;
  }
  if (!/\r\ntransfer-encoding:\s*chunked/.test(head)) throw new Error(`an answer framed neither by length nor by chunks: ${head.slice(0, 200)}`);
  for (;;) {
    const lineEnd = buffer.indexOf(CRLF, at);
    if (lineEnd < 0) return null;
    const sizeText = buffer.toString('latin1', at, lineEnd);
    const size = parseInt(sizeText, 16);
    if (!/^[0-9a-fA-F]/.test(sizeText) || !Number.isInteger(size))
      throw new Error(`open loop: a chunk size that is not one: ${JSON.stringify(sizeText.slice(0, 40))}`);
    at = lineEnd + 2 + size + 2; // the chunk and its CRLF; after the last (empty) chunk, the final CRLF
    if (at > buffer.length) return null;
    if (size === 0) return { end: at, status };
  }
}

/**
 * Sends `rate` requests a second for `duration` seconds (or `amount` requests) over at most
 * `connections` keep-alive connections; `body()` and `path()` make each request's body and path.
 * Resolves with the rate achieved, the errors (non-2xx, failed), the share of the answers that came by a
 * second after the last request was due (`answeredInTime`: below 1, the target fell behind) and the
 * latency percentiles in ms. A request unanswered `timeoutMs` after it was sent fails (`timedOut`
 * counts those): its connection is closed, so a target that stops answering ends the run with errors
 * instead of hanging it.
 */
export function openLoop({ url, method = 'POST', headers = {}, body, path, rate, duration, amount, connections = 16, timeoutMs = 30_000 }) {
  const target = new URL(url);
  const fixedHeaders = Object.entries({ host: target.host, ...headers })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const total = amount ?? Math.max(1, Math.round(rate * duration));
  const latencies = new Float64Array(total);
  let sent = 0;
  let done = 0;
  let errors = 0;
  let timedOut = 0;
  const start = performance.now() + 5;
  const startedAt = new Date(Date.now() + 5).toISOString();
  const dueAt = (i) => start + (i * 1000) / rate;
  /** Requests due while every connection was busy, oldest first, each waiting for a free one; the first `takenFromQueue` have gone (an index, not shift(): a backlog of thousands must not cost the client more). */
  const queue = [];
  let takenFromQueue = 0;
  const idle = [];
  let opened = 0;

  return new Promise((resolve, reject) => {
    const all = new Set();
    let stopped = false;
    /** Answers that came by a second after the last request was due: a target that keeps up answers them all. */
    let answeredInTime = 0;
    const stop = (err) => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      clearInterval(sweep);
      for (const c of all) c.socket.destroy();
      reject(err);
    };
    const finished = (i, ok) => {
      const now = performance.now();
      latencies[i] = now - dueAt(i);
      if (now <= dueAt(total - 1) + 1000) answeredInTime += 1;
      if (!ok) errors += 1;
      done += 1;
      if (done < total) return;
      stopped = true;
      clearInterval(sweep);
      const elapsed = (now - start) / 1000;
      for (const c of all) c.socket.destroy();
      const sorted = Array.from(latencies).sort((a, b) => a - b);
      // The p99 of each second's requests (by when they were due): whether a tail is a moment or the whole run.
      const seconds = Math.max(1, Math.ceil(total / rate));
      const p99BySecond = Array.from({ length: seconds }, (_, s) => {
        const first = Math.ceil(s * rate);
        const slice = Array.from(latencies.subarray(first, Math.min(total, Math.ceil((s + 1) * rate)))).sort((a, b) => a - b);
        return percentile(slice, 99);
      });
      resolve({
        rps: total / elapsed,
        total,
        errors,
        timedOut,
        answeredInTime: answeredInTime / total,
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
        p99BySecond,
        startedAt,
      });
    };
    const requestBytes = () => {
      const text = body?.();
      const head = `${method} ${path ? path() : target.pathname} HTTP/1.1\r\n${fixedHeaders}`;
      return text === undefined ? Buffer.from(`${head}\r\n`, 'latin1') : Buffer.from(`${head}content-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
    };
    const send = (connection, i) => {
      connection.current = i;
      connection.sentAt = performance.now();
      connection.socket.write(requestBytes());
    };
    const free = (connection) => {
      if (takenFromQueue < queue.length) send(connection, queue[takenFromQueue++]);
      else idle.push(connection);
    };
    const forget = (connection) => {
      const at = idle.indexOf(connection);
      if (at >= 0) idle.splice(at, 1);
    };
    const open = () => {
      opened += 1;
      const connection = { socket: net.connect({ host: target.hostname, port: Number(target.port), noDelay: true }), current: -1, sentAt: 0, pending: null };
      all.add(connection);
      connection.socket.on('data', (chunk) => {
        if (stopped) return;
        let buffer = connection.pending ? Buffer.concat([connection.pending, chunk]) : chunk;
        for (;;) {
          let found;
          try {
            found = responseEnd(buffer);
          } catch (err) {
            return stop(err);
          }
          if (!found) break;
          if (connection.current < 0) return stop(new Error('open loop: an answer to no request'));
          const i = connection.current;
          connection.current = -1;
          buffer = buffer.subarray(found.end);
          finished(i, found.status >= 200 && found.status < 300);
          if (stopped) return;
          free(connection);
        }
        connection.pending = buffer.length > 0 ? buffer : null;
      });
      // The target closing its side (a keep-alive timeout): no request goes on this connection any more.
      connection.socket.on('end', () => forget(connection));
      // A connection the target cut: the request on it failed; the next ones go on a new connection.
      connection.socket.on('error', () => {});
      connection.socket.on('close', () => {
        all.delete(connection);
        opened -= 1;
        forget(connection);
        if (stopped) return;
        if (connection.current >= 0) finished(connection.current, false);
        connection.current = -1;
        if (!stopped && takenFromQueue < queue.length) send(open(), queue[takenFromQueue++]);
      });
      return connection;
    };
    const dispatch = (i) => {
      const connection = idle.pop() ?? (opened < connections ? open() : null);
      if (connection) send(connection, i);
      else queue.push(i);
    };
    // A request past its time: the connection is closed, and its close counts the request as failed.
    const sweep = setInterval(
      () => {
        const now = performance.now();
        for (const c of all)
          if (c.current >= 0 && now - c.sentAt > timeoutMs) {
            timedOut += 1;
            c.socket.destroy();
          }
      },
      Math.min(1000, timeoutMs / 2),
    );
    let timer;
    const tick = () => {
      if (stopped) return;
      const now = performance.now();
      while (sent < total && dueAt(sent) <= now) dispatch(sent++);
      if (sent < total) timer = setTimeout(tick, Math.max(0, dueAt(sent) - performance.now()));
    };
    timer = setTimeout(tick, 5);
  });
}
