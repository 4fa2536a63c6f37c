import type { Client } from '../../generated/prisma/client';
import type { ClientStatus, KycVerificationType } from '../../generated/prisma/enums';
import { Result, ok } from '../../shared/result';
import { ClientChanges } from '../clients/client-changes';
import type { RequirementPolicy } from './requirement-policy';
import { ClientSnapshot, MissingRequirement, missingRequirementsFor } from './requirements';
import { loadClientSnapshot } from './revocation';

const LEVEL_RANK: Record<KycVerificationType, number> = { PARTIAL: 1, FULL: 2 };

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

  /**
   * PENDING -> VERIFIED; VERIFIED stays VERIFIED (re-verify or upgrade); ACTIVE stays ACTIVE
   * (upgrade only). The level reached never goes down: a FULL client verified PARTIAL keeps FULL.
   */
  async verify(clientId: string, level: KycVerificationType): Promise<Result<Client>> {
    const result = await this.changes.apply(clientId, async ({ tx, client, now }) => {
      const current = client.kycVerificationType;
      if (client.status === 'ACTIVE' && (current === null || LEVEL_RANK[level] <= LEVEL_RANK[current])) {
        return invalidStatus(client, ['PENDING', 'VERIFIED'], `The client is ACTIVE at ${current ?? 'no'} level; an ACTIVE client can only be upgraded (PARTIAL to FULL).`);
      }
      const missing = missingRequirementsFor(await loadClientSnapshot(tx, client), level, this.policy, now);
      if (missing.length > 0) return { ok: false, failure: { kind: 'requirementsNotMet', clientId, level, missing } };

      const reached = current !== null && LEVEL_RANK[current] > LEVEL_RANK[level] ? current : level;
      const toStatus = client.status === 'PENDING' ? 'VERIFIED' : client.status;
      return {
        ok: true,
        value: undefined,
        clientData: { status: toStatus, kycVerificationType: reached, verifiedAt: now },
        events: [{ type: 'CLIENT_VERIFIED', fromStatus: client.status, toStatus, detail: { requested: level, kycVerificationType: reached } }],
      };
    });
    return result.ok ? ok(result.value.client) : result;
  }

  /** VERIFIED -> ACTIVE, after re-checking the level reached (a document may have expired since). */
  async activate(clientId: string): Promise<Result<Client>> {
    const result = await this.changes.apply(clientId, async ({ tx, client, now }) => {
      if (client.status !== 'VERIFIED' || client.kycVerificationType === null) {
        return invalidStatus(client, ['VERIFIED'], `Only a VERIFIED client can be activated; this one is ${client.status}.`);
      }
      const level = client.kycVerificationType;
      const missing = missingRequirementsFor(await loadClientSnapshot(tx, client), level, this.policy, now);
      if (missing.length > 0) return { ok: false, failure: { kind: 'requirementsNotMet', clientId, level, missing } };
      return {
        ok: true,
        value: undefined,
        clientData: { status: 'ACTIVE', activatedAt: now },
        events: [{ type: 'CLIENT_ACTIVATED', fromStatus: 'VERIFIED', toStatus: 'ACTIVE', detail: { kycVerificationType: level } }],
      };
    });
    return result.ok ? ok(result.value.client) : result;
  }
}

function invalidStatus(client: Client, allowedStatuses: ClientStatus[], message: string) {
  return {
    ok: false as const,
    failure: { kind: 'invalidStatus' as const, clientId: client.id, currentStatus: client.status, allowedStatuses, message },
  };
}
