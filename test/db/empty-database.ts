import { Database, openDatabase } from '../../src/db/database';
import { pgliteImage } from '../support/pglite-images';
import { createEmptyPostgresDatabase, onPostgres } from '../support/test-database';

/** A database with nothing in it, not even migrations, and its teardown. */
export interface EmptyDatabase {
  database: Database;
  drop(): Promise<void>;
}

export interface DatabaseTarget {
  name: string;
  kind: 'pglite' | 'postgres';
  /** false: the tests for this target are skipped (PostgreSQL needs TEST_DATABASE_URL). */
  available: boolean;
  open(): Promise<EmptyDatabase>;
}

/** In-memory PGlite always; PostgreSQL when TEST_DATABASE_URL names a server. */
export const databaseTargets: DatabaseTarget[] = [
  {
    name: 'PGlite (in memory)',
    kind: 'pglite',
    available: true,
    async open() {
      const database = await openDatabase({ kind: 'pglite', dataDir: null, image: pgliteImage('empty') });
      return { database, drop: () => database.close() };
    },
  },
  {
    name: onPostgres ? 'PostgreSQL' : 'PostgreSQL (skipped: set TEST_DATABASE_URL)',
    kind: 'postgres',
    available: onPostgres,
    async open() {
      const empty = await createEmptyPostgresDatabase(process.env.TEST_DATABASE_URL!);
      try {
        const database = await openDatabase({ kind: 'postgres', url: empty.url, poolSize: 2 });
        return {
          database,
          async drop() {
            await database.close();
            await empty.drop();
          },
        };
      } catch (error) {
        await empty.drop();
        throw error;
      }
    },
  },
];
