/**
 * Raw SQL straight on the driver (a pg pool or client, or PGlite), without Prisma's client in the
 * way: the statements of the write path and of the hot reads.
 *
 * Prisma's interactive transaction costs several times the CPU of the statements it carries
 * (bench/transaction-overhead.js: three statements 0.8-1.6 ms as a `$transaction`, 0.16-0.32 ms on
 * a pg client), and every mutation is one. Statements here are Prisma.Sql values, written exactly
 * as for Prisma's `$queryRaw`, and rows come back in Prisma's shapes (see `Sql`), so a function
 * taking `Sql` runs as well on Prisma's client or transaction (tests compare the two).
 */
import pg from 'pg';
import type { PGliteInterface, Transaction as PgliteTransaction } from '@electric-sql/pglite';
import { Prisma } from '../generated/prisma/client';

/**
 * What runs raw statements: Prisma's own `$queryRaw`/`$executeRaw`, so Prisma's client and its
 * transactions are one too. Rows read as Prisma reads them: timestamps as Dates, date columns as
 * Dates at UTC midnight, int8 as bigint, bytea as Uint8Array, json as parsed values, enums as
 * strings. Parameters: Dates are sent as UTC instants, bigints as their digits, objects as JSON.
 */
export interface Sql {
  $queryRaw<T = unknown>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<T>;
  $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<number>;
}

/** Called with the text of every statement sent (for the statement-count tests and the bench), or null. */
export type StatementListener = ((text: string) => void) | null;

/** Something that runs a statement and answers rows and a count: a pg pool or client, PGlite or its transaction. */
interface Runner {
  run(text: string, values: unknown[]): Promise<{ rows: unknown[]; count: number }>;
}

/** The statement's text ($1, $2, ...) and its values as the drivers take them. */
function statementOf(query: TemplateStringsArray | Prisma.Sql, values: unknown[]): { text: string; values: unknown[] } {
  const sql = query instanceof Prisma.Sql ? query : Prisma.sql(query, ...values);
  return { text: sql.text, values: sql.values.map(driverValue) };
}

/** Dates as UTC instants (pg would send local time, and a UTC-midnight date must stay its day). */
function driverValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  return value;
}

class RawSql implements Sql {
  constructor(
    private readonly runner: Runner,
    private readonly listener: StatementListener,
  ) {}

  async $queryRaw<T = unknown>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<T> {
    return (await this.send(query, values)).rows as T;
  }

  async $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<number> {
    return (await this.send(query, values)).count;
  }

  private send(query: TemplateStringsArray | Prisma.Sql, values: unknown[]) {
    const statement = statementOf(query, values);
    this.listener?.(statement.text);
    return this.runner.run(statement.text, statement.values);
  }
}

/** A date column's text (YYYY-MM-DD) as Prisma reads it: that day's UTC midnight. */
const utcMidnight = (text: string) => new Date(`${text}T00:00:00.000Z`);
const asUint8Array = (buffer: Buffer) => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
const parseBytea = pg.types.getTypeParser(pg.types.builtins.BYTEA) as (text: string) => Buffer;

/** pg's parsers but where Prisma reads otherwise: int8, date, bytea. */
const PG_PARSERS: Record<number, (text: string) => unknown> = {
  [pg.types.builtins.INT8]: (text) => BigInt(text),
  [pg.types.builtins.DATE]: utcMidnight,
  [pg.types.builtins.BYTEA]: (text) => asUint8Array(parseBytea(text)),
};
const pgTypes = {
  getTypeParser: (oid: number, format?: string) => PG_PARSERS[oid] ?? pg.types.getTypeParser(oid, format as 'text'),
};

/** PGlite's parsers (dates already at UTC midnight, bytea as Uint8Array) but int8 as bigint. */
const PGLITE_PARSERS = { [pg.types.builtins.INT8]: (text: string) => BigInt(text) };

/**
 * Names for statement texts, so PostgreSQL parses and plans each text once per connection instead
 * of for every statement: it halved PostgreSQL's CPU per journey (bench:ab, 18.8 -> 9.7 ms). The
 * first `PREPARED_TEXTS` texts a process sends get a name for its life (texts are the code's, never
 * built from input: values are parameters), so each connection holds at most that many; later texts
 * run unnamed.
 */
const PREPARED_TEXTS = 300;

class StatementNames {
  private readonly names = new Map<string, string>();

