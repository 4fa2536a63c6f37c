import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import pino from 'pino';
import { App, createApp } from '../../src/app';
import { ALL_STAFF_SCOPES, MintOptions, mintToken } from '../../src/auth/tokens';
import { Config, loadConfig } from '../../src/config';
import type { ContactChannel } from '../../src/generated/prisma/enums';
import type { AttemptLimitSettings } from '../../src/modules/limits/attempt-limits';
import type { ContactCodeMessage, ContactDelivery } from '../../src/modules/contacts/contact-delivery';
import { pgliteImage } from './pglite-images';
import { TestDatabase, createTestDatabase } from './test-database';

/**
 * Where every test file's clock starts: noon UTC on a fixed day, so a test does the same whatever day
 * the suite runs, and moving the clock by hours keeps "today". Tests derive the dates the rules compare
 * with today (dates of birth, expiry dates) from the clock (`appDate`); the few written out are far in
 * the past or future (2001-01-01, 2099-12-31), and stay so for any start between 2002 and 2098.
 */
export const TEST_CLOCK_START = new Date('2026-03-16T12:00:00.000Z');

/**
 * The app's clock in tests: codes expire, documents age, download links run out when a test says so.
 * - It starts at TEST_CLOCK_START and moves only when read or told: each reading is 1 ms after the one
 *   before, so rows made one after another never share a createdAt, and lists in (createdAt, id) order
 *   come out in creation order whatever the random ids. (A clock that stood still would leave that
 *   order to the ids; one that ran with real time would too, for rows made in the same millisecond.)
 * - advance(ms) moves it for the rest of the test; hold() stops the readings moving, for a test about
 *   rows made at the same instant.
 * - Before each test, reset() undoes the test's advances and hold, so a test that moved a day does not
 *   move the next one's "today". Readings are not undone: the rows a test makes are newer than those
 *   earlier tests of the file left in its database (bar rows made after an advance).
 * One clock per test file, shared by every app the file starts: an app restarted on the same database
 * sees time go on, not back.
 */
export class TestClock {
  private readings = 0;
  private advancedMs = 0;
  private held = false;
  now = (): Date => {
    const now = new Date(TEST_CLOCK_START.getTime() + this.readings + this.advancedMs);
    if (!this.held) this.readings += 1;
    return now;
  };
  advance(ms: number): void {
    this.advancedMs += ms;
  }
  hold(): void {
    this.held = true;
  }
  reset(): void {
    // The instant a hold kept is the held rows' own: the clock moves past it.
    if (this.held) this.readings += 1;
    this.advancedMs = 0;
    this.held = false;
  }
}

const clock = new TestClock();
// Every test file that starts apps imports this module, so each test begins with the clock reset.
if (typeof beforeEach === 'function') beforeEach(() => clock.reset());

/**
 * The contact delivery port, keeping what it was asked to send so a test can read the code. Codes go
 * out right after commit, a moment after the request answered: `settled` waits for the app's outbox.
 */
export class CapturedDelivery implements ContactDelivery {
  readonly sent: ContactCodeMessage[] = [];
  /** Set by startTestApp: resolves once the app's outbox dispatcher has sent what was due. */
  settle: () => Promise<void> = async () => undefined;
  async deliver(message: ContactCodeMessage): Promise<void> {
    this.sent.push(message);
  }
  /** What was sent, once everything committed so far went out. */
  async settled(): Promise<ContactCodeMessage[]> {
    await this.settle();
    return this.sent;
  }
  async lastCode(clientId: string, channel: ContactChannel): Promise<string> {
    await this.settle();
    const message = [...this.sent].reverse().find((m) => m.clientId === clientId && m.channel === channel);
    if (!message) throw new Error(`no code was sent to ${clientId} on ${channel}`);
    return message.code;
  }
}

export interface GraphQLResponse<T> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

export interface TestApp {
  app: App;
  url: string;
  /** The test file's clock (every app the file starts reads the same one). */
  clock: TestClock;
  delivery: CapturedDelivery;
  /** Sends a typed operation over HTTP; fails the test on GraphQL errors. */
  run<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables: TVariables): Promise<TResult>;
  /** Sends any body; returns status, data and errors as they came. */
  post<T = Record<string, unknown>>(body: unknown): Promise<GraphQLResponse<T>>;
  /** The same server, called with another bearer token (null: none). */
  as(token: string | null): Pick<TestApp, 'run' | 'post'>;
  stop(): Promise<void>;
}

