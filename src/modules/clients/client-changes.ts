import type { Client, Prisma, PrismaClient } from '../../generated/prisma/client';
import { inTransaction, Tx } from '../../db/transaction';
import { Failure, Result, fail, isUuid, ok } from '../../shared/result';
import { ClientEventDraft, recordEvents } from '../history/history';
import type { RequirementPolicy } from '../verification/requirement-policy';
import { revokeVerificationIfBroken } from '../verification/revocation';

export interface ChangeScope {
  tx: Tx;
  /** The client, locked (SELECT ... FOR UPDATE) until the transaction ends. */
  client: Client;
  now: Date;
}

/** What a change did: its events and client-row updates, or a failure that rolls everything back. */
export type ChangeOutcome<T> =
  | { ok: true; value: T; events: readonly ClientEventDraft[]; clientData?: Prisma.ClientUpdateInput }
  | { ok: false; failure: Failure };

export interface ChangedClient<T> {
  value: T;
  client: Client;
}

/**
 * The unit of work for every change to an existing client or its children: one transaction that
 * locks the client row (so concurrent changes of one client take turns), runs the change, bumps
 * `version` once, applies the revoke-on-change rule and appends the history events.
 */
export class ClientChanges {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly policy: RequirementPolicy,
    private readonly clock: () => Date,
  ) {}

  async apply<T>(clientId: string, change: (scope: ChangeScope) => Promise<ChangeOutcome<T>>): Promise<Result<ChangedClient<T>>> {
    if (!isUuid(clientId)) return fail({ kind: 'clientNotFound', clientId });
    return inTransaction(this.prisma, async (tx, unit) => {
      const now = this.clock();
      const client = await lockClient(tx, clientId);
      if (!client) return fail({ kind: 'clientNotFound', clientId });

      const outcome = await change({ tx, client, now });
      if (!outcome.ok) return unit.rollbackWith(fail(outcome.failure));
      if (outcome.events.length === 0 && !outcome.clientData) return ok({ value: outcome.value, client });

      let updated = await tx.client.update({
        where: { id: clientId },
        data: { ...outcome.clientData, version: { increment: 1 }, updatedAt: now },
      });
      const events = [...outcome.events];
      const revocation = await revokeVerificationIfBroken(tx, updated, this.policy, now);
      if (revocation) {
        updated = revocation.client;
        events.push(revocation.event);
      }
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
