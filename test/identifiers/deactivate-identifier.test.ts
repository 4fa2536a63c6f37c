import { randomUUID } from 'node:crypto';
import { AddIdentifierDocument, ClientDocument, DeactivateIdentifierDocument } from '../generated/graphql';
import { appDate, expectMember, randomDocumentNumber } from '../support/clients-helpers';
import { addSsn, createClient } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

describe('deactivating an identifier', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const deactivate = (id: string) => t.run(DeactivateIdentifierDocument, { id });

  it('makes it INACTIVE and no longer valid, bumps the version and records IDENTIFIER_DEACTIVATED', async () => {
    // given a client with one SSN
    const client = await createClient(t);
    const ssn = await addSsn(t, client.id);
    const before = (await t.run(ClientDocument, { id: client.id })).client!;
    expect(before.partial.map((requirement) => requirement.code)).not.toContain('IDENTITY_DOCUMENT');

    // when the SSN is deactivated
    const result = await deactivate(ssn.id);

    // then it is kept but INACTIVE and invalid, and the client no longer has an identity document
    const updated = expectMember(result.deactivateIdentifier, 'ClientPayload').client;
    expect(updated.version).toBe(before.version + 1);
    expect(updated.identifiers).toEqual([{ ...ssn, status: 'INACTIVE', isValid: false }]);
    const after = (await t.run(ClientDocument, { id: client.id })).client!;
    expect(after.identifiers).toEqual(updated.identifiers);
    expect(after.history.map((event) => event.type)).toEqual(['CLIENT_CREATED', 'IDENTIFIER_ADDED', 'IDENTIFIER_DEACTIVATED']);
    expect(after.partial.map((requirement) => requirement.code)).toContain('IDENTITY_DOCUMENT');
    expect(after.full.map((requirement) => requirement.code)).toContain('TAX_IDENTIFIER');
  });

  it('leaves the client’s other identifiers as they were', async () => {
    const client = await createClient(t);
    const first = await addSsn(t, client.id);
    const second = await addSsn(t, client.id);

    const result = await deactivate(first.id);

    const identifiers = expectMember(result.deactivateIdentifier, 'ClientPayload').client.identifiers;
    expect(identifiers.map((identifier) => [identifier.id, identifier.status, identifier.isValid])).toEqual([
      [first.id, 'INACTIVE', false],
      [second.id, 'ACTIVE', true],
    ]);
  });

  it('changes nothing when the identifier is already inactive', async () => {
    const client = await createClient(t);
    const ssn = await addSsn(t, client.id);
    const once = expectMember((await deactivate(ssn.id)).deactivateIdentifier, 'ClientPayload').client;

    const twice = expectMember((await deactivate(ssn.id)).deactivateIdentifier, 'ClientPayload').client;

    expect(twice.version).toBe(once.version);
    expect(twice.identifiers).toEqual(once.identifiers);
    const history = (await t.run(ClientDocument, { id: client.id })).client!.history;
    expect(history.filter((event) => event.type === 'IDENTIFIER_DEACTIVATED')).toHaveLength(1);
  });

  it.each([
    ['an unknown id', () => randomUUID()],
    ['an id that is not a UUID', () => 'abc'],
  ])('answers NotFoundError for %s', async (_what, makeId) => {
    const id = makeId();
    const error = expectMember((await deactivate(id)).deactivateIdentifier, 'NotFoundError');
    expect(error.id).toBe(id);
    expect(error.userMessageGlobalisationCode).toBe('error.msg.client.identifier.not.found');
  });

  it('answers NotFoundError for the id of a client rather than an identifier', async () => {
    const client = await createClient(t);
    await addSsn(t, client.id);
    expect(expectMember((await deactivate(client.id)).deactivateIdentifier, 'NotFoundError').id).toBe(client.id);
  });

  describe('validity over time', () => {
    it('counts an identifier valid up to and including its expiry day, and invalid after it, while it stays ACTIVE', async () => {
      // given a passport expiring tomorrow
      const client = await createClient(t);
      const added = await t.run(AddIdentifierDocument, {
        input: { clientId: client.id, type: 'PASSPORT', value: randomDocumentNumber(), issuingCountry: 'GB', expiresOn: appDate(t, 1) },
      });
      const passport = expectMember(added.addIdentifier, 'AddIdentifierSuccess').identifier;
      expect(passport.isValid).toBe(true);

      // when a day passes, it is still valid on its expiry day
      t.clock.advance(86_400_000);
      const onExpiryDay = (await t.run(ClientDocument, { id: client.id })).client!;
      expect(onExpiryDay.identifiers[0]).toMatchObject({ status: 'ACTIVE', isValid: true });
      expect(onExpiryDay.partial.map((requirement) => requirement.code)).not.toContain('IDENTITY_DOCUMENT');

      // and the day after, it is ACTIVE but no longer valid, so it no longer counts
      t.clock.advance(86_400_000);
      const afterExpiry = (await t.run(ClientDocument, { id: client.id })).client!;
      expect(afterExpiry.identifiers[0]).toMatchObject({ status: 'ACTIVE', isValid: false });
      expect(afterExpiry.partial.map((requirement) => requirement.code)).toContain('IDENTITY_DOCUMENT');
    });
  });
});
