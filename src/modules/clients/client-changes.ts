import type { Client, PrismaClient } from '../../generated/prisma/client';
import { inTransaction, Tx } from '../../db/transaction';
import { Actor, actsOn } from '../../shared/actor';
import { ClientNotFound, Failed, Failure, InvalidStatus, Result, clientNotFound, fail, isUuid, ok } from '../../shared/result';
import { ClientEventDraft, recordEvents } from '../history/history';
import { lockClient } from './client-rows';

/** Client columns a change may set (plain values, so the lifecycle can read them before they are written). */
export type ClientFieldChanges = Partial<Omit<Client, 'id' | 'version' | 'createdAt' | 'updatedAt'>>;

/** A change of the client row with the history event that records it: what a lifecycle decision returns. */
export interface ClientTransition {
  clientData: ClientFieldChanges;
  event: ClientEventDraft;
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
}

export type AfterChangeDecision = { ok: true; transition?: ClientTransition } | Failed<InvalidStatus>;

/**
 * The lifecycle rules the unit of work applies (verification's lifecycle.ts, wired in
 * createServices), passed in so that clients imports nothing from verification.
 */
export interface ClientLifecycle {
  /** How every new client starts: its status and the CLIENT_CREATED event. */
  readonly created: ClientTransition;
  /** Run after each change that made no lifecycle decision of its own: refuse it, revoke, flag, or nothing. */
  afterChange(change: AppliedChange): Promise<AfterChangeDecision>;
}

export interface ChangeScope {
  tx: Tx;
  actor: Actor;
  /** The client, locked (SELECT ... FOR UPDATE) until the transaction ends. */
  client: Client;
  now: Date;
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
 * changes of one client take turns), runs the change, runs the lifecycle's after-change hook
 * (revoke a VERIFIED client, flag an ACTIVE one), bumps `version` once and appends the history
 * events.
 */
export class ClientChanges {
  /**
   * @param committed told, right after a commit, the types of the history events it recorded (each
   *   also queued in the outbox by trigger): the outbox dispatcher delivers them at once.
   */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly lifecycle: ClientLifecycle,
    private readonly clock: () => Date,
    private readonly committed: (eventTypes: readonly string[]) => void = () => undefined,
  ) {}

  async create(values: NewClientValues): Promise<Client> {
    const now = this.clock();
    const { clientData, event } = this.lifecycle.created;
    const created = await inTransaction(this.prisma, async (tx) => {
      const client = await tx.client.create({ data: { ...values, ...clientData, createdAt: now, updatedAt: now } });
      await recordEvents(tx, client.id, [event], now);
      return client;
    });
    this.committed([event.type]);
    return created;
  }

  async apply<T, F extends Failure = never>(
    actor: Actor,
    clientId: string,
    change: (scope: ChangeScope) => Promise<ChangeOutcome<T, F>>,
  ): Promise<Result<ChangedClient<T>, F | ClientNotFound>> {
    // A customer's own token reaches only their client; any other reads as one that does not exist.
    if (!isUuid(clientId) || !actsOn(actor, clientId)) return fail(clientNotFound(clientId));
    let recorded: readonly ClientEventDraft[] = [];
    const result = await inTransaction(this.prisma, async (tx, unit): Promise<Result<ChangedClient<T>, F | ClientNotFound>> => {
      const now = this.clock();
      const client = await lockClient(tx, clientId);
      if (!client) return fail(clientNotFound(clientId));

      const outcome = await change({ tx, actor, client, now });
      if (!outcome.ok) return outcome.keepWrites ? fail(outcome.failure) : unit.rollbackWith(fail(outcome.failure));
      if (outcome.events.length === 0 && !outcome.clientData) return ok({ value: outcome.value, client });

      const data: ClientFieldChanges = { ...outcome.clientData };
      const events = [...outcome.events];
      if (!outcome.lifecycleDecided) {
        const decision = await this.lifecycle.afterChange({ tx, actor, before: client, after: { ...client, ...data }, now });
        // The hook refuses only a correction of identity facts, which only updateClient makes (and
        // its failures include InvalidStatus); rollbackWith returns `never`, so this stays untyped.
        if (!decision.ok) return unit.rollbackWith(fail(decision.failure));
        if (decision.transition) {
          Object.assign(data, decision.transition.clientData);
          events.push(decision.transition.event);
        }
      }
      const updated = await tx.client.update({ where: { id: clientId }, data: { ...data, version: { increment: 1 }, updatedAt: now } });
      await recordEvents(tx, clientId, events, now);
      recorded = events;
      return ok({ value: outcome.value, client: updated });
    });
    if (recorded.length > 0) this.committed(recorded.map((event) => event.type));
    return result;
  }
}
