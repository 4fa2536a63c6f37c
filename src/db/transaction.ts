import type { PrismaClient } from '../generated/prisma/client';

/** The Prisma client as seen inside a transaction. */
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/** Thrown inside a transaction to roll it back and hand `result` to the caller. */
class Rollback<T> {
  constructor(readonly result: T) {}
}

export interface UnitOfWork {
  /** Roll back everything written so far and make `inTransaction` return `result`. */
  rollbackWith<T>(result: T): never;
}

/**
 * The one way every write reaches the database: `work` runs in a single transaction that is
 * committed when it returns and rolled back when it throws or calls `rollbackWith`.
 */
export async function inTransaction<T>(
  prisma: PrismaClient,
  work: (tx: Tx, unit: UnitOfWork) => Promise<T>,
): Promise<T> {
  const unit: UnitOfWork = {
    rollbackWith(result) {
      throw new Rollback(result);
    },
  };
  try {
    return await prisma.$transaction((tx) => work(tx, unit), { maxWait: 10_000, timeout: 30_000 });
  } catch (error) {
    if (error instanceof Rollback) return error.result as T;
    throw error;
  }
}

/**
 * The name of the unique constraint or index a failed write violated, or undefined when the
 * error is something else. Prisma reports the index name for pg but only the columns for
 * PGlite; PostgreSQL's own message names it for both.
 */
export function violatedUniqueConstraint(error: unknown): string | undefined {
  const cause = (error as { meta?: { driverAdapterError?: { cause?: Record<string, unknown> } } } | null)?.meta
    ?.driverAdapterError?.cause;
  if (!cause || cause.kind !== 'UniqueConstraintViolation') return undefined;
  const named = /unique constraint "([^"]+)"/.exec(String(cause.originalMessage ?? ''));
  const constraint = cause.constraint as { index?: string } | undefined;
  return named?.[1] ?? constraint?.index ?? '';
}
