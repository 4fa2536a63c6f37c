/**
 * The `Idempotency-Key` header of mutations: a retried mutation answers what the first one answered
 * and does nothing again.
 *
 * How a keyed mutation runs (keys scoped to the caller, kept 24 hours, src/db/idempotency-keys.ts):
 * 1. Before execution one statement looks the key up (and purges a batch of expired keys). A DONE
 *    row with the same request hash is replayed as it was (header `Idempotent-Replayed: true`);
 *    another hash (other operation or variables) is `IDEMPOTENCY_KEY_REUSED` (422); a RUNNING row
 *    is waited for, up to 5 s, then `IDEMPOTENCY_KEY_IN_USE` (409).
 * 2. During execution the request's transactions enlist the claim (src/db/transaction.ts): the
 *    first one inserts the RUNNING row, so it commits or rolls back with the effects. A request that
 *    lost a race for the key (both looked before either committed) finds the row taken there, rolls
 *    back and answers as in step 1 once the winner has finished: never a second execution.
 * 3. After execution the response is written: always when the claim committed (the effects are
 *    done, so even an answer with errors must not run again); otherwise only an answer without
 *    errors (a typed domain error, which rolled back) is stored. A server failure that committed
 *    nothing is not stored: the retry runs again.
 * A crash (or a database failure) between the commit of step 2 and the write of step 3 leaves the
 * row RUNNING with its effects committed: repeats get IDEMPOTENCY_KEY_IN_USE while the first request
 * could still be running, then IDEMPOTENCY_KEY_ANSWER_LOST (the change was applied; read the client)
 * until the key expires, never a second run.
 *
 * A keyed operation may hold one mutation field: a retry of a batch that half failed cannot be
 * answered field by field, so several are refused (`IDEMPOTENCY_KEY_SINGLE_MUTATION`, 400) before
 * anything runs; HTTP batching (a JSON array) is off. Queries ignore the header. Requests without a
 * key cost no statement.
 */
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestContext, GraphQLResponse } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import { DocumentNode, GraphQLError, SelectionSetNode, print } from 'graphql';
import type { Caller } from '../auth/caller';
import { SERVICE_UNAVAILABLE, SERVICE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../db/availability';
import { IdempotencyKeys, StoredIdempotencyKey } from '../db/idempotency-keys';
import { Tx, TransactionParticipant, transactionParticipant } from '../db/transaction';
import type { Logger } from '../logger';
import { mayRunField } from './access';
import type { RequestContext } from './context';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** 1 to 255 printable ASCII characters (space to tilde). */
const VALID_KEY = /^[\x20-\x7e]{1,255}$/;
/** How long a repeat waits for the first request with its key before answering IDEMPOTENCY_KEY_IN_USE. */
const WAIT_FOR_FIRST_MS = 5_000;
const POLL_MS = 50;

/** GraphQL error codes of this header, shown to callers as they are (src/graphql/error-masking.ts). */
export const IDEMPOTENCY_ERROR_CODES = [
  'IDEMPOTENCY_KEY_INVALID',
  'IDEMPOTENCY_KEY_SINGLE_MUTATION',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_KEY_IN_USE',
  'IDEMPOTENCY_KEY_ANSWER_LOST',
] as const;
type IdempotencyErrorCode = (typeof IDEMPOTENCY_ERROR_CODES)[number];

const STATUS: Record<IdempotencyErrorCode, number> = {
  IDEMPOTENCY_KEY_INVALID: 400,
  IDEMPOTENCY_KEY_SINGLE_MUTATION: 400,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_KEY_IN_USE: 409,
  IDEMPOTENCY_KEY_ANSWER_LOST: 409,
};

/** Thrown inside a transaction whose request lost the race for its key: rolls back its effects. */
class KeyTakenMeanwhile extends GraphQLError {
  constructor() {
    super('Another request with this Idempotency-Key ran first.', { extensions: { code: 'IDEMPOTENCY_KEY_IN_USE' } });
  }
}

/** One keyed HTTP request, from the header to the stored response; the transactions' participant. */
class KeyedRequest implements TransactionParticipant {
  /** Set once the request is known to be a mutation with a valid key. */
  scope: { caller: string; requestHash: string } | null = null;
  private claimInOpenTransaction = false;
  claimCommitted = false;
  lostRace = false;

  constructor(
    readonly key: string,
    private readonly keys: IdempotencyKeys,
  ) {}

  async enlist(tx: Tx): Promise<void> {
    if (!this.scope || this.claimCommitted) return;
    if (!(await this.keys.claim(tx, this.scope.caller, this.key, this.scope.requestHash))) {
      this.lostRace = true;
      throw new KeyTakenMeanwhile();
    }
    this.claimInOpenTransaction = true;
  }

  settled(committed: boolean): void {
    if (this.claimInOpenTransaction && committed) this.claimCommitted = true;
    this.claimInOpenTransaction = false;
  }
}

/**
 * Express middleware in front of Apollo: a request with the header runs with its KeyedRequest as
 * the transaction participant, so the transactions it opens can claim the key.
 */
export function idempotencyKeyScope(keys: IdempotencyKeys) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const key = req.get(IDEMPOTENCY_KEY_HEADER);
    if (key === undefined) return next();
    transactionParticipant.run(new KeyedRequest(key, keys), next);
  };
}

