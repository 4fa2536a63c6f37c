import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { Client as PgClient, Pool } from 'pg';
import type { PGliteInterface } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { DEFAULT_DATABASE_TIMEOUTS, type DatabaseConfig } from '../config';
import { PrismaClient } from '../generated/prisma/client';
import { DeferredBeginClient } from './deferred-begin';
import { SqlSession, applyMigrations } from './migrations';
import { newEmbeddedPglite } from './pglite-options';
import { SqlDatabase, StatementListener, pgSqlDatabase, pgliteSqlDatabase } from './sql';

/**
 * The one database handle of an app over PostgreSQL (pg pool) or embedded PGlite: raw SQL on the
 * driver for the write path and the hot reads (`sql`, `transaction`: src/db/sql.ts), a Prisma
 * client over the same connections for the rest, and a way to open a raw SQL session for
 * migrations and advisory locks.
 */
export interface Database extends SqlDatabase {
  readonly kind: DatabaseConfig['kind'];
  readonly prisma: PrismaClient;
  /** A dedicated session (its own connection on PostgreSQL) for migrations. */
  openSession(): Promise<SqlSession & { close(): Promise<void> }>;
  /** Called with every SQL statement sent, by Prisma or on the driver; for the statement-count test and debugging. */
  onStatement(listener: (sql: string) => void): () => void;
  /**
   * The driver under Prisma, for the few statements that move bulk bytes (document chunks): there
   * Prisma's copies of each parameter and result cost more memory than the bytes themselves.
   * Statements sent here run outside any transaction.
   */
  readonly driver: DatabaseDriver;
  /** Connections of the PostgreSQL pool (open, idle, requests waiting for one); null on PGlite. */
  poolUse(): { total: number; idle: number; waiting: number } | null;
  close(): Promise<void>;
}

export type DatabaseDriver = { kind: 'postgres'; pool: Pool } | { kind: 'pglite'; pglite: PGliteInterface };

/** The session setting the outbox trigger reads: 'off' means history events are not queued for the webhook. */
const CLIENT_EVENT_OUTBOX_SETTING = 'onboarding.client_event_outbox';

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  return config.kind === 'postgres' ? openPostgres(config) : openPglite(config);
}

/**
 * The statement listeners of a database: fed by Prisma's query events and by the driver's raw SQL,
 * only when the config asks (observeStatements); otherwise nothing is built per statement.
 */
