import { Prisma, PrismaClient } from '../../generated/prisma/client';
import type { Sql } from '../../db/sql';

/** One outbox row claimed for delivery. */
export interface OutboxDelivery {
  seq: bigint;
  id: string;
  topic: string;
  clientId: string;
  payload: Prisma.JsonValue;
  /** This attempt included. */
  attempts: number;
  /** What the topic's handler asked to read with the claim (`readWithClaim`), as JSON; null when there is none. */
  read: unknown;
}

/**
 * What became of a delivery that did not fail: sent; not needed any more (a code replaced before
 * it went out); or given up for good (a code that expired while its provider failed).
 * A failed attempt throws instead, and is retried.
 */
export type DeliveryOutcome =
  /**
   * `then`: a write of the handler's that goes with the delivery (an UPDATE or DELETE), run in the
   * very statement that marks the row delivered: both happen, or neither.
   */
  | { kind: 'delivered'; then?: Prisma.Sql }
  | { kind: 'discarded'; reason: string }
  | { kind: 'dead'; reason: string };

/** Delivers the rows of one topic: the event webhook, the contact-code delivery. */
export interface OutboxTopicHandler {
  readonly topic: string;
  /** The history event types whose commit queues a row of this topic ('all': every one). */
  readonly queuedBy: 'all' | readonly string[];
  /**
   * What the handler reads for each of its rows, in the statement that claims them (one round trip
   * less than reading after): an SQL expression over the claimed row (`claimed.client_id`,
   * `claimed.payload`), read as JSON into the delivery's `read`.
   */
  readonly readWithClaim?: Prisma.Sql;
  deliver(delivery: OutboxDelivery): Promise<DeliveryOutcome>;
}

export interface RetrySchedule {
  /** Delay before the first retry; each later one doubles, up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** A row still failing this long after it was queued is dead (npm run events:retry queues it again). */
  giveUpAfterMs: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { firstDelayMs: 1000, maxDelayMs: 5 * 60_000, giveUpAfterMs: 24 * 3_600_000 };

/** Counts since start, per topic and outcome: for logs now, for the metrics endpoint later. */
export type OutboxCounts = Record<string, { delivered: number; failed: number; dead: number; discarded: number }>;

export interface OutboxDispatcherOptions {
  handlers: readonly OutboxTopicHandler[];
  /** Topics no handler serves here (EVENT_WEBHOOK_URL unset): their pending rows are discarded by the sweep. */
  unservedTopics?: readonly string[];
  logger: { warn(details: object, message: string): void; error(details: object, message: string): void };
  /** How often to look for rows other instances queued, and leases of instances that died. */
  sweepIntervalMs: number;
  /** How long a claimed row stays this instance's: longer than any delivery may take. */
  leaseMs: number;
  retry?: RetrySchedule;
  batchSize?: number;
  /** Delivered and discarded rows are purged this long after they finished. */
  retentionMs?: number;
}

/**
 * Delivers outbox rows after commit: woken by the unit of work right after a commit in this
 * process, and by a periodic sweep for rows queued by other instances and for retries.
 *
 * - Claims with one statement: the oldest pending row of each topic and client whose time has come
 *   and that nobody holds, `FOR UPDATE SKIP LOCKED`, leased for `leaseMs`. So instances sharing the
 *   database never deliver one row at the same time, a client's later row waits for its earlier
 *   one, and no transaction (nor a client's row lock) is open during a network call.
 * - A failed attempt is retried with exponential backoff; a row of an instance that died is taken
 *   over when its lease runs out. At least once: a receiver dedupes by id.
 */
export class OutboxDispatcher {
  readonly counts: OutboxCounts = {};
  private readonly handlers: ReadonlyMap<string, OutboxTopicHandler>;
  private readonly retry: RetrySchedule;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private sweepTimer: NodeJS.Timeout | null = null;
  private readonly retryTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly sql: Sql,
    private readonly options: OutboxDispatcherOptions,
  ) {
    this.handlers = new Map(options.handlers.map((handler) => [handler.topic, handler]));
    this.retry = options.retry ?? DEFAULT_RETRY_SCHEDULE;
    for (const topic of [...this.handlers.keys(), ...(options.unservedTopics ?? [])]) {
      this.counts[topic] = { delivered: 0, failed: 0, dead: 0, discarded: 0 };
    }
  }

  get isRunning(): boolean {
    return !this.stopped;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.sweepTimer = setInterval(() => this.sweep(), this.options.sweepIntervalMs);
    this.sweepTimer.unref();
    // Rows left by an earlier run, or queued while this instance was down.
    this.sweep();
  }

