import { randomUUID } from 'node:crypto';
import { AddAddressDocument, ClientDocument, RemoveAddressDocument } from '../generated/graphql';
import { expectMember } from '../support/clients-helpers';
import { addPrimaryAddress, createClient } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

describe('removing an address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  async function addMailingAddress(clientId: string) {
    const result = await t.run(AddAddressDocument, {
      input: { clientId, type: 'MAILING', isPrimary: false, line1: 'PO Box 42', city: 'Springfield', postalCode: '12345', countryCode: 'US' },
    });
    return expectMember(result.addAddress, 'AddAddressSuccess').address;
  }

  it('removes just that address, bumps the version by one and records ADDRESS_REMOVED', async () => {
    // given a client with a primary and a mailing address
    const client = await createClient(t);
    const primary = await addPrimaryAddress(t, client.id);
    const mailing = await addMailingAddress(client.id);
    const before = (await t.run(ClientDocument, { id: client.id })).client!;

    // when the mailing address is removed
    const result = await t.run(RemoveAddressDocument, { id: mailing.id });

    // then only the primary address remains, at version + 1, with ADDRESS_REMOVED in history
    const updated = expectMember(result.removeAddress, 'ClientPayload').client;
    expect(updated.version).toBe(before.version + 1);
    expect(updated.addresses.map((address) => address.id)).toEqual([primary.id]);
    const after = (await t.run(ClientDocument, { id: client.id })).client!;
    expect(after.addresses.map((address) => address.id)).toEqual([primary.id]);
    expect(after.history.map((event) => event.type)).toEqual(['CLIENT_CREATED', 'ADDRESS_ADDED', 'ADDRESS_ADDED', 'ADDRESS_REMOVED']);
  });

  it('leaves a client without a primary address when the primary one is removed', async () => {
    const client = await createClient(t);
    const primary = await addPrimaryAddress(t, client.id);
    await addMailingAddress(client.id);

    const result = await t.run(RemoveAddressDocument, { id: primary.id });

    const updated = expectMember(result.removeAddress, 'ClientPayload').client;
    expect(updated.addresses.some((address) => address.isPrimary)).toBe(false);
    const after = (await t.run(ClientDocument, { id: client.id })).client!;
    expect(after.partial.map((requirement) => requirement.code)).toContain('PRIMARY_ADDRESS');
  });

  it('answers NotFoundError when the address was already removed, changing nothing', async () => {
    // given an address that was removed
    const client = await createClient(t);
    const primary = await addPrimaryAddress(t, client.id);
    expectMember((await t.run(RemoveAddressDocument, { id: primary.id })).removeAddress, 'ClientPayload');
    const before = (await t.run(ClientDocument, { id: client.id })).client!;

    // when it is removed again
    const result = await t.run(RemoveAddressDocument, { id: primary.id });

    // then it is not found and the client did not change
    expect(expectMember(result.removeAddress, 'NotFoundError').id).toBe(primary.id);
    expect((await t.run(ClientDocument, { id: client.id })).client).toEqual(before);
  });

  it.each([
    ['an unknown id', () => randomUUID()],
    ['an id that is not a UUID', () => 'abc'],
  ])('answers NotFoundError for %s', async (_what, makeId) => {
    const id = makeId();
    const result = await t.run(RemoveAddressDocument, { id });
    const error = expectMember(result.removeAddress, 'NotFoundError');
    expect(error.id).toBe(id);
    expect(error.userMessageGlobalisationCode).toBe('error.msg.client.address.not.found');
  });
});
