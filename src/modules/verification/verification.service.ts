import type { Client } from '../../generated/prisma/client';
import type { KycVerificationType } from '../../generated/prisma/enums';
import type { Actor } from '../../shared/actor';
import { Result, ok } from '../../shared/result';
import { ChangeOutcome, ClientChanges } from '../clients/client-changes';
import { loadClientSnapshot } from './client-snapshot';
import { Decision, decideActivate, decideVerify } from './lifecycle';
import { ClientSnapshot, MissingRequirement, RequirementPolicy, missingRequirementsFor } from './requirements';

export class VerificationService {
  constructor(
    private readonly changes: ClientChanges,
    private readonly policy: RequirementPolicy,
    private readonly clock: () => Date,
  ) {}

  /** What verifyClient would find missing right now, without changing anything. */
  missingFor(snapshot: ClientSnapshot, level: KycVerificationType): MissingRequirement[] {
    return missingRequirementsFor(snapshot, level, this.policy, this.clock());
  }

  async verify(actor: Actor, clientId: string, level: KycVerificationType): Promise<Result<Client>> {
    const result = await this.changes.apply(actor, clientId, async ({ tx, client, now }) =>
      applied(decideVerify(client, await loadClientSnapshot(tx, client), level, this.policy, now)),
    );
    return result.ok ? ok(result.value.client) : result;
  }

  async activate(actor: Actor, clientId: string): Promise<Result<Client>> {
    const result = await this.changes.apply(actor, clientId, async ({ tx, client, now }) =>
      applied(decideActivate(client, await loadClientSnapshot(tx, client), this.policy, now)),
    );
    return result.ok ? ok(result.value.client) : result;
  }
}

function applied(decision: Decision): ChangeOutcome<undefined> {
  if (!decision.ok) return decision;
  const { clientData, event } = decision.transition;
  return { ok: true, value: undefined, clientData, events: [event], lifecycleDecided: true };
}
