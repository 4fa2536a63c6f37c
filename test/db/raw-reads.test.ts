import { Prisma } from '../../src/generated/prisma/client';
import { ADDRESS_COLUMNS, CLIENT_COLUMNS, CLIENT_EVENT_COLUMNS, DOCUMENT_COLUMNS, LISTED_IDENTIFIER_COLUMNS, rowsOfClients } from '../../src/db/rows';
import { addAcceptedPassportDocument, addSsn, confirmContact, createClient, pngBase64 } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

/**
 * The raw column lists of src/db/rows.ts (hot-path reads that skip Prisma's query compiler) must
 * read exactly what Prisma's findMany reads: same fields, same values, same JS types (Dates,
 * date-only columns, enums, bigint, JSON, nulls). Every nullable column is filled on one row and
 * null on another.
 */
describe('raw row reads match Prisma models', () => {
  let t: TestApp;
  let clientIds: string[];
  beforeAll(async () => {
    t = await startTestApp();
    const plain = await createClient(t, { firstName: 'Plain', email: null, mobilePhone: null });
    const full = await createClient(t, { firstName: 'Full', externalId: 'raw-rows-1', dateOfBirth: '1970-01-31' });
    const ok = (result: { errors?: unknown }) => {
      if (result.errors) throw new Error(JSON.stringify(result.errors));
    };
    ok(await t.post({
      query: `mutation($a: AddAddressInput!, $b: AddAddressInput!) {
        a: addAddress(input: $a) { __typename } b: addAddress(input: $b) { __typename } }`,
      variables: {
        a: { clientId: full.id, type: 'RESIDENTIAL', isPrimary: true, line1: '1 Main St', line2: 'Apt 2', city: 'Springfield', region: 'IL', postalCode: '62701', countryCode: 'US' },
        b: { clientId: full.id, type: 'MAILING', isPrimary: false, line1: 'PO Box 9', city: 'Springfield', postalCode: '62702', countryCode: 'US' },
      },
    }));
    await addSsn(t, full.id);
    const passport = await t.post<{ addIdentifier: { identifier: { id: string } } }>({
      query: 'mutation($i: AddIdentifierInput!) { addIdentifier(input: $i) { ... on AddIdentifierSuccess { identifier { id } } } }',
      variables: { i: { clientId: full.id, type: 'PASSPORT', value: 'X1234567', issuingCountry: 'GB', expiresOn: '2031-02-28' } },
    });
    ok(await t.post({ query: 'mutation($id: ID!) { deactivateIdentifier(id: $id) { __typename } }', variables: { id: passport.data!.addIdentifier.identifier.id } }));
    const added = await t.post<{ addDocument: { document: { id: string } } }>({
      query: 'mutation($i: AddDocumentInput!) { addDocument(input: $i) { ... on AddDocumentSuccess { document { id } } } }',
      variables: { i: { clientId: full.id, type: 'PROOF_OF_ADDRESS', fileName: 'bill.png', contentType: 'image/png', contentBase64: pngBase64, expiresOn: '2030-12-31' } },
    });
    ok(await t.post({
      query: 'mutation($i: ReviewDocumentInput!) { reviewDocument(input: $i) { __typename } }',
      variables: { i: { documentId: added.data!.addDocument.document.id, decision: 'REJECT', reason: 'Blurred' } },
    }));
    await addAcceptedPassportDocument(t, full.id);
    await confirmContact(t, full.id, 'EMAIL');
    await confirmContact(t, full.id, 'MOBILE_PHONE');
    ok(await t.post({ query: 'mutation($i: VerifyClientInput!) { verifyClient(input: $i) { __typename } }', variables: { i: { clientId: full.id, kycVerificationType: 'FULL' } } }));
    ok(await t.post({ query: 'mutation($i: ActivateClientInput!) { activateClient(input: $i) { __typename } }', variables: { i: { clientId: full.id } } }));
    clientIds = [plain.id, full.id];
  });
  afterAll(() => t?.stop());

  const prisma = () => t.app.database.prisma;
  const byCreation = [{ createdAt: 'asc' as const }, { id: 'asc' as const }];

  it('clients', async () => {
    const raw = await t.app.database.sql.$queryRaw<unknown[]>`SELECT ${CLIENT_COLUMNS} FROM clients WHERE id = ANY(${clientIds}::uuid[]) ORDER BY created_at, id`;
    const modelled = await prisma().client.findMany({ where: { id: { in: clientIds } }, orderBy: byCreation });
    expect(modelled.some((client) => client.status === 'ACTIVE' && client.dateOfBirth && client.verifiedAt && client.activatedAt)).toBe(true);
    expect(raw).toStrictEqual(modelled);
  });

  it('addresses', async () => {
    const raw = await rowsOfClients(t.app.database.sql, 'addresses', ADDRESS_COLUMNS, clientIds);
    const modelled = await prisma().address.findMany({ where: { clientId: { in: clientIds } }, orderBy: byCreation });
    expect(modelled.map((address) => address.line2)).toEqual(['Apt 2', null]);
    expect(raw).toStrictEqual(modelled);
  });

  it('identifiers, without the encrypted value', async () => {
    const raw = await rowsOfClients(t.app.database.sql, 'identifiers', LISTED_IDENTIFIER_COLUMNS, clientIds);
    const modelled = await prisma().identifier.findMany({ where: { clientId: { in: clientIds } }, orderBy: byCreation, omit: { valueEncrypted: true } });
    expect(modelled.map((identifier) => [identifier.type, identifier.status, identifier.expiresOn !== null])).toEqual([
      ['SSN', 'ACTIVE', false],
      ['PASSPORT', 'INACTIVE', true],
    ]);
    expect(raw).toStrictEqual(modelled);
  });

  it('documents', async () => {
    const raw = await rowsOfClients(t.app.database.sql, 'documents', DOCUMENT_COLUMNS, clientIds);
    const modelled = await prisma().document.findMany({ where: { clientId: { in: clientIds } }, orderBy: byCreation });
    expect(modelled.map((document) => [document.status, document.rejectionReason])).toEqual([
      ['REJECTED', 'Blurred'],
      ['ACCEPTED', null],
    ]);
    expect(raw).toStrictEqual(modelled);
  });

  it('history, in order, with statuses and details', async () => {
    const raw = await rowsOfClients(t.app.database.sql, 'client_events', CLIENT_EVENT_COLUMNS, clientIds);
    const modelled = await prisma().clientEvent.findMany({ where: { clientId: { in: clientIds } }, orderBy: { seq: 'asc' } });
    expect(modelled.some((event) => event.detail !== null && event.fromStatus !== null)).toBe(true);
    expect(modelled.some((event) => event.detail === null || event.fromStatus === null)).toBe(true);
    expect(raw).toStrictEqual(modelled);
  });

  it('every column of each model is read', async () => {
    // A column added to the schema but not to its list would read as a missing field above only
    // if a row had it; compare field names with Prisma's own row to be sure.
    const lists = { clients: CLIENT_COLUMNS, addresses: ADDRESS_COLUMNS, documents: DOCUMENT_COLUMNS, client_events: CLIENT_EVENT_COLUMNS };
    for (const [table, list] of Object.entries(lists)) {
      const [row] = await prisma().$queryRaw<Record<string, unknown>[]>`SELECT * FROM ${Prisma.raw(table)} LIMIT 1`;
      const [listed] = await prisma().$queryRaw<Record<string, unknown>[]>`SELECT ${list} FROM ${Prisma.raw(table)} LIMIT 1`;
      expect(Object.keys(listed).length).toBe(Object.keys(row).length);
    }
    const [identifier] = await prisma().$queryRaw<Record<string, unknown>[]>`SELECT * FROM identifiers LIMIT 1`;
    const [listedIdentifier] = await prisma().$queryRaw<Record<string, unknown>[]>`SELECT ${LISTED_IDENTIFIER_COLUMNS} FROM identifiers LIMIT 1`;
    expect(Object.keys(listedIdentifier).length).toBe(Object.keys(identifier).length - 1);
  });
});
