'use strict';
/**
 * A/B: two (or more) builds of the server side by side on one PostgreSQL database, measured in
 * alternating rounds (A, B, A, B, ...), so that whatever else the machine is doing weighs on both
 * alike. On a VM whose speed moves by ±20% from minute to minute, a change of 5-10% shows here and
 * not in two `npm run bench` runs. Prints the server's CPU per page (or per journey) of every
 * round and the median of the rounds after the first (JIT warm-up).
 *
 *   createdb -h 127.0.0.1 -U postgres bench_scratch
 *   BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_scratch npm run bench   # seeds it
 *   git stash / checkout the older commit, npm run build, cp -r dist dist-before, come back, build
 *   AB_BUILDS="dist dist-before" AB_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_scratch npm run bench:ab
 *
 * Settings:
 *   AB_BUILDS          build directories at the repository's top (dist, dist-*: ignored by git), each
 *                      a copy of dist, space-separated (default: dist); at the top, a copy finds
 *                      node_modules and prisma/migrations as dist does
 *   AB_DATABASE_URL    a database the bench has seeded (its name must contain bench or scratch)
 *   AB_MODE            page (the nested page at 8 connections) or journeys (16 customers)
 *   AB_ROUNDS          rounds per build (default 6), AB_SECONDS seconds each (default 6)
 *   AB_NODE_ARGS_<i>   node options for build i (from 0), e.g. AB_NODE_ARGS_1=--max-semi-space-size=64
 *   AB_DATABASE_URL_<i> another URL for build i (e.g. the same database over a Unix socket)
 *   AB_ENV_<i>         settings for build i, space-separated NAME=value (e.g. AB_ENV_1=DATABASE_PREPARED_STATEMENTS=false);
 *                      the same build may be listed twice to compare settings
 */

const path = require('node:path');
const { freePort, killAllChildren, startChild } = require('./processes');
const { closedLoop, graphqlClient, httpClient } = require('./load');
const { NESTED_PAGE, onboardingSteps, startCodeReceiver } = require('./onboarding');
// The bench's environment and data key, so the rows `npm run bench` seeded can be read.
const { serverEnvironment, staffToken } = require('./server-environment');
const { postgresCpu } = require('./postgres-cpu');

const ROOT = path.join(__dirname, '..');
const databaseUrl = process.env.AB_DATABASE_URL ?? '';
const builds = (process.env.AB_BUILDS ?? 'dist').split(/\s+/).filter(Boolean);
const mode = process.env.AB_MODE ?? 'page';
const rounds = Number(process.env.AB_ROUNDS ?? 6);
const seconds = Number(process.env.AB_SECONDS ?? 6);

async function main() {
  if (!/bench|scratch/.test(new URL(databaseUrl || 'postgresql://x/none').pathname)) {
    throw new Error('AB_DATABASE_URL must name a database the bench seeded (its name contains bench or scratch)');
  }
  if (!['page', 'journeys'].includes(mode) || !(rounds >= 2) || !(seconds >= 1)) throw new Error('AB_MODE is page or journeys; AB_ROUNDS >= 2; AB_SECONDS >= 1');
  const token = await staffToken();
  // PostgreSQL's CPU per unit too, when it runs here: the server and PostgreSQL share the cores.
  const databaseCpu = await postgresCpu(databaseUrl).catch(() => null);
  const receiver = await startCodeReceiver();
  const servers = [];
  for (const [index, build] of builds.entries()) {
    const port = await freePort();
    const nodeArgs = process.env[`AB_NODE_ARGS_${index}`] ?? '';
    const settings = (process.env[`AB_ENV_${index}`] ?? '').split(/\s+/).filter((setting) => setting.includes('='));
    process.env.BENCH_NODE_ARGS = nodeArgs;
    const server = await startChild(`${build} ${nodeArgs}`.trim(), path.resolve(ROOT, build, 'main.js'), {
      port,
      env: {
        ...serverEnvironment({ port, codeUrl: receiver.url, databaseUrl: process.env[`AB_DATABASE_URL_${index}`] ?? databaseUrl, poolSize: 10 }),
        ...Object.fromEntries(settings.map((setting) => [setting.slice(0, setting.indexOf('=')), setting.slice(setting.indexOf('=') + 1)])),
      },
    });
    servers.push({ label: `${build}${nodeArgs ? ` ${nodeArgs}` : ''}${settings.length ? ` ${settings.join(' ')}` : ''}`, server, rounds: [] });
  }

  const pageBody = Buffer.from(JSON.stringify({ query: NESTED_PAGE, variables: { first: 50 } }));
  for (let round = 0; round < rounds; round++) {
    for (const entry of servers) {
      const { server } = entry;
      const pages = httpClient(server.url, { connections: 8, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
      const gql = graphqlClient(server.url, { connections: 16, token });
      const steps = onboardingSteps(gql, receiver.box);
      let cpuFrom = 0;
      let databaseCpuFrom = 0;
      const result = await closedLoop({
        connections: mode === 'page' ? 8 : 16,
        warmupMs: 1000,
        durationMs: seconds * 1000,
        onMeasureStart: () => {
          cpuFrom = server.cpuSeconds();
          databaseCpuFrom = databaseCpu?.() ?? 0;
        },
        send:
          mode === 'page'
            ? async () => {
                const { status } = await pages.request('POST', '/graphql', pageBody);
                if (status !== 200) throw new Error(`HTTP ${status}`);
                return true;
              }
            : async () => {
                await steps.journey();
                return true;
              },
      });
      const cpu = server.cpuSeconds() - cpuFrom;
      const databaseCpuUsed = databaseCpu ? databaseCpu() - databaseCpuFrom : Number.NaN;
      const count = result.perSecond * seconds;
      if (result.errors > 0) throw new Error(`${entry.label}: ${result.errors} failed (${result.firstError})`);
      entry.rounds.push({ perSecond: result.perSecond, cpuMs: (cpu * 1000) / count, databaseCpuMs: (databaseCpuUsed * 1000) / count });
      pages.close();
      gql.close();
    }
  }

  const unit = mode === 'page' ? 'page' : 'journey';
  process.stdout.write(
    `A/B, ${mode}, ${rounds} rounds of ${seconds} s, alternating; server CPU per ${unit} (ms), PostgreSQL's CPU per ${unit} (ms, when it runs here) and ${unit}s/s per round; median of rounds 2-${rounds}\n`,
  );
  for (const { label, rounds: measured } of servers) {
    const later = measured.slice(1);
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    process.stdout.write(
      `${label}: CPU/${unit} ${measured.map((r) => r.cpuMs.toFixed(2)).join(' ')} -> median ${median(later.map((r) => r.cpuMs)).toFixed(2)} ms; ` +
        `PostgreSQL CPU/${unit} ${measured.map((r) => r.databaseCpuMs.toFixed(2)).join(' ')} -> median ${median(later.map((r) => r.databaseCpuMs)).toFixed(2)} ms; ${unit}s/s ${measured.map((r) => r.perSecond.toFixed(0)).join(' ')} -> median ${median(later.map((r) => r.perSecond)).toFixed(1)}\n`,
    );
  }
  for (const { server } of servers) await server.stop();
  await receiver.close();
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench:ab failed: ${error instanceof Error ? error.message : String(error)}\n`);
    killAllChildren();
    process.exit(1);
  },
);
