#!/usr/bin/env node
/**
 * `npm run bench`: builds, then measures the built server (dist/) in this process over HTTP on
 * 127.0.0.1. Prints figures only; there are no pass/fail thresholds.
 *
 *   BENCH_DATABASE_URL  PostgreSQL URL to run against (its tables are created by the migrations;
 *                       use a scratch database). Default: in-memory embedded PGlite.
 *   BENCH_CLIENTS       clients seeded before the read benchmark (default 200)
 *   BENCH_CREATES       createClient calls in the throughput run (default 400)
 *   BENCH_JOURNEYS      full journeys (default 60)
 *   BENCH_CONCURRENCY   requests in flight at once (default 8)
 *
 * Every loop is bounded and a watchdog stops the run after 115 s.
 */
'use strict';

const { randomBytes, randomInt } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const { createApp } = require('../dist/app');
const { loadConfig } = require('../dist/config');
const { ALL_STAFF_SCOPES, mintToken } = require('../dist/auth/tokens');

const SEED_CLIENTS = positiveInt('BENCH_CLIENTS', 200);
const CREATES = positiveInt('BENCH_CREATES', 400);
const JOURNEYS = positiveInt('BENCH_JOURNEYS', 60);
const CONCURRENCY = positiveInt('BENCH_CONCURRENCY', 8);
const LIST_REQUESTS = 30;
const LIST_PAGE = 50;
const WATCHDOG_MS = 115_000;

function positiveInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0 || value > 100_000) throw new Error(`${name} must be a positive integer`);
  return value;
}

/** Keeps every code the server sends, so journeys can confirm contacts without reading stdout. */
class CapturedDelivery {
  constructor() {
    this.latest = new Map();
  }
  async deliver(message) {
    this.latest.set(`${message.clientId}:${message.channel}`, message.code);
  }
  code(clientId, channel) {
    const code = this.latest.get(`${clientId}:${channel}`);
    if (!code) throw new Error(`no code sent to ${clientId} on ${channel}`);
    return code;
  }
}

// ---------------------------------------------------------------------------------------------
// Operations (the public contract, as an integrator would send them)

const CREATE_CLIENT = `mutation CreateClient($input: CreateClientInput!) {
  createClient(input: $input) { __typename ... on ClientPayload { client { id version } } ... on UserError { message } } }`;
const ADD_ADDRESS = `mutation AddAddress($input: AddAddressInput!) {
  addAddress(input: $input) { __typename ... on AddAddressSuccess { address { id } } ... on UserError { message } } }`;
const ADD_IDENTIFIER = `mutation AddIdentifier($input: AddIdentifierInput!) {
  addIdentifier(input: $input) { __typename ... on AddIdentifierSuccess { identifier { id last4 } } ... on UserError { message } } }`;
const ADD_DOCUMENT = `mutation AddDocument($input: AddDocumentInput!) {
  addDocument(input: $input) { __typename ... on AddDocumentSuccess { document { id sizeBytes sha256 } } ... on UserError { message } } }`;
const REQUEST_CODE = `mutation RequestCode($input: RequestContactVerificationInput!) {
  requestContactVerification(input: $input) { __typename ... on ContactVerificationRequested { expiresAt } ... on UserError { message } } }`;
const CONFIRM_CODE = `mutation ConfirmCode($input: ConfirmContactVerificationInput!) {
  confirmContactVerification(input: $input) { __typename ... on ClientPayload { client { version } } ... on UserError { message } } }`;
const VERIFY = `mutation Verify($input: VerifyClientInput!) {
  verifyClient(input: $input) { __typename ... on VerifyClientSuccess { client { status } } ... on UserError { message } } }`;
const ACTIVATE = `mutation Activate($input: ActivateClientInput!) {
  activateClient(input: $input) { __typename ... on ActivateClientSuccess { client { status } } ... on UserError { message } } }`;
const LIST_CLIENTS = `query Clients($first: Int!) {
  clients(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id externalId firstName lastName email emailVerified mobilePhone mobilePhoneVerified status kycVerificationType version
      addresses { id type isPrimary line1 city postalCode countryCode }
      identifiers { id type issuingCountry last4 status isValid }
      documents { id type fileName contentType sizeBytes sha256 status isValid downloadUrl }
      history { id type fromStatus toStatus detail occurredAt }
      missingRequirements(kycVerificationType: FULL) { code acceptedTypes pendingReview }
    } }
  }
}`;

// ---------------------------------------------------------------------------------------------
// Test data

// The signature and IHDR chunk of a real 1x1 PNG: the server checks that a PNG starts with both.
const PNG_HEADER = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ', 'base64');
const pngOf = (bytes) => Buffer.concat([PNG_HEADER, randomBytes(bytes - PNG_HEADER.length)]).toString('base64');
const SMALL_PNG = pngOf(2048);

