'use strict';
/**
 * SQL statements per operation, counted with `app.database.onStatement` on an app built in this
 * process (its own database: in-memory PGlite, or the BENCH_DATABASE_URL database). Sequential, one
 * request at a time, so every statement belongs to the request running or to the after-commit
 * work (the outbox delivering a contact code) that request started.
 */

const { AsyncLocalStorage } = require('node:async_hooks');
const { graphqlClient, runPool } = require('./load');
const { CodeBox, EVERYTHING_PAGE, NESTED_PAGE, onboardingSteps, pngOf } = require('./onboarding');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `journeys` journeys, one addDocument and one read of each page (`pageSize` clients); resolves
 * with statements per mutation type ({ inRequest: [per call], afterCommit: [per call] }), per
 * journey (both) and per page, and on PostgreSQL the round trips of each journey.
 */
async function countStatements({ config, token, journeys, pageSize }) {
  const { createApp } = require('../dist/app');
  const box = new CodeBox();
  const app = await createApp(config, { contactDelivery: { deliver: async (message) => box.put(message) } });
  try {
    const baseUrl = await app.listen(0, '127.0.0.1');
    const gql = graphqlClient(baseUrl, { connections: 1, token });
    // Statements of the outbox (delivering codes after commit) are told apart from the request's:
    // its public wake() runs in an AsyncLocalStorage context, which Prisma's query events inherit.
    const outboxWork = new AsyncLocalStorage();
    const wake = app.outbox.wake.bind(app.outbox);
    app.outbox.wake = (...args) => outboxWork.run(true, () => wake(...args));
    const count = { request: 0, outbox: 0 };
    const stopListening = app.database.onStatement(() => {
      count[outboxWork.getStore() ? 'outbox' : 'request'] += 1;
    });
    const total = () => count.request + count.outbox;
    // On PostgreSQL, round trips too: every batch a connection sends ends with one Sync, answered by
    // one ReadyForQuery (one a statement, COMMITs being among the statements counted above; a
    // transaction's BEGIN travels with its first statement, src/db/deferred-begin.ts). Not told
    // apart by request and outbox.
    let roundTrips = 0;
    const driver = app.database.driver;
    if (driver?.kind === 'postgres') {
      const listening = new WeakSet();
      driver.pool.on('acquire', (client) => {
        if (listening.has(client)) return;
        listening.add(client);
        client.connection.on('readyForQuery', () => (roundTrips += 1));
      });
    }

    /** Waits until the outbox is idle and no statement has run for a moment. */
    const quiet = async () => {
      for (let seen = -1; seen !== total(); ) {
        seen = total();
        await app.outbox.settled();
        await sleep(25);
      }
    };
    await quiet();

    const byType = {};
    // Each mutation's statements, and those of the after-commit work it woke, once that is done.
    let pending = null;
    const settle = async () => {
      if (pending === null) return;
      await quiet();
      const { type, before } = pending;
      byType[type] ??= { inRequest: [], afterCommit: [] };
      byType[type].inRequest.push(count.request - before.request);
      byType[type].afterCommit.push(count.outbox - before.outbox);
      pending = null;
    };
    const counting = {
      async post(body) {
        await settle();
        const before = { ...count };
        const answer = await gql.post(body);
        pending = { type: Object.keys(answer.json?.data ?? {})[0] ?? 'unknown', before };
        return answer;
      },
    };
    // The code arrives through the outbox: settle its statements before the journey takes it.
    const codes = {
      async take(clientId, channel, timeoutMs) {
        await settle();
        return box.take(clientId, channel, timeoutMs);
      },
    };
    const steps = onboardingSteps(counting, codes);

    const perJourney = [];
    const roundTripsPerJourney = [];
    let clientId;
    for (let i = 0; i < journeys; i++) {
      const before = total();
      const tripsBefore = roundTrips;
      clientId = await steps.journey();
      await settle();
      perJourney.push(total() - before);
      if (driver?.kind === 'postgres') roundTripsPerJourney.push(roundTrips - tripsBefore);
    }
    await steps.addPng(clientId, pngOf(4096));
    await settle();

    // A full page to count over (the count must not grow with the page; a test holds it to that).
    const { json: existing } = await gql.post({ query: NESTED_PAGE, variables: { first: pageSize } });
    const missing = pageSize - (existing?.data?.clients?.edges?.length ?? 0);
    const filler = onboardingSteps(gql, box);
    await runPool(missing, 4, async () => {
      const id = await filler.createClient();
      await filler.addPrimaryAddress(id);
      await filler.addSsn(id);
    });
    await quiet();

    const pages = {};
    for (const [name, query] of [['nested', NESTED_PAGE], ['everything', EVERYTHING_PAGE]]) {
      const before = total();
      const { status, json } = await gql.post({ query, variables: { first: pageSize } });
      if (status !== 200 || json.errors) throw new Error(`${name} page: HTTP ${status} ${JSON.stringify(json.errors ?? json).slice(0, 300)}`);
      pages[name] = { statements: total() - before, clients: json.data.clients.edges.length };
      await quiet();
    }
    stopListening();
    gql.close();
    return { byType, perJourney, roundTripsPerJourney, pages };
  } finally {
    await app.stop();
  }
}

module.exports = { countStatements };
