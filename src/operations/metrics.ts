import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '../db/database';

/** What the metrics read of the outbox dispatcher (structurally: operations imports no module). */
export interface OutboxState {
  readonly counts: Readonly<Record<string, Readonly<Record<string, number>>>>;
  backlog(): Promise<Array<{ topic: string; status: string; count: number }>>;
}

/** Label values operators chart by; callers choose operation names, so they are bounded here. */
const MAX_OPERATION_LABELS = 100;
const MAX_LABEL_LENGTH = 64;

/**
 * The Prometheus metrics of one app (its own registry: several apps may share a process in
 * tests). Other parts of the server add theirs to `registry`, or set the gauges made for them.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'onboarding_graphql_requests_total',
    help: 'GraphQL requests by operation name and outcome (ok, a typed error member, or an error code).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'onboarding_graphql_request_duration_seconds',
    help: 'GraphQL request latency, from the request line to the last byte of the answer.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly typedErrors = new Counter({
    name: 'onboarding_graphql_typed_errors_total',
    help: 'Domain failures answered as result-union members, by member (__typename).',
    labelNames: ['member'] as const,
    registers: [this.registry],
  });
  private readonly operationLabels = new Set<string>();

  constructor(database: Pick<Database, 'poolUse'>) {
    collectDefaultMetrics({ register: this.registry });
    if (database.poolUse() !== null) {
      new Gauge({
        name: 'onboarding_db_pool_connections',
        help: 'PostgreSQL pool connections: open (total) and idle.',
        labelNames: ['state'] as const,
        registers: [this.registry],
        collect() {
          const use = database.poolUse()!;
          this.set({ state: 'total' }, use.total);
          this.set({ state: 'idle' }, use.idle);
        },
      });
      new Gauge({
        name: 'onboarding_db_pool_waiting_requests',
        help: 'Queries waiting for a free PostgreSQL pool connection.',
        registers: [this.registry],
        collect() {
          this.set(database.poolUse()!.waiting);
        },
      });
    }
  }

  observeRequest(operationName: string | null | undefined, outcome: string, seconds: number): void {
    const labels = { operation: this.operationLabel(operationName), outcome: boundedLabel(outcome, 'error') };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }

  countTypedError(member: string): void {
    this.typedErrors.inc({ member: boundedLabel(member, 'unknown') });
  }

  /**
   * `unknown` for a request whose operation never validated (undefined), `anonymous` for one
   * without a name, the name itself for the first MAX_OPERATION_LABELS names, then `other`: a caller
   * inventing a name per request cannot grow the series without bound.
   */
  operationLabel(name: string | null | undefined): string {
    if (name === undefined) return 'unknown';
    if (name === null) return 'anonymous';
    const label = name.slice(0, MAX_LABEL_LENGTH);
    if (this.operationLabels.has(label)) return label;
    if (this.operationLabels.size >= MAX_OPERATION_LABELS) return 'other';
    this.operationLabels.add(label);
    return label;
  }

  /**
   * The outbox as operators watch it, read at scrape time: rows waiting (PENDING) and given up
   * (DEAD) per topic, and this instance's delivery attempts per topic and outcome since start.
   * A failed backlog read (database down) leaves the gauge out of that scrape rather than failing it.
   */
  watchOutbox(outbox: OutboxState): void {
    new Gauge({
      name: 'onboarding_outbox_backlog_events',
      help: 'Outbox rows not delivered, by topic (events, contact codes) and status (PENDING waiting or retrying, DEAD given up).',
      labelNames: ['topic', 'status'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const rows = await outbox.backlog().catch(() => []);
        for (const topic of Object.keys(outbox.counts)) for (const status of ['PENDING', 'DEAD']) this.set({ topic, status }, 0);
        for (const row of rows) this.set({ topic: row.topic, status: row.status }, row.count);
      },
    });
    new Counter({
      name: 'onboarding_outbox_deliveries_total',
      help: "This instance's outbox delivery attempts by topic and outcome (delivered, failed and to be retried, dead, discarded).",
      labelNames: ['topic', 'outcome'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [topic, counts] of Object.entries(outbox.counts)) {
          for (const [outcome, count] of Object.entries(counts)) this.inc({ topic, outcome }, count);
        }
      },
    });
  }

  /** The text exposition format Prometheus scrapes. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** GraphQL names and error codes only; anything else becomes `fallback`. */
function boundedLabel(value: string, fallback: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(value) ? value : fallback;
}
