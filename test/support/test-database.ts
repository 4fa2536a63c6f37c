import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DatabaseConfig } from '../../src/config';
import { pgliteImage } from './pglite-images';

/**
 * Where the suite runs: embedded in-memory PGlite (started from the migrated image) by default, or PostgreSQL when
 * TEST_DATABASE_URL (a server URL, e.g. postgresql://postgres@127.0.0.1:5432/postgres) is set.
 * On PostgreSQL each caller gets a database of its own, created here and dropped by `drop`.
 */
export interface TestDatabase {
  config: DatabaseConfig;
  drop(): Promise<void>;
}

export const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) return { config: { kind: 'pglite', dataDir: null, image: pgliteImage('migrated'), observeStatements: true }, drop: async () => undefined };
  const name = `onboarding_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdminConnection(serverUrl, (admin) => admin.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    config: { kind: 'postgres', url: url.toString(), poolSize: 10, observeStatements: true },
    drop: () => dropTestDatabase(serverUrl, name),
  };
}

/** Creates an empty PostgreSQL database and returns its URL (for tests that need raw URLs, e.g. child processes). */
export async function createEmptyPostgresDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `onboarding_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdminConnection(serverUrl, (admin) => admin.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => dropTestDatabase(serverUrl, name) };
}

async function dropTestDatabase(serverUrl: string, name: string): Promise<void> {
  // The suite refuses to drop anything whose name does not say it is a test database.
  if (!/^onboarding_test_[0-9a-z_]+$/.test(name)) throw new Error(`refusing to drop ${name}: not a test database`);
  await withAdminConnection(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

async function withAdminConnection<T>(serverUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