export interface TestAppOptions {
  config?: Partial<Config>;
  /** Reuse a database (e.g. to restart on the same one); the caller drops it. */
  database?: TestDatabase;
  /** A real delivery adapter instead of the captured one (then `delivery` stays empty). */
  contactDelivery?: ContactDelivery;
}

/** The HS256 secret every test server verifies tokens with (AUTH_JWT_SECRET for server processes). */
export const TEST_AUTH_SECRET = 'test-only-token-secret-0123456789abcdef';

/** A token signed with the test secret: staff with every scope unless told otherwise. */
export function testToken(options: Partial<MintOptions> = {}): Promise<string> {
  return mintToken(Buffer.from(TEST_AUTH_SECRET), { scopes: ALL_STAFF_SCOPES, subject: 'test-staff', ...options });
}

/** A self-service token for one client. */
export function selfToken(clientId: string, options: Partial<MintOptions> = {}): Promise<string> {
  return testToken({ scopes: ['self'], subject: clientId, ...options });
}

let staffToken: Promise<string> | undefined;

/**
 * GraphQL over HTTP against a server at `url`, as a generated client sends it, with a bearer token:
 * staff with every scope by default, `token` to act as someone else, null to send none.
 */
export function graphqlClient(url: string, token?: string | null): Pick<TestApp, 'run' | 'post'> {
  const post = async <T>(body: unknown): Promise<GraphQLResponse<T>> => {
    const bearer = token === undefined ? await (staffToken ??= testToken()) : token;
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const json = (await response.json()) as Omit<GraphQLResponse<T>, 'status'>;
    return { status: response.status, ...json };
  };
  return {
    post,
    async run(document, variables) {
      const response = await post<never>({ query: print(document), variables });
      if (response.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
      return response.data as never;
    },
  };
}

/**
 * Attempt limits for test apps whose tests are not about limits: the fixtures give every client the
 * same email address and phone number, so the real per-destination limit (10 codes an hour) would
 * refuse the eleventh client of a test file. The tests in test/limits start their apps with
 * DEFAULT_ATTEMPT_LIMITS (server processes run with the defaults unless their env says otherwise).
 */
export const RELAXED_ATTEMPT_LIMITS: AttemptLimitSettings = {
  contactRequestsPerClient: { max: 10_000, windowMs: 3_600_000 },
  contactRequestsPerDestination: { max: 10_000, windowMs: 3_600_000 },
  wrongContactCodes: { max: 10_000, windowMs: 3_600_000 },
  identifierAdds: { max: 10_000, windowMs: 3_600_000 },
  documentUploads: { max: 10_000, windowMs: 3_600_000 },
};

export function testConfig(overrides: Partial<Config> = {}): Config {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'onboarding-test-'));
  return {
    ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir }),
    database: { kind: 'pglite', dataDir: null, image: pgliteImage('migrated'), observeStatements: true },
    masterKey: Buffer.alloc(32, 7),
    auth: { kind: 'secret', secret: Buffer.from(TEST_AUTH_SECRET), issuer: null, audience: null },
    attemptLimits: RELAXED_ATTEMPT_LIMITS,
    // The dispatcher is woken after each commit and at each retry's time; a sweep (for other
    // instances' rows) would only add statements to tests that count them.
    outboxSweepIntervalMs: 3_600_000,
    // Tests sweep expired uploads themselves (services.documentUploads.sweepExpired) when the clock says so.
    uploadSweepIntervalMs: 3_600_000,
    ...overrides,
  };
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ownDatabase = options.database ? undefined : await createTestDatabase();
  const database = options.database ?? ownDatabase!;
  const config = testConfig({ database: database.config, ...options.config });
  const delivery = new CapturedDelivery();
  const app = await createApp(config, { clock: clock.now, contactDelivery: options.contactDelivery ?? delivery, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) });
  delivery.settle = () => app.outbox.settled();
  const url = await app.listen(0, '127.0.0.1');
  // Tests start from a quiet database: the start-up pass over documents in clear has finished.
  await app.clearDocumentsEncrypted;

  return {
    app,
    url,
    clock,
    delivery,
    ...graphqlClient(url),
    as: (token) => graphqlClient(url, token),
    async stop() {
      await app.stop();
      await ownDatabase?.drop();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}