  of(text: string): string | undefined {
    const known = this.names.get(text);
    if (known !== undefined || this.names.size >= PREPARED_TEXTS) return known;
    const name = `onboarding_${this.names.size}`;
    this.names.set(text, name);
    return name;
  }
}

function pgRunner(queryable: pg.Pool | pg.PoolClient, names: StatementNames | null, commitAfter = false): Runner {
  return {
    async run(text, values) {
      const result = await queryable.query({ name: names?.of(text), text, values, types: pgTypes, commitAfter } as pg.QueryConfig);
      return { rows: result.rows, count: result.rowCount ?? 0 };
    },
  };
}

function pgliteRunner(pglite: PGliteInterface | PgliteTransaction): Runner {
  return {
    async run(text, values) {
      try {
        const result = await pglite.query(text, values, { parsers: PGLITE_PARSERS });
        return { rows: result.rows, count: result.affectedRows ?? 0 };
      } catch (error) {
        throw withoutParameters(error);
      }
    },
  };
}

/** PGlite's errors carry the statement's parameters (identifier values, codes): never let them travel on. */
function withoutParameters(error: unknown): unknown {
  if (error && typeof error === 'object') {
    for (const key of ['params', 'queryOptions']) delete (error as Record<string, unknown>)[key];
  }
  return error;
}

/**
 * The raw SQL of a database, outside and inside transactions. A transaction commits when `work`
 * returns and rolls back when it throws; it is seen by listeners as its statements and a COMMIT
 * (or ROLLBACK), without BEGIN, as Prisma's query events showed it.
 *
 * `last` runs the transaction's last statement: on PostgreSQL it carries the COMMIT in its own
 * round trip (src/db/deferred-begin.ts), so the transaction is committed when it answers and no
 * statement may follow it (one that does is refused). On PGlite, where a round trip is a function
 * call, it is an ordinary statement and the COMMIT follows when `work` returns.
 */
export interface SqlDatabase {
  /** Statements outside any transaction, each atomic on its own. */
  readonly sql: Sql;
  transaction<T>(work: (tx: Sql, last: Sql) => Promise<T>): Promise<T>;
}

export function pgSqlDatabase(pool: pg.Pool, listener: StatementListener, { preparedStatements = true } = {}): SqlDatabase {
  const names = preparedStatements ? new StatementNames() : null;
  return {
    sql: new RawSql(pgRunner(pool, names), listener),
    async transaction(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      // A connection lost between statements (a server restart, the idle-in-transaction timeout)
      // errors on the client, which the pool no longer listens to while it is checked out: noted
      // here, the next statement fails, and the client is closed at release instead of reused.
      const lost = (error: Error) => (broken = error);
      client.on('error', lost);
      let committed = false;
      /** A runner on the client that refuses to run once the last statement committed; `commits`: it is that statement. */
      const runnerOf = (commits: boolean): Runner => {
        const runner = pgRunner(client, names, commits);
        return {
          async run(text, values) {
            if (committed) throw new Error('A statement after the transaction was committed with its last statement');
            if (commits) {
              committed = true;
              listener?.('COMMIT');
            }
            return runner.run(text, values);
          },
        };
      };
      try {
        // With src/db/deferred-begin.ts as the pool's client, BEGIN travels with the first statement.
        await client.query('BEGIN');
        const result = await work(new RawSql(runnerOf(false), listener), new RawSql(runnerOf(true), listener));
        if (!committed) {
          listener?.('COMMIT');
          await client.query('COMMIT');
        }
        return result;
      } catch (error) {
        listener?.('ROLLBACK');
        // A connection that cannot even roll back is closed rather than handed to the next request.
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      } finally {
        client.removeListener('error', lost);
        client.release(broken);
      }
    },
  };
}

export function pgliteSqlDatabase(pglite: PGliteInterface, listener: StatementListener): SqlDatabase {
  return {
    sql: new RawSql(pgliteRunner(pglite), listener),
    async transaction(work) {
      // PGlite runs one transaction at a time: others (and statements outside) wait for it.
      let committed = false;
      try {
        const result = await pglite.transaction(async (t) => {
          const tx = new RawSql(pgliteRunner(t), listener);
          return work(tx, tx);
        });
        committed = true;
        return result;
      } finally {
        listener?.(committed ? 'COMMIT' : 'ROLLBACK');
      }
    },
  };
}
