/**
 * Whether an error means the database cannot serve right now (down, restarting, unreachable, out
 * of connections, or too slow: a statement or lock timeout) rather than a fault in this code. Such
 * failures are answered as SERVICE_UNAVAILABLE (try again) and heal by themselves: the pool opens
 * new connections once the database answers again.
 */
export const SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE';
/** What a caller is told while the database is unavailable (no driver text, ever). */
export const SERVICE_UNAVAILABLE_MESSAGE = 'The service is temporarily unavailable. Try again shortly.';

export function isDatabaseUnavailable(error: unknown): boolean {
  return unavailabilityOf(error) !== null;
}

/** A short, driver-free name for why the database is unavailable (for logs), or null. */
export function unavailabilityOf(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth += 1) {
    const reason = reasonOf(current as ErrorLike);
    if (reason) return reason;
    const { cause, meta, thrownValue } = current as ErrorLike;
    // graphql-js wraps a thrown value that is not an Error of its realm (a driver's error under
    // jest's VM contexts) in NonErrorThrown, keeping it as `thrownValue`.
    current = meta?.driverAdapterError?.cause ?? cause ?? thrownValue;
  }
  return null;
}

interface ErrorLike {
  code?: unknown;
  kind?: unknown;
  message?: unknown;
  cause?: unknown;
  thrownValue?: unknown;
  meta?: { driverAdapterError?: { cause?: unknown } };
}

/** Prisma's codes for an unreachable server, a timeout, a closed connection or an exhausted pool. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** Driver-adapter error kinds (@prisma/adapter-pg) of the same. */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** Socket errors of Node. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/**
 * PostgreSQL SQLSTATEs: connection exceptions (08), shutting down or starting (57P01-57P03),
 * too many connections (53300), statement timeout (57014), lock timeout (55P03).
 */
const SQLSTATE = /^(08...|57P0[123]|53300|57014|55P03)$/;
/** pg and pg-pool say these in plain errors, without a code. */
const DRIVER_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection closed|Query read timeout)/;

function reasonOf(error: ErrorLike): string | null {
  const code = typeof error.code === 'string' ? error.code : null;
  if (code && PRISMA_CODES.has(code)) return `prisma ${code}`;
  if (code && SOCKET_CODES.has(code)) return code;
  if (code && SQLSTATE.test(code)) return `sqlstate ${code}`;
  if (typeof error.kind === 'string' && ADAPTER_KINDS.has(error.kind)) return error.kind;
  if (typeof error.message === 'string' && DRIVER_MESSAGES.test(error.message)) return error.message.slice(0, 80);
  return null;
}
