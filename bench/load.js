'use strict';
/**
 * The load generator: keep-alive HTTP over node:http (no fetch: its per-request cost is higher and
 * the same for nobody), a closed loop of N connections for a fixed time, and percentiles.
 * The API and the raw baseline are driven by the same code, so the load generator's own cost is
 * the same for both sides of a ratio.
 */

const http = require('node:http');
const { performance } = require('node:perf_hooks');

/**
 * POSTs (or GETs) over at most `connections` keep-alive sockets to one server. Resolves with the
 * status and the body as a Buffer; rejects only when the connection fails or `timeoutMs` passes.
 */
function httpClient(baseUrl, { connections, headers = {}, timeoutMs = 30_000 }) {
  const { hostname, port } = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  function request(method, path, body = null, extraHeaders = {}) {
    return new Promise((resolve, reject) => {
      const sent = { ...headers, ...extraHeaders };
      if (body !== null) sent['content-length'] = body.length;
      const req = http.request({ agent, hostname, port, method, path, headers: sent, timeout: timeoutMs }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body ?? undefined);
    });
  }
  return { request, close: () => agent.destroy() };
}

/** A JSON POST client for a GraphQL endpoint: `post(body)` resolves with status and parsed JSON. */
function graphqlClient(baseUrl, { connections, token }) {
  const client = httpClient(baseUrl, {
    connections,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  return {
    raw: client,
    async post(body) {
      const { status, body: bytes } = await client.request('POST', '/graphql', Buffer.from(JSON.stringify(body)));
      let json;
      try {
        json = JSON.parse(bytes.toString('utf8'));
      } catch {
        json = { unparsable: bytes.toString('utf8').slice(0, 300) };
      }
      return { status, json };
    },
    close: client.close,
  };
}

/**
 * A closed loop: `connections` workers each send, wait for the answer, and send again, for
 * `warmupMs` (not counted) and then `durationMs`. `send()` resolves to true when the answer is
 * right. Counts and latencies are of the answers that arrived within the measured window;
 * `onMeasureStart` is called when it opens.
 */
async function closedLoop({ connections, warmupMs, durationMs, send, onMeasureStart = () => undefined }) {
  const measureFrom = performance.now() + warmupMs;
  setTimeout(onMeasureStart, warmupMs);
  const measureUntil = measureFrom + durationMs;
  const latencies = [];
  let errors = 0;
  let firstError = null;
  const worker = async () => {
    while (performance.now() < measureUntil) {
      const started = performance.now();
      let ok;
      try {
        ok = await send();
      } catch (error) {
        ok = false;
        firstError ??= error.message;
      }
      const ended = performance.now();
      // Throughput counts answers that arrive within the window (one started in the warm-up too).
      if (ended < measureFrom || ended > measureUntil) continue;
      if (ok) latencies.push(ended - started);
      else errors += 1;
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return { ...summary(latencies), perSecond: latencies.length / (durationMs / 1000), errors, firstError };
}

/** Runs `total` tasks with at most `concurrency` in flight; resolves with each task's duration in ms. */
async function runPool(total, concurrency, task) {
  const durations = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const index = next++;
      const started = performance.now();
      await task(index);
      durations.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return durations;
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.length ? sorted[sorted.length - 1] : NaN };
}

module.exports = { closedLoop, graphqlClient, httpClient, percentile, runPool, summary };
