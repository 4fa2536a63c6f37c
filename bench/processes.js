'use strict';
/**
 * The bench's child processes: the API server (`node dist/main.js`) and the raw-SQL baseline
 * (bench/raw-baseline.js). Each runs in a process of its own so the load generator never shares
 * its event loop. Every child is registered here and killed when the bench exits, fails or is
 * interrupted; bench/orphan-guard.js ends a child whose bench was killed outright (SIGKILL).
 */

const { execFileSync, spawn } = require('node:child_process');
const { readFileSync, writeFileSync } = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const ORPHAN_GUARD = path.join(__dirname, 'orphan-guard.js');
const STOP_GRACE_MS = 15_000;

const running = new Set();

let clockTicks;
/** Clock ticks per second of /proc/<pid>/stat's CPU times (getconf CLK_TCK; 100 on Linux). */
function ticksPerSecond() {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** SIGKILLs every child still running; safe to call from an 'exit' handler (synchronous). */
function killAllChildren() {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}
process.once('exit', killAllChildren);

/** A TCP port nothing listens on right now (the same idea as test/support/ports.ts). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Settings a child may inherit: nothing that configures the app (DATABASE_URL, AUTH_*, RATE_LIMIT_*, ...). */
function baseEnvironment() {
  const kept = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR'];
  return Object.fromEntries(kept.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]]));
}

/**
 * Starts `node <script>` with exactly `env` (on top of PATH, HOME, ...), listening on `port`, and
 * resolves once GET /health/ready answers 200. Rejects (and kills the child) when it exits first or
 * is not ready within `readyTimeoutMs`, with the tail of its output.
 */
async function startChild(name, script, { env, port, readyTimeoutMs = 90_000 }) {
  const started = performance.now();
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=prof") go to every child: profile the servers
  // under the bench's own load (node refuses --cpu-prof in NODE_OPTIONS).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--require', ORPHAN_GUARD, script], {
    env: { ...baseEnvironment(), ...env, BENCH_PARENT_PID: String(process.pid) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-8000);
  };
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  exited.then(() => running.delete(child));
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  let lastProblem = 'no answer';
  for (;;) {
    if (hasExited()) {
      const { code, signal } = await exited;
      throw new Error(`${name} exited (${code ?? signal}) before it was ready. Output:\n${output}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} not ready within ${readyTimeoutMs / 1000} s (${lastProblem}). Output:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) break;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const readyMs = performance.now() - started;

  let stopping;
  return {
    name,
    url,
    pid: child.pid,
    readyMs,
    output: () => output,
    exited,
    /** VmRSS and VmHWM (peak RSS) of the process, in bytes, from /proc/<pid>/status. */
    memory() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const field = (key) => {
        const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
        if (!match) throw new Error(`${key} missing from /proc/${child.pid}/status`);
        return Number(match[1]) * 1024;
      };
      return { rss: field('VmRSS'), hwm: field('VmHWM') };
    },
    /**
     * Resets VmHWM to the current RSS ("5" to /proc/<pid>/clear_refs, Linux 4.0+), so a later
     * memory() reads the peak since now; false when the kernel refused (VmHWM then keeps the peak since start).
     */
    resetPeak() {
      try {
        writeFileSync(`/proc/${child.pid}/clear_refs`, '5');
        return true;
      } catch {
        return false;
      }
    },
    /** CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat. */
    cpuSeconds() {
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      // Fields after the command name (in parentheses, which may hold spaces): utime and stime are 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
    },
    /** SIGTERM, then SIGKILL after a grace period; resolves to how it ended. Safe to call twice. */
    stop() {
      stopping ??= (async () => {
        if (!hasExited()) {
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
          const ended = await exited;
          clearTimeout(killer);
          return ended;
        }
        return exited;
      })();
      return stopping;
    },
  };
}

module.exports = { freePort, killAllChildren, startChild };
