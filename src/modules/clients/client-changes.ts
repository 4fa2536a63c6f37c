import { randomUUID } from 'node:crypto';
import type { Client, Prisma } from '../../generated/prisma/client';
import type { SqlDatabase } from '../../db/sql';
import { inOneStatement, inTransaction, Tx } from '../../db/transaction';
import { Actor, actsOn } from '../../shared/actor';
import { ClientNotFound, Failed, Failure, InvalidStatus, Result, clientNotFound, fail, isUuid, ok } from '../../shared/result';
import { ClientEventDraft, eventsInsert } from '../history/history';
import { insertClient, lockClient, lockClientReading, writeClient } from './client-rows';

/** Client columns a change may set (plain values, so the lifecycle can read them before they are written). */
export type ClientFieldChanges = Partial<Omit<Client, 'id' | 'version' | 'createdAt' | 'updatedAt'>>;

/** A change of the client row with the history event that records it: what a lifecycle decision returns. */
export interface ClientTransition {
  clientData: ClientFieldChanges;
  event: ClientEventDraft;
}

/** How a new client starts: its status (always set: no database default is relied on) and its first event. */
export interface ClientCreation extends ClientTransition {
  clientData: ClientFieldChanges & Pick<Client, 'status'>;
}

/** A client about to be created: the values createClient validated. */
export type NewClientValues = Pick<Client, 'firstName' | 'lastName'> & Partial<Pick<Client, 'externalId' | 'dateOfBirth' | 'email' | 'mobilePhone'>>;

/** A change as the lifecycle sees it once it ran: the client as locked, and with the change applied. */
export interface AppliedChange {
  tx: Tx;
  actor: Actor;
  before: Client;
  after: Client;
  now: Date;
  /** Runs the change's final write now, if it left one: call it before reading what the change touched. */
  writeFinalNow(): Promise<void>;
}

export type AfterChangeDecision = { ok: true; transition?: ClientTransition } | Failed<InvalidStatus>;

/**
 * The lifecycle rules the unit of work applies (verification's lifecycle.ts, wired in
 * createServices), passed in so that clients imports nothing from verification.
 */
export interface ClientLifecycle {
  /** How every new client starts: its status and the CLIENT_CREATED event. */
  readonly created: ClientCreation;
  /** Run after each change that made no lifecycle decision of its own: refuse it, revoke, flag, or nothing. */
  afterChange(change: AppliedChange): Promise<AfterChangeDecision>;
}

export interface ChangeScope<R = undefined> {
  tx: Tx;
  actor: Actor;
  /** The client, locked (SELECT ... FOR UPDATE) until the transaction ends. */
  client: Client;
  /** What the change asked to read with the lock (`ReadWithLock`), as it stands under the lock. */
  read: R;
  now: Date;
}

/**
 * Something a change reads in the statement that locks the client (one statement less), e.g. the
 * verification snapshot of its children: read again after the lock if that statement had to wait.
 */
export interface ReadWithLock<R> {
  /** An SQL expression of the client's id alone, such as a scalar subquery. */
  expression(clientId: string): Prisma.Sql;
  /** What the change gets from the expression's value. */
  parse(value: unknown): R;
}

/**
 * What a change did: its events and client-row updates, or a failure (of the kinds `F`) that rolls
 * everything back. TypeScript infers `F` from a change that can fail one way only; a change that
 * can fail in several names them: `apply<Identifier, RateLimited | ValidationFailure>(...)`.
 */
export type ChangeOutcome<T, F extends Failure = never> =
  | {
      ok: true;
      value: T;
      events: readonly ClientEventDraft[];
      clientData?: ClientFieldChanges;
      /** The change made its own lifecycle decision (verify, activate): no after-change hook. */
      lifecycleDecided?: boolean;
      /**
       * The change's last write, left to the unit of work, which runs it in the statement that
       * writes the client and its history (one statement less): an INSERT, UPDATE or DELETE of a
       * table other than clients, without WITH or RETURNING (its outcome cannot decide anything).
       * Run on its own first when the after-change hook reads the client's children.
       */
      finalWrite?: Prisma.Sql;
    }
  | (Failed<F> & {
      /**
       * Commit what the change wrote although it failed (counted attempts): no version bump, no
       * events. Without it a failure rolls everything back.
       */
      keepWrites?: boolean;
    });

export interface ChangedClient<T> {
  value: T;
  client: Client;
}

/**
 * The unit of work for every write to a client: `create`, and `apply` for every change to an
 * existing client or its children: one transaction that locks the client row (so concurrent
 * changes of one client take turns) and reads it (with anything the change asks to read with the
 * lock) in one statement, runs the change, runs the lifecycle's after-change hook (revoke a
 * VERIFIED client, flag an ACTIVE one), then bumps `version` once, appends the history events and
 * runs the change's final write in one more statement.
 */
