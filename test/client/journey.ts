// The onboarding journey as an app team would write it: urql's core client, operation types
// generated from schema.graphql by GraphQL Code Generator's client preset (test/client/gql/), and
// an exhaustive switch over every union result. It imports nothing from the server, so it can be
// copied into an app as it is.
import {
  AnyVariables,
  Client,
  Exchange,
  OperationResult,
  fetchExchange,
  makeOperation,
  mapExchange,
} from '@urql/core';
import {
  ActivateClientDocument,
  AddAddressDocument,
  AddIdentifierDocument,
  ClientEventType,
  ClientJourneyDocument,
  ClientStatus,
  ConfirmContactVerificationDocument,
  ContactChannel,
  CreateClientDocument,
  CreateClientInput,
  JourneyClientFragment,
  KycVerificationType,
  RequestContactVerificationDocument,
  VerifyClientDocument,
} from './gql/graphql';
import { contactVerificationFailureText, fieldErrorText, historyText, requirementText, unhandled } from './messages';

export interface AppTeamClientOptions {
  /** Where the API runs, e.g. https://onboarding.example.com (GraphQL is at `${baseUrl}/graphql`). */
  baseUrl: string;
  /**
   * 'text' (default) sends each operation's text. 'hash' sends only its SHA-256, the key under
   * which the generated persisted-documents manifest holds it; the server must have been started
   * with that manifest as TRUSTED_DOCUMENTS_FILE.
   */
  documents?: 'text' | 'hash';
  /**
   * Queries go as POST by default. With true they go as GET (cacheable by an HTTP cache), with the
   * `apollo-require-preflight` header the server's CSRF protection asks GET requests for.
   * Mutations are always POST.
   */
  queriesOverGet?: boolean;
  /** Sent with every request, e.g. `{ authorization: 'Bearer <token>' }`. */
  headers?: Record<string, string>;
  /** A fetch to use instead of the global one (e.g. to watch traffic). */
  fetch?: typeof fetch;
}

/** The urql client configured the way this API expects. */
export function createAppTeamClient({ baseUrl, documents = 'text', queriesOverGet = false, headers = {}, fetch }: AppTeamClientOptions): Client {
  return new Client({
    ...(fetch ? { fetch } : {}),
    url: `${baseUrl.replace(/\/+$/, '')}/graphql`,
    // No cache exchange: every call in the journey must reach the server. An app adds
    // cacheExchange (or @urql/exchange-graphcache) in front of fetchExchange as it needs.
    exchanges: documents === 'hash' ? [sendHashInsteadOfText, fetchExchange] : [fetchExchange],
    // urql's default, 'within-url-limit', sends short queries as GET; say which one is meant.
    preferGetMethod: queriesOverGet ? 'force' : false,
    fetchOptions: { headers: queriesOverGet ? { ...headers, 'apollo-require-preflight': 'true' } : headers },
    requestPolicy: 'network-only',
  });
}

/**
 * Sends `extensions.persistedQuery.sha256Hash` (the shape Apollo clients use) and no query text.
 * urql's fetchExchange leaves `query` out of the request when this extension is present.
 */
const sendHashInsteadOfText: Exchange = mapExchange({
  onOperation(operation) {
    if (operation.kind === 'teardown') return operation;
    const hash = (operation.query as { __meta__?: { hash?: unknown } }).__meta__?.hash;
    if (typeof hash !== 'string') {
      throw new Error('This document has no persisted-document hash: generate it with presetConfig.persistedDocuments.');
    }
    return makeOperation(operation.kind, {
      ...operation,
      extensions: { ...operation.extensions, persistedQuery: { version: 1, sha256Hash: hash.replace(/^sha256:/, '') } },
    });
  },
});

export interface JourneyInput {
  /** Identity number to add as the client's SSN, e.g. 123-45-6789. */
  ssn: string;
  /** Overrides for the person created; defaults describe Ada Lovelace. */
  person?: Partial<CreateClientInput>;
  /** The one-time code the client received on this channel (in an app: typed in by the person). */
  codeFor(clientId: string, channel: ContactChannel): string | Promise<string>;
}

