import type { ApolloServerPlugin } from '@apollo/server';
import type { Metrics } from '../operations/metrics';
import type { RequestContext } from './context';
import { UserError } from './user-errors';

/** Longest operation name a log line carries. */
const MAX_OPERATION_NAME = 100;

/**
 * Fills the request's record (src/operations/request-log.ts) with what only GraphQL knows: the
 * operation's name once it validated, the typed-error member a mutation answered with (counted
 * per member), and the first error code of the answer.
 */
export function requestOutcomes(metrics: Metrics): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ contextValue }) {
      const record = contextValue.request;
      return {
        async didResolveOperation({ operationName }) {
          record.operationName = operationName === null ? null : operationName.slice(0, MAX_OPERATION_NAME);
        },
        async executionDidStart() {
          return {
            willResolveField({ info }) {
              if (info.path.prev !== undefined || info.parentType.name !== 'Mutation') return;
              return (_error, result) => {
                if (!(result instanceof UserError)) return;
                const member = result.constructor.name;
                metrics.countTypedError(member);
                record.typedError ??= member;
              };
            },
          };
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
