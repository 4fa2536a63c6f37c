import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { seedDataDirectory } from './pglite-images';
import { GraphQLResponse, TEST_AUTH_SECRET, graphqlClient } from './test-app';
import { createEmptyPostgresDatabase } from './test-database';

/**
 * The built server (`node dist/main.js`) in a child process, as an operator runs it: configured by
 * environment only, talking JSON lines on standard output. For tests that need two processes on one
 * database, a restart, or the key file the server generates itself.
 */
export interface ServerProcess {
  /** Base URL, e.g. http://127.0.0.1:43121 (GraphQL is at `${url}/graphql`). */
  url: string;
  pid: number;
  /** Resolves when the process has exited: its exit code, or null when a signal ended it. */
  exited: Promise<number | null>;
  /** Every JSON line the process wrote to standard output so far, in order. */
  readonly lines: ReadonlyArray<Record<string, unknown>>;
  /** Sends a typed operation; fails on GraphQL errors. */
  run<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables: TVariables): Promise<TResult>;
  post<T = Record<string, unknown>>(body: unknown): Promise<GraphQLResponse<T>>;
  /**
   * The first line `matches` accepts, once it is written: rejects after `timeoutMs` or when the
   * process exits first, with its standard error.
   */
  waitForLine(matches: (line: Record<string, unknown>) => boolean, what: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** How many verification codes were printed for this client and channel so far. */
  codeCount(clientId: string, channel: string): number;
  /**
   * The code printed after the first `after` ones (the log line may arrive a moment after the
   * HTTP answer, so this waits, bounded).
   */
  waitForCode(clientId: string, channel: string, after: number, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then SIGKILL if it has not exited in time. Safe to call twice. */
  stop(): Promise<void>;
}

export const SERVER_ENTRY = path.resolve(__dirname, '..', '..', 'dist', 'main.js');

/** Settings a child must never inherit from the test runner's own environment. */
const NOT_INHERITED = ['EVENT_WEBHOOK_URL', 'EVENT_WEBHOOK_SECRET', 'OUTBOX_SWEEP_INTERVAL_MS', 'DATABASE_URL', 'DATA_DIR', 'DATA_ENCRYPTION_KEY', 'DATA_ENCRYPTION_KEYS', 'AUTH_JWT_SECRET', 'AUTH_JWKS_URL', 'AUTH_PUBLIC_KEY', 'AUTH_ISSUER', 'AUTH_AUDIENCE', 'CORS_ORIGINS', 'PORT', 'HOST', 'PUBLIC_URL', 'NODE_OPTIONS', 'REQUIREMENT_POLICY', 'REQUIREMENT_POLICY_FILE'];

const running = new Set<ChildProcess>();
// Last line of defence if a test run is torn down without its afterAll.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts `node dist/main.js` on port 0 and resolves once its ready line names the port it got.
 * `env` comes on top of the test settings (NODE_ENV=test, the test token secret, codes printed as
 * log lines); a setting given as undefined is left unset, e.g. to start as an operator would.
 */
export interface ServerProcessOptions {
  readyTimeoutMs?: number;
  /**
   * Start the embedded database (DATA_DIR, no DATABASE_URL) from the suite's migrated image instead
   * of letting the child run initdb (seconds on these machines). Not for tests of a fresh start.
   */
  seedDatabase?: boolean;
}

export async function startServerProcess(env: Record<string, string | undefined>, { readyTimeoutMs = 90_000, seedDatabase = false }: ServerProcessOptions = {}): Promise<ServerProcess> {
  if (!existsSync(SERVER_ENTRY)) {
    throw new Error(`${SERVER_ENTRY} is missing: build it first (npx tsc -p tsconfig.build.json, or npm test which builds).`);
  }
  if (seedDatabase && env.DATA_DIR && !env.DATABASE_URL) seedDataDirectory(env.DATA_DIR);
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !NOT_INHERITED.includes(name) && !name.startsWith('RATE_LIMIT_') && !name.startsWith('GRAPHQL_MAX_') && !name.startsWith('TRUSTED_DOCUMENTS')),
  );
  const settings = { NODE_ENV: 'test', LOG_LEVEL: 'info', CONTACT_DELIVERY: 'log', AUTH_JWT_SECRET: TEST_AUTH_SECRET, ...env, HOST: '127.0.0.1', PORT: '0' };
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    env: { ...inherited, ...Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);

  const lines: Record<string, unknown>[] = [];
  const lineWaiters = new Set<() => void>();
  let stderr = '';
  let partial = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    partial += chunk;
    const complete = partial.split('\n');
    partial = complete.pop()!;
    for (const line of complete) {
      if (line.trim() === '') continue;
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ text: line });
      }
    }
    for (const wake of lineWaiters) wake();
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  exited.then(() => {
    running.delete(child);
    for (const wake of lineWaiters) wake();
  });

  /** Resolves with the first line matching, or rejects after the timeout or when the process exits. */
  const waitForLine = (matches: (line: Record<string, unknown>) => boolean, what: string, timeoutMs = 10_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = lines.find(matches);
        if (found) return finish(() => resolve(found));
        if (child.exitCode !== null || child.signalCode !== null) {
          finish(() => reject(new Error(`server exited (${child.exitCode ?? child.signalCode}) before ${what}. stderr:\n${stderr}`)));
        }
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no ${what} within ${timeoutMs} ms. stderr:\n${stderr}`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        lineWaiters.delete(check);
        settle();
      };
      lineWaiters.add(check);
      check();
    });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      running.delete(child);
    })());

  let ready: Record<string, unknown>;
  try {
    ready = await waitForLine((line) => typeof line.msg === 'string' && line.msg.startsWith('onboarding API ready'), '"onboarding API ready" log line', readyTimeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  const url = new URL(String(ready.url)).origin;

  const codesFor = (clientId: string, channel: string) =>
    lines.filter((line) => line.event === 'contact_verification_code' && line.clientId === clientId && line.channel === channel);

  return {
    url,
    pid: child.pid!,
    exited,
    lines,
    ...graphqlClient(url),
    waitForLine,
    codeCount: (clientId, channel) => codesFor(clientId, channel).length,
    async waitForCode(clientId, channel, after, timeoutMs = 10_000) {
      await waitForLine(() => codesFor(clientId, channel).length > after, `verification code for ${clientId} ${channel}`, timeoutMs);
      return String(codesFor(clientId, channel)[after].code);
    },
    stop,
  };
}

/** Server processes sharing one PostgreSQL database of their own (and one DATA_DIR and data key). */
export interface ServersOnOneDatabase {
  servers: ServerProcess[];
  databaseUrl: string;
}

/**
 * In a describe's body: `count` server processes started at the same time, before its tests, on one
 * new, empty PostgreSQL database (for row locks, migrations and limits that must hold across
 * processes, not just within one pool); stopped, and the database dropped, after its tests.
 * `extraEnv` is read when they start (e.g. the URL of a receiver an earlier beforeAll started).
 */
export function serversOnOneDatabase(count: number, extraEnv: () => Record<string, string> = () => ({})): ServersOnOneDatabase {
  const started: ServersOnOneDatabase = { servers: [], databaseUrl: '' };
  let dataDir: string | undefined;
  let database: { url: string; drop(): Promise<void> } | undefined;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'onboarding-servers-'));
    database = await createEmptyPostgresDatabase(process.env.TEST_DATABASE_URL!);
    started.databaseUrl = database.url;
    const env = { ...extraEnv(), DATABASE_URL: database.url, DATA_DIR: dataDir, DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex') };
    const results = await Promise.allSettled(Array.from({ length: count }, () => startServerProcess(env)));
    for (const result of results) if (result.status === 'fulfilled') started.servers.push(result.value);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }, 120_000);
  afterAll(async () => {
    await Promise.all(started.servers.map((server) => server.stop()));
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);
  return started;
}
