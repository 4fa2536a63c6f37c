import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

/** The part of a database connection the migrator needs. */
export interface SqlSession {
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** Runs a whole script as one simple query (PostgreSQL runs it in one implicit transaction). */
  exec(script: string): Promise<void>;
  /**
   * Set when sessions share one connection (embedded PGlite). The advisory lock is re-entrant per
   * connection, so it cannot make such sessions take turns; they queue on this object instead.
   */
  readonly sharedConnection?: object;
}

export interface Migration {
  name: string;
  script: string;
  checksum: string;
}

/** The same lock `prisma migrate deploy` takes, so this and Prisma's CLI never run at once. */
const PRISMA_MIGRATE_ADVISORY_LOCK = 72707369;

export const DEFAULT_MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'prisma', 'migrations');

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export function readMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(path.join(dir, name, 'migration.sql'));
      return { name, script: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') };
    });
}

const turnsOnSharedConnection = new WeakMap<object, Promise<unknown>>();

/**
 * Applies pending migrations the way `prisma migrate deploy` does and records them in
 * `_prisma_migrations` with the same columns and checksums, so either tool sees one history.
 * Several processes may call this at once: the advisory lock makes them take turns.
 */
export async function applyMigrations(
  session: SqlSession,
  migrations: Migration[] = readMigrations(),
  log: (message: string) => void = () => undefined,
): Promise<string[]> {
  const shared = session.sharedConnection;
  if (!shared) return applyMigrationsLocked(session, migrations, log);
  const previous = turnsOnSharedConnection.get(shared) ?? Promise.resolve();
  const turn = previous.then(() => applyMigrationsLocked(session, migrations, log));
  turnsOnSharedConnection.set(shared, turn.catch(() => undefined));
  return turn;
}

async function applyMigrationsLocked(session: SqlSession, migrations: Migration[], log: (message: string) => void): Promise<string[]> {
  await session.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_ADVISORY_LOCK]);
  try {
    await session.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`);
    const rows = await session.query(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL ORDER BY started_at',
    );
    const unfinished = rows.filter((row) => row.finished_at === null);
    if (unfinished.length > 0) {
      throw new MigrationError(
        `Migration ${String(unfinished[0].migration_name)} started but did not finish. Fix the database, then mark it ` +
          'rolled back or applied (prisma migrate resolve) before starting again.',
      );
    }
    const applied = new Map(rows.map((row) => [String(row.migration_name), String(row.checksum)]));
    const appliedNow: string[] = [];
    for (const migration of migrations) {
      const checksum = applied.get(migration.name);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          log(`migration ${migration.name} was modified after it was applied (checksum differs)`);
        }
        continue;
      }
      const id = randomUUID();
      await session.query(
        'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
        [id, migration.checksum, migration.name],
      );
      try {
        await session.exec(migration.script);
      } catch (error) {
        await session.query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [id, (error as Error).message]);
        throw new MigrationError(`Migration ${migration.name} failed: ${(error as Error).message}`);
      }
      await session.query(
        'UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1',
        [id],
      );
      log(`applied migration ${migration.name}`);
      appliedNow.push(migration.name);
    }
    return appliedNow;
  } finally {
    await session.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_ADVISORY_LOCK]);
  }
}