/** The Apollo plugin that answers, waits for or records keyed mutations (see the file comment). */
export function idempotencyPlugin(keys: IdempotencyKeys, logger: Logger): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      const keyed = transactionParticipant.getStore();
      if (!(keyed instanceof KeyedRequest)) return;
      return {
        async responseForOperation(requestContext) {
          const { operation, document } = requestContext;
          if (operation.operation !== 'mutation') return null;
          if (!VALID_KEY.test(keyed.key)) {
            return refusal('IDEMPOTENCY_KEY_INVALID', 'The Idempotency-Key header must be 1 to 255 printable ASCII characters.');
          }
          const fields = mutationFields(operation.selectionSet, document);
          if (fields.length > 1) {
            return refusal('IDEMPOTENCY_KEY_SINGLE_MUTATION', 'An operation sent with an Idempotency-Key may contain one mutation field.');
          }
          const { caller } = requestContext.contextValue;
          // A caller without the mutation's scope is answered FORBIDDEN by execution, before its
          // resolver runs: never a stored answer, which another token of the same subject was given.
          if (fields.length === 1 && !mayRunField(caller, requestContext.schema.getMutationType()?.getFields()[fields[0]])) return null;
          const scope = { caller: callerScope(caller), requestHash: requestHash(requestContext, caller) };
          try {
            const stored = await keys.find(scope.caller, keyed.key);
            if (stored) return await answerFor(stored, scope.requestHash, () => keys.find(scope.caller, keyed.key));
          } catch (error) {
            // The key cannot be looked up: answered as any request is while the database is down, never run unkeyed.
            if (isDatabaseUnavailable(error)) return unavailable();
            throw error;
          }
          keyed.scope = scope;
          return null;
        },
        async willSendResponse(requestContext) {
          const { scope } = keyed;
          if (!scope) return;
          keyed.scope = null;
          const { response } = requestContext;
          if (keyed.lostRace) {
            const stored = await keys.find(scope.caller, keyed.key);
            const answer = stored ? await answerFor(stored, scope.requestHash, () => keys.find(scope.caller, keyed.key)) : null;
            if (answer) {
              response.body = answer.body;
              response.http.status = answer.http.status;
              for (const [name, value] of answer.http.headers) response.http.headers.set(name, value);
            }
            return;
          }
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          try {
            if (keyed.claimCommitted) await keys.complete(scope.caller, keyed.key, JSON.stringify(result));
            else if (!result.errors?.length) await keys.record(scope.caller, keyed.key, scope.requestHash, JSON.stringify(result));
          } catch (error) {
            // The answer is sent anyway; a committed claim stays RUNNING and repeats get IDEMPOTENCY_KEY_IN_USE.
            logger.error({ err: error }, 'storing the response of an Idempotency-Key failed');
          }
        },
      };
    },
  };
}

const REUSED_MESSAGE = 'This Idempotency-Key was used for another operation, other variables or a token with other scopes.';

