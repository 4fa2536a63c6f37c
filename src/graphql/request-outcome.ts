import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from './context';

/** Longest operation name a log line carries. */
const MAX_OPERATION_NAME = 100;

/**
 * Fills the request's record (src/operations/request-log.ts) with what only GraphQL knows: the
 * operation's name once it validated and the first error code of the answer. (The typed-error
 * members come from `respond`, src/graphql/mutation-response.ts: a `willResolveField` hook here
 * would make Apollo wrap every resolver of the schema, which cost ~5% of a page's CPU.)
 */
export function requestOutcomes(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ contextValue }) {
      const record = contextValue.request;
      return {
        async didResolveOperation({ operationName }) {
          record.operationName = operationName === null ? null : operationName.slice(0, MAX_OPERATION_NAME);
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const code = response.body.singleResult.errors?.[0]?.extensions?.code;
          if (typeof code === 'string') record.errorCode = code;
        },
      };
    },
  };
}
