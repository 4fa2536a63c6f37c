import type { Client, PrismaClient } from '../../generated/prisma/client';
import { inTransaction, Tx } from '../../db/transaction';
import { Actor, actsOn } from '../../shared/actor';
import { Failure, Result, fail, isUuid, ok } from '../../shared/result';
import { ClientEventDraft, recordEvents } from '../history/history';
import type { RequirementPolicy } from '../verification/requirement-policy';
import { loadClientSnapshot } from '../verification/client-snapshot';
import { ClientFieldChanges, decideAfterChange, isVerificationAtStake } from '../verification/lifecycle';

export interface ChangeScope {
  tx: Tx;
  actor: Actor;
  /** The client, locked (SELECT ... FOR UPDATE) until the transaction ends. */
  client: Client;
  now: Date;
}

/** What a change did: its events and client-row updates, or a failure that rolls everything back. */
export type ChangeOutcome<T> =
  | {
      ok: true;
      value: T;
      events: readonly ClientEventDraft[];
      clientData?: ClientFieldChanges;
      /** Identity facts the change corrected: a verified client must be verified again. */
      correctedIdentityFacts?: readonly string[];
      /** The change made its own lifecycle decision (verify, activate): no after-change check. */
      lifecycleDecided?: boolean;
    }
  | {
      ok: false;
      failure: Failure;
      /**
       * Commit what the change wrote although it failed (counted attempts): no version bump, no
       * events. Without it a failure rolls everything back.
       */
      keepWrites?: boolean;
    };

export interface ChangedClient<T> {
  value: T;
  client: Client;
}

/**
 * The unit of work for every change to an existing client or its children: one transaction that
 * locks the client row (so concurrent changes of one client take turns), runs the change, applies
 * the after-change lifecycle rule (revoke a VERIFIED client, flag an ACTIVE one), bumps `version`
 * once and appends the history events.
 */
export class ClientChanges {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly policy: RequirementPolicy,
    private readonly clock: () => Date,
  ) {}

  async apply<T>(actor: Actor, clientId: string, change: (scope: ChangeScope) => Promise<ChangeOutcome<T>>): Promise<Result<ChangedClient<T>>> {
    // A customer's own token reaches only their client; any other reads as one that does not exist.
    if (!isUuid(clientId) || !actsOn(actor, clientId)) return fail({ kind: 'clientNotFound', clientId });
    return inTransaction(this.prisma, async (tx, unit) => {
      const now = this.clock();
      const client = await lockClient(tx, clientId);
      if (!client) return fail({ kind: 'clientNotFound', clientId });

      const outcome = await change({ tx, actor, client, now });
      if (!outcome.ok) return outcome.keepWrites ? fail(outcome.failure) : unit.rollbackWith(fail(outcome.failure));
      if (outcome.events.length === 0 && !outcome.clientData) return ok({ value: outcome.value, client });

      const data: ClientFieldChanges = { ...outcome.clientData };
      const events = [...outcome.events];
      const changed: Client = { ...client, ...data };
      if (!outcome.lifecycleDecided && isVerificationAtStake(changed)) {
        const snapshot = await loadClientSnapshot(tx, changed);
        const transition = decideAfterChange(changed, snapshot, this.policy, now, outcome.correctedIdentityFacts ?? []);
        if (transition) {
          Object.assign(data, transition.clientData);
          events.push(transition.event);
        }
      }
      const updated = await tx.client.update({ where: { id: clientId }, data: { ...data, version: { increment: 1 }, updatedAt: now } });
      await recordEvents(tx, clientId, events, now);
      return ok({ value: outcome.value, client: updated });
    });
  }
}

export async function lockClient(tx: Tx, clientId: string): Promise<Client | null> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM clients WHERE id = ${clientId}::uuid FOR UPDATE`;
  if (locked.length === 0) return null;
  return tx.client.findUnique({ where: { id: clientId } });
}
