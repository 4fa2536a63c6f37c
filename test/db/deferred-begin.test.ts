import { Pool, PoolClient, QueryConfig } from 'pg';
import { DeferredBeginClient } from '../../src/db/deferred-begin';
import type { Sql } from '../../src/db/sql';
import { Prisma } from '../../src/generated/prisma/client';
import { TestApp, startTestApp } from '../support/test-app';
import { createClient } from '../support/fixtures';
import { createTestDatabase, onPostgres } from '../support/test-database';
import type { DatabaseConfig } from '../../src/config';

/** Round trips of a connection: every batch ends with one Sync, answered by one ReadyForQuery. */
function roundTrips(client: PoolClient): () => number {
  let count = 0;
  (client as unknown as { connection: NodeJS.EventEmitter }).connection.on('readyForQuery', () => (count += 1));
  return () => count;
}

/** A pool of the server's client (BEGIN and COMMIT batched), reset at every checkout as the app's is. */
function deferredBeginPool(max: number): Pool {
  const pool = new Pool({ connectionString: process.env.TEST_DATABASE_URL, max, Client: DeferredBeginClient });
  pool.on('acquire', (client) => (client as unknown as DeferredBeginClient).resetDeferredBegin());
  return pool;
}

/** Runs `body` on a connection of `pool` with a table of its own (`columns`), dropped and released after. */
async function withScratchTable(pool: Pool, name: string, columns: string, body: (client: PoolClient, table: string) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  const table = `${name}_${process.pid}`;
  try {
    await client.query(`CREATE TABLE ${table} (${columns.replaceAll('<table>', table)})`);
    await body(client, table);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    client.release();
  }
}

// A transaction's BEGIN goes out with its first statement (src/db/deferred-begin.ts): PostgreSQL only.
(onPostgres ? describe : describe.skip)('BEGIN sent with the first statement (PostgreSQL)', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = deferredBeginPool(2);
  });
  afterAll(() => pool.end());

  it('runs BEGIN, two statements and COMMIT in three round trips, all in one transaction', async () => {
    const client = await pool.connect();
    try {
      await client.query('CREATE TEMP TABLE IF NOT EXISTS t1 (a int)');
      const trips = roundTrips(client);
      await client.query({ text: 'BEGIN', values: [] });
      const first = await client.query({ text: 'INSERT INTO t1 VALUES ($1) RETURNING txid_current() AS tx, now() AS at', values: [1] });
      const second = await client.query({ text: 'SELECT txid_current() AS tx, now() AS at, count(*)::int AS n FROM t1', values: [] });
      await client.query({ text: 'COMMIT', values: [] });
      expect(trips()).toBe(3);
      expect(second.rows[0]).toEqual({ tx: first.rows[0].tx, at: first.rows[0].at, n: 1 });
      expect(first.rowCount).toBe(1);
      expect(first.command).toBe('INSERT');
    } finally {
      client.release();
    }
  });

  it('undoes the first statement on ROLLBACK, and after a failing first statement the transaction is failed until ROLLBACK', async () => {
    const client = await pool.connect();
    try {
      await client.query('CREATE TEMP TABLE IF NOT EXISTS t2 (a int)');
      await client.query('BEGIN');
      await client.query({ text: 'INSERT INTO t2 VALUES ($1)', values: [1] });
      await client.query('ROLLBACK');
      expect((await client.query('SELECT count(*)::int AS n FROM t2')).rows).toEqual([{ n: 0 }]);

      await client.query('BEGIN');
      await expect(client.query({ text: 'SELECT 1 / $1::int', values: [0] })).rejects.toMatchObject({ code: '22012' });
      await expect(client.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
      await client.query('ROLLBACK');
      expect((await client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    } finally {
      client.release();
    }
  });

  it('sends nothing for a transaction without statements, and never hands a pending BEGIN to the next user', async () => {
    const client = await pool.connect();
    const trips = roundTrips(client);
    await client.query('BEGIN');
    await client.query('COMMIT');
    expect(trips()).toBe(0);
    // a transaction abandoned before its first statement (a timeout), then the connection reused
    await client.query('BEGIN');
    client.release();
    const again = await pool.connect();
    const other = await pool.connect();
    const table = `deferred_begin_${process.pid}`;
    try {
      expect(again).toBe(client);
      expect((again as unknown as DeferredBeginClient).hasDeferredBegin).toBe(false);
      await again.query(`CREATE TABLE ${table} (a int)`);
      await again.query({ text: `INSERT INTO ${table} VALUES ($1)`, values: [1] });
      // autocommitted, not held in a transaction begun by the connection's last user
      expect((await other.query(`SELECT count(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 1 }]);
    } finally {
      await other.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
      again.release();
      other.release();
    }
  });

  it('refuses a second BEGIN while one is deferred, as PostgreSQL would warn of one in progress', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await expect(client.query('BEGIN')).rejects.toThrow(/already begun/);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });
});

// A unit of work's last statement carries the COMMIT (commitAfter): PostgreSQL only.
(onPostgres ? describe : describe.skip)('COMMIT sent with the last statement (PostgreSQL)', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = deferredBeginPool(2);
  });
  afterAll(() => pool.end());

  const committing = (text: string, values: unknown[] = []): QueryConfig => ({ text, values, commitAfter: true }) as QueryConfig;

  it('runs BEGIN, a statement and the last statement with COMMIT in two round trips, committed when it answers', async () => {
    const client = await pool.connect();
    const other = await pool.connect();
    const table = `commit_after_${process.pid}_1`;
    try {
      await client.query(`CREATE TABLE ${table} (a int)`);
      const trips = roundTrips(client);
      await client.query('BEGIN');
      await client.query({ text: `INSERT INTO ${table} VALUES ($1)`, values: [1] });
      const last = await client.query(committing(`INSERT INTO ${table} VALUES ($1) RETURNING a`, [2]));
      expect(trips()).toBe(2);
      // the answer is the statement's alone, and the transaction is over: another connection sees both rows
      expect(last.rows).toEqual([{ a: 2 }]);
      expect(last.command).toBe('INSERT');
      expect((await other.query(`SELECT count(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 2 }]);
      expect((await client.query('SELECT txid_current_if_assigned() AS open')).rows).toEqual([{ open: null }]);
    } finally {
      await other.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
      client.release();
      other.release();
    }
  });

  it('commits a one-statement transaction in one round trip: BEGIN, the statement and COMMIT in one batch', () =>
    withScratchTable(pool, 'commit_after_2', 'a int', async (client, table) => {
      const trips = roundTrips(client);
      await client.query('BEGIN');
      const only = await client.query(committing(`INSERT INTO ${table} VALUES ($1), ($2)`, [1, 2]));
      expect(trips()).toBe(1);
      expect(only.rowCount).toBe(2);
      expect((await client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 2 }]);
    }));

  it('skips the COMMIT when the last statement fails: the transaction is left failed, and ROLLBACK undoes the earlier ones', () =>
    withScratchTable(pool, 'commit_after_3', 'a int', async (client, table) => {
      await client.query('BEGIN');
      await client.query({ text: `INSERT INTO ${table} VALUES ($1)`, values: [1] });
      await expect(client.query(committing('SELECT 1 / $1::int', [0]))).rejects.toMatchObject({ code: '22012' });
      await expect(client.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
      await client.query('ROLLBACK');
      expect((await client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 0 }]);
    }));

  it('answers with the COMMIT\'s error when the COMMIT fails (a deferred constraint), and nothing is kept', () =>
    withScratchTable(pool, 'commit_after_4', 'a int, CONSTRAINT <table>_a UNIQUE (a) DEFERRABLE INITIALLY DEFERRED', async (client, table) => {
      await client.query('BEGIN');
      await client.query({ text: `INSERT INTO ${table} VALUES ($1)`, values: [1] });
      await expect(client.query(committing(`INSERT INTO ${table} VALUES ($1)`, [1]))).rejects.toMatchObject({ code: '23505', constraint: `${table}_a` });
      // the failed COMMIT ended the transaction; a ROLLBACK after it only warns
      await client.query('ROLLBACK');
      expect((await client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 0 }]);
    }));
});

