import { createHash } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client';
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
  /** createDocumentUpload per client: each one reserves storage for up to 15 minutes. */
  documentUploads: AttemptLimit;
}

export type AttemptRule = keyof AttemptLimitSettings;

const HOUR = 60 * 60 * 1000;

export const DEFAULT_ATTEMPT_LIMITS: AttemptLimitSettings = {
  contactRequestsPerClient: { max: 5, windowMs: HOUR },
  contactRequestsPerDestination: { max: 10, windowMs: HOUR },
  wrongContactCodes: { max: 15, windowMs: HOUR },
  identifierAdds: { max: 10, windowMs: 24 * HOUR },
  documentUploads: { max: 30, windowMs: HOUR },
};

/** How each rule is spelled in `counted_attempts.rule`: stable, whatever the code calls it. */
const STORED_RULE: Record<AttemptRule, string> = {
  contactRequestsPerClient: 'contact-request',
  contactRequestsPerDestination: 'contact-request-destination',
  wrongContactCodes: 'contact-wrong-code',
  identifierAdds: 'identifier-add',
  documentUploads: 'document-upload',
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

/**
 * Whether a rule counts attempts on something several clients share (a destination). The others
 * count one client's attempts (the client's id is in the subject), and callers count them under that
 * client's row lock, which the unit of work takes before any change runs: attempts on them already
 * take turns, and need no lock of their own.
 */
const SHARED_ACROSS_CLIENTS: Record<AttemptRule, boolean> = {
  contactRequestsPerClient: false,
  contactRequestsPerDestination: true,
  wrongContactCodes: false,
  identifierAdds: false,
  documentUploads: false,
};

/** Advisory locks for attempt counters live in their own key space (identifier values use 0x1d_0001). */
const ATTEMPT_COUNTER_LOCKS = 0x1d_0002;

/** Expired rows are purged at most this often per server, a bounded batch at a time. */
const PURGE_EVERY_MS = 60_000;
const PURGE_BATCH = 1000;

/**
 * Attempt limits counted in the database, so every server instance on one database sees the same
 * counts and a restart forgets nothing. Callers run these inside their own transaction (the
 * client's unit of work), after the ownership check and under the client's row lock, so a refusal
 * tells nothing about other clients and rolls back with everything else.
 *
 * Counting is race-free: each counter is read and written while attempts on it take turns, from
 * any process, between the count and the commit: a client's own counters under the client's row
 * lock, counters shared across clients under a transaction-scoped advisory lock on their rule and
 * subject, taken in a statement of its own before the count (so the count sees what the previous
 * holder committed). A refused attempt is not counted: the lock-out ends when the oldest counted
 * attempt leaves the window, however often the caller retries.
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

  documentUploadsOf(clientId: string): AttemptCounter {
    return { rule: 'documentUploads', subject: clientId };
  }

  /**
   * Counts this attempt on every counter, or refuses it (and counts nothing) when one is full: the
   * count and the counting in one statement.
   *
   * `thenLock`: transaction-scoped advisory locks (key space, id) the caller needs next, taken in
   * this statement, in the order given, whatever the answer: one round trip less. Only for locks
   * that guard what later statements read (each takes its snapshot after the lock is held), not
   * what this one reads; this one reads the counters, which callers guard themselves.
   */
  async admit(tx: Tx, counters: readonly AttemptCounter[], now: Date, thenLock: ReadonlyArray<readonly [number, number]> = []): Promise<AttemptRefusal | null> {
    await this.lockShared(tx, counters);
    const locks =
      thenLock.length === 0
        ? Prisma.empty
        : Prisma.sql`, (SELECT count(pg_advisory_xact_lock(l.space, l.id)) FROM (VALUES ${Prisma.join(
            thenLock.map(([space, id]) => Prisma.sql`(${space}::int, ${id}::int)`),
          )}) AS l (space, id)) AS locked`;
    const [{ fullUntil }] = await tx.$queryRaw<Array<{ fullUntil: Date | null }>>`
      WITH ${this.fullness(counters, now)},
      counted AS (
        INSERT INTO counted_attempts (rule, subject, attempted_at, expires_at)
        SELECT rule, subject, ${now}::timestamptz, expires_at FROM wanted
         WHERE NOT EXISTS (SELECT 1 FROM fullness WHERE full_until IS NOT NULL)
      )${this.purgeIfDue(now)}
      SELECT max(full_until) AS "fullUntil"${locks} FROM fullness`;
    return refusalUntil(fullUntil, now);
  }

  /**
   * Refuses when a counter already holds its maximum; otherwise returns null, and attempts on the
   * counters keep taking turns until the transaction ends, so a `record` later in it cannot overshoot.
   */
  async check(tx: Tx, counters: readonly AttemptCounter[], now: Date): Promise<AttemptRefusal | null> {
    await this.lockShared(tx, counters);
    const [{ fullUntil }] = await tx.$queryRaw<Array<{ fullUntil: Date | null }>>`
      WITH ${this.fullness(counters, now)}
      SELECT max(full_until) AS "fullUntil" FROM fullness`;
    return refusalUntil(fullUntil, now);
  }

  /**
   * A condition for a statement that must do nothing once a counter is full: true while every
   * counter has room. The check without a statement of its own, for a client's own counters only
   * (attempts on them take turns under the client's row lock; a shared counter needs its lock first,
   * in a statement of its own: use `check`).
   */
  hasRoom(counters: readonly AttemptCounter[], now: Date): Prisma.Sql {
    if (counters.some((counter) => SHARED_ACROSS_CLIENTS[counter.rule])) {
      throw new Error('hasRoom is for counters of one client; use check for a counter shared across clients');
    }
    return Prisma.sql`NOT EXISTS (WITH ${this.fullness(counters, now)} SELECT 1 FROM fullness WHERE full_until IS NOT NULL)`;
  }

  /** Counts an attempt; call `check` on the same counters first, in the same transaction. */
  async record(tx: Tx, counters: readonly AttemptCounter[], now: Date): Promise<void> {
    const rows = counters.map((counter) => Prisma.sql`(${STORED_RULE[counter.rule]}, ${counter.subject}, ${now}::timestamptz, ${this.expiryOf(counter, now)}::timestamptz)`);
    await tx.$executeRaw`
      WITH counted AS (INSERT INTO counted_attempts (rule, subject, attempted_at, expires_at) VALUES ${Prisma.join(rows)})${this.purgeIfDue(now)}
      SELECT 1`;
  }

  /**
   * `wanted`: the counters, with their maximum and the expiry an attempt made now gets (the window in
   * force when it is made decides how long it counts); `fullness`: for each, null while it has room,
   * or when room comes back (the max-th newest attempt leaves its window).
   */
  private fullness(counters: readonly AttemptCounter[], now: Date): Prisma.Sql {
    const wanted = counters.map(
      (counter) => Prisma.sql`(${STORED_RULE[counter.rule]}::text, ${counter.subject}::text, ${this.settings[counter.rule].max}::integer, ${this.expiryOf(counter, now)}::timestamptz)`,
    );
    return Prisma.sql`
      wanted (rule, subject, max, expires_at) AS (VALUES ${Prisma.join(wanted)}),
      fullness AS (
        SELECT (SELECT a.expires_at FROM counted_attempts a
                 WHERE a.rule = w.rule AND a.subject = w.subject AND a.expires_at > ${now}::timestamptz
                 ORDER BY a.expires_at DESC OFFSET w.max - 1 LIMIT 1) AS full_until
          FROM wanted w
      )`;
  }

  private expiryOf(counter: AttemptCounter, now: Date): Date {
    return new Date(now.getTime() + this.settings[counter.rule].windowMs);
  }

  /**
   * Opportunistic purge, at most once a minute per server, in the statement that counts: deletes a
   * bounded batch of rows that no longer count. SKIP LOCKED keeps two servers purging at once from
   * waiting on each other.
   */
  private purgeIfDue(now: Date): Prisma.Sql {
    if (now.getTime() - this.lastPurgeAt < PURGE_EVERY_MS) return Prisma.empty;
    this.lastPurgeAt = now.getTime();
    return Prisma.sql`,
      purged AS (
        DELETE FROM counted_attempts WHERE id IN (
          SELECT id FROM counted_attempts WHERE expires_at <= ${now}::timestamptz ORDER BY expires_at LIMIT ${PURGE_BATCH}::integer FOR UPDATE SKIP LOCKED
        )
      )`;
  }

  /** Locks each counter shared across clients, in one global order so two attempts never wait on each other in a cycle. */
  private async lockShared(tx: Tx, counters: readonly AttemptCounter[]): Promise<void> {
    const ids = [...new Set(counters.filter((counter) => SHARED_ACROSS_CLIENTS[counter.rule]).map(lockIdOf))].sort((a, b) => a - b);
    for (const id of ids) await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ATTEMPT_COUNTER_LOCKS}::int, ${id}::int)`;
  }
}

/** Refused until `fullUntil` (when a full counter has room again), or admitted (null). */
function refusalUntil(fullUntil: Date | null, now: Date): AttemptRefusal | null {
  if (fullUntil === null) return null;
  return { retryAfterSeconds: Math.max(1, Math.ceil((fullUntil.getTime() - now.getTime()) / 1000)) };
}

/** 32 bits of a hash of the counter; a rare collision only makes two unrelated attempts take turns. */
function lockIdOf(counter: AttemptCounter): number {
  return createHash('sha256').update(`${STORED_RULE[counter.rule]}\0${counter.subject}`).digest().readInt32BE(0);
}
