import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logger';

/** Something to stop before the database closes (a background worker, say), registered with the app. */
export interface Closer {
  name: string;
  close(): Promise<void>;
}

export interface OpenWorkSnapshot {
  /** HTTP requests received and not yet answered (or abandoned by their caller). */
  openRequests: number;
  /** The shutdown steps still running, in the order they started. */
  waitingFor: string[];
}

/** What a stopping server still waits for, so a shutdown that runs out of time can say so. */
export class OpenWork {
  private requests = 0;
  private readonly running = new Set<string>();

  /** Express middleware counting requests from their headers to their answer (or the caller leaving). */
  countRequests() {
    return (_req: Request, res: Response, next: NextFunction) => {
      this.requests += 1;
      res.once('close', () => {
        this.requests -= 1;
      });
      next();
    };
  }

  /** Runs one shutdown step, listed as waited for until it settles. */
  async step<T>(name: string, work: () => Promise<T>): Promise<T> {
    this.running.add(name);
    try {
      return await work();
    } finally {
      this.running.delete(name);
    }
  }

  snapshot(): OpenWorkSnapshot {
    return { openRequests: this.requests, waitingFor: [...this.running] };
  }
}

export interface Stoppable {
  readonly logger: Logger;
  stop(): Promise<void>;
  openWork(): OpenWorkSnapshot;
}

/**
 * SIGTERM or SIGINT stops the server: running requests are answered, registered closers stop, the
 * database closes, and the process exits 0. Whatever hangs (a request, a worker, the database
 * close), the process exits 1 after `graceMs` with a line saying what was still open; a second
 * signal ends it at once. A server asked to stop never keeps running.
 */
export function stopOnSignals(app: Stoppable, graceMs: number, exit: (code: number) => never = process.exit): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) {
        app.logger.warn({ signal }, 'second signal while shutting down: exiting now');
        exit(1);
      }
      stopping = true;
      app.logger.info({ signal, graceMs }, 'shutting down');
      setTimeout(() => {
        const open = app.openWork();
        const described = [
          ...(open.openRequests > 0 ? [`${open.openRequests} open request(s)`] : []),
          ...open.waitingFor.filter((step) => step !== 'requests' || open.openRequests === 0),
        ];
        app.logger.error({ graceMs, ...open }, `shutdown did not finish within SHUTDOWN_GRACE_MS (${graceMs} ms), still open: ${described.join(', ') || 'nothing known'}; exiting`);
        exit(1);
      }, graceMs).unref();
      app.stop().then(
        () => exit(0),
        (error) => {
          app.logger.error({ err: error }, 'shutdown failed');
          exit(1);
        },
      );
    });
  }
}
