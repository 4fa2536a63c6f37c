import { randomInt } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client';
import type { Client } from '../../generated/prisma/client';
import type { ContactChannel } from '../../generated/prisma/enums';
import type { Tx } from '../../db/transaction';
import { hmacHex } from '../../shared/keys';
import type { Actor } from '../../shared/actor';
import { ClientNotFound, RateLimited, Result, ValidationFailure, fail, ok, rateLimited, validationFailure } from '../../shared/result';
import type { FieldErrorCode } from '../../shared/validation';
import { ClientChanges } from '../clients/client-changes';
import { AttemptLimits } from '../limits/attempt-limits';
import type { ContactCodeVault } from './contact-code-outbox';
import type { ContactVerificationFailed, ContactVerificationFailure } from './contact-failures';

export const CODE_LIFETIME_MS = 10 * 60 * 1000;
export const MAX_FAILED_TRIES = 5;

const contactOf = (client: Client, channel: ContactChannel) => (channel === 'EMAIL' ? client.email : client.mobilePhone);
const isVerified = (client: Client, channel: ContactChannel) => (channel === 'EMAIL' ? client.emailVerified : client.mobilePhoneVerified);

/**
 * Voids any code sent for a channel: called when the client's email or phone changes, so a code
 * sent to the old contact cannot verify the new one. Contacts owns the challenges table.
 */
export async function voidChallenges(tx: Tx, clientId: string, channel: ContactChannel): Promise<void> {
  await tx.$executeRaw`DELETE FROM contact_challenges WHERE client_id = ${clientId}::uuid AND channel = ${channel}::"ContactChannel"`;
}

type ConfirmAttempt = { verified: true } | { verified: false; reason: ContactVerificationFailure; attemptsRemaining: number };

export class ContactVerificationService {
  constructor(
    private readonly changes: ClientChanges,
    private readonly codes: ContactCodeVault,
    private readonly codeKey: Buffer,
    private readonly limits: AttemptLimits,
  ) {}

  /**
   * Makes a fresh 6-digit code for the client's current email or phone, sent right after commit;
   * it replaces any earlier one.
   * Requests are limited per client and channel and per destination (across clients); a refused
   * request sends nothing and changes nothing.
   */
  async request(
    actor: Actor,
    clientId: string,
    channel: ContactChannel,
  ): Promise<Result<{ client: Client; channel: ContactChannel; expiresAt: Date }, ValidationFailure | ClientNotFound | RateLimited>> {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const result = await this.changes.apply<Date, ValidationFailure | RateLimited>(actor, clientId, async ({ tx, client, now }) => {
      const destination = contactOf(client, channel);
      const what = channel === 'EMAIL' ? 'email address' : 'mobile phone number';
      if (destination === null) {
        return fail(channelRefused('NO_CONTACT_TO_VERIFY', `The client has no ${what} to verify.`));
      }
      if (isVerified(client, channel)) {
        return fail(channelRefused('ALREADY_VERIFIED', `The client's ${what} is already verified.`));
      }
      // One message for both limits: which one refused would tell a customer that another client
      // shares their address.
      const refused = await this.limits.admit(tx, [this.limits.contactRequestsOf(client.id, channel), this.limits.contactRequestsTo(channel, destination)], now);
      if (refused) {
        return fail(rateLimited(refused.retryAfterSeconds, `Too many verification codes were requested; try again in ${refused.retryAfterSeconds} seconds.`));
      }
      const expiresAt = new Date(now.getTime() + CODE_LIFETIME_MS);
      const codeHash = this.hash(client.id, channel, destination, code);
      // Sealed for the dispatcher, which delivers it after commit (ContactCodeSender).
      const { codeSealed, codeKeyId } = this.codes.seal(client.id, channel, now, code);
      // The new challenge replaces any earlier one; written with the history, in one statement.
      const replaceChallenge = Prisma.sql`
        INSERT INTO contact_challenges (client_id, channel, destination, code_hash, failed_tries, expires_at, created_at, code_sealed, code_key_id)
        VALUES (${client.id}::uuid, ${channel}::"ContactChannel", ${destination}::text, ${codeHash}::text, 0, ${expiresAt}::timestamptz,
                ${now}::timestamptz, ${codeSealed}::bytea, ${codeKeyId}::text)
        ON CONFLICT (client_id, channel) DO UPDATE
          SET destination = EXCLUDED.destination, code_hash = EXCLUDED.code_hash, failed_tries = EXCLUDED.failed_tries,
              expires_at = EXCLUDED.expires_at, created_at = EXCLUDED.created_at, code_sealed = EXCLUDED.code_sealed,
              code_key_id = EXCLUDED.code_key_id`;
      // Its event queues the code's delivery in the outbox (the trigger on client_events): the code
      // goes out after commit, so no network call is made while the client's row is locked.
      return {
        ok: true,
        value: expiresAt,
        finalWrite: replaceChallenge,
        events: [{ type: 'CONTACT_VERIFICATION_REQUESTED', detail: { channel } }],
      };
    });
    return result.ok ? ok({ client: result.value.client, channel, expiresAt: result.value.value }) : result;
  }