// Statements prepared once per connection (src/db/sql.ts), over the deferred BEGIN: PostgreSQL only.
(onPostgres ? describe : describe.skip)('prepared statements (PostgreSQL)', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = deferredBeginPool(1);
  });
  afterAll(() => pool.end());

  it('parses a named statement again after its Parse failed in the batch of a deferred BEGIN', async () => {
    const client = await pool.connect();
    const table = `prepared_${process.pid}`;
    const named = { name: `prepared_${process.pid}`, text: `SELECT count(*)::int AS n FROM ${table}`, values: [] };
    try {
      // when the statement's first Parse fails (its table does not exist yet), right after BEGIN
      await client.query('BEGIN');
      await expect(client.query(named)).rejects.toMatchObject({ code: '42P01' });
      await client.query('ROLLBACK');
      // then, once the table exists, the same name and text are parsed and run, in and out of a transaction
      await client.query(`CREATE TABLE ${table} (a int)`);
      await client.query('BEGIN');
      expect((await client.query(named)).rows).toEqual([{ n: 0 }]);
      await client.query('COMMIT');
      expect((await client.query(named)).rows).toEqual([{ n: 0 }]);
    } finally {
      await client.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
      client.release();
    }
  });
});

// The app's statements on the driver are prepared once per connection, unless configured not to be.
(onPostgres ? describe : describe.skip)('the app\'s prepared statements (PostgreSQL)', () => {
  const preparedSeen = async (t: TestApp) =>
    t.app.database.transaction(async (tx) => {
      await tx.$queryRaw`SELECT 41 + 1 AS answer`;
      const rows = await tx.$queryRaw<Array<{ statement: string }>>`SELECT statement FROM pg_prepared_statements`;
      return rows.map((row) => row.statement);
    });

  it('prepares at most 300 texts on a connection; later texts run unprepared, and all answer', async () => {
    const t = await startTestApp();
    try {
      const { answers, prepared } = await t.app.database.transaction(async (tx) => {
        const answers: number[] = [];
        for (let i = 0; i < 320; i += 1) {
          const [row] = await tx.$queryRaw<Array<{ n: number }>>(Prisma.raw(`SELECT ${i}::int AS n`));
          answers.push(row.n);
        }
        const [count] = await tx.$queryRaw<Array<{ prepared: number }>>`SELECT count(*)::int AS prepared FROM pg_prepared_statements`;
        return { answers, prepared: count.prepared };
      });
      expect(answers).toEqual(Array.from({ length: 320 }, (_, i) => i));
      expect(prepared).toBeLessThanOrEqual(300);
      expect(prepared).toBeGreaterThan(200);
    } finally {
      await t.stop();
    }
  });

  it('prepares each text once on a connection, and nothing with DATABASE_PREPARED_STATEMENTS off', async () => {
    const database = await createTestDatabase();
    try {
      const prepared = await startTestApp({ database });
      try {
        expect(await preparedSeen(prepared)).toContain('SELECT 41 + 1 AS answer');
      } finally {
        await prepared.stop();
      }
      const unprepared = await startTestApp({ database, config: { database: { ...database.config, preparedStatements: false } as DatabaseConfig } });
      try {
        expect(await preparedSeen(unprepared)).toEqual([]);
      } finally {
        await unprepared.stop();
      }
    } finally {
      await database.drop();
    }
  });
});

