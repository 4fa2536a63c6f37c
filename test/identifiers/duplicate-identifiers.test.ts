import { AddIdentifierDocument, AddIdentifierInput, ClientDocument, DeactivateIdentifierDocument } from '../generated/graphql';
import { appDate, expectMember, randomDocumentNumber } from '../support/clients-helpers';
import { addSsn, createClient, randomSsn } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

describe('one active identifier per type, issuing country and value', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const add = (input: AddIdentifierInput) => t.run(AddIdentifierDocument, { input });
  const passport = (clientId: string, value: string, issuingCountry: string): AddIdentifierInput => ({
    clientId,
    type: 'PASSPORT',
    value,
    issuingCountry,
    expiresOn: appDate(t, 3650),
  });

  /** Adds, expects DuplicateIdentifierError, and checks that the client did not change. */
  async function refusedAsDuplicate(input: AddIdentifierInput) {
    const before = (await t.run(ClientDocument, { id: input.clientId })).client!;
    const error = expectMember((await add(input)).addIdentifier, 'DuplicateIdentifierError');
    expect(error.identifierType).toBe(input.type);
    expect(error.userMessageGlobalisationCode).toMatch(/^error\.msg\.client\./);
    const after = (await t.run(ClientDocument, { id: input.clientId })).client!;
    expect(after.identifiers).toEqual(before.identifiers);
    expect(after.version).toBe(before.version);
    expect(after.history).toEqual(before.history);
    return error;
  }

  it('refuses an SSN another client already holds', async () => {
    // given a client holding an SSN
    const ssn = randomSsn();
    const holder = await createClient(t);
    await addSsn(t, holder.id, ssn);

    // when another client adds the same SSN
    const other = await createClient(t);

    // then it is a DuplicateIdentifierError and nothing was added
    await refusedAsDuplicate({ clientId: other.id, type: 'SSN', value: ssn });
  });

  it('refuses the same SSN twice on one client', async () => {
    const ssn = randomSsn();
    const client = await createClient(t);
    await addSsn(t, client.id, ssn);

    await refusedAsDuplicate({ clientId: client.id, type: 'SSN', value: ssn });
  });

  it.each([
    ['with dashes, then without', (ssn: string) => ssn, (ssn: string) => ssn.replace(/-/g, '')],
    ['without dashes, then with', (ssn: string) => ssn.replace(/-/g, ''), (ssn: string) => ssn],
    ['with spaces around', (ssn: string) => ssn, (ssn: string) => `  ${ssn} `],
  ])('recognises the same SSN typed %s', async (_what, first, second) => {
    const ssn = randomSsn();
    await addSsn(t, (await createClient(t)).id, first(ssn));
    const other = await createClient(t);

    await refusedAsDuplicate({ clientId: other.id, type: 'SSN', value: second(ssn) });
  });

  it('recognises the same SSN whether or not the US is given as issuing country', async () => {
    const ssn = randomSsn();
    await addSsn(t, (await createClient(t)).id, ssn);
    const other = await createClient(t);

    await refusedAsDuplicate({ clientId: other.id, type: 'SSN', value: ssn, issuingCountry: 'US' });
  });

  it('recognises the same passport number typed in another case or with spaces', async () => {
    const number = randomDocumentNumber('AB');
    expectMember((await add(passport((await createClient(t)).id, number, 'GB'))).addIdentifier, 'AddIdentifierSuccess');
    const other = await createClient(t);

    await refusedAsDuplicate(passport(other.id, ` ${number.toLowerCase().replace(/^(..)/, '$1 ')} `, 'gb'));
  });

  it('allows the same passport number from another issuing country', async () => {
    const number = randomDocumentNumber();
    expectMember((await add(passport((await createClient(t)).id, number, 'GB'))).addIdentifier, 'AddIdentifierSuccess');
    const other = await createClient(t);

    const result = await add(passport(other.id, number, 'FR'));

    expect(expectMember(result.addIdentifier, 'AddIdentifierSuccess').identifier).toMatchObject({ issuingCountry: 'FR', status: 'ACTIVE' });
  });

  it('allows the same number as another type of identifier', async () => {
    const number = randomDocumentNumber();
    expectMember((await add(passport((await createClient(t)).id, number, 'GB'))).addIdentifier, 'AddIdentifierSuccess');
    const other = await createClient(t);

    const result = await add({ clientId: other.id, type: 'NATIONAL_ID', value: number, issuingCountry: 'GB' });

    expectMember(result.addIdentifier, 'AddIdentifierSuccess');
  });

  it('allows the value again once the holder deactivated it', async () => {
    // given a client whose SSN was deactivated
    const ssn = randomSsn();
    const holder = await createClient(t);
    const held = await addSsn(t, holder.id, ssn);
    expectMember((await t.run(DeactivateIdentifierDocument, { id: held.id })).deactivateIdentifier, 'ClientPayload');

    // when another client adds the same SSN (typed without dashes)
    const other = await createClient(t);
    const result = await add({ clientId: other.id, type: 'SSN', value: ssn.replace(/-/g, '') });

    // then it is added, ACTIVE, and now blocks the first holder from adding it again
    expect(expectMember(result.addIdentifier, 'AddIdentifierSuccess').identifier).toMatchObject({ status: 'ACTIVE', isValid: true });
    await refusedAsDuplicate({ clientId: holder.id, type: 'SSN', value: ssn });
  });

  it('lets the holder add the value again after deactivating it', async () => {
    const ssn = randomSsn();
    const client = await createClient(t);
    const held = await addSsn(t, client.id, ssn);
    expectMember((await t.run(DeactivateIdentifierDocument, { id: held.id })).deactivateIdentifier, 'ClientPayload');

    const result = await add({ clientId: client.id, type: 'SSN', value: ssn });

    const success = expectMember(result.addIdentifier, 'AddIdentifierSuccess');
    const identifiers = (await t.run(ClientDocument, { id: client.id })).client!.identifiers;
    expect(identifiers.map((identifier) => [identifier.id, identifier.status])).toEqual([
      [held.id, 'INACTIVE'],
      [success.identifier.id, 'ACTIVE'],
    ]);
  });

  it('lets exactly one of two clients adding the same SSN at the same time succeed', async () => {
    // given two clients
    const ssn = randomSsn();
    const [first, second] = [await createClient(t), await createClient(t)];

    // when both add the same SSN at once
    const results = await Promise.all([
      add({ clientId: first.id, type: 'SSN', value: ssn }),
      add({ clientId: second.id, type: 'SSN', value: ssn.replace(/-/g, '') }),
    ]);

    // then one succeeds and the other is told it is a duplicate
    expect(results.map((result) => result.addIdentifier.__typename).sort()).toEqual(['AddIdentifierSuccess', 'DuplicateIdentifierError']);
    const held = await Promise.all([first, second].map(async (client) => (await t.run(ClientDocument, { id: client.id })).client!.identifiers));
    expect(held.map((identifiers) => identifiers.length).sort()).toEqual([0, 1]);
  });
});