function statementListeners(config: DatabaseConfig) {
  if (!config.observeStatements) {
    return {
      notify: null as StatementListener,
      listenToPrisma: (_prisma: PrismaClient) => undefined,
      onStatement: (): (() => void) => {
        throw new Error('onStatement needs the database opened with observeStatements: true (tests and the bench set it)');
      },
    };
  }
  const listeners = new Set<(sql: string) => void>();
  const notify = (sql: string) => {
    for (const listener of listeners) listener(sql);
  };
  return {
    notify: notify as StatementListener,
    listenToPrisma: (prisma: PrismaClient) => prisma.$on('query' as never, (event: { query: string }) => notify(event.query)),
    onStatement: (listener: (sql: string) => void) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

/**
 * The Prisma client's options on both databases: a query event per statement only when asked to
 * (observeStatements), and no call-site stack captured for every query ('minimal': Prisma's
 * messages never reach clients).
 */
const prismaOptions = (config: DatabaseConfig) => ({
  log: config.observeStatements ? [{ emit: 'event' as const, level: 'query' as const }] : [],
  errorFormat: 'minimal' as const,
});

/** Applies pending migrations over a session of its own (as the server does at start); returns their names. */
export async function migrateDatabase(database: Database, log: (message: string) => void): Promise<string[]> {
  const session = await database.openSession();
  try {
    return await applyMigrations(session, undefined, log);
  } finally {
    await session.close();
  }
}

async function openPostgres(config: Extract<DatabaseConfig, { kind: 'postgres' }>): Promise<Database> {
  const timeouts = config.timeouts ?? DEFAULT_DATABASE_TIMEOUTS;
  // Bounded waits, so a database that is down or stuck fails requests within seconds
  // (SERVICE_UNAVAILABLE) instead of holding them; the pool reconnects once it answers again.
  const pool = new Pool({
    connectionString: config.url,
    max: config.poolSize,
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    // A transaction left open between statements (a hung change) is ended by PostgreSQL after as
    // long as one statement may run, releasing its locks: Prisma's interactive transactions had a
    // 30 s timeout of their own.
    idle_in_transaction_session_timeout: timeouts.statementMs,
    lock_timeout: timeouts.lockMs,
    keepAlive: true,
    // A transaction's BEGIN travels with its first statement (src/db/deferred-begin.ts).
    Client: DeferredBeginClient,
  });
  pool.on('acquire', (client) => (client as unknown as DeferredBeginClient).resetDeferredBegin());
  if (config.clientEventOutbox === false) {
    // A setting of every new connection, read by the outbox trigger (migration
    // 20261202000000_outbox_pending_index), queued ahead of the connection's first statement. A SET
    // rather than a startup option, which poolers such as PgBouncer refuse: behind one in
    // transaction mode it may not hold, and the trigger then queues events for the sweep to discard.
    pool.on('connect', (client) => void client.query(`SET ${CLIENT_EVENT_OUTBOX_SETTING} = 'off'`).catch(() => undefined));
  }
  // An idle pooled connection the server cut (a restart) is dropped by the pool; the error is
  // expected. Listened to here, not by Prisma's adapter, which listens only once Prisma first
  // connects: the driver's statements may come first.
  pool.on('error', () => undefined);
  // The pool is the app's: the driver's statements share it with Prisma, and close() ends it.
  const adapter = new PrismaPg(pool, { disposeExternalPool: false });
  const prisma = new PrismaClient({ adapter, ...prismaOptions(config) });
  const statements = statementListeners(config);
  statements.listenToPrisma(prisma);
  return {
    kind: 'postgres',
    prisma,
    ...pgSqlDatabase(pool, statements.notify, { preparedStatements: config.preparedStatements ?? true }),
    async openSession() {
      const client = new PgClient({ connectionString: config.url, connectionTimeoutMillis: timeouts.connectMs });
      await client.connect();
      return {
        query: async (sql, params) => (await client.query(sql, params as unknown[])).rows,
        exec: async (script) => void (await client.query(script)),
        close: () => client.end(),
      };
    },
    onStatement: statements.onStatement,
    driver: { kind: 'postgres', pool },
    poolUse: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openPglite(config: Extract<DatabaseConfig, { kind: 'pglite' }>): Promise<Database> {
  if (config.dataDir) mkdirSync(config.dataDir, { recursive: true });
  // An image seeds a new database only: PGlite refuses to load one over an existing data directory.
  const isNew = !config.dataDir || !existsSync(path.join(config.dataDir, 'PG_VERSION'));
  const pglite = await newEmbeddedPglite({ ...(config.dataDir ? { dataDir: config.dataDir } : {}), ...(config.image && isNew ? { loadDataDir: config.image } : {}) });
  await pglite.waitReady;
  // PGlite's one session: the setting holds for every statement after it (migration 20261202000000_outbox_pending_index).
  if (config.clientEventOutbox === false) await pglite.exec(`SET ${CLIENT_EVENT_OUTBOX_SETTING} = 'off'`);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite), ...prismaOptions(config) });
  const statements = statementListeners(config);
  statements.listenToPrisma(prisma);
  return {
    kind: 'pglite',
    prisma,
    ...pgliteSqlDatabase(pglite, statements.notify),
    async openSession() {
      return {
        query: async (sql, params) => (await pglite.query(sql, params as unknown[])).rows as Record<string, unknown>[],
        exec: async (script) => void (await pglite.exec(script)),
        sharedConnection: pglite,
        close: async () => undefined,
      };
    },
    onStatement: statements.onStatement,
    driver: { kind: 'pglite', pglite },
    poolUse: () => null,
    async close() {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}
