import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema } from 'graphql';
import { ClientDocument } from '../generated/graphql';
import { SignJWT } from 'jose';
import { STAFF_SCOPES, Scope } from '../../src/auth/caller';
import { addPrimaryAddress, addSsn, createClient, pngBase64 } from '../support/fixtures';
import { addPendingDocument } from '../support/documents-helpers';
import { TEST_AUTH_SECRET, TestApp, selfToken, startTestApp, testToken } from '../support/test-app';

/**
 * "Who may do what": every query and mutation of the contract, sent by a token holding each scope
 * alone, no scope, and the client's own self-service token. Each is either answered or refused
 * with FORBIDDEN on that field, exactly as this table says.
 */
const ALLOWED: Record<string, readonly Scope[] | 'any'> = {
  me: 'any',
  client: ['clients:read', 'self'],
  clientByExternalId: ['clients:read'],
  clients: ['clients:read'],
  documentsAwaitingReview: ['documents:review'],
  createClient: ['clients:write'],
  updateClient: ['clients:write', 'self'],
  addAddress: ['clients:write', 'self'],
  removeAddress: ['clients:write', 'self'],
  addIdentifier: ['clients:write', 'self'],
  deactivateIdentifier: ['clients:write', 'self'],
  addDocument: ['clients:write', 'self'],
  createDocumentUpload: ['clients:write', 'self'],
  reviewDocument: ['documents:review'],
  requestContactVerification: ['clients:write', 'self'],
  confirmContactVerification: ['clients:write', 'self'],
  verifyClient: ['clients:verify'],
  activateClient: ['clients:activate'],
};

interface Ids {
  clientId: string;
  addressId: string;
  identifierId: string;
  documentId: string;
}

/** One operation per field, selecting only __typename so the answer says who may run it, nothing more. */
function operationFor(field: string, ids: Ids): { query: string; variables?: Record<string, unknown> } {
  const { clientId } = ids;
  const mutation = (input: string, value: unknown) => ({ query: `mutation M($v: ${input}!) { ${field}(input: $v) { __typename } }`, variables: { v: value } });
  switch (field) {
    case 'me':
      return { query: '{ me { id } }' };
    case 'client':
      return { query: 'query Q($id: ID!) { client(id: $id) { id } }', variables: { id: clientId } };
    case 'clientByExternalId':
      return { query: '{ clientByExternalId(externalId: "nobody") { id } }' };
    case 'clients':
      return { query: '{ clients(first: 1) { totalCount } }' };
    case 'documentsAwaitingReview':
      return { query: '{ documentsAwaitingReview(first: 1) { totalCount } }' };
    case 'createClient':
      return mutation('CreateClientInput', { firstName: 'Scope', lastName: 'Probe' });
    case 'updateClient':
      return mutation('UpdateClientInput', { clientId, email: 'scope.probe@example.com' });
    case 'addAddress':
      return mutation('AddAddressInput', { clientId, type: 'MAILING', isPrimary: false, line1: '2 Side St', city: 'Springfield', postalCode: '12345', countryCode: 'US' });
    case 'removeAddress':
      return { query: 'mutation M($id: ID!) { removeAddress(id: $id) { __typename } }', variables: { id: ids.addressId } };
    case 'addIdentifier':
      return mutation('AddIdentifierInput', { clientId, type: 'PASSPORT', value: 'ZZ', issuingCountry: 'GB' });
    case 'deactivateIdentifier':
      return { query: 'mutation M($id: ID!) { deactivateIdentifier(id: $id) { __typename } }', variables: { id: ids.identifierId } };
    case 'addDocument':
      return mutation('AddDocumentInput', { clientId, type: 'OTHER', fileName: 'x.png', contentType: 'image/png', contentBase64: pngBase64 });
    case 'createDocumentUpload':
      return mutation('CreateDocumentUploadInput', { clientId, contentType: 'application/pdf', sizeBytes: 1000 });
    case 'reviewDocument':
      return mutation('ReviewDocumentInput', { documentId: ids.documentId, decision: 'REJECT' });
    case 'requestContactVerification':
      return mutation('RequestContactVerificationInput', { clientId, channel: 'EMAIL' });
    case 'confirmContactVerification':
      return mutation('ConfirmContactVerificationInput', { clientId, channel: 'EMAIL', code: '000000' });
    case 'verifyClient':
      return mutation('VerifyClientInput', { clientId, kycVerificationType: 'FULL' });
    case 'activateClient':
      return mutation('ActivateClientInput', { clientId });
    default:
      throw new Error(`no probe for ${field}: add it to ALLOWED and operationFor`);
  }
}

