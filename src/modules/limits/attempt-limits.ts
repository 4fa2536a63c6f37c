import { createHash } from 'node:crypto';
import type { Tx } from '../../db/transaction';
import type { ContactChannel } from '../../generated/prisma/enums';
import { hmacHex } from '../../shared/keys';

/** At most `max` attempts in any `windowMs`. */
export interface AttemptLimit {
  max: number;
  windowMs: number;
}

/** The limits that stop guessing (the rules' "Limits that stop guessing"); configuration. */
export interface AttemptLimitSettings {
  /** requestContactVerification, per client and channel. */
  contactRequestsPerClient: AttemptLimit;
  /** requestContactVerification, per email address or phone number, across clients. */
  contactRequestsPerDestination: AttemptLimit;
  /** Wrong codes given to confirmContactVerification, per client and channel, across codes. */
  wrongContactCodes: AttemptLimit;
  /** addIdentifier per client, whatever its outcome: the duplicate answer must not be an oracle. */
  identifierAdds: AttemptLimit;
}

export type AttemptRule = keyof AttemptLimitSettings;

const HOUR = 60 * 60 * 1000;

export const DEFAULT_ATTEMPT_LIMITS: AttemptLimitSettings = {
  contactRequestsPerClient: { max: 5, windowMs: HOUR },
  contactRequestsPerDestination: { max: 10, windowMs: HOUR },
  wrongContactCodes: { max: 15, windowMs: HOUR },
  identifierAdds: { max: 10, windowMs: 24 * HOUR },
};

/** How each rule is spelled in `counted_attempts.rule`: stable, whatever the code calls it. */
const STORED_RULE: Record<AttemptRule, string> = {
  contactRequestsPerClient: 'contact-request',
  contactRequestsPerDestination: 'contact-request-destination',
  wrongContactCodes: 'contact-wrong-code',
  identifierAdds: 'identifier-add',
};

/** One rule's count for one subject (a client and channel, a destination, a client). */
export interface AttemptCounter {
  rule: AttemptRule;
  subject: string;
}

/** A refused attempt: every counter it touches has room again after this many seconds. */
export interface AttemptRefusal {
  retryAfterSeconds: number;
}

/** Advisory locks for attempt counters live in their own key space (identifier values use 0x1d_0001). */
const ATTEMPT_COUNTER_LOCKS = 0x1d_0002;

/** Expired rows are purged at most this often per server, a bounded batch at a time. */
const PURGE_EVERY_MS = 60_000;
const PURGE_BATCH = 1000;

/**
 * Attempt limits counted in the database, so every server instance on one database sees the same
 * counts and a restart forgets nothing. Callers run these inside their own transaction (the
 * client's unit of work), after the ownership check, so a refusal tells nothing about other
 * clients and rolls back with everything else.
 *
 * Counting is race-free: each counter is read and written under a transaction-scoped advisory
 * lock on its rule and subject, so concurrent attempts on one counter, from any process, take
 * turns between the count and the commit. A refused attempt is not counted: the lock-out ends
 * when the oldest counted attempt leaves the window, however often the caller retries.
 */
export class AttemptLimits {
  private lastPurgeAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly settings: AttemptLimitSettings,
    /** HMAC key for destinations: the table never holds an email address or phone number. */
    private readonly subjectKey: Buffer,
  ) {}

  contactRequestsOf(clientId: string, channel: ContactChannel): AttemptCounter {
    return { rule: 'contactRequestsPerClient', subject: `${clientId}:${channel}` };
  }

  contactRequestsTo(channel: ContactChannel, destination: string): AttemptCounter {
    return { rule: 'contactRequestsPerDestination', subject: hmacHex(this.subjectKey, 'attempt-destination', channel, destination) };
  }

  wrongContactCodesOf(clientId: string, channel: ContactChannel): AttemptCounter {
    return { rule: 'wrongContactCodes', subject: `${clientId}:${channel}` };
  }

  identifierAddsOf(clientId: string): AttemptCounter {
    return { rule: 'identifierAdds', subject: clientId };
  }

  /** Counts this attempt on every counter, or refuses it (and counts nothing) when one is full. */
  async admit(tx: Tx, counters: readonly AttemptCounter[], now: Date): Promise<AttemptRefusal | null> {
    const refusal = await this.check(tx, counters, now);
    if (refusal) return refusal;
    await this.record(tx, counters, now);
    return null;
  }

  /**
   * Refuses when a counter already holds its maximum; otherwise returns null and keeps the counters
   * locked until the transaction ends, so a `record` later in it cannot overshoot.
   */
  async check(tx: Tx, counters: readonly AttemptCounter[], now: Date): Promise<AttemptRefusal | null> {
    await this.lock(tx, counters);
    let retryAfterMs = 0;
    for (const counter of counters) {
      const { max } = this.settings[counter.rule];
      const counted = await tx.countedAttempt.findMany({
        where: { rule: STORED_RULE[counter.rule], subject: counter.subject, expiresAt: { gt: now } },
        orderBy: { expiresAt: 'desc' },
        take: max,
        select: { expiresAt: true },
      });
      // Full: room comes back when the max-th newest attempt leaves its window.
      if (counted.length >= max) retryAfterMs = Math.max(retryAfterMs, counted[max - 1].expiresAt.getTime() - now.getTime());
    }
    return retryAfterMs > 0 ? { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) } : null;
  }

  /** Counts an attempt; call `check` on the same counters first, in the same transaction. */
  async record(tx: Tx, counters: readonly AttemptCounter[], now: Date): Promise<void> {
    await tx.countedAttempt.createMany({
      data: counters.map((counter) => ({
        rule: STORED_RULE[counter.rule],
        subject: counter.subject,
        attemptedAt: now,
        // The window in force when the attempt was made decides how long it counts.
        expiresAt: new Date(now.getTime() + this.settings[counter.rule].windowMs),
      })),
    });
    await this.purgeExpired(tx, now);
  }

  /**
   * Opportunistic purge: deletes a bounded batch of rows that no longer count. SKIP LOCKED keeps two
   * servers purging at once from waiting on each other.
   */
  private async purgeExpired(tx: Tx, now: Date): Promise<void> {
    if (now.getTime() - this.lastPurgeAt < PURGE_EVERY_MS) return;
    this.lastPurgeAt = now.getTime();
    await tx.$executeRaw`
      DELETE FROM counted_attempts WHERE id IN (
        SELECT id FROM counted_attempts WHERE expires_at <= ${now} ORDER BY expires_at LIMIT ${PURGE_BATCH} FOR UPDATE SKIP LOCKED
      )`;
  }

  /** Locks each counter, in one global order so two attempts never wait on each other in a cycle. */
  private async lock(tx: Tx, counters: readonly AttemptCounter[]): Promise<void> {
    const ids = [...new Set(counters.map(lockIdOf))].sort((a, b) => a - b);
    for (const id of ids) await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ATTEMPT_COUNTER_LOCKS}::int, ${id}::int)`;
  }
}

/** 32 bits of a hash of the counter; a rare collision only makes two unrelated attempts take turns. */
function lockIdOf(counter: AttemptCounter): number {
  return createHash('sha256').update(`${STORED_RULE[counter.rule]}\0${counter.subject}`).digest().readInt32BE(0);
}