// A transaction left open between statements is ended by PostgreSQL: PostgreSQL only.
(onPostgres ? describe : describe.skip)('a transaction idle for longer than a statement may run (PostgreSQL)', () => {
  it('is ended by the server, its locks released and its writes undone, and the pool serves on', async () => {
    const database = await createTestDatabase();
    const t = await startTestApp({
      database,
      config: { database: { ...database.config, timeouts: { connectMs: 3000, statementMs: 600, lockMs: 500 } } as DatabaseConfig },
    });
    try {
      const { id } = await createClient(t);
      // when a transaction locks a client, renames it, then stalls past the timeout
      const stalled = t.app.database.transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM clients WHERE id = ${id}::uuid FOR UPDATE`;
        await tx.$executeRaw`UPDATE clients SET first_name = 'Stalled' WHERE id = ${id}::uuid`;
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await tx.$queryRaw`SELECT 1`;
      });
      // then it fails, and the client is neither locked nor renamed
      await expect(stalled).rejects.toThrow();
      const [row] = await t.app.database.transaction((tx) => tx.$queryRaw<Array<{ first_name: string }>>`SELECT first_name FROM clients WHERE id = ${id}::uuid FOR UPDATE NOWAIT`);
      expect(row.first_name).not.toBe('Stalled');
      expect((await createClient(t)).id).toBeTruthy();
    } finally {
      await t.stop();
      await database.drop();
    }
  });
});

// A transaction on the app's database: `last` commits, and nothing may follow it (both databases).
describe('a transaction\'s last statement', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('is committed with it, and a statement after it is refused without undoing it', async () => {
    const externalId = `last-${Date.now()}`;
    const id = '00000000-0000-4000-8000-' + String(Date.now()).slice(-12).padStart(12, '0');
    const insert = (tx: Sql) => tx.$executeRaw`
      INSERT INTO clients (id, external_id, first_name, last_name, status, created_at, updated_at) VALUES (${id}::uuid, ${externalId}, 'Last', 'Statement', 'PENDING', now(), now())`;
    const result = await t.app.database.transaction(async (tx, last) => {
      await tx.$queryRaw`SELECT 1`;
      return insert(last);
    });
    expect(result).toBe(1);
    expect(await t.app.database.prisma.client.count({ where: { externalId } })).toBe(1);

    if (t.app.database.kind === 'postgres') {
      await expect(
        t.app.database.transaction(async (tx, last) => {
          await last.$queryRaw`SELECT 1`;
          await tx.$queryRaw`SELECT 2`;
        }),
      ).rejects.toThrow(/after the transaction was committed/);
    }
  });
});

// The same through Prisma's interactive transactions on the app's own pool.
(onPostgres ? describe : describe.skip)('Prisma transactions over the deferred BEGIN (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('keeps every statement of a $transaction in one transaction, and a thrown error undoes the first one', async () => {
    const prisma = t.app.database.prisma;
    const ids = await prisma.$transaction(async (tx) => {
      const [a] = await tx.$queryRaw<{ tx: bigint }[]>`SELECT txid_current() AS tx`;
      const [b] = await tx.$queryRaw<{ tx: bigint }[]>`SELECT txid_current() AS tx`;
      return [a.tx, b.tx];
    });
    expect(ids[0]).toBe(ids[1]);

    const externalId = `deferred-${Date.now()}`;
    await expect(
      prisma.$transaction(async (tx) => {
        await tx.client.create({ data: { firstName: 'A', lastName: 'B', externalId } });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await prisma.client.count({ where: { externalId } })).toBe(0);
  });
});
