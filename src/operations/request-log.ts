import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logger';
import type { Metrics } from './metrics';

/**
 * What one request's log line and metrics say, filled in as the request goes: its id here, the
 * operation and outcome by the GraphQL layer, the caller by authentication.
 */
export interface RequestRecord {
  readonly id: string;
  /** The operation's name once it parsed and validated (null: anonymous); undefined before. */
  operationName?: string | null;
  /** The typed-error members (__typename) the request's mutations answered with, in order. */
  readonly typedErrors: string[];
  /** The first GraphQL error code of the answer, if any. */
  errorCode?: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by `recordRequests` for every GraphQL request. */
    record?: RequestRecord;
  }
}

/** A caller's `x-request-id` is kept when it is a plain token of at most 128 characters. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function requestIdFrom(header: string | undefined): string {
  return header !== undefined && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

/** Outcomes of answers the GraphQL layer never saw (refused before it, or cut off). */
function outcomeOfStatus(status: number): string {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 503) return 'SERVICE_UNAVAILABLE';
  if (status >= 500) return 'INTERNAL_SERVER_ERROR';
  if (status >= 400) return 'BAD_REQUEST';
  return 'ok';
}

/**
 * One JSON line per GraphQL request, or per document download with `fixedOperationName` (request id, operation name, caller subject, duration, outcome,
 * HTTP status; never variables or the document) and its metrics. The id comes from `x-request-id`
 * when sane, else is generated, and is returned in `x-request-id` either way.
 */
export function recordRequests(logger: Logger, metrics: Metrics, fixedOperationName?: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const record: RequestRecord = { id: requestIdFrom(req.get('x-request-id')), typedErrors: [], ...(fixedOperationName ? { operationName: fixedOperationName } : {}) };
    req.record = record;
    res.set('x-request-id', record.id);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const outcome = !res.writableFinished ? 'aborted' : (record.errorCode ?? record.typedErrors[0] ?? outcomeOfStatus(res.statusCode));
      const caller = req.caller;
      metrics.observeRequest(record.operationName, outcome, seconds);
      for (const member of record.typedErrors) metrics.countTypedError(member);
      logger.info(
        {
          requestId: record.id,
          operationName: record.operationName ?? null,
          subject: caller ? (caller.kind === 'self' ? caller.clientId : caller.subject) : null,
          durationMs: Math.round(seconds * 1e4) / 10,
          outcome,
          status: res.statusCode,
        },
        'request',
      );
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };
}
