// Load at a fixed rate, open loop: request i is due at start + i / rate whatever the answers before it,
// and its latency runs from when it was due, not from when a connection was free to send it. So a target
// that falls behind shows its backlog in the percentiles (no coordinated omission). autocannon's rate
// option is no such thing: each connection sends back to back until that second's quota is spent, then
// waits for the next second, so "70% of peak" there is full load for 70% of each second.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

function percentile(sorted, p) {
  return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 10) / 10 : null;
}

/**
 * Sends `rate` requests a second for `duration` seconds (or `amount` requests) over at most
 * `connections` keep-alive connections; `body()` and `path()` make each request's body and path.
 * Resolves with the rate achieved, the errors (non-2xx, failed) and the latency percentiles in ms.
 */
export function openLoop({ url, method = 'POST', headers = {}, body, path, rate, duration, amount, connections = 16 }) {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const total = amount ?? Math.max(1, Math.round(rate * duration));
  const latencies = new Float64Array(total);
  let sent = 0;
  let done = 0;
  let errors = 0;
  const start = performance.now() + 5;
  const dueAt = (i) => start + (i * 1000) / rate;
  return new Promise((resolve) => {
    const finished = (i, ok) => {
      latencies[i] = performance.now() - dueAt(i);
      if (!ok) errors += 1;
      done += 1;
      if (done < total) return;
      const elapsed = (performance.now() - start) / 1000;
      agent.destroy();
      const sorted = Array.from(latencies).sort((a, b) => a - b);
      resolve({ rps: total / elapsed, total, errors, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) });
    };
    const send = (i) => {
      const text = body?.();
      let settled = false;
      const settle = (ok) => {
        if (settled) return;
        settled = true;
        finished(i, ok);
      };
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method,
          path: path ? path() : target.pathname,
          headers: text === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(text) },
        },
        (res) => {
          res.on('data', () => {});
          res.on('end', () => settle(res.statusCode >= 200 && res.statusCode < 300));
          res.on('error', () => settle(false));
        },
      );
      req.on('error', () => settle(false));
      req.end(text);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && dueAt(sent) <= now) send(sent++);
      if (sent < total) setTimeout(tick, Math.max(0, dueAt(sent) - performance.now()));
    };
    setTimeout(tick, 5);
  });
}
