import { Prisma } from '../../generated/prisma/client';
import type { ContactChannel } from '../../generated/prisma/enums';
import type { KeyRing } from '../../shared/keys';
import { additionalData, gcmOpen, gcmSeal } from '../../shared/sealing';
import type { DeliveryOutcome, OutboxDelivery, OutboxTopicHandler } from '../events/outbox-dispatcher';
import type { ContactDelivery } from './contact-delivery';

/** The outbox topic of codes on their way out (queued by the trigger on CONTACT_VERIFICATION_REQUESTED). */
export const CONTACT_CODE_TOPIC = 'CONTACT_CODE';

/** A code as it waits in its challenge for delivery. */
export interface SealedCode {
  codeSealed: Uint8Array<ArrayBuffer>;
  codeKeyId: string;
}

/**
 * Codes are stored hashed for checking and, until delivered, sealed (AES-256-GCM under the ring's
 * current key), bound to their client, channel and the instant they were made: a sealed code
 * cannot be passed off as another challenge's.
 */
export class ContactCodeVault {
  constructor(private readonly ring: KeyRing) {}

  seal(clientId: string, channel: ContactChannel, createdAt: Date, code: string): SealedCode {
    const { id, keys } = this.ring.current;
    return { codeSealed: new Uint8Array(gcmSeal(keys.contactCodeSealing, aad(id, clientId, channel, createdAt), Buffer.from(code))), codeKeyId: id };
  }

  open(clientId: string, channel: ContactChannel, createdAt: Date, { codeSealed, codeKeyId }: SealedCode): string {
    const key = this.ring.get(codeKeyId);
    if (!key) throw new Error(`contact code sealed under key ${codeKeyId}, which is not in the key ring`);
    return gcmOpen(key.keys.contactCodeSealing, aad(codeKeyId, clientId, channel, createdAt), Buffer.from(codeSealed), 'contact code').toString();
  }
}

const aad = (keyId: string, clientId: string, channel: string, createdAt: Date) =>
  additionalData('onboarding-api/contact-code/v1', keyId, clientId, channel, createdAt.toISOString());

/** The outbox row of a code: which challenge, never the code. */
interface CodeReference {
  channel: ContactChannel;
  /** The challenge's createdAt (its CONTACT_VERIFICATION_REQUESTED event's occurredAt). */
  requestedAt: string;
}

/**
 * Delivers a code after the request committed, through the ContactDelivery port, and retries it
 * while it is still the client's live code: a code replaced by a newer request, confirmed,
 * voided by a contact change or expired is not sent any more.
 */
/** A challenge as the claim read it (JSON: instants as text, the sealed code as base64). */
interface ClaimedChallenge {
  destination: string;
  failedTries: number;
  expiresAt: string;
  createdAt: string;
  codeSealed: string | null;
  codeKeyId: string | null;
}

function challengeOf(read: unknown) {
  if (read === null || read === undefined) return null;
  const row = read as ClaimedChallenge;
  return {
    destination: row.destination,
    failedTries: row.failedTries,
    expiresAt: new Date(row.expiresAt),
    createdAt: new Date(row.createdAt),
    codeSealed: row.codeSealed === null ? null : new Uint8Array(Buffer.from(row.codeSealed, 'base64')),
    codeKeyId: row.codeKeyId,
  };
}

export class ContactCodeSender implements OutboxTopicHandler {
  readonly topic = CONTACT_CODE_TOPIC;
  readonly queuedBy = ['CONTACT_VERIFICATION_REQUESTED'] as const;

  constructor(
    private readonly delivery: ContactDelivery,
    private readonly vault: ContactCodeVault,
    private readonly clock: () => Date,
    private readonly maxFailedTries: number,
  ) {}

  /** The row's challenge, read in the claim's statement. */
  readonly readWithClaim = Prisma.sql`(
    SELECT json_build_object('destination', c.destination, 'failedTries', c.failed_tries, 'expiresAt', c.expires_at, 'createdAt', c.created_at,
                             'codeSealed', encode(c.code_sealed, 'base64'), 'codeKeyId', c.code_key_id)
      FROM contact_challenges c WHERE c.client_id = claimed.client_id AND c.channel = (claimed.payload->>'channel')::"ContactChannel")`;

  async deliver(outboxRow: OutboxDelivery): Promise<DeliveryOutcome> {
    const { channel, requestedAt } = outboxRow.payload as unknown as CodeReference;
    const clientId = outboxRow.clientId;
    const challenge = challengeOf(outboxRow.read);
    // After failed attempts a code that can no longer go out is a delivery lost; before, it was just not needed.
    const notSent = (reason: string): DeliveryOutcome => (outboxRow.attempts > 1 ? { kind: 'dead', reason } : { kind: 'discarded', reason });
    if (!challenge || challenge.createdAt.toISOString() !== requestedAt) return notSent('the code was replaced, confirmed or voided before it went out');
    if (challenge.expiresAt.getTime() <= this.clock().getTime()) return notSent('the code expired before it went out');
    if (challenge.failedTries >= this.maxFailedTries) return notSent('the code was spent before it went out');
    if (!challenge.codeSealed || !challenge.codeKeyId) return { kind: 'discarded', reason: 'the code was delivered already' };

    const code = this.vault.open(clientId, channel, challenge.createdAt, { codeSealed: challenge.codeSealed, codeKeyId: challenge.codeKeyId });
    await this.delivery.deliver({
      event: 'contact_verification_code',
      clientId,
      channel,
      to: challenge.destination,
      code,
      expiresAt: challenge.expiresAt.toISOString(),
    });
    // Delivered: the code no longer needs to be readable (the hash still checks it); cleared in the
    // statement that marks the outbox row delivered.
    return {
      kind: 'delivered',
      then: Prisma.sql`
        UPDATE contact_challenges SET code_sealed = NULL, code_key_id = NULL
         WHERE client_id = ${clientId}::uuid AND channel = ${channel}::"ContactChannel" AND created_at = ${challenge.createdAt}`,
    };
  }
}
