import type { Client } from '../../generated/prisma/client';
import type { KycVerificationType } from '../../generated/prisma/enums';
import { Actor, mayCorrectIdentityFacts } from '../../shared/actor';
import { ClientNotFound, InvalidStatus, Result, ok } from '../../shared/result';
import { ChangeOutcome, ClientChanges, ClientLifecycle } from '../clients/client-changes';
import { ClientChildren, childrenWithLock, loadClientSnapshot, loadClientSnapshotInTransaction } from './client-snapshot';
import {
  Decision,
  correctedIdentityFacts,
  decideActivate,
  decideAfterChange,
  decideCreate,
  decideIdentityCorrection,
  decideVerify,
  isVerificationAtStake,
} from './lifecycle';
import { MissingRequirement, RequirementPolicy, RequirementsNotMet, missingRequirementsFor } from './requirements';

type VerificationFailure = RequirementsNotMet | InvalidStatus | ClientNotFound;

/**
 * The lifecycle rules ClientChanges applies to every write (wired in createServices): a new
 * client starts as decideCreate says; after a change, a refused identity correction rolls it
 * back, and a broken verification is revoked (VERIFIED) or flagged (ACTIVE).
 */
export function clientLifecycle(policy: RequirementPolicy): ClientLifecycle {
  return {
    created: decideCreate(),
    async afterChange({ tx, actor, before, after, now, writeFinalNow }) {
      const corrected = correctedIdentityFacts(before, after);
      const refusal = decideIdentityCorrection(before, corrected, mayCorrectIdentityFacts(actor));
      if (refusal) return { ok: false, failure: refusal };
      // Only a verified level needs the snapshot: most changes cost no extra query.
      if (!isVerificationAtStake(after)) return { ok: true };
      // The snapshot must see the whole change.
      await writeFinalNow();
      return { ok: true, transition: decideAfterChange(after, await loadClientSnapshotInTransaction(tx, after), policy, now, corrected) };
    },
  };
}

export class VerificationService {
  constructor(
    private readonly changes: ClientChanges,
    private readonly policy: RequirementPolicy,
    private readonly clock: () => Date,
  ) {}

  /** What verifyClient would find missing right now, without changing anything (children from the request's loaders). */
  async missingFor(client: Client, level: KycVerificationType, children: ClientChildren): Promise<MissingRequirement[]> {
    return missingRequirementsFor(await loadClientSnapshot(children, client), level, this.policy, this.clock());
  }

  async verify(actor: Actor, clientId: string, level: KycVerificationType): Promise<Result<{ client: Client }, VerificationFailure>> {
    const result = await this.changes.apply(
      actor,
      clientId,
      async ({ client, read, now }) => applied(decideVerify(client, { ...client, ...read }, level, this.policy, now)),
      childrenWithLock,
    );
    return result.ok ? ok({ client: result.value.client }) : result;
  }

  async activate(actor: Actor, clientId: string): Promise<Result<{ client: Client }, VerificationFailure>> {
    const result = await this.changes.apply(
      actor,
      clientId,
      async ({ client, read, now }) => applied(decideActivate(client, { ...client, ...read }, this.policy, now)),
      childrenWithLock,
    );
    return result.ok ? ok({ client: result.value.client }) : result;
  }
}

function applied(decision: Decision): ChangeOutcome<undefined, RequirementsNotMet | InvalidStatus> {
  if (!decision.ok) return decision;
  const { clientData, event } = decision.transition;
  return { ok: true, value: undefined, clientData, events: [event], lifecycleDecided: true };
}