export class ClientChanges {
  /**
   * @param committed told, right after a commit, the types of the history events it recorded (each
   *   also queued in the outbox by trigger): the outbox dispatcher delivers them at once.
   */
  constructor(
    private readonly database: SqlDatabase,
    private readonly lifecycle: ClientLifecycle,
    private readonly clock: () => Date,
    private readonly committed: (eventTypes: readonly string[]) => void = () => undefined,
  ) {}

  async create(values: NewClientValues): Promise<Client> {
    const now = this.clock();
    const { clientData, event } = this.lifecycle.created;
    const id = randomUUID();
    // One statement (client, history and outbox row by trigger): no transaction needed around it.
    const created = await inOneStatement(this.database, (db) =>
      insertClient(db, { ...NEW_CLIENT, ...definedOnly(values), ...definedOnly(clientData), id, createdAt: now }, eventsInsert(id, [event], now)),
    );
    this.committed([event.type]);
    return created;
  }

  async apply<T, F extends Failure = never, R = undefined>(
    actor: Actor,
    clientId: string,
    change: (scope: ChangeScope<R>) => Promise<ChangeOutcome<T, F>>,
    readWithLock?: ReadWithLock<R>,
  ): Promise<Result<ChangedClient<T>, F | ClientNotFound>> {
    // A customer's own token reaches only their client; any other reads as one that does not exist.
    if (!isUuid(clientId) || !actsOn(actor, clientId)) return fail(clientNotFound(clientId));
    let recorded: readonly ClientEventDraft[] = [];
    const result = await inTransaction(this.database, async (tx, unit): Promise<Result<ChangedClient<T>, F | ClientNotFound>> => {
      const now = this.clock();
      const locked = await lockReading(tx, clientId, readWithLock);
      if (!locked) return fail(clientNotFound(clientId));
      const { client, read } = locked;

      const outcome = await change({ tx, actor, client, read, now });
      if (!outcome.ok) return outcome.keepWrites ? fail(outcome.failure) : unit.rollbackWith(fail(outcome.failure));
      let finalWrite = outcome.finalWrite ?? null;
      const writeFinalNow = async () => {
        if (!finalWrite) return;
        const write = finalWrite;
        finalWrite = null;
        await tx.$executeRaw(write);
      };
      if (outcome.events.length === 0 && !outcome.clientData) {
        await writeFinalNow();
        return ok({ value: outcome.value, client });
      }

      const data: ClientFieldChanges = definedOnly(outcome.clientData ?? {});
      const events = [...outcome.events];
      if (!outcome.lifecycleDecided) {
        const decision = await this.lifecycle.afterChange({ tx, actor, before: client, after: { ...client, ...data }, now, writeFinalNow });
        // The hook refuses only a correction of identity facts, which only updateClient makes (and
        // its failures include InvalidStatus); rollbackWith returns `never`, so this stays untyped.
        if (!decision.ok) return unit.rollbackWith(fail(decision.failure));
        if (decision.transition) {
          Object.assign(data, definedOnly(decision.transition.clientData));
          events.push(decision.transition.event);
        }
      }
      // One statement: the row as changed, version + 1, the history, and the change's final write;
      // the last of the transaction, so its COMMIT goes with it.
      const updated = await writeClient(unit.last, { ...client, ...data }, now, events.length > 0 ? eventsInsert(clientId, events, now) : null, finalWrite);
      recorded = events;
      return ok({ value: outcome.value, client: updated });
    });
    if (recorded.length > 0) this.committed(recorded.map((event) => event.type));
    return result;
  }
}

/** Locks the client and reads it, with what the change asked to read with the lock, in one statement. */
async function lockReading<R>(tx: Tx, clientId: string, readWithLock?: ReadWithLock<R>): Promise<{ client: Client; read: R } | null> {
  if (!readWithLock) {
    const client = await lockClient(tx, clientId);
    return client && { client, read: undefined as R };
  }
  const locked = await lockClientReading(tx, clientId, readWithLock.expression(clientId));
  return locked && { client: locked.client, read: readWithLock.parse(locked.alongside) };
}

/** What a new client holds before createClient's values and the lifecycle's start are applied. */
const NEW_CLIENT: Omit<Client, 'id' | 'createdAt' | 'updatedAt' | 'firstName' | 'lastName' | 'status'> = {
  externalId: null,
  dateOfBirth: null,
  email: null,
  emailVerified: false,
  mobilePhone: null,
  mobilePhoneVerified: false,
  kycVerificationType: null,
  verifiedAt: null,
  activatedAt: null,
  version: 1,
  reverificationRequired: false,
};

/** The changes without the fields left undefined (Prisma's reading of `undefined`: leave as is). */
function definedOnly<T extends object>(changes: T): T {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as T;
}
