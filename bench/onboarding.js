'use strict';
/**
 * What the bench sends, as an integrator would: the operations of the public contract, the test
 * data, the steps of the onboarding journey, and the receiver the contact codes are delivered to.
 */

const http = require('node:http');
const { randomBytes, randomInt } = require('node:crypto');
const { performance } = require('node:perf_hooks');

// ---------------------------------------------------------------------------------------------
// Operations

const MUTATIONS = {
  createClient: `mutation CreateClient($input: CreateClientInput!) {
  createClient(input: $input) { __typename ... on ClientPayload { client { id version } } ... on UserError { message } } }`,
  addAddress: `mutation AddAddress($input: AddAddressInput!) {
  addAddress(input: $input) { __typename ... on AddAddressSuccess { address { id } } ... on UserError { message } } }`,
  addIdentifier: `mutation AddIdentifier($input: AddIdentifierInput!) {
  addIdentifier(input: $input) { __typename ... on AddIdentifierSuccess { identifier { id last4 } } ... on UserError { message } } }`,
  addDocument: `mutation AddDocument($input: AddDocumentInput!) {
  addDocument(input: $input) { __typename ... on AddDocumentSuccess { document { id sizeBytes sha256 } } ... on UserError { message } } }`,
  requestContactVerification: `mutation RequestCode($input: RequestContactVerificationInput!) {
  requestContactVerification(input: $input) { __typename ... on ContactVerificationRequested { expiresAt } ... on UserError { message } } }`,
  confirmContactVerification: `mutation ConfirmCode($input: ConfirmContactVerificationInput!) {
  confirmContactVerification(input: $input) { __typename ... on ClientPayload { client { version } } ... on UserError { message } } }`,
  verifyClient: `mutation Verify($input: VerifyClientInput!) {
  verifyClient(input: $input) { __typename ... on VerifyClientSuccess { client { status } } ... on UserError { message } } }`,
  activateClient: `mutation Activate($input: ActivateClientInput!) {
  activateClient(input: $input) { __typename ... on ActivateClientSuccess { client { status } } ... on UserError { message } } }`,
};
const EXPECTED = {
  createClient: 'ClientPayload',
  addAddress: 'AddAddressSuccess',
  addIdentifier: 'AddIdentifierSuccess',
  addDocument: 'AddDocumentSuccess',
  requestContactVerification: 'ContactVerificationRequested',
  confirmContactVerification: 'ClientPayload',
  verifyClient: 'VerifyClientSuccess',
  activateClient: 'ActivateClientSuccess',
};
/** The journey's mutations in order (request and confirm twice: EMAIL, then MOBILE_PHONE). */
const JOURNEY_MUTATIONS = [
  'createClient',
  'addAddress',
  'addIdentifier',
  'requestContactVerification',
  'confirmContactVerification',
  'requestContactVerification',
  'confirmContactVerification',
  'verifyClient',
  'activateClient',
];

/** The page issue 10 compares with the raw-SQL baseline (bench/raw-baseline.js reads the same fields). */
const NESTED_PAGE = `query NestedPage($first: Int!) {
  clients(first: $first) {
    edges { node {
      id externalId firstName lastName email emailVerified mobilePhone mobilePhoneVerified status kycVerificationType version
      addresses { id type isPrimary line1 city postalCode countryCode }
      identifiers { id type issuingCountry last4 status isValid }
    } }
  }
}`;
/** Every nested list, download links and missing requirements: the bigger page. */
const EVERYTHING_PAGE = `query EverythingPage($first: Int!) {
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

// SSNs must be unique among ACTIVE identifiers, also across runs on one PostgreSQL database: a random
// area and starting group per run (49,500 combinations), then serials count up.
const SSN_AREA = randomInt(100, 600);
const SSN_GROUP = randomInt(0, 99);
let ssnCounter = 0;
function nextSsn() {
  const n = ssnCounter++;
  const group = 1 + ((SSN_GROUP + Math.floor(n / 9999)) % 99);
  const serial = 1 + (n % 9999);
  return `${SSN_AREA}-${String(group).padStart(2, '0')}-${String(serial).padStart(4, '0')}`;
}
const RUN = randomBytes(3).toString('hex');
const PHONE_OFFSET = randomInt(0, 10000);
let clientCounter = 0;
function newClientInput() {
  const n = clientCounter++;
  return {
    externalId: `bench-${RUN}-${n}`,
    firstName: 'Bench',
    lastName: `Client ${n}`,
    dateOfBirth: '1985-06-15',
    email: `bench.${RUN}.${n}@example.com`,
    mobilePhone: `+1415555${String((PHONE_OFFSET + n) % 10000).padStart(4, '0')}`,
  };
}
const ADDRESS = { type: 'RESIDENTIAL', isPrimary: true, line1: '1 Market Street', city: 'San Francisco', region: 'CA', postalCode: '94105', countryCode: 'US' };

// ---------------------------------------------------------------------------------------------
// Where codes arrive

/**
 * The latest code per client and channel, and whoever waits for it. Delivery runs after commit
 * through the server's outbox, a moment after the request answered, so a journey waits, bounded.
 */
class CodeBox {
  constructor() {
    this.codes = new Map();
    this.waiters = new Map();
    this.received = 0;
  }
  put(message) {
    this.received += 1;
    const key = `${message.clientId}:${message.channel}`;
    this.codes.set(key, message.code);
    this.waiters.get(key)?.();
  }
  /** The code sent to this client on this channel (taken: a second request waits for a new one). */
  take(clientId, channel, timeoutMs) {
    const key = `${clientId}:${channel}`;
    const taken = () => {
      const code = this.codes.get(key);
      this.codes.delete(key);
      return code;
    };
    if (this.codes.has(key)) return Promise.resolve(taken());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        reject(new Error(`no code for ${clientId} on ${channel} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(key, () => {
        clearTimeout(timer);
        this.waiters.delete(key);
        resolve(taken());
      });
    });
  }
}

