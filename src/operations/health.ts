import type { Request, Response } from 'express';
import { unavailabilityOf } from '../db/availability';
import type { Logger } from '../logger';

/**
 * One thing readiness depends on. `check` answers true when it holds; false, or a short reason
 * (no driver text: it is served to anyone who asks), when it does not. A check that throws or
 * does not answer within the probe's timeout counts as failing.
 */
export interface HealthCheck {
  name: string;
  check(): Promise<boolean | string>;
}

export interface CheckOutcome {
  name: string;
  status: 'ok' | 'failing';
  detail?: string;
}

export interface Readiness {
  ready: boolean;
  checks: CheckOutcome[];
}

/** How long one readiness probe waits for each check: a probe must answer before its caller gives up. */
export const READINESS_CHECK_TIMEOUT_MS = 2000;

/**
 * The checks `/health/ready` runs, registered by createApp (the database and its migrations) and by
 * anything else the instance needs to serve (for example a background dispatcher).
 */
export class HealthChecks {
  private readonly checks: HealthCheck[] = [];
  /** The last outcome of each check, so a failure is logged when it starts, not on every probe. */
  private readonly failing = new Set<string>();

  constructor(
    private readonly logger: Logger,
    private readonly timeoutMs = READINESS_CHECK_TIMEOUT_MS,
  ) {}

  register(check: HealthCheck): void {
    if (this.checks.some((existing) => existing.name === check.name)) throw new Error(`health check ${check.name} is registered twice`);
    this.checks.push(check);
  }

  async readiness(): Promise<Readiness> {
    const checks = await Promise.all(this.checks.map((check) => this.run(check)));
    return { ready: checks.every((check) => check.status === 'ok'), checks };
  }

  private async run(check: HealthCheck): Promise<CheckOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no answer within ${this.timeoutMs} ms`), this.timeoutMs);
    });
    let error: unknown;
    const answer = await Promise.race([
      check.check().catch((thrown: unknown) => {
        error = thrown;
        return 'error';
      }),
      timeout,
    ]).finally(() => clearTimeout(timer));
    const outcome: CheckOutcome = answer === true ? { name: check.name, status: 'ok' } : { name: check.name, status: 'failing', ...(typeof answer === 'string' ? { detail: answer } : {}) };
    this.noteTransition(outcome, error);
    return outcome;
  }

  private noteTransition(outcome: CheckOutcome, error: unknown): void {
    const wasFailing = this.failing.has(outcome.name);
    if (outcome.status === 'failing' && !wasFailing) {
      this.failing.add(outcome.name);
      // A database that is down is expected to fail checks: its cause is enough, without a stack.
      const cause = error ? unavailabilityOf(error) : null;
      this.logger.warn({ check: outcome.name, detail: outcome.detail, ...(cause ? { cause } : error ? { err: error } : {}) }, `readiness check ${outcome.name} failing`);
    } else if (outcome.status === 'ok' && wasFailing) {
      this.failing.delete(outcome.name);
      this.logger.info({ check: outcome.name }, `readiness check ${outcome.name} passes again`);
    }
  }
}

/** `GET /health/live`: the process is up and its event loop turns; nothing else is asked. */
export function livenessHandler() {
  return (_req: Request, res: Response) => void res.set('cache-control', 'no-store').json({ status: 'ok' });
}

/** `GET /health/ready`: 200 when every check passes, else 503; the body lists each check either way. */
export function readinessHandler(health: HealthChecks) {
  return async (_req: Request, res: Response) => {
    const { ready, checks } = await health.readiness();
    res.set('cache-control', 'no-store').status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks });
  };
}
