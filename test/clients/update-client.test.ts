import { randomUUID } from 'node:crypto';
import { ClientDocument, UpdateClientDocument, UpdateClientInput } from '../generated/graphql';
import { expectMember, fieldErrorsOf } from '../support/clients-helpers';
import { confirmContact, createClient } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

describe('updating a client', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const update = (input: UpdateClientInput) => t.run(UpdateClientDocument, { input });
  const historyOf = async (id: string) => (await t.run(ClientDocument, { id })).client!.history;

  it('changes the given fields, bumps the version by one and records CLIENT_UPDATED', async () => {
    // given a client at version 1
    const client = await createClient(t, { firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1985-12-10' });
    expect(client.version).toBe(1);

    // when its names are changed
    const result = await update({ clientId: client.id, firstName: ' Augusta Ada ', lastName: 'King' });

    // then the response shows the new names, other fields untouched, at version 2
    const updated = expectMember(result.updateClient, 'ClientPayload').client;
    expect(updated).toMatchObject({
      id: client.id,
      firstName: 'Augusta Ada',
      lastName: 'King',
      dateOfBirth: '1985-12-10',
      email: client.email,
      mobilePhone: client.mobilePhone,
      status: 'PENDING',
      version: 2,
    });
    expect((await historyOf(client.id)).map((event) => event.type)).toEqual(['CLIENT_CREATED', 'CLIENT_UPDATED']);
  });

  it('clears dateOfBirth, email and mobilePhone when given null', async () => {
    const client = await createClient(t, { dateOfBirth: '1990-05-01' });

    const result = await update({ clientId: client.id, dateOfBirth: null, email: null, mobilePhone: null });

    expect(expectMember(result.updateClient, 'ClientPayload').client).toMatchObject({
      dateOfBirth: null,
      email: null,
      mobilePhone: null,
      version: 2,
    });
  });

  it('makes a confirmed email unverified again when the email changes, leaving the phone verified', async () => {
    // given a client whose email and phone are both confirmed
    const client = await createClient(t);
    await confirmContact(t, client.id, 'EMAIL');
    const confirmed = await confirmContact(t, client.id, 'MOBILE_PHONE');
    expect(confirmed).toMatchObject({ emailVerified: true, mobilePhoneVerified: true });

    // when the email changes
    const result = await update({ clientId: client.id, email: 'New.Address@Example.com' });

    // then the new email (lower-cased) is unverified and the phone still verified
    const updated = expectMember(result.updateClient, 'ClientPayload').client;
    expect(updated).toMatchObject({ email: 'new.address@example.com', emailVerified: false, mobilePhoneVerified: true });
    expect(updated.version).toBe(confirmed.version + 1);
  });

  it('makes a confirmed mobile phone unverified again when the phone changes, leaving the email verified', async () => {
    const client = await createClient(t);
    await confirmContact(t, client.id, 'EMAIL');
    await confirmContact(t, client.id, 'MOBILE_PHONE');

    const result = await update({ clientId: client.id, mobilePhone: '+44 7400 123456' });

    expect(expectMember(result.updateClient, 'ClientPayload').client).toMatchObject({
      mobilePhone: '+447400123456',
      mobilePhoneVerified: false,
      emailVerified: true,
    });
  });

  it('keeps a confirmed email verified when the same email is sent again in another case', async () => {
    // given a client whose email ada@example.com is confirmed
    const client = await createClient(t, { email: 'ada@example.com' });
    const confirmed = await confirmContact(t, client.id, 'EMAIL');

    // when the same address is sent in upper case and the same phone in another format
    const result = await update({ clientId: client.id, email: 'ADA@EXAMPLE.COM', mobilePhone: '+1 415-555-0100' });

    // then nothing changed: still verified, same version, no CLIENT_UPDATED
    const updated = expectMember(result.updateClient, 'ClientPayload').client;
    expect(updated).toMatchObject({ email: 'ada@example.com', emailVerified: true, version: confirmed.version });
    expect((await historyOf(client.id)).map((event) => event.type)).not.toContain('CLIENT_UPDATED');
  });

  it('refuses invalid values with one field error each, and changes nothing', async () => {
    // given a client
    const client = await createClient(t, { firstName: 'Ada' });

    // when several fields are updated with invalid values
    const result = await update({
      clientId: client.id,
      firstName: '',
      lastName: 'x'.repeat(101),
      dateOfBirth: '2023-02-30',
      email: 'not-an-email',
      mobilePhone: '+44 20 7946 0000',
    });

    // then each problem is reported and the client is as it was
    const errors = fieldErrorsOf(result.updateClient);
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: ['input', 'firstName'], code: 'REQUIRED' },
        { path: ['input', 'lastName'], code: 'TOO_LONG' },
        { path: ['input', 'dateOfBirth'], code: 'INVALID_FORMAT' },
        { path: ['input', 'email'], code: 'INVALID_FORMAT' },
        { path: ['input', 'mobilePhone'], code: 'NOT_A_MOBILE_NUMBER' },
      ]),
    );
    expect(errors).toHaveLength(5);
    const after = (await t.run(ClientDocument, { id: client.id })).client!;
    expect(after).toMatchObject({ firstName: 'Ada', lastName: client.lastName, email: client.email, version: 1 });
  });

  it('refuses to clear a name', async () => {
    const client = await createClient(t);

    const result = await update({ clientId: client.id, lastName: null });

    expect(fieldErrorsOf(result.updateClient)).toEqual([{ path: ['input', 'lastName'], code: 'REQUIRED' }]);
  });

  it.each([
    ['an unknown id', randomUUID()],
    ['an id that is not a UUID', 'abc'],
  ])('answers ClientNotFoundError for %s', async (_what, clientId) => {
    const result = await update({ clientId, firstName: 'Nobody' });

    const error = expectMember(result.updateClient, 'ClientNotFoundError');
    expect(error.clientId).toBe(clientId);
    expect(error.userMessageGlobalisationCode).toBe('error.msg.client.not.found');
  });
});
