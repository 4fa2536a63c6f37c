import { randomUUID } from 'node:crypto';
import { ActivateClientDocument, VerifyClientDocument } from '../generated/graphql';
import { expectMember } from '../support/clients-helpers';
import { addPendingDocument } from '../support/documents-helpers';
import { addPrimaryAddress, addSsn, createClient, pngBase64, verifiableClient } from '../support/fixtures';
import { TestApp, selfToken, startTestApp, testToken } from '../support/test-app';

/**
 * A customer's own token (scope `self`, sub = their client id) reads and changes only that client,
 * and cannot tell whether any other client exists: another client's id answers exactly like an id
 * that does not exist.
 */
describe('a self-service token', () => {
  let t: TestApp;
  let mine: string;
  let theirs: { clientId: string; addressId: string; identifierId: string; documentId: string };
  let me: ReturnType<TestApp['as']>;
  beforeAll(async () => {
    t = await startTestApp();
    mine = (await createClient(t, { firstName: 'Mine' })).id;
    const other = await createClient(t, { firstName: 'Theirs', email: 'theirs@example.com' });
    theirs = {
      clientId: other.id,
      addressId: (await addPrimaryAddress(t, other.id)).id,
      identifierId: (await addSsn(t, other.id)).id,
      documentId: (await addPendingDocument(t, other.id)).id,
    };
    me = t.as(await selfToken(mine));
  });
  afterAll(() => t.stop());

  it('answers me and client(own id) with its own client', async () => {
    const response = await me.post<{ me: { id: string; firstName: string }; client: { id: string }; upper: { id: string } }>({
      query: 'query Q($id: ID!, $upper: ID!) { me { id firstName } client(id: $id) { id } upper: client(id: $upper) { id } }',
      variables: { id: mine, upper: mine.toUpperCase() },
    });
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ me: { id: mine, firstName: 'Mine' }, client: { id: mine }, upper: { id: mine } });
  });

  it('answers me with null for a staff token', async () => {
    const response = await t.post<{ me: null }>({ query: '{ me { id } }' });
    expect(response).toMatchObject({ status: 200, data: { me: null } });
  });

  it('reads another client exactly as one that does not exist', async () => {
    const response = await me.post({
      query: 'query Q($a: ID!, $b: ID!) { other: client(id: $a) { id } nobody: client(id: $b) { id } }',
      variables: { a: theirs.clientId, b: randomUUID() },
    });
    expect(response).toMatchObject({ status: 200, data: { other: null, nobody: null } });
    expect(response.errors).toBeUndefined();
  });

  /** The same mutation against another client's ids and against ids that do not exist. */
  async function bothWays(query: string, input: (ids: typeof theirs) => Record<string, unknown>) {
    const nobody = { clientId: randomUUID(), addressId: randomUUID(), identifierId: randomUUID(), documentId: randomUUID() };
    const answer = async (ids: typeof theirs) => {
      const response = await me.post<Record<string, Record<string, unknown>>>({ query, variables: input(ids) });
      expect(response.errors).toBeUndefined();
      const result = Object.values(response.data!)[0];
      // the id in the answer is the one that was sent; everything else must be identical
      return JSON.parse(JSON.stringify(result).split(ids.clientId).join('<id>').split(ids.addressId).join('<id>').split(ids.identifierId).join('<id>').split(ids.documentId).join('<id>'));
    };
    const [other, missing] = [await answer(theirs), await answer(nobody)];
    expect(other).toEqual(missing);
    return other;
  }

  const ERROR_FIELDS = '__typename ... on UserError { message userMessageGlobalisationCode } ... on ClientNotFoundError { clientId }';
  const CHILD_ERROR_FIELDS = '__typename ... on UserError { message userMessageGlobalisationCode } ... on NotFoundError { id }';

  it.each([
    ['updateClient', 'UpdateClientInput', (ids: typeof theirs) => ({ clientId: ids.clientId, email: 'hijack@example.com' }), 'ClientNotFoundError'],
    ['addAddress', 'AddAddressInput', (ids: typeof theirs) => ({ clientId: ids.clientId, type: 'MAILING', isPrimary: false, line1: '1 A St', city: 'B', postalCode: '1', countryCode: 'US' }), 'ClientNotFoundError'],
    ['addIdentifier', 'AddIdentifierInput', (ids: typeof theirs) => ({ clientId: ids.clientId, type: 'PASSPORT', value: 'X1234567', issuingCountry: 'GB', expiresOn: '2099-01-01' }), 'ClientNotFoundError'],
    ['addDocument', 'AddDocumentInput', (ids: typeof theirs) => ({ clientId: ids.clientId, type: 'OTHER', fileName: 'x.png', contentType: 'image/png', contentBase64: pngBase64 }), 'ClientNotFoundError'],
    ['requestContactVerification', 'RequestContactVerificationInput', (ids: typeof theirs) => ({ clientId: ids.clientId, channel: 'EMAIL' }), 'ClientNotFoundError'],
    ['confirmContactVerification', 'ConfirmContactVerificationInput', (ids: typeof theirs) => ({ clientId: ids.clientId, channel: 'EMAIL', code: '123456' }), 'ClientNotFoundError'],
  ] as const)('cannot %s another client, and cannot tell it exists', async (field, input, variables, typename) => {
    const result = await bothWays(`mutation M($v: ${input}!) { ${field}(input: $v) { ${ERROR_FIELDS} } }`, (ids) => ({ v: variables(ids) }));
    expect(result.__typename).toBe(typename);
  });

  it.each([
    ['removeAddress', 'addressId'],
    ['deactivateIdentifier', 'identifierId'],
  ] as const)('cannot %s of another client, and cannot tell it exists', async (field, key) => {
    const result = await bothWays(`mutation M($id: ID!) { ${field}(id: $id) { ${CHILD_ERROR_FIELDS} } }`, (ids) => ({ id: ids[key] }));
    expect(result.__typename).toBe('NotFoundError');
  });

  it('left the other client untouched', async () => {
    const { data } = await t.post<{ client: { version: number; email: string; addresses: unknown[]; identifiers: Array<{ status: string }>; documents: unknown[] } }>({
      query: 'query Q($id: ID!) { client(id: $id) { version email addresses { id } identifiers { status } documents { id } } }',
      variables: { id: theirs.clientId },
    });
    expect(data!.client).toMatchObject({ version: 4, email: 'theirs@example.com', addresses: [{ id: theirs.addressId }], identifiers: [{ status: 'ACTIVE' }] });
    expect(data!.client.documents).toHaveLength(1);
  });

  it('changes its own contact data, addresses and documents, and corrects its name while PENDING', async () => {
    const response = await me.post<{ updateClient: { __typename: string; client: { email: string; firstName: string } } }>({
      query: 'mutation M($v: UpdateClientInput!) { updateClient(input: $v) { __typename ... on ClientPayload { client { email firstName } } } }',
      variables: { v: { clientId: mine, email: 'mine@example.com', firstName: 'Myself' } },
    });
    expect(response.data?.updateClient).toEqual({ __typename: 'ClientPayload', client: { email: 'mine@example.com', firstName: 'Myself' } });
    const added = await me.post<{ addDocument: { __typename: string; document: { downloadUrl: string } } }>({
      query: 'mutation M($v: AddDocumentInput!) { addDocument(input: $v) { __typename ... on AddDocumentSuccess { document { downloadUrl } } } }',
      variables: { v: { clientId: mine, type: 'PASSPORT', fileName: 'me.png', contentType: 'image/png', contentBase64: pngBase64 } },
    });
    expect(added.data?.addDocument.__typename).toBe('AddDocumentSuccess');
    expect((await fetch(added.data!.addDocument.document.downloadUrl)).status).toBe(200);
  });

  describe('once verified', () => {
    it('cannot change its identity facts (InvalidClientStatusError), but can change its contact data', async () => {
      // given a VERIFIED client acting with its own token
      const client = await verifiableClient(t);
      expectMember((await t.run(VerifyClientDocument, { input: { clientId: client.id, kycVerificationType: 'PARTIAL' } })).verifyClient, 'VerifyClientSuccess');
      const own = t.as(await selfToken(client.id));
      const update = (v: Record<string, unknown>) =>
        own.post<{ updateClient: Record<string, unknown> }>({
          query: 'mutation M($v: UpdateClientInput!) { updateClient(input: $v) { __typename ... on InvalidClientStatusError { currentStatus allowedStatuses } ... on ClientPayload { client { status firstName email } } } }',
          variables: { v: { clientId: client.id, ...v } },
        });

      // when it corrects its first name, then its date of birth
      for (const change of [{ firstName: 'Changed' }, { dateOfBirth: '1980-01-01' }, { lastName: 'Other', email: 'new@example.com' }]) {
        // then it is refused, and nothing (not even the email sent alongside) changed
        expect((await update(change)).data?.updateClient).toEqual({ __typename: 'InvalidClientStatusError', currentStatus: 'VERIFIED', allowedStatuses: ['PENDING'] });
      }
      // and a new email alone is accepted (it is contact data; the client goes back to PENDING as its email is unverified)
      expect((await update({ email: 'new@example.com' })).data?.updateClient).toEqual({
        __typename: 'ClientPayload',
        client: { status: 'PENDING', firstName: 'Ada', email: 'new@example.com' },
      });
    });

    it('leaves identity corrections of an ACTIVE client to staff with clients:verify', async () => {
      const client = await verifiableClient(t);
      expectMember((await t.run(VerifyClientDocument, { input: { clientId: client.id, kycVerificationType: 'PARTIAL' } })).verifyClient, 'VerifyClientSuccess');
      expectMember((await t.run(ActivateClientDocument, { input: { clientId: client.id } })).activateClient, 'ActivateClientSuccess');
      const rename = (token: string) =>
        t.as(token).post<{ updateClient: Record<string, unknown> }>({
          query: 'mutation M($v: UpdateClientInput!) { updateClient(input: $v) { __typename ... on ClientPayload { client { status reverificationRequired } } } }',
          variables: { v: { clientId: client.id, lastName: 'Corrected' } },
        });
      expect((await rename(await selfToken(client.id))).data?.updateClient.__typename).toBe('InvalidClientStatusError');
      expect((await rename(await testToken({ scopes: ['clients:write'] }))).data?.updateClient.__typename).toBe('InvalidClientStatusError');
      expect((await rename(await testToken({ scopes: ['clients:write', 'clients:verify'] }))).data?.updateClient).toEqual({
        __typename: 'ClientPayload',
        client: { status: 'ACTIVE', reverificationRequired: true },
      });
    });
  });
});
