import { print } from 'graphql';
import { AddIdentifierShowingEverythingDocument, ClientDocument, ClientsWithEverythingDocument } from '../generated/graphql';
import { appDate, randomDocumentNumber } from '../support/clients-helpers';
import { createClient, randomSsn } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

describe('identifier values are kept secret', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  /** Every way the clear value could be written: as typed, compacted, and as the hex of its bytes. */
  const formsOf = (value: string) => {
    const compact = value.replace(/[-\s]/g, '');
    return [value, compact, Buffer.from(compact).toString('hex'), Buffer.from(compact).toString('base64')];
  };

  function expectNoneOf(forms: string[], text: string) {
    for (const form of forms) expect(text).not.toContain(form);
  }

  /** Each row of `table` for the client, as PostgreSQL renders the whole row (bytea as \x hex). */
  async function rowsAsText(table: 'identifiers' | 'client_events' | 'clients', clientId: string): Promise<string[]> {
    const column = table === 'clients' ? 'id' : 'client_id';
    const rows = await t.app.database.prisma.$queryRawUnsafe<Array<{ row: string }>>(
      `SELECT row_to_json(t)::text AS row FROM ${table} t WHERE ${column} = $1::uuid`,
      clientId,
    );
    return rows.map((row) => row.row);
  }

  it.each([
    ['an SSN typed with dashes', () => ({ type: 'SSN' as const, value: randomSsn() })],
    ['an SSN typed without dashes', () => ({ type: 'SSN' as const, value: randomSsn().replace(/-/g, '') })],
    ['a passport number', () => ({ type: 'PASSPORT' as const, value: randomDocumentNumber('X'), issuingCountry: 'GB', expiresOn: appDate(t, 365) })],
  ])('never returns %s, only its last four characters, and never stores it in clear', async (_what, makeIdentifier) => {
    // given a client and an identifier value
    const client = await createClient(t);
    const identifier = makeIdentifier();
    const input = { ...identifier, clientId: client.id };
    const forms = formsOf(identifier.value);

    // when the identifier is added, and the client read back every way the API offers
    const added = await t.post({ query: print(AddIdentifierShowingEverythingDocument), variables: { input } });
    const read = await t.post({ query: print(ClientDocument), variables: { id: client.id } });
    const listed = await t.post({ query: print(ClientsWithEverythingDocument), variables: { first: 100 } });

    // then it was stored, and the responses show last4 but never the value
    expect(added.errors).toBeUndefined();
    const addedJson = JSON.stringify(added);
    expect(addedJson).toContain('"__typename":"AddIdentifierSuccess"');
    expect(addedJson).toContain(`"last4":"${identifier.value.slice(-4)}"`);
    for (const response of [addedJson, JSON.stringify(read), JSON.stringify(listed)]) expectNoneOf(forms, response);

    // and the database holds the last four, but nowhere the clear value
    const identifierRows = await rowsAsText('identifiers', client.id);
    expect(identifierRows).toHaveLength(1);
    expect(JSON.parse(identifierRows[0]).last4).toBe(identifier.value.slice(-4));
    for (const table of ['identifiers', 'client_events', 'clients'] as const) {
      for (const row of await rowsAsText(table, client.id)) expectNoneOf(forms, row);
    }
  });
});