/** The HTTP receiver CONTACT_WEBHOOK_URL points at (payload: src/modules/contacts/contact-delivery.ts). */
async function startCodeReceiver() {
  const box = new CodeBox();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const message = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (message.event === 'contact_verification_code') box.put(message);
        res.writeHead(200).end('ok');
      } catch {
        res.writeHead(400).end('bad json');
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    box,
    url: `http://127.0.0.1:${server.address().port}/codes`,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The steps

/**
 * The onboarding steps over one GraphQL client. `observe(type, ms)` hears each mutation's latency
 * and each wait for a code (type 'codeWait');
 * `codes` (a CodeBox) is where the contact codes arrive.
 */
function onboardingSteps(gql, codes, { codeWaitMs = 10_000, observe = () => undefined } = {}) {
  async function mutate(type, input) {
    const started = performance.now();
    const { status, json } = await gql.post({ query: MUTATIONS[type], variables: { input } });
    observe(type, performance.now() - started);
    const result = json?.data?.[type];
    if (status !== 200 || json.errors || result?.__typename !== EXPECTED[type]) {
      throw new Error(`${type}: HTTP ${status}, ${JSON.stringify(json.errors ?? result ?? json).slice(0, 400)}`);
    }
    return result;
  }
  async function verifyContact(clientId, channel) {
    await mutate('requestContactVerification', { clientId, channel });
    const started = performance.now();
    const code = await codes.take(clientId, channel, codeWaitMs);
    observe('codeWait', performance.now() - started);
    await mutate('confirmContactVerification', { clientId, channel, code });
  }
  const steps = {
    mutate,
    async createClient() {
      return (await mutate('createClient', newClientInput())).client.id;
    },
    addPrimaryAddress: (clientId) => mutate('addAddress', { clientId, ...ADDRESS }),
    addSsn: (clientId) => mutate('addIdentifier', { clientId, type: 'SSN', value: nextSsn() }),
    addPng: (clientId, contentBase64) =>
      mutate('addDocument', { clientId, type: 'PASSPORT', fileName: 'passport.png', contentType: 'image/png', contentBase64, expiresOn: '2035-01-31' }),
    async verifyContacts(clientId) {
      await verifyContact(clientId, 'EMAIL');
      await verifyContact(clientId, 'MOBILE_PHONE');
    },
    /** create -> address -> SSN -> email and phone codes -> verify PARTIAL -> activate; resolves with the client id. */
    async journey() {
      const clientId = await steps.createClient();
      await steps.addPrimaryAddress(clientId);
      await steps.addSsn(clientId);
      await steps.verifyContacts(clientId);
      await mutate('verifyClient', { clientId, kycVerificationType: 'PARTIAL' });
      await mutate('activateClient', { clientId });
      return clientId;
    },
  };
  return steps;
}

module.exports = { CodeBox, EVERYTHING_PAGE, JOURNEY_MUTATIONS, MUTATIONS, NESTED_PAGE, onboardingSteps, pngOf, startCodeReceiver };
