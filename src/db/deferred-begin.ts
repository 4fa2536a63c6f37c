/**
 * A pg client that sends a transaction's BEGIN in the same write as its first statement, and its
 * COMMIT, when asked, in the same write as its last.
 *
 * A transaction used to cost a round trip for BEGIN and one for COMMIT that carried nothing else:
 * two socket writes, the costliest call of a mutation on a busy machine, and two waits. This client
 * answers BEGIN at once without sending it, and sends it in front of the next statement on the
 * same connection, both in one extended-protocol batch with one Sync (Parse/Bind/Execute "BEGIN",
 * then the statement's Parse/Bind/Describe/Execute, then Sync). If the BEGIN failed, the statement
 * is not run and its error is the answer; if the statement fails, the transaction is open and
 * failed, exactly as after a separate BEGIN, and the caller's ROLLBACK follows. A transaction that
 * ends before any statement sends neither BEGIN nor its COMMIT or ROLLBACK.
 *
 * A statement sent with `commitAfter: true` in its config has Parse/Bind/Execute "COMMIT" after it
 * in the same batch, before the Sync: when the statement fails, PostgreSQL skips the COMMIT (the
 * transaction is left failed, for the caller's ROLLBACK); when the COMMIT fails, its error is the
 * answer. src/db/sql.ts sends a unit of work's last statement so.
 *
 * Only the exact text "BEGIN" without parameters is deferred; the pool resets the state whenever
 * it hands a connection out (`resetDeferredBegin`). It relies on pg's Query.prepare, _getRows and
 * handleCommandComplete and Client._handleParseComplete (pg 8.23), which are not in pg's type
 * declarations: test/db/deferred-begin.test.ts must stay green through a pg upgrade.
 */
import pg from 'pg';

/** `commitAfter`: send COMMIT right after this statement, in its batch (see above). */
export type QueryConfig = pg.QueryConfig & { rowMode?: string; types?: unknown; queryMode?: string; commitAfter?: boolean };
type Callback = (error: Error | null, result?: pg.QueryResult) => void;

/** The parts of pg's Query this relies on (pg/lib/query.js), not in its type declarations. */
interface PgQueryInternals {
  prepare(connection: PgConnection): void;
  _getRows(connection: PgConnection, rows: number | undefined): void;
  handleCommandComplete(message: unknown, connection: PgConnection): void;
  callback?: Callback;
}

interface PgConnection {
  parse(query: { text: string; name?: string; types?: unknown[] }): void;
  bind(config: { portal?: string; statement?: string; values?: unknown[] }): void;
  execute(config: { portal?: string; rows?: number }): void;
  sync(): void;
}

const PgQuery = pg.Query as unknown as new (config: QueryConfig) => PgQueryInternals;

/** A query with BEGIN before it and/or COMMIT after it, in one batch; their CommandCompletes are not part of its result. */
class BatchedQuery extends PgQuery {
  private completes = 0;
  private beginParsed = false;

  constructor(
    config: QueryConfig,
    private readonly begin: boolean,
    private readonly commit: boolean,
  ) {
    super(config);
  }

  /**
   * True once, for BEGIN's ParseComplete: pg marks a named statement as parsed on its connection at
   * the first ParseComplete of its query, which here is BEGIN's; were the statement's own Parse then
   * to fail, the connection would skip parsing it ever after ("prepared statement does not exist").
   */
  takeBeginParse(): boolean {
    if (!this.begin || this.beginParsed) return false;
    this.beginParsed = true;
    return true;
  }

  override prepare(connection: PgConnection): void {
    if (this.begin) sendUnnamed(connection, 'BEGIN');
    super.prepare(connection);
  }

  /** pg sends Execute then Sync here (no row limit is ever set): COMMIT goes between them. */
  override _getRows(connection: PgConnection, rows: number | undefined): void {
    if (!this.commit) return super._getRows(connection, rows);
    connection.execute({ portal: (this as { portal?: string }).portal, rows });
    sendUnnamed(connection, 'COMMIT');
    connection.sync();
  }

  override handleCommandComplete(message: unknown, connection: PgConnection): void {
    const index = this.completes++;
    if (this.begin && index === 0) return;
    if (this.commit && index === (this.begin ? 2 : 1)) return;
    super.handleCommandComplete(message, connection);
  }
}

function sendUnnamed(connection: PgConnection, text: 'BEGIN' | 'COMMIT'): void {
  connection.parse({ text });
  connection.bind({});
  connection.execute({});
}

const answered = (command: string) => ({ command, rowCount: null, oid: 0, rows: [], fields: [] }) as unknown as pg.QueryResult;

export class DeferredBeginClient extends pg.Client {
  private beginPending = false;

  /** pg's handler (client.js, bound at connect): BEGIN's ParseComplete is not the statement's. */
  _handleParseComplete(...args: unknown[]): void {
    const active = (this as unknown as { _getActiveQuery(): unknown })._getActiveQuery();
    if (active instanceof BatchedQuery && active.takeBeginParse()) return;
    (pg.Client.prototype as unknown as { _handleParseComplete(...rest: unknown[]): void })._handleParseComplete.apply(this, args);
  }

  /** Called by the pool on every checkout: a connection never carries a deferred BEGIN to its next user. */
  resetDeferredBegin(): void {
    this.beginPending = false;
  }

  /** Whether a BEGIN was answered but not yet sent (for tests). */
  get hasDeferredBegin(): boolean {
    return this.beginPending;
  }

  // pg's query() has many overloads; only the promise form with a config object or text is changed.
  override query(...args: unknown[]): never {
    const [config, values, callback] = args as [string | QueryConfig | { submit?: unknown }, unknown, unknown];
    const plain = typeof values !== 'function' && callback === undefined && !(typeof config === 'object' && config !== null && 'submit' in config);
    const text = typeof config === 'string' ? config : (config as QueryConfig | null)?.text;
    const parameters = Array.isArray(values) ? values : (config as QueryConfig | null)?.values;
    if (plain && text === 'BEGIN' && (parameters === undefined || parameters.length === 0)) {
      if (this.beginPending) return Promise.reject(new Error('BEGIN while a transaction is already begun on this connection')) as never;
      this.beginPending = true;
      return Promise.resolve(answered('BEGIN')) as never;
    }
    const commitAfter = plain && typeof config === 'object' && (config as QueryConfig).commitAfter === true;
    if ((this.beginPending || commitAfter) && plain) {
      const begin = this.beginPending;
      this.beginPending = false;
      // Nothing was sent: there is no transaction on the server to end.
      if (begin && (text === 'COMMIT' || text === 'ROLLBACK') && (parameters === undefined || parameters.length === 0)) return Promise.resolve(answered(text)) as never;
      const base: QueryConfig = typeof config === 'string' ? { text: config } : { ...(config as QueryConfig) };
      const query = new BatchedQuery({ ...base, values: parameters, queryMode: 'extended' }, begin, commitAfter);
      return new Promise<pg.QueryResult>((resolve, reject) => {
        query.callback = (error, result) => (error ? reject(error) : resolve(result!));
        super.query(query as unknown as pg.Submittable);
      }) as never;
    }
    if (this.beginPending) {
      // A callback or a custom submittable inside a deferred transaction: not a form this server sends.
      throw new Error('A query with a callback or a submittable cannot follow a deferred BEGIN');
    }
    return (super.query as (...rest: unknown[]) => never)(...args);
  }
}
