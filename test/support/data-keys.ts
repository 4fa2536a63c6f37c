import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataKey } from '../../src/shared/keys';
import { pgliteImage } from './pglite-images';
import { TestApp, startTestApp } from './test-app';
import { TestDatabase, createTestDatabase, onPostgres } from './test-database';

/** A fresh random master key with its id, as DATA_ENCRYPTION_KEYS would give it. */
export function newDataKey(id: string): DataKey {
  return { id, secret: randomBytes(32) };
}

/** DATA_ENCRYPTION_KEYS for a ring, current key first. */
export function dataKeysEnv(ring: DataKey[]): string {
  return ring.map((key) => `${key.id}:${key.secret.toString('base64')}`).join(',');
}

/**
 * One database several apps (one after the other) and command-line tools can open: PGlite on disk
 * under `dataDir`, or a PostgreSQL database of its own when TEST_DATABASE_URL is set. `env` points
 * a child process (server or keys:rotate) at it.
 */
export interface SharedDatabase extends TestDatabase {
  env: Record<string, string>;
}

export async function createSharedDatabase(): Promise<SharedDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'onboarding-keys-'));
  if (onPostgres) {
    const database = await createTestDatabase();
    const url = (database.config as { url: string }).url;
    return {
      ...database,
      env: { DATABASE_URL: url, DATA_DIR: dataDir },
      async drop() {
        await database.drop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  return {
    config: { kind: 'pglite', dataDir: path.join(dataDir, 'pglite'), image: pgliteImage('migrated') },
    env: { DATA_DIR: dataDir },
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** An app on the shared database with this key ring (current key first). */
export function startWithKeys(database: SharedDatabase, ring: DataKey[]): Promise<TestApp> {
  return startTestApp({ database, config: { dataKeys: ring, masterKey: null } });
}

/** The error createApp fails with for this ring, or a test failure when it starts after all. */
export async function refusedToStart(database: SharedDatabase, ring: DataKey[]): Promise<Error> {
  let app: TestApp | undefined;
  try {
    app = await startWithKeys(database, ring);
  } catch (error) {
    return error as Error;
  }
  await app.stop();
  throw new Error(`an app with keys ${ring.map((key) => key.id).join(',')} started, but should have been refused`);
}

export const KEYS_ROTATE_ENTRY = path.resolve(__dirname, '..', '..', 'dist', 'keys-rotate-cli.js');

/** Runs the built `keys:rotate` tool (as `npm run keys:rotate` does) and collects what it said. */
export function runKeysRotate(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (!existsSync(KEYS_ROTATE_ENTRY)) throw new Error(`${KEYS_ROTATE_ENTRY} is missing: build first (npm test builds)`);
  const own = ['DATABASE_URL', 'DATA_DIR', 'DATA_ENCRYPTION_KEY', 'DATA_ENCRYPTION_KEYS', 'NODE_OPTIONS'];
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !own.includes(name)));
  const child = spawn(process.execPath, [KEYS_ROTATE_ENTRY, ...args], { env: { ...inherited, NODE_ENV: 'test', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Where this run keeps a database several apps share, for test names. */
export const SHARED_DATABASE_KIND = onPostgres ? 'PostgreSQL' : 'PGlite on disk';

/** A step of a rotation starts apps or tools; on a busy machine PGlite on disk takes many seconds to start. */
export const ROTATION_STEP_TIMEOUT_MS = 240_000;

/**
 * A rotation from key a to key b, as steps of one describe (call it in the describe's body): a
 * shared database made before the first step, apps started on it with a ring, `keys:rotate` run
 * on it with a ring; every app is stopped and the database dropped after the last step.
 */
export function rotationFromAToB() {
  const a = newDataKey('a');
  const b = newDataKey('b');
  let db: SharedDatabase | undefined;
  const apps: TestApp[] = [];
  beforeAll(async () => {
    db = await createSharedDatabase();
  });
  afterAll(async () => {
    await Promise.allSettled(apps.map((app) => app.stop()));
    await db?.drop();
  }, 60_000);

  return {
    a,
    b,
    /** An app on the shared database with this ring (current key first). */
    async start(ring: DataKey[]): Promise<TestApp> {
      const app = await startWithKeys(db!, ring);
      apps.push(app);
      return app;
    },
    /** The error an app with this ring fails to start with. */
    refusedToStart: (ring: DataKey[]) => refusedToStart(db!, ring),
    /** `keys:rotate` on the shared database, with this ring in DATA_ENCRYPTION_KEYS. */
    rotate: (ring: DataKey[], args: string[] = []) => runKeysRotate({ ...db!.env, DATA_ENCRYPTION_KEYS: dataKeysEnv(ring) }, args),
  };
}
