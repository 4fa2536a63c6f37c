/**
 * The client lifecycle as pure decisions: from the client as it is (and, where the rules need it,
 * a snapshot of its children) to the status change and the history event, or the failure.
 * Services load, call these, and write what they return; no rule about statuses lives elsewhere
 * (the database default for `status` is not relied on: createClient writes `decideCreate`).
 *
 *   createClient -> PENDING -verify-> VERIFIED -activate-> ACTIVE
 *   VERIFIED -a breaking change-> PENDING (VERIFICATION_REVOKED)
 *   ACTIVE   -a breaking change-> ACTIVE, reverificationRequired (REVERIFICATION_REQUIRED)
 *            -verify at its level-> ACTIVE, flag cleared (CLIENT_VERIFIED)
 */
import type { Client } from '../../generated/prisma/client';
import type { ClientStatus, KycVerificationType } from '../../generated/prisma/enums';
import { Failed, InvalidStatus, fail, invalidStatus } from '../../shared/result';
import type { ClientCreation, ClientTransition } from '../clients/client-changes';
import { ClientSnapshot, RequirementPolicy, RequirementsNotMet, missingRequirementsFor, requirementsNotMet } from './requirements';

export const LEVEL_RANK: Record<KycVerificationType, number> = { PARTIAL: 1, FULL: 2 };

export type Decision = { ok: true; transition: ClientTransition } | Failed<RequirementsNotMet | InvalidStatus>;

/** The identity facts verification vouches for ("After verification" in onboarding-rules.md). */
export const IDENTITY_FACTS = ['firstName', 'lastName', 'dateOfBirth'] as const;
export type IdentityFact = (typeof IDENTITY_FACTS)[number];

/** createClient always starts a client PENDING, with no verified level. */
export function decideCreate(): ClientCreation {
  return {
    clientData: { status: 'PENDING', kycVerificationType: null, reverificationRequired: false },
    event: { type: 'CLIENT_CREATED', toStatus: 'PENDING' },
  };
}

/** The identity facts that differ between the client before and after a change, in IDENTITY_FACTS order. */
export function correctedIdentityFacts(before: Client, after: Client): IdentityFact[] {
  const comparable = (value: string | Date | null) => (value instanceof Date ? value.getTime() : value);
  return IDENTITY_FACTS.filter((fact) => comparable(before[fact]) !== comparable(after[fact]));
}

/**
 * Identity facts of a VERIFIED or ACTIVE client are corrected only by staff allowed to verify;
 * anyone else is refused as if the client were not PENDING. undefined: the correction may go on.
 */
export function decideIdentityCorrection(client: Client, corrected: readonly IdentityFact[], byVerifyingStaff: boolean): InvalidStatus | undefined {
  if (corrected.length === 0 || byVerifyingStaff || client.status === 'PENDING') return undefined;
  const message = `The client is ${client.status}: its ${corrected.join(', ')} can be corrected only by staff with the clients:verify scope.`;
  return invalidStatus(client, ['PENDING'], message);
}

export function decideVerify(client: Client, snapshot: ClientSnapshot, level: KycVerificationType, policy: RequirementPolicy, now: Date): Decision {
  const current = client.kycVerificationType;
  if (client.status === 'ACTIVE') {
    const upgrade = current === null || LEVEL_RANK[level] > LEVEL_RANK[current];
    const reverification = client.reverificationRequired && current === level;
    if (!upgrade && !reverification) {
      const why = client.reverificationRequired
        ? `it needs re-verification at its own level (${current}), or an upgrade`
        : 'an ACTIVE client can only be upgraded (PARTIAL to FULL), or re-verified at its level once reverificationRequired is set';
      return fail(invalidStatus(client, ['PENDING', 'VERIFIED'], `The client is ACTIVE at ${current ?? 'no'} level; ${why}.`));
    }
  }
  // The level reached never goes down: a FULL client verified PARTIAL keeps FULL. Its requirements
  // are the ones checked, since the success vouches for that level again (verifiedAt): a FULL client
  // whose passport document expired since is not re-verified FULL on PARTIAL's requirements.
  const reached = current !== null && LEVEL_RANK[current] > LEVEL_RANK[level] ? current : level;
  const missing = missingRequirementsFor(snapshot, reached, policy, now);
  if (missing.length > 0) return fail(requirementsNotMet(client.id, reached, missing));

  const toStatus: ClientStatus = client.status === 'PENDING' ? 'VERIFIED' : client.status;
  return {
    ok: true,
    transition: {
      clientData: { status: toStatus, kycVerificationType: reached, verifiedAt: now, reverificationRequired: false },
      event: {
        type: 'CLIENT_VERIFIED',
        fromStatus: client.status,
        toStatus,
        detail: { requested: level, kycVerificationType: reached, ...(client.reverificationRequired ? { reverification: true } : {}) },
      },
    },
  };
}

/** VERIFIED -> ACTIVE, after re-checking the level reached (a document may have expired since). */
export function decideActivate(client: Client, snapshot: ClientSnapshot, policy: RequirementPolicy, now: Date): Decision {
  const level = client.kycVerificationType;
  if (client.status !== 'VERIFIED' || level === null) {
    return fail(invalidStatus(client, ['VERIFIED'], `Only a VERIFIED client can be activated; this one is ${client.status}.`));
  }
  const missing = missingRequirementsFor(snapshot, level, policy, now);
  if (missing.length > 0) return fail(requirementsNotMet(client.id, level, missing));
  return {
    ok: true,
    transition: {
      clientData: { status: 'ACTIVE', activatedAt: now },
      event: { type: 'CLIENT_ACTIVATED', fromStatus: 'VERIFIED', toStatus: 'ACTIVE', detail: { kycVerificationType: level } },
    },
  };
}

/** Whether a change to this client must be checked against its verified level (and so needs a snapshot). */
export function isVerificationAtStake(client: Client): boolean {
  if (client.kycVerificationType === null) return false;
  return client.status === 'VERIFIED' || (client.status === 'ACTIVE' && !client.reverificationRequired);
}

/**
 * After a change (`client` as it is now, changes applied): a VERIFIED client that misses a
 * requirement of its level, or whose identity facts were corrected, goes back to PENDING; an
 * ACTIVE one stays ACTIVE and is flagged for re-verification. Nothing happens otherwise.
 */
export function decideAfterChange(
  client: Client,
  snapshot: ClientSnapshot,
  policy: RequirementPolicy,
  now: Date,
  correctedIdentityFacts: readonly IdentityFact[],
): ClientTransition | undefined {
  const level = client.kycVerificationType;
  if (level === null || !isVerificationAtStake(client)) return undefined;
  const missing = missingRequirementsFor(snapshot, level, policy, now).map((requirement) => requirement.code);
  if (missing.length === 0 && correctedIdentityFacts.length === 0) return undefined;
  const detail = {
    kycVerificationType: level,
    missingRequirements: missing,
    ...(correctedIdentityFacts.length > 0 ? { correctedIdentityFacts: [...correctedIdentityFacts] } : {}),
  };
  if (client.status === 'VERIFIED') {
    return {
      clientData: { status: 'PENDING', kycVerificationType: null, verifiedAt: null },
      event: { type: 'VERIFICATION_REVOKED', fromStatus: 'VERIFIED', toStatus: 'PENDING', detail },
    };
  }
  return { clientData: { reverificationRequired: true }, event: { type: 'REVERIFICATION_REQUIRED', detail } };
}
