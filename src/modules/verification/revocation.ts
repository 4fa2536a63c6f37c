import type { Client } from '../../generated/prisma/client';
import type { Tx } from '../../db/transaction';
import type { ClientEventDraft } from '../history/history';
import type { RequirementPolicy } from './requirement-policy';
import { ClientSnapshot, missingRequirementsFor } from './requirements';

/** The client and its children as the verification rules see them, read inside the transaction. */
export async function loadClientSnapshot(tx: Tx, client: Client): Promise<ClientSnapshot> {
  const [addresses, identifiers, documents] = await Promise.all([
    tx.address.findMany({ where: { clientId: client.id }, select: { isPrimary: true } }),
    tx.identifier.findMany({ where: { clientId: client.id }, select: { type: true, status: true, expiresOn: true } }),
    tx.document.findMany({ where: { clientId: client.id }, select: { type: true, status: true, expiresOn: true } }),
  ]);
  return { ...client, addresses, identifiers, documents };
}

/**
 * A change that makes a VERIFIED client fail its level's requirements sends it back to PENDING
 * in the same transaction. ACTIVE clients are never moved back automatically.
 */
export async function revokeVerificationIfBroken(
  tx: Tx,
  client: Client,
  policy: RequirementPolicy,
  now: Date,
): Promise<{ client: Client; event: ClientEventDraft } | undefined> {
  if (client.status !== 'VERIFIED' || client.kycVerificationType === null) return undefined;
  const missing = missingRequirementsFor(await loadClientSnapshot(tx, client), client.kycVerificationType, policy, now);
  if (missing.length === 0) return undefined;
  const revoked = await tx.client.update({
    where: { id: client.id },
    data: { status: 'PENDING', kycVerificationType: null, verifiedAt: null },
  });
  return {
    client: revoked,
    event: {
      type: 'VERIFICATION_REVOKED',
      fromStatus: 'VERIFIED',
      toStatus: 'PENDING',
      detail: { kycVerificationType: client.kycVerificationType, missingRequirements: missing.map((requirement) => requirement.code) },
    },
  };
}
