import { AsyncLocalStorage } from 'node:async_hooks';
import type { Sql, SqlDatabase } from './sql';

/** The statements of a transaction: raw SQL on the driver's connection (src/db/sql.ts). */
export type Tx = Sql;

/** Thrown inside a transaction to roll it back and hand `result` to the caller. */
class Rollback<T> {
  constructor(readonly result: T) {}
}

export interface UnitOfWork {
  /** Roll back everything written so far and make `inTransaction` return `result`. */
  rollbackWith<T>(result: T): never;
  /**
   * Runs the transaction's last statement, with its COMMIT in the same round trip on PostgreSQL
   * (src/db/sql.ts): once it answers, the transaction is committed and no statement may follow.
   */
  readonly last: Tx;
}

/**
 * Something a request asks every transaction it opens to take part in: the claim of its
 * Idempotency-Key (src/db/idempotency-keys.ts), so the claim commits or rolls back with the
 * effects. `enlist` is the transaction's first statement; `settled` says how it ended. Requests
 * without one (no key) run exactly as before: no extra statement. Work a request starts but that
 * is not part of it (a timer, a dispatcher woken by a write) must start outside it, e.g. in
 * `transactionParticipant.exit(...)`, or its transactions would take the request's key.
 */
export interface TransactionParticipant {
  enlist(tx: Tx): Promise<void>;
  settled(committed: boolean): void;
}

/** The participant of the request running now, if it has one. */
export const transactionParticipant = new AsyncLocalStorage<TransactionParticipant>();

/**
 * The one way every write reaches the database: `work` runs in a single transaction that is
 * committed when it returns and rolled back when it throws or calls `rollbackWith`. It runs on the
 * driver (src/db/sql.ts), not in a Prisma interactive transaction, which cost several times the
 * CPU of the statements it carried.
 */
export async function inTransaction<T>(
  database: SqlDatabase,
  work: (tx: Tx, unit: UnitOfWork) => Promise<T>,
): Promise<T> {
  const participant = transactionParticipant.getStore();
  try {
    const result = await database.transaction(async (tx, last) => {
      if (participant) await participant.enlist(tx);
      const unit: UnitOfWork = {
        rollbackWith(result) {
          throw new Rollback(result);
        },
        last,
      };
      return work(tx, unit);
    });
    participant?.settled(true);
    return result;
  } catch (error) {
    participant?.settled(false);
    if (error instanceof Rollback) return error.result as T;
    throw error;
  }
}

/**
 * A write that is one statement, atomic on its own: run as it is, without the two round trips of a
 * transaction around it, unless the request has a participant to enlist (an Idempotency-Key
 * claim must commit with it), in which case it runs in `inTransaction`.
 */
export async function inOneStatement<T>(database: SqlDatabase, statement: (db: Tx) => Promise<T>): Promise<T> {
  if (transactionParticipant.getStore()) return inTransaction(database, (tx) => statement(tx));
  return statement(database.sql);
}

/**
 * The name of the unique constraint or index a failed write violated, or undefined when the
 * error is something else. Writes run on the driver (src/db/sql.ts), whose errors (pg's and
 * PGlite's alike) carry the SQLSTATE and the constraint's name.
 */
export function violatedUniqueConstraint(error: unknown): string | undefined {
  const driverError = error as { code?: unknown; constraint?: unknown } | null;
  if (driverError?.code !== '23505') return undefined;
  return typeof driverError.constraint === 'string' ? driverError.constraint : '';
}