describe('scopes', () => {
  let t: TestApp;
  let ids: Ids;
  beforeAll(async () => {
    t = await startTestApp();
    const client = await createClient(t);
    ids = {
      clientId: client.id,
      addressId: (await addPrimaryAddress(t, client.id)).id,
      identifierId: (await addSsn(t, client.id)).id,
      documentId: (await addPendingDocument(t, client.id)).id,
    };
  });
  afterAll(() => t.stop());

  it('has a rule for every query and mutation of the contract', () => {
    const contract = buildSchema(readFileSync(path.join(__dirname, '..', '..', 'contract', 'contract.graphql'), 'utf8'));
    const fields = [...Object.keys(contract.getQueryType()!.getFields()), ...Object.keys(contract.getMutationType()!.getFields())];
    expect(Object.keys(ALLOWED).sort()).toEqual(fields.sort());
  });

  const callers: Array<[string, Scope[] | 'self']> = [...STAFF_SCOPES.map((scope): [string, Scope[]] => [scope, [scope]]), ['no scope', []], ['self (own client)', 'self']];

  it.each(callers)('a token with %s runs exactly the operations its scope allows', async (_name, scopes) => {
    const token = scopes === 'self' ? await selfToken(ids.clientId) : await testToken({ scopes });
    const held: Scope[] = scopes === 'self' ? ['self'] : scopes;
    const outcomes = await Promise.all(
      Object.entries(ALLOWED).map(async ([field, allowed]) => {
        const response = await t.as(token).post<Record<string, unknown>>(operationFor(field, ids));
        const permitted = allowed === 'any' || held.some((scope) => allowed.includes(scope));
        return { field, permitted, status: response.status, codes: (response.errors ?? []).map((error) => error.extensions?.code), answered: response.data?.[field] !== undefined && response.data?.[field] !== null };
      }),
    );
    for (const outcome of outcomes) {
      expect(outcome.status).toBe(200);
      if (outcome.permitted) {
        expect({ field: outcome.field, codes: outcome.codes }).toEqual({ field: outcome.field, codes: [] });
      } else {
        expect({ field: outcome.field, codes: outcome.codes, answered: outcome.answered }).toEqual({ field: outcome.field, codes: ['FORBIDDEN'], answered: false });
      }
    }
    // at least one operation is refused for every caller (every token here lacks some scope)
    expect(outcomes.some((outcome) => !outcome.permitted)).toBe(true);
  });

  it('refuses one field of a request and still answers the others (nullable fields; a non-null one nulls data, as GraphQL says)', async () => {
    // a self token may read its client but not look clients up by external id
    const token = await selfToken(ids.clientId);
    const response = await t.as(token).post<{ client: { id: string }; clientByExternalId: unknown; me: { id: string } }>({
      query: 'query Q($id: ID!) { client(id: $id) { id } clientByExternalId(externalId: "x") { id } me { id } }',
      variables: { id: ids.clientId },
    });
    expect(response.data).toEqual({ client: { id: ids.clientId }, clientByExternalId: null, me: { id: ids.clientId } });
    expect(response.errors).toEqual([expect.objectContaining({ path: ['clientByExternalId'], extensions: { code: 'FORBIDDEN' } })]);

    // clients is non-null in the contract: its refusal nulls the whole data
    const mixed = await t.as(await testToken({ scopes: ['documents:review'] })).post({ query: '{ clients { totalCount } documentsAwaitingReview { totalCount } }' });
    expect(mixed.data).toBeNull();
    expect(mixed.errors).toEqual([expect.objectContaining({ path: ['clients'], extensions: { code: 'FORBIDDEN' } })]);
  });

  it('refuses every alias of a forbidden field, and a scope listed in scp works like scope', async () => {
    const noScope = await testToken({ scopes: [] });
    const aliased = await t.as(noScope).post({ query: '{ a: clientByExternalId(externalId: "x") { id } b: clientByExternalId(externalId: "y") { id } c: me { id } }' });
    expect(aliased.data).toEqual({ a: null, b: null, c: null });
    expect(aliased.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN', 'FORBIDDEN']);

    const scp = await new SignJWT({ scp: ['clients:read'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('s').setExpirationTime('5m').sign(Buffer.from(TEST_AUTH_SECRET));
    const listed = await t.as(scp).post<{ clients: { totalCount: number } }>({ query: '{ clients { totalCount } }' });
    expect(listed.errors).toBeUndefined();
    expect(listed.data?.clients.totalCount).toBeGreaterThan(0);
  });

  it('gives document links only to callers who may read the client', async () => {
    // a writer without read access who selects a link is refused before anything runs: the document
    // is not added and then answered data: null (a retry would add it again)
    const documentsBefore = (await t.run(ClientDocument, { id: ids.clientId })).client!.documents.length;
    const writerToken = await testToken({ scopes: ['clients:write'] });
    const writer = await t.as(writerToken).post({
      query: 'mutation M($v: AddDocumentInput!) { addDocument(input: $v) { ... on AddDocumentSuccess { document { id link: downloadUrl } } } }',
      variables: { v: { clientId: ids.clientId, type: 'OTHER', fileName: 'x.png', contentType: 'image/png', contentBase64: pngBase64 } },
    });
    expect(writer.status).toBe(200);
    expect(writer.data).toBeUndefined();
    expect(writer.errors).toEqual([expect.objectContaining({ path: ['addDocument', 'document', 'link'], extensions: { code: 'FORBIDDEN' } })]);
    expect((await t.run(ClientDocument, { id: ids.clientId })).client!.documents.length).toBe(documentsBefore);

    // links through a fragment on another mutation's client are refused alike
    const throughFragment = await t.as(writerToken).post({
      query: 'fragment D on Document { downloadUrl } mutation { addAddress(input: { clientId: "00000000-0000-4000-8000-000000000000", type: MAILING, isPrimary: false, line1: "1 A St", city: "B", postalCode: "1", countryCode: "US" }) { ... on AddAddressSuccess { client { documents { ...D } } } } }',
    });
    expect(throughFragment.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);

    // without the link, the writer adds the document
    const added = await t.as(writerToken).post<{ addDocument: { __typename: string } }>({
      query: 'mutation M($v: AddDocumentInput!) { addDocument(input: $v) { __typename ... on AddDocumentSuccess { document { id } } } }',
      variables: { v: { clientId: ids.clientId, type: 'OTHER', fileName: 'x.png', contentType: 'image/png', contentBase64: pngBase64 } },
    });
    expect(added.data?.addDocument.__typename).toBe('AddDocumentSuccess');

    // a reviewer may open the documents of the queue
    const reviewer = await t.as(await testToken({ scopes: ['documents:review'] })).post<{ documentsAwaitingReview: { edges: Array<{ node: { downloadUrl: string } }> } }>({
      query: '{ documentsAwaitingReview { edges { node { downloadUrl } } } }',
    });
    expect(reviewer.errors).toBeUndefined();
    const link = reviewer.data!.documentsAwaitingReview.edges[0].node.downloadUrl;
    const download = await fetch(link);
    expect(download.status).toBe(200);
  });
});