  /**
   * Checks a code. Wrong codes are limited per client and channel across codes (a new request
   * starts a new challenge, not a new count): once the limit is reached every code is refused,
   * the right one too, until the oldest wrong code leaves the window.
   */
  async confirm(
    actor: Actor,
    clientId: string,
    channel: ContactChannel,
    code: string,
  ): Promise<Result<{ client: Client }, ContactVerificationFailed | ClientNotFound | RateLimited>> {
    const result = await this.changes.apply<ConfirmAttempt, RateLimited>(actor, clientId, async ({ tx, client, now }) => {
      const wrongCodes = [this.limits.wrongContactCodesOf(client.id, channel)];
      const destination = contactOf(client, channel);
      const given = code.trim();
      // The right code for the client's current contact, in time, with tries left and while the
      // wrong-code limit has room, is used up (a code works once) by the statement that finds it.
      // Comparing the keyed hashes in the database leaks nothing a timing attack could use: without
      // the key no one can aim at a hash.
      if (destination !== null && /^\d{6}$/.test(given)) {
        const used = await tx.$executeRaw`
          DELETE FROM contact_challenges
           WHERE client_id = ${client.id}::uuid AND channel = ${channel}::"ContactChannel" AND destination = ${destination}::text
             AND code_hash = ${this.hash(client.id, channel, destination, given)}::text AND failed_tries < ${MAX_FAILED_TRIES}::integer
             AND expires_at > ${now}::timestamptz AND ${this.limits.hasRoom(wrongCodes, now)}`;
        if (used > 0) {
          return {
            ok: true,
            value: { verified: true },
            clientData: channel === 'EMAIL' ? { emailVerified: true } : { mobilePhoneVerified: true },
            events: [{ type: channel === 'EMAIL' ? 'EMAIL_VERIFIED' : 'MOBILE_PHONE_VERIFIED', detail: { channel } }],
          };
        }
      }
      // Once the limit is reached every code is refused, the right one too.
      const refused = await this.limits.check(tx, wrongCodes, now);
      if (refused) {
        return fail(rateLimited(refused.retryAfterSeconds, `Too many wrong codes; try again in ${refused.retryAfterSeconds} seconds.`));
      }
      // No code was used: say why. Failed tries are data, not a rollback: the count must survive the attempt.
      const [challenge] = await tx.$queryRaw<Array<{ destination: string; failedTries: number; expiresAt: Date }>>`
        SELECT destination, failed_tries AS "failedTries", expires_at AS "expiresAt" FROM contact_challenges
         WHERE client_id = ${client.id}::uuid AND channel = ${channel}::"ContactChannel"`;
      const refuse = (reason: ContactVerificationFailure, attemptsRemaining: number) =>
        ({ ok: true, value: { verified: false, reason, attemptsRemaining }, events: [] }) as const;
      if (!challenge || challenge.destination !== destination) return refuse('NO_PENDING_CHALLENGE', 0);
      if (challenge.failedTries >= MAX_FAILED_TRIES) return refuse('TOO_MANY_ATTEMPTS', 0);
      if (challenge.expiresAt.getTime() <= now.getTime()) return refuse('EXPIRED', 0);
      // A live challenge for the current contact that the code did not match: a wrong code.
      const failedTries = challenge.failedTries + 1;
      await tx.$executeRaw`
        UPDATE contact_challenges SET failed_tries = ${failedTries}::integer
         WHERE client_id = ${client.id}::uuid AND channel = ${channel}::"ContactChannel"`;
      await this.limits.record(tx, wrongCodes, now);
      return refuse('INVALID_CODE', MAX_FAILED_TRIES - failedTries);
    });
    if (!result.ok) return result;
    const attempt = result.value.value;
    if (!attempt.verified) {
      const { reason, attemptsRemaining } = attempt;
      return fail<ContactVerificationFailed>({ kind: 'contactVerificationFailed', channel, reason, attemptsRemaining });
    }
    return ok({ client: result.value.client });
  }

  private hash(clientId: string, channel: ContactChannel, destination: string, code: string): string {
    return hmacHex(this.codeKey, 'contact-code', clientId, channel, destination, code);
  }
}

/** A request refused for the channel's state (nothing to verify, or already verified). */
function channelRefused(code: FieldErrorCode, message: string): ValidationFailure {
  return validationFailure([{ path: ['input', 'channel'], code, message }]);
}