/** The answer to a request whose key is already stored: the replay, a refusal, or (after waiting) in use. */
async function answerFor(stored: StoredIdempotencyKey, requestHash: string, reread: () => Promise<StoredIdempotencyKey | null>): Promise<GraphQLResponse> {
  if (stored.requestHash !== requestHash) {
    return refusal('IDEMPOTENCY_KEY_REUSED', REUSED_MESSAGE);
  }
  if (stored.answerLost) return answerLost();
  let current: StoredIdempotencyKey | null = stored;
  for (const deadline = Date.now() + WAIT_FOR_FIRST_MS; current?.state === 'RUNNING' && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    current = await reread();
  }
  if (current === null) {
    // The first request's claim was purged meanwhile (expired): treat as in use rather than run twice in one request.
    return refusal('IDEMPOTENCY_KEY_IN_USE', 'The request first sent with this Idempotency-Key is still running. Retry later.');
  }
  if (current.requestHash !== requestHash) {
    return refusal('IDEMPOTENCY_KEY_REUSED', REUSED_MESSAGE);
  }
  if (current.state === 'RUNNING' || current.response === null) {
    return refusal('IDEMPOTENCY_KEY_IN_USE', 'The request first sent with this Idempotency-Key is still running. Retry later.');
  }
  return {
    http: { status: 200, headers: new HeaderMap([['idempotent-replayed', 'true']]) },
    body: { kind: 'single', singleResult: JSON.parse(current.response) },
  };
}

function answerLost(): GraphQLResponse {
  return refusal(
    'IDEMPOTENCY_KEY_ANSWER_LOST',
    'The request first sent with this Idempotency-Key was applied, but its answer was lost (the server or the database failed before it was stored). Read the client to see the change; sending it again with a new key would apply it twice.',
  );
}

function unavailable(): GraphQLResponse {
  return {
    http: { status: 503, headers: new HeaderMap() },
    body: { kind: 'single', singleResult: { errors: [{ message: SERVICE_UNAVAILABLE_MESSAGE, extensions: { code: SERVICE_UNAVAILABLE } }] } },
  };
}

function refusal(code: IdempotencyErrorCode, message: string): GraphQLResponse {
  return {
    http: { status: STATUS[code], headers: new HeaderMap() },
    body: { kind: 'single', singleResult: { errors: [{ message, extensions: { code } }] } },
  };
}

/** Whose key it is: a key of one token subject never answers another's request. */
function callerScope(caller: Caller): string {
  return caller.kind === 'staff' ? `staff:${caller.subject}` : `self:${caller.clientId}`;
}

/**
 * SHA-256 of the document (as printed, so layout does not matter), the operation name and the
 * variables as canonical JSON (keys sorted, so their order does not matter).
 */
export function requestHashOf(document: DocumentNode, operationName: string | null, variables: Record<string, unknown>, scopes: readonly string[]): string {
  return createHash('sha256').update(canonicalJson([print(document), operationName, variables, scopes])).digest('hex');
}

/**
 * The request's hash, with the caller's scopes: what an answer shows depends on them (a document's
 * downloadUrl, for one), so a stored answer is replayed only to a token of the same subject and
 * scopes; another set of scopes is IDEMPOTENCY_KEY_REUSED, never a second run.
 */
function requestHash({ document, request }: GraphQLRequestContext<RequestContext>, caller: Caller): string {
  const scopes = caller.kind === 'staff' ? [...caller.scopes].sort() : ['self'];
  return requestHashOf(document!, request.operationName ?? null, request.variables ?? {}, scopes);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Names of the root fields the operation selects (through fragments too, once per selection), bar `__typename`. */
function mutationFields(selectionSet: SelectionSetNode, document: DocumentNode, seen = new Set<string>()): string[] {
  const names: string[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === 'Field') {
      if (!selection.name.value.startsWith('__')) names.push(selection.name.value);
    } else if (selection.kind === 'InlineFragment') {
      names.push(...mutationFields(selection.selectionSet, document, seen));
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = document.definitions.find((definition) => definition.kind === 'FragmentDefinition' && definition.name.value === selection.name.value);
      if (fragment?.kind === 'FragmentDefinition') names.push(...mutationFields(fragment.selectionSet, document, seen));
    }
  }
  return names;
}