export interface JourneyStep {
  /** The mutation or query sent. */
  operation: string;
  /** The union member (or, for the query, the type) it answered with. */
  outcome: string;
  status: ClientStatus;
  version: number;
}

export interface JourneyReport {
  clientId: string;
  steps: JourneyStep[];
  /** The client as read back by the `client(id)` query at the end. */
  client: JourneyClientFragment;
  history: Array<{ type: ClientEventType; text: string; detail: Record<string, unknown> | null }>;
  documentsAwaitingReview: number;
}

/** A step answered with an error member of its union; the journey cannot go on. */
export class JourneyStepRefused extends Error {
  override name = 'JourneyStepRefused';
  constructor(readonly operation: string, readonly outcome: string, readonly reasons: string[]) {
    super(`${operation} answered ${outcome}: ${reasons.join(' ')}`);
  }
}

const LEVEL: KycVerificationType = 'PARTIAL';

/**
 * createClient → addAddress (primary) → addIdentifier (SSN) → request and confirm EMAIL, then
 * MOBILE_PHONE → verifyClient PARTIAL → activateClient → client(id). Returns what it saw.
 */
export async function runOnboardingJourney(api: Client, input: JourneyInput): Promise<JourneyReport> {
  const steps: JourneyStep[] = [];
  const record = (operation: string, outcome: string, client: JourneyClientFragment) => {
    steps.push({ operation, outcome, status: client.status, version: client.version });
    return client;
  };

  const created = (
    await send(api.mutation(CreateClientDocument, {
      input: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', mobilePhone: '+14155550100', ...input.person },
    }).toPromise())
  ).createClient;
  let client: JourneyClientFragment;
  switch (created.__typename) {
    case 'ClientPayload':
      client = record('createClient', created.__typename, created.client);
      break;
    case 'ValidationError':
      throw new JourneyStepRefused('createClient', created.__typename, created.fieldErrors.map((e) => `${e.path.join('.')}: ${fieldErrorText(e.code)}`));
    case 'DuplicateExternalIdError':
      throw new JourneyStepRefused('createClient', created.__typename, [created.message]);
    default:
      return unhandled(created);
  }
  const clientId = client.id;

  const address = (
    await send(api.mutation(AddAddressDocument, {
      input: { clientId, type: 'RESIDENTIAL', isPrimary: true, line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', countryCode: 'GB' },
    }).toPromise())
  ).addAddress;
  switch (address.__typename) {
    case 'AddAddressSuccess':
      client = record('addAddress', address.__typename, address.client);
      break;
    case 'ValidationError':
      throw new JourneyStepRefused('addAddress', address.__typename, address.fieldErrors.map((e) => `${e.path.join('.')}: ${fieldErrorText(e.code)}`));
    case 'ClientNotFoundError':
      throw new JourneyStepRefused('addAddress', address.__typename, [address.message]);
    default:
      return unhandled(address);
  }

  const identifier = (await send(api.mutation(AddIdentifierDocument, { input: { clientId, type: 'SSN', value: input.ssn } }).toPromise())).addIdentifier;
  switch (identifier.__typename) {
    case 'AddIdentifierSuccess':
      client = record('addIdentifier', identifier.__typename, identifier.client);
      break;
    case 'ValidationError':
      throw new JourneyStepRefused('addIdentifier', identifier.__typename, identifier.fieldErrors.map((e) => `${e.path.join('.')}: ${fieldErrorText(e.code)}`));
    case 'RateLimitedError':
      throw new JourneyStepRefused('addIdentifier', identifier.__typename, [`Try again in ${identifier.retryAfterSeconds} s.`]);
    case 'ClientNotFoundError':
    case 'DuplicateIdentifierError':
      throw new JourneyStepRefused('addIdentifier', identifier.__typename, [identifier.message]);
    default:
      return unhandled(identifier);
  }

  for (const channel of ['EMAIL', 'MOBILE_PHONE'] as const) {
    const requested = (await send(api.mutation(RequestContactVerificationDocument, { input: { clientId, channel } }).toPromise()))
      .requestContactVerification;
    switch (requested.__typename) {
      case 'ContactVerificationRequested':
        client = record(`requestContactVerification ${channel}`, requested.__typename, requested.client);
        break;
      case 'ValidationError':
        throw new JourneyStepRefused('requestContactVerification', requested.__typename, requested.fieldErrors.map((e) => `${e.path.join('.')}: ${fieldErrorText(e.code)}`));
      case 'RateLimitedError':
        throw new JourneyStepRefused('requestContactVerification', requested.__typename, [`Try again in ${requested.retryAfterSeconds} s.`]);
      case 'ClientNotFoundError':
        throw new JourneyStepRefused('requestContactVerification', requested.__typename, [requested.message]);
      default:
        return unhandled(requested);
    }

    const code = await input.codeFor(clientId, channel);
    const confirmed = (await send(api.mutation(ConfirmContactVerificationDocument, { input: { clientId, channel, code } }).toPromise()))
      .confirmContactVerification;
    switch (confirmed.__typename) {
      case 'ClientPayload':
        client = record(`confirmContactVerification ${channel}`, confirmed.__typename, confirmed.client);
        break;
      case 'ContactVerificationFailedError':
        throw new JourneyStepRefused('confirmContactVerification', confirmed.__typename, [
          contactVerificationFailureText(confirmed.reason),
          `${confirmed.attemptsRemaining} attempts left.`,
        ]);
      case 'RateLimitedError':
        throw new JourneyStepRefused('confirmContactVerification', confirmed.__typename, [`Try again in ${confirmed.retryAfterSeconds} s.`]);
      case 'ClientNotFoundError':
        throw new JourneyStepRefused('confirmContactVerification', confirmed.__typename, [confirmed.message]);
      default:
        return unhandled(confirmed);
    }
  }

  const verified = (await send(api.mutation(VerifyClientDocument, { input: { clientId, kycVerificationType: LEVEL } }).toPromise())).verifyClient;
  switch (verified.__typename) {
    case 'VerifyClientSuccess':
      client = record('verifyClient', verified.__typename, verified.client);
      break;
    case 'VerificationRequirementsNotMetError':
      throw new JourneyStepRefused('verifyClient', verified.__typename, verified.missingRequirements.map((r) => requirementText(r.code)));
    case 'InvalidClientStatusError':
      throw new JourneyStepRefused('verifyClient', verified.__typename, [`The client is ${verified.currentStatus}.`]);
    case 'ClientNotFoundError':
      throw new JourneyStepRefused('verifyClient', verified.__typename, [verified.message]);
    default:
      return unhandled(verified);
  }

  const activated = (await send(api.mutation(ActivateClientDocument, { input: { clientId } }).toPromise())).activateClient;
  switch (activated.__typename) {
    case 'ActivateClientSuccess':
      client = record('activateClient', activated.__typename, activated.client);
      break;
    case 'VerificationRequirementsNotMetError':
      throw new JourneyStepRefused('activateClient', activated.__typename, activated.missingRequirements.map((r) => requirementText(r.code)));
    case 'InvalidClientStatusError':
      throw new JourneyStepRefused('activateClient', activated.__typename, [`The client is ${activated.currentStatus}.`]);
    case 'ClientNotFoundError':
      throw new JourneyStepRefused('activateClient', activated.__typename, [activated.message]);
    default:
      return unhandled(activated);
  }

  const read = await send(api.query(ClientJourneyDocument, { id: clientId, reviewQueueSize: 5 }).toPromise());
  if (!read.client) throw new JourneyStepRefused('client', 'null', [`Client ${clientId} was not found.`]);
  client = record('client', 'Client', read.client);

  return {
    clientId,
    steps,
    client,
    history: read.client.history.map((event) => ({ type: event.type, text: historyText(event.type), detail: event.detail })),
    documentsAwaitingReview: read.documentsAwaitingReview.totalCount,
  };
}

/** The data of a result, or an error for a transport failure or GraphQL `errors`. */
async function send<Data, Variables extends AnyVariables>(pending: PromiseLike<OperationResult<Data, Variables>>): Promise<Data> {
  const result = await pending;
  if (result.error) throw result.error;
  if (result.data === undefined || result.data === null) throw new Error('The API answered without data.');
  return result.data;
}
