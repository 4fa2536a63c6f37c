import type { Sql } from './sql';
import type { Tx } from './transaction';

/** How long a key answers repeats; after that it is purged and may start a new request. */
export const IDEMPOTENCY_KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** Expired rows one lookup purges at most, so a backlog never makes one request slow. */
const PURGE_BATCH = 100;

/** A live key of a caller: the request it was first used for and, once DONE, the response it got. */
export interface StoredIdempotencyKey {
  requestHash: string;
  state: 'RUNNING' | 'DONE';
  /** The response body as JSON text (DONE only). */
  response: string | null;
  /**
   * RUNNING for longer than any request may run (ANSWER_LOST_AFTER_MS): the claim committed with
   * the mutation's effects, so they were applied, but the response was never stored (the server or
   * the database failed in between). It never will be.
   */
  answerLost: boolean;
}

/** Longer than a request may take (the server's request timeout is 60 s), with room to spare. */
export const ANSWER_LOST_AFTER_MS = 2 * 60_000;

/**
 * The `idempotency_keys` table (migration 20261130000000_idempotency_keys). A key is scoped to its
 * caller and lives 24 hours by the app's clock. The row is written twice:
 * - `claim`, inside the transaction of the mutation's effects (src/db/transaction.ts enlists it as
 *   the first statement), so the key is taken exactly when the effects commit. Two requests with one
 *   key, in one process or two, serialize on the primary key: the second INSERT waits for the first
 *   transaction and, once it commits, finds the row taken and claims nothing.
 * - `complete`, right after the operation has been executed, with the response.
 * An answer without committed effects (a typed domain error that rolled back, a validation failure
 * before any transaction) is stored by `record` in one statement.
 */
export class IdempotencyKeys {
  constructor(
    private readonly sql: Sql,
    private readonly clock: () => Date,
  ) {}

  /** The live row of `caller` and `key`; purges a batch of expired rows in the same statement. */
  async find(caller: string, key: string): Promise<StoredIdempotencyKey | null> {
    const now = this.clock();
    const lostBefore = new Date(now.getTime() - ANSWER_LOST_AFTER_MS);
    const rows = await this.sql.$queryRaw<Array<{ request_hash: string; state: 'RUNNING' | 'DONE'; response: string | null; answer_lost: boolean }>>`
      WITH purged AS (
        DELETE FROM idempotency_keys
         WHERE (caller, key) IN (SELECT caller, key FROM idempotency_keys WHERE expires_at <= ${now}
                                  LIMIT ${PURGE_BATCH} FOR UPDATE SKIP LOCKED)
      )
      SELECT request_hash, state, response::text AS response, (state = 'RUNNING' AND created_at <= ${lostBefore}) AS answer_lost
        FROM idempotency_keys
       WHERE caller = ${caller} AND key = ${key} AND expires_at > ${now}`;
    const row = rows[0];
    return row ? { requestHash: row.request_hash, state: row.state, response: row.response, answerLost: row.answer_lost } : null;
  }

  /**
   * Takes the key for this request inside `tx`: true when taken, false when another request holds
   * it (this waits until that request's transaction ends). An expired row not yet purged is taken over.
   */
  async claim(tx: Tx, caller: string, key: string, requestHash: string): Promise<boolean> {
    const now = this.clock();
    const expires = new Date(now.getTime() + IDEMPOTENCY_KEY_LIFETIME_MS);
    const taken = await tx.$queryRaw<unknown[]>`
      INSERT INTO idempotency_keys (caller, key, request_hash, state, response, created_at, expires_at)
      VALUES (${caller}, ${key}, ${requestHash}, 'RUNNING', NULL, ${now}, ${expires})
      ON CONFLICT (caller, key) DO UPDATE
        SET request_hash = EXCLUDED.request_hash, state = 'RUNNING', response = NULL,
            created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
        WHERE idempotency_keys.expires_at <= EXCLUDED.created_at
      RETURNING 1`;
    return taken.length === 1;
  }

  /** Writes the response of a request whose claim committed. */
  async complete(caller: string, key: string, response: string): Promise<void> {
    await this.sql.$executeRaw`
      UPDATE idempotency_keys SET state = 'DONE', response = ${response}::json
       WHERE caller = ${caller} AND key = ${key} AND state = 'RUNNING'`;
  }

  /** Stores the response of a request that committed nothing, unless another request took the key meanwhile. */
  async record(caller: string, key: string, requestHash: string, response: string): Promise<void> {
    const now = this.clock();
    const expires = new Date(now.getTime() + IDEMPOTENCY_KEY_LIFETIME_MS);
    await this.sql.$executeRaw`
      INSERT INTO idempotency_keys (caller, key, request_hash, state, response, created_at, expires_at)
      VALUES (${caller}, ${key}, ${requestHash}, 'DONE', ${response}::json, ${now}, ${expires})
      ON CONFLICT (caller, key) DO UPDATE
        SET request_hash = EXCLUDED.request_hash, state = 'DONE', response = EXCLUDED.response,
            created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
        WHERE idempotency_keys.expires_at <= EXCLUDED.created_at`;
  }
}