  /** Stops waking up, and waits for the deliveries under way (bounded by their timeouts). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    await this.settled();
  }

  /** Called right after a commit that recorded history events of these types. */
  committed(eventTypes: readonly string[]): void {
    const queued = [...this.handlers.values()].some((handler) => handler.queuedBy === 'all' || eventTypes.some((type) => handler.queuedBy.includes(type)));
    if (queued) this.wake();
  }

  /** Resolves when no delivery pass runs (the rows due now were attempted). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Pending rows per topic, and dead ones: the backlog operators watch. */
  async backlog(): Promise<Array<{ topic: string; status: string; count: number }>> {
    const rows = await this.sql.$queryRaw<Array<{ topic: string; status: string; count: bigint }>>`
      SELECT topic, status::text AS status, count(*) AS count FROM outbox_events WHERE status IN ('PENDING', 'DEAD') GROUP BY topic, status`;
    return rows.map((row) => ({ topic: row.topic, status: row.status, count: Number(row.count) }));
  }

  private sweep(): void {
    if (this.stopped) return;
    this.wake(true);
  }

  /** Delivers what is due now (after commit, a retry's time, a sweep, rows queued again). */
  wake(sweep = false): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.passes(sweep).finally(() => {
      this.running = null;
    });
  }

  private async passes(sweep: boolean): Promise<void> {
    try {
      if (sweep) await this.housekeeping();
      do {
        this.again = false;
        while (!this.stopped && (await this.deliverBatch()));
      } while (this.again && !this.stopped);
    } catch (error) {
      // The database is away or closing: the next wake or sweep tries again.
      if (!this.stopped) this.options.logger.error({ err: error }, 'outbox dispatcher pass failed');
    }
  }

  private async housekeeping(): Promise<void> {
    const unserved = this.options.unservedTopics ?? [];
    if (unserved.length > 0) {
      await this.sql.$executeRaw`
        UPDATE outbox_events SET status = 'DISCARDED', finished_at = now(), last_error = 'no receiver configured'
         WHERE status = 'PENDING' AND topic IN (${Prisma.join(unserved)})`;
    }
    const retentionMs = this.options.retentionMs ?? 7 * 24 * 3_600_000;
    await this.sql.$executeRaw`
      DELETE FROM outbox_events WHERE status IN ('DELIVERED', 'DISCARDED') AND finished_at < now() - ${retentionMs}::double precision * interval '1 millisecond'`;
  }

  /**
   * Claims a batch and delivers it; returns whether another claim may find more. The claim also
   * counts the rows that were due when it ran: when it took them all, the pass ends without one
   * more (empty) claim. Rows committed since wake the dispatcher (`again`), and rows that waited
   * behind a claimed one of their client were counted, so they get their claim.
   */
  private async deliverBatch(): Promise<boolean> {
    const topics = [...this.handlers.keys()];
    if (topics.length === 0) return false;
    const reads = [...this.handlers.values()].filter((handler) => handler.readWithClaim);
    const read =
      reads.length === 0
        ? Prisma.sql`NULL::json`
        : Prisma.sql`CASE ${Prisma.join(reads.map((handler) => Prisma.sql`WHEN claimed.topic = ${handler.topic} THEN to_json(${handler.readWithClaim!})`), ' ')} END`;
    const claimed = await this.sql.$queryRaw<Array<Omit<OutboxDelivery, 'clientId'> & { client_id: string; due: number }>>`
      WITH claimed AS (
        UPDATE outbox_events SET locked_until = now() + ${this.options.leaseMs}::double precision * interval '1 millisecond', attempts = attempts + 1
         WHERE seq IN (
           SELECT o.seq FROM outbox_events o
            WHERE o.status = 'PENDING' AND o.topic IN (${Prisma.join(topics)}) AND o.next_attempt_at <= now()
              AND (o.locked_until IS NULL OR o.locked_until <= now())
              AND NOT EXISTS (SELECT 1 FROM outbox_events e
                               WHERE e.status = 'PENDING' AND e.topic = o.topic AND e.client_id = o.client_id AND e.seq < o.seq)
            ORDER BY o.seq
            LIMIT ${this.options.batchSize ?? 20}::integer
            FOR UPDATE SKIP LOCKED)
        RETURNING seq, id, topic, client_id, payload, attempts
      )
      SELECT seq, id::text AS id, topic, client_id::text AS client_id, payload, attempts, ${read} AS read,
             (SELECT count(*)::int FROM outbox_events o
               WHERE o.status = 'PENDING' AND o.topic IN (${Prisma.join(topics)}) AND o.next_attempt_at <= now()) AS due
        FROM claimed ORDER BY seq`;
    // Each claimed row is the head of its own topic and client: they may go out side by side.
    await Promise.all(claimed.map(({ client_id: clientId, due: _due, ...row }) => this.attempt({ ...row, clientId })));
    return claimed.length > 0 && claimed[0].due > claimed.length;
  }

  private async attempt(delivery: OutboxDelivery): Promise<void> {
    const handler = this.handlers.get(delivery.topic)!;
    const counts = this.counts[delivery.topic];
    let outcome: DeliveryOutcome;
    try {
      outcome = await handler.deliver(delivery);
    } catch (error) {
      counts.failed += 1;
      await this.failed(delivery, (error as Error).message);
      return;
    }
    if (outcome.kind === 'delivered') {
      counts.delivered += 1;
      const markDelivered = Prisma.sql`
        UPDATE outbox_events SET status = 'DELIVERED', finished_at = now(), locked_until = NULL, last_error = NULL WHERE seq = ${delivery.seq}`;
      await this.sql.$executeRaw(outcome.then ? Prisma.sql`WITH handled AS (${outcome.then}) ${markDelivered}` : markDelivered);
      return;
    }
    counts[outcome.kind] += 1;
    if (outcome.kind === 'dead') this.options.logger.error({ ...describe(delivery), reason: outcome.reason }, 'outbox delivery dead');
    await this.sql.$executeRaw`
      UPDATE outbox_events SET status = ${outcome.kind === 'dead' ? 'DEAD' : 'DISCARDED'}::"OutboxStatus", finished_at = now(), locked_until = NULL, last_error = ${outcome.reason}
       WHERE seq = ${delivery.seq}`;
  }

  private async failed(delivery: OutboxDelivery, reason: string): Promise<void> {
    const delayMs = retryDelayMs(this.retry, delivery.attempts);
    const [row] = await this.sql.$queryRaw<Array<{ status: string }>>`
      UPDATE outbox_events
         SET locked_until = NULL, last_error = ${reason.slice(0, 500)},
             next_attempt_at = now() + ${delayMs}::double precision * interval '1 millisecond',
             status = CASE WHEN queued_at + ${this.retry.giveUpAfterMs}::double precision * interval '1 millisecond' <= now() THEN 'DEAD'::"OutboxStatus" ELSE status END,
             finished_at = CASE WHEN queued_at + ${this.retry.giveUpAfterMs}::double precision * interval '1 millisecond' <= now() THEN now() END
       WHERE seq = ${delivery.seq}
      RETURNING status::text AS status`;
    const dead = row?.status === 'DEAD';
    if (dead) this.counts[delivery.topic].dead += 1;
    this.options.logger[dead ? 'error' : 'warn'](
      { ...describe(delivery), reason, ...(dead ? {} : { retryInMs: delayMs }) },
      dead ? 'outbox delivery failed and is dead: npm run events:retry -- --id <id> queues it again' : 'outbox delivery failed; will retry',
    );
    if (!dead && !this.stopped) {
      // A little after the row is due: a timer may fire a millisecond early, the database rounds to one.
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        this.wake();
      }, delayMs + 20);
      timer.unref();
      this.retryTimers.add(timer);
    }
  }
}