// SSNs must be unique among ACTIVE identifiers, also across runs on one PostgreSQL database:
// one random area per run, then group and serial count up (about a million per run).
const SSN_AREA = randomInt(100, 600);
let ssnCounter = 0;
function nextSsn() {
  const n = ssnCounter++;
  const group = 1 + (n % 99);
  const serial = 1 + (Math.floor(n / 99) % 9999);
  return `${SSN_AREA}-${String(group).padStart(2, '0')}-${String(serial).padStart(4, '0')}`;
}
const RUN = randomBytes(3).toString('hex');
let clientCounter = 0;
function newClientInput() {
  const n = clientCounter++;
  return {
    externalId: `bench-${RUN}-${n}`,
    firstName: 'Bench',
    lastName: `Client ${n}`,
    dateOfBirth: '1985-06-15',
    email: `bench.${RUN}.${n}@example.com`,
    // One phone per client, as in real traffic: the default limit allows 10 codes an hour per number.
    mobilePhone: `+1415555${String(n % 10000).padStart(4, '0')}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1] };
}
const ms = (value) => `${value.toFixed(1)} ms`;
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Runs `total` tasks with at most `concurrency` in flight; returns each task's duration in ms. */
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

function memory() {
  const { rss, heapUsed, heapTotal } = process.memoryUsage();
  return { rss, heapUsed, heapTotal };
}

// ---------------------------------------------------------------------------------------------

const BENCH_TOKEN_SECRET = Buffer.from('bench-only-token-secret-0123456789abcdef');

async function main() {
  const benchStarted = performance.now();
  const memoryAtStart = memory();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'onboarding-bench-'));
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  const config = {
    ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir }),
    database: databaseUrl ? { kind: 'postgres', url: databaseUrl, poolSize: 10 } : { kind: 'pglite', dataDir: null },
    masterKey: Buffer.alloc(32, 0x42),
    // Every request carries a staff token, as integrators send it (verification is part of the cost).
    auth: { kind: 'secret', secret: BENCH_TOKEN_SECRET, issuer: null, audience: null },
  };
  const token = await mintToken(BENCH_TOKEN_SECRET, { scopes: ALL_STAFF_SCOPES, subject: 'bench', ttlSeconds: 3600 });
  const delivery = new CapturedDelivery();
  const app = await createApp(config, { contactDelivery: delivery });
  const baseUrl = await app.listen(0, '127.0.0.1');
  const graphqlUrl = `${baseUrl}/graphql`;
  const memoryAfterStart = memory();

  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: still running after ${WATCHDOG_MS / 1000} s, stopping.\n`);
    process.exit(2);
  }, WATCHDOG_MS);
  watchdog.unref();

  let statements = 0;
  app.database.onStatement(() => {
    statements += 1;
  });

  async function gql(query, variables) {
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = await response.json();
    if (response.status !== 200 || body.errors) {
      throw new Error(`HTTP ${response.status}: ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
    }
    return body.data;
  }

  /** Sends a mutation and insists on the expected union member. */
  async function mutate(query, input, field, expected) {
    const data = await gql(query, { input });
    const result = data[field];
    if (result.__typename !== expected) throw new Error(`${field}: expected ${expected}, got ${JSON.stringify(result)}`);
    return result;
  }

  async function createClient() {
    const result = await mutate(CREATE_CLIENT, newClientInput(), 'createClient', 'ClientPayload');
    return result.client.id;
  }
  async function addPrimaryAddress(clientId) {
    await mutate(
      ADD_ADDRESS,
      { clientId, type: 'RESIDENTIAL', isPrimary: true, line1: '1 Market Street', city: 'San Francisco', region: 'CA', postalCode: '94105', countryCode: 'US' },
      'addAddress',
      'AddAddressSuccess',
    );
  }
  async function addSsn(clientId) {
    await mutate(ADD_IDENTIFIER, { clientId, type: 'SSN', value: nextSsn() }, 'addIdentifier', 'AddIdentifierSuccess');
  }
  async function addPng(clientId, contentBase64) {
    await mutate(
      ADD_DOCUMENT,
      { clientId, type: 'PASSPORT', fileName: 'passport.png', contentType: 'image/png', contentBase64, expiresOn: '2035-01-31' },
      'addDocument',
      'AddDocumentSuccess',
    );
  }
  async function verifyContacts(clientId) {
    for (const channel of ['EMAIL', 'MOBILE_PHONE']) {
      await mutate(REQUEST_CODE, { clientId, channel }, 'requestContactVerification', 'ContactVerificationRequested');
      await mutate(CONFIRM_CODE, { clientId, channel, code: delivery.code(clientId, channel) }, 'confirmContactVerification', 'ClientPayload');
    }
  }

  const rows = [];
  const row = (metric, value, note = '') => rows.push([metric, value, note]);

  // 1. Seed: each client with an address, an SSN, a PNG document and verified contacts.
  let started = performance.now();
  const seeded = [];
  await runPool(SEED_CLIENTS, CONCURRENCY, async () => {
    const clientId = await createClient();
    await addPrimaryAddress(clientId);
    await addSsn(clientId);
    await addPng(clientId, SMALL_PNG);
    await verifyContacts(clientId);
    seeded.push(clientId);
  });
  let seconds = (performance.now() - started) / 1000;
  row('seed clients (8 mutations each)', `${SEED_CLIENTS} in ${seconds.toFixed(1)} s`, `${(SEED_CLIENTS / seconds).toFixed(1)} clients/s, ${((SEED_CLIENTS * 8) / seconds).toFixed(0)} mutations/s`);

  // 2. clients(first: 50) with every nested list, one request at a time so statements are per request.
  for (let i = 0; i < 3; i++) await gql(LIST_CLIENTS, { first: LIST_PAGE }); // warm-up
  const listDurations = [];
  const listStatements = [];
  let listed = 0;
  for (let i = 0; i < LIST_REQUESTS; i++) {
    const before = statements;
    const t0 = performance.now();
    const data = await gql(LIST_CLIENTS, { first: LIST_PAGE });
    listDurations.push(performance.now() - t0);
    listStatements.push(statements - before);
    listed = data.clients.edges.length;
  }
  const list = stats(listDurations);
  const perList = stats(listStatements);
  row(`clients(first: ${LIST_PAGE}) + nested lists`, `p50 ${ms(list.p50)}, p95 ${ms(list.p95)}`, `${list.n} requests, ${listed} clients each`);
  row('  SQL statements per request', perList.p50 === perList.max ? String(perList.p50) : `${perList.p50} (max ${perList.max})`, 'app.database.onStatement');

  // 3. createClient throughput over HTTP.
  const createStatementsBefore = statements;
  started = performance.now();
  const createDurations = await runPool(CREATES, CONCURRENCY, () => createClient());
  seconds = (performance.now() - started) / 1000;
  const create = stats(createDurations);
  row(`createClient, concurrency ${CONCURRENCY}`, `${(CREATES / seconds).toFixed(0)} req/s`, `${CREATES} requests in ${seconds.toFixed(1)} s`);
  row('  latency', `p50 ${ms(create.p50)}, p95 ${ms(create.p95)}`, `max ${ms(create.max)}`);
  row('  SQL statements per createClient', ((statements - createStatementsBefore) / CREATES).toFixed(1), '');

  // 4. The full journey: create -> address -> SSN -> email and phone codes -> verify PARTIAL -> activate.
  const journeyStatementsBefore = statements;
  started = performance.now();
  const journeyDurations = await runPool(JOURNEYS, CONCURRENCY, async () => {
    const clientId = await createClient();
    await addPrimaryAddress(clientId);
    await addSsn(clientId);
    await verifyContacts(clientId);
    await mutate(VERIFY, { clientId, kycVerificationType: 'PARTIAL' }, 'verifyClient', 'VerifyClientSuccess');
    await mutate(ACTIVATE, { clientId }, 'activateClient', 'ActivateClientSuccess');
  });
  seconds = (performance.now() - started) / 1000;
  const journey = stats(journeyDurations);
  row(`full journey (9 mutations), concurrency ${CONCURRENCY}`, `${(JOURNEYS / seconds).toFixed(1)} journeys/s`, `${JOURNEYS} journeys in ${seconds.toFixed(1)} s`);
  row('  journey latency', `p50 ${ms(journey.p50)}, p95 ${ms(journey.p95)}`, `max ${ms(journey.max)}`);
  row('  SQL statements per journey', ((statements - journeyStatementsBefore) / JOURNEYS).toFixed(1), '');

  // 5. Large documents, one at a time, on one seeded client.
  for (const [label, bytes, count] of [['1 MiB', 1024 * 1024, 5], ['10 MiB', 10 * 1024 * 1024, 3]]) {
    const content = pngOf(bytes);
    const durations = [];
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      await addPng(seeded[i % seeded.length], content);
      durations.push(performance.now() - t0);
    }
    const documents = stats(durations);
    row(`addDocument ${label} PNG`, `p50 ${ms(documents.p50)}, max ${ms(documents.max)}`, `${count} uploads, ${(content.length / 1024 / 1024).toFixed(1)} MiB of base64`);
  }

  const memoryAtEnd = memory();
  row('memory at start (before createApp)', `rss ${mib(memoryAtStart.rss)}`, `heap used ${mib(memoryAtStart.heapUsed)}`);
  row('memory after createApp', `rss ${mib(memoryAfterStart.rss)}`, `heap used ${mib(memoryAfterStart.heapUsed)}`);
  row('memory at end', `rss ${mib(memoryAtEnd.rss)}`, `heap used ${mib(memoryAtEnd.heapUsed)} of ${mib(memoryAtEnd.heapTotal)}`);

  await app.stop();
  rmSync(dataDir, { recursive: true, force: true });

  const database = databaseUrl ? 'PostgreSQL (BENCH_DATABASE_URL)' : 'embedded PGlite, in memory';
  process.stdout.write(`\nonboarding-api bench: node ${process.version}, ${database}, ${process.platform}/${process.arch}\n\n`);
  const widths = [0, 1, 2].map((column) => Math.max(...[['metric', 'value', 'note'], ...rows].map((cells) => cells[column].length)));
  const line = (cells) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |\n`;
  process.stdout.write(line(['metric', 'value', 'note']));
  process.stdout.write(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|\n`);
  for (const cells of rows) process.stdout.write(line(cells));
  process.stdout.write(`\ntotal ${((performance.now() - benchStarted) / 1000).toFixed(1)} s\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
