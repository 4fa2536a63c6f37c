import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { SERVICE_UNAVAILABLE, SERVICE_UNAVAILABLE_MESSAGE, unavailabilityOf } from '../db/availability';
import type { Logger } from '../logger';
import { IDEMPOTENCY_ERROR_CODES } from './idempotency';

/** Codes of errors caused by the request itself; their messages are safe and useful to show. */
const CLIENT_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'FORBIDDEN',
  ...IDEMPOTENCY_ERROR_CODES,
]);

/**
 * The one place server-side failures become GraphQL errors. Domain failures never get here (they
 * are union members); what does is a malformed operation, shown as is, or a failure of the server,
 * logged once and masked so no stack trace, SQL or driver message reaches a client outside development.
 */
export function createErrorFormatter(logger: Logger, exposeDetails: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    const original = unwrapResolverError(error);
    if (typeof code === 'string' && CLIENT_ERROR_CODES.has(code) && !(original instanceof Error && !(original instanceof GraphQLError))) {
      return withoutStacktrace(formatted, exposeDetails);
    }
    const unavailable = unavailabilityOf(original);
    if (unavailable !== null) {
      // Expected while the database is down: one line per failure, without a stack.
      logger.warn({ path: formatted.path, cause: unavailable }, 'database unavailable');
      return { message: SERVICE_UNAVAILABLE_MESSAGE, path: formatted.path, extensions: { code: SERVICE_UNAVAILABLE } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error while executing an operation');
    if (exposeDetails) return formatted;
    return { message: 'Internal server error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

export { SERVICE_UNAVAILABLE };

/**
 * A response carrying SERVICE_UNAVAILABLE (the database is down) is HTTP 503, so load balancers,
 * retrying clients and dashboards see an outage as one, not as a 200 with errors inside.
 */
export function serviceUnavailableStatus<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          if (response.body.singleResult.errors?.some((error) => error.extensions?.code === SERVICE_UNAVAILABLE)) response.http.status = 503;
        },
      };
    },
  };
}

function withoutStacktrace(formatted: GraphQLFormattedError, exposeDetails: boolean): GraphQLFormattedError {
  if (exposeDetails || !formatted.extensions?.stacktrace) return formatted;
  const { stacktrace: _dropped, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}