/** Exponential: firstDelayMs, then twice as long each time, capped; a little jitter so retries spread. */
export function retryDelayMs(schedule: RetrySchedule, attempts: number): number {
  const exponential = schedule.firstDelayMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30);
  return Math.round(Math.min(schedule.maxDelayMs, exponential) * (0.8 + Math.random() * 0.2));
}

const describe = (delivery: OutboxDelivery) => ({ outboxId: delivery.id, topic: delivery.topic, clientId: delivery.clientId, attempts: delivery.attempts });

/** A delivery that gave up, as operators see it. */
export interface DeadDelivery {
  id: string;
  topic: string;
  clientId: string;
  attempts: number;
  lastError: string | null;
  queuedAt: Date;
}

export async function deadDeliveries(prisma: PrismaClient): Promise<DeadDelivery[]> {
  return prisma.outboxEvent.findMany({
    where: { status: 'DEAD' },
    orderBy: { seq: 'asc' },
    select: { id: true, topic: true, clientId: true, attempts: true, lastError: true, queuedAt: true },
  });
}

/**
 * Queues dead deliveries again (one by id, or all): retried from now on as if new, for another
 * full retry period. A running dispatcher picks them up at its next sweep. Returns how many.
 */
export async function requeueDeadDeliveries(prisma: PrismaClient, which: { id: string } | 'all'): Promise<number> {
  const { count } = await prisma.outboxEvent.updateMany({
    where: { status: 'DEAD', ...(which === 'all' ? {} : { id: which.id }) },
    data: { status: 'PENDING', attempts: 0, nextAttemptAt: new Date(), queuedAt: new Date(), finishedAt: null, lockedUntil: null },
  });
  return count;
}
