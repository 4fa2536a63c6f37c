import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_MIGRATIONS_DIR, MigrationError, SqlSession, applyMigrations, readMigrations } from '../../src/db/migrations';
import { DatabaseTarget, EmptyDatabase, databaseTargets } from './empty-database';

type Session = SqlSession & { close(): Promise<void> };

const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'prisma', 'migrations');

/** What prisma migrate deploy would record, computed here from the files themselves. */
const expectedMigrations = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort()
  .map((name) => ({
    migration_name: name,
    checksum: createHash('sha256').update(readFileSync(path.join(MIGRATIONS_DIR, name, 'migration.sql'))).digest('hex'),
  }));

const appTables = ['addresses', 'client_events', 'clients', 'contact_challenges', 'counted_attempts', 'data_keys', 'document_blobs', 'document_chunks', 'document_objects', 'document_uploads', 'documents', 'idempotency_keys', 'identifiers', 'outbox_events'];

async function publicTables(session: SqlSession): Promise<string[]> {
  const rows = await session.query(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
  );
  return rows.map((row) => String(row.table_name));
}

async function migrationRows(session: SqlSession) {
  return session.query(
    'SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
  );
}

/** Fails instead of hanging when a call does not finish in time (e.g. a lock never released). */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe.each(databaseTargets)('migrations on $name', (target: DatabaseTarget) => {
  const run = target.available ? it : it.skip;
  const opened: EmptyDatabase[] = [];
  const sessions: Session[] = [];
  const tempDirs: string[] = [];

  async function emptyDatabase() {
    const empty = await target.open();
    opened.push(empty);
    return empty;
  }
  async function sessionOn(empty: EmptyDatabase): Promise<Session> {
    const session = await empty.database.openSession();
    sessions.push(session);
    return session;
  }
  function migrationsDir(migrations: Record<string, string>): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'onboarding-migrations-'));
    tempDirs.push(dir);
    for (const [name, script] of Object.entries(migrations)) {
      mkdirSync(path.join(dir, name));
      writeFileSync(path.join(dir, name, 'migration.sql'), script);
    }
    return dir;
  }

  afterAll(async () => {
    await Promise.allSettled(sessions.map((session) => session.close()));
    await Promise.allSettled(opened.map((empty) => empty.drop()));
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  run('applies every migration to an empty database and records it as prisma migrate deploy does', async () => {
    // given an empty database
    const session = await sessionOn(await emptyDatabase());
    expect(await publicTables(session)).toEqual([]);

    // when the migrations are applied
    const applied = await applyMigrations(session);

    // then every table exists, and each migration has one finished row with the folder name and the file's checksum
    expect(path.resolve(DEFAULT_MIGRATIONS_DIR)).toBe(MIGRATIONS_DIR);
    expect(applied).toEqual(expectedMigrations.map((m) => m.migration_name));
    expect(await publicTables(session)).toEqual(['_prisma_migrations', ...appTables]);
    const rows = await migrationRows(session);
    expect(rows).toEqual(
      expectedMigrations.map((m) => ({
        ...m,
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        finished_at: expect.any(Date),
        started_at: expect.any(Date),
        logs: null,
        rolled_back_at: null,
        applied_steps_count: 1,
      })),
    );
    for (const row of rows) expect((row.finished_at as Date).getTime()).toBeGreaterThanOrEqual((row.started_at as Date).getTime());

    // and _prisma_migrations has the layout Prisma's own engine creates, so both tools share it
    const columns = await session.query(
      `SELECT column_name, data_type, character_maximum_length, is_nullable FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => [c.column_name, c.data_type, c.character_maximum_length, c.is_nullable])).toEqual([
      ['id', 'character varying', 36, 'NO'],
      ['checksum', 'character varying', 64, 'NO'],
      ['finished_at', 'timestamp with time zone', null, 'YES'],
      ['migration_name', 'character varying', 255, 'NO'],
      ['logs', 'text', null, 'YES'],
      ['rolled_back_at', 'timestamp with time zone', null, 'YES'],
      ['started_at', 'timestamp with time zone', null, 'NO'],
      ['applied_steps_count', 'integer', null, 'NO'],
    ]);
  });

  run('applies nothing when run again', async () => {
    // given a migrated database
    const session = await sessionOn(await emptyDatabase());
    await applyMigrations(session);
    const before = await migrationRows(session);

    // when the migrations are applied again
    const applied = await applyMigrations(session);

    // then nothing is applied and the records are untouched
    expect(applied).toEqual([]);
    expect(await migrationRows(session)).toEqual(before);
  });

  run('stops at a failing migration, leaves it unfinished, and refuses to go on until it is resolved', async () => {
    // given a database and three migrations, the second of which fails halfway
    const empty = await emptyDatabase();
    const dir = migrationsDir({
      '20990101000000_good': 'CREATE TABLE "scratch_good" ("id" INTEGER PRIMARY KEY);\n',
      '20990101000001_broken': 'CREATE TABLE "scratch_half" ("id" INTEGER);\nINSERT INTO "no_such_table" VALUES (1);\n',
      '20990101000002_after': 'CREATE TABLE "scratch_after" ("id" INTEGER);\n',
    });
    const session = await sessionOn(empty);

    // when they are applied
    const failure = await applyMigrations(session, readMigrations(dir)).catch((error: unknown) => error);

    // then the call fails naming the migration and the cause
    expect(failure).toBeInstanceOf(MigrationError);
    expect((failure as Error).message).toMatch(/^Migration 20990101000001_broken failed: .*no_such_table/);
    // and the failed script left nothing behind (one script, one implicit transaction); the next one never ran
    expect(await publicTables(session)).toEqual(['_prisma_migrations', 'scratch_good']);
    const rows = await migrationRows(session);
    expect(rows.map((row) => [row.migration_name, row.finished_at === null, row.applied_steps_count])).toEqual([
      ['20990101000000_good', false, 1],
      ['20990101000001_broken', true, 0],
    ]);
    expect(String(rows[1].logs)).toMatch(/no_such_table/);

    // when it is started again, from another session (so the advisory lock must have been released)
    const second = await within(20_000, 'second migration run', applyMigrations(await sessionOn(empty), readMigrations(dir)).catch((error: unknown) => error));

    // then it refuses with a message that says what to do, and still applies nothing
    expect(second).toBeInstanceOf(MigrationError);
    expect((second as Error).message).toMatch(/Migration 20990101000001_broken started but did not finish.*prisma migrate resolve/s);
    expect((await migrationRows(session)).map((row) => row.migration_name)).toEqual(['20990101000000_good', '20990101000001_broken']);
    expect(await publicTables(session)).toEqual(['_prisma_migrations', 'scratch_good']);
  });

  run('reports a migration whose file changed after it was applied', async () => {
    // given an applied migration
    const dir = migrationsDir({ '20990101000000_first': 'CREATE TABLE "scratch_first" ("id" INTEGER);\n' });
    const session = await sessionOn(await emptyDatabase());
    await applyMigrations(session, readMigrations(dir));

    // when its file is edited and the migrations are applied again
    writeFileSync(path.join(dir, '20990101000000_first', 'migration.sql'), 'CREATE TABLE "scratch_first" ("id" BIGINT);\n');
    const messages: string[] = [];
    const applied = await applyMigrations(session, readMigrations(dir), (message) => messages.push(message));

    // then nothing is re-applied, and the change is reported
    expect(applied).toEqual([]);
    expect(messages).toEqual([expect.stringMatching(/20990101000000_first was modified after it was applied/)]);
  });

  // On PostgreSQL these are 4 connections and the advisory lock decides; on PGlite the sessions
  // share its one connection, where the lock is re-entrant, so they must queue in-process.
  run('applies each migration exactly once when 4 sessions migrate one empty database at the same time', async () => {
    // given an empty database and 4 sessions on it
    const empty = await emptyDatabase();
    const racers = await Promise.all([1, 2, 3, 4].map(() => sessionOn(empty)));

    // when all 4 apply the migrations at once
    const results = await within(60_000, 'concurrent migrations', Promise.allSettled(racers.map((session) => applyMigrations(session))));

    // then all succeed, between them applying each migration once, and each is recorded once
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    const appliedByAll = results.flatMap((result) => (result as PromiseFulfilledResult<string[]>).value);
    expect(appliedByAll.sort()).toEqual(expectedMigrations.map((m) => m.migration_name));
    const rows = await migrationRows(racers[0]);
    expect(rows.map((row) => [row.migration_name, row.checksum, row.applied_steps_count, row.finished_at === null])).toEqual(
      expectedMigrations.map((m) => [m.migration_name, m.checksum, 1, false]),
    );
    expect(await publicTables(racers[0])).toEqual(['_prisma_migrations', ...appTables]);
  });
});
