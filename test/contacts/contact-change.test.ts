import { ConfirmContactVerificationDocument, UpdateClientDocument, UpdateClientInput } from '../generated/graphql';
import { confirmContact, createClient } from '../support/fixtures';
import { requestCode } from '../support/contacts-helpers';
import { TestApp, startTestApp } from '../support/test-app';

describe('changing a client\'s email or mobile phone', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const confirm = async (clientId: string, channel: 'EMAIL' | 'MOBILE_PHONE', code: string) =>
    (await t.run(ConfirmContactVerificationDocument, { input: { clientId, channel, code } })).confirmContactVerification;
  const update = async (input: UpdateClientInput) => {
    const { updateClient: result } = await t.run(UpdateClientDocument, { input });
    if (result.__typename !== 'ClientPayload') throw new Error(`updateClient: ${JSON.stringify(result)}`);
    return result.client;
  };

  it.each([
    { channel: 'EMAIL', change: { email: 'ada.new@example.com' }, verified: 'emailVerified' },
    { channel: 'MOBILE_PHONE', change: { mobilePhone: '+14155550199' }, verified: 'mobilePhoneVerified' },
  ] as const)('voids a $channel code sent to the previous value', async ({ channel, change, verified }) => {
    // given a code was sent to the client's contact
    const client = await createClient(t);
    const { code } = await requestCode(t, client.id, channel);

    // when the contact changes before the code is confirmed
    const updated = await update({ clientId: client.id, ...change });

    // then the code no longer verifies anything, and the new value is unverified
    expect(updated[verified]).toBe(false);
    expect(await confirm(client.id, channel, code)).toMatchObject({
      __typename: 'ContactVerificationFailedError',
      reason: 'NO_PENDING_CHALLENGE',
    });
  });

  it.each([
    { channel: 'EMAIL', change: { email: 'lovelace@example.org' }, verified: 'emailVerified', other: 'mobilePhoneVerified', to: 'lovelace@example.org' },
    { channel: 'MOBILE_PHONE', change: { mobilePhone: '+14155550177' }, verified: 'mobilePhoneVerified', other: 'emailVerified', to: '+14155550177' },
  ] as const)('makes a verified $channel unverified again when it changes, and verifies the new value with a new code', async ({ channel, change, verified, other, to }) => {
    // given a client with both contacts verified
    const client = await createClient(t);
    await confirmContact(t, client.id, 'EMAIL');
    await confirmContact(t, client.id, 'MOBILE_PHONE');

    // when one of them changes
    const updated = await update({ clientId: client.id, ...change });

    // then that one is unverified, the other still verified
    expect(updated[verified]).toBe(false);
    expect(updated[other]).toBe(true);
    // and a new code goes to the new value and verifies it
    const { code } = await requestCode(t, client.id, channel);
    expect((await t.delivery.settled()).at(-1)).toMatchObject({ clientId: client.id, channel, to });
    expect(await confirm(client.id, channel, code)).toMatchObject({ __typename: 'ClientPayload', client: { [verified]: true } });
  });

  it('keeps a verified email verified when the same address is sent again in another case', async () => {
    const client = await createClient(t, { email: 'ada@example.com' });
    await confirmContact(t, client.id, 'EMAIL');

    const updated = await update({ clientId: client.id, email: 'ADA@Example.com' });

    expect(updated).toMatchObject({ email: 'ada@example.com', emailVerified: true });
  });

  it('keeps a pending code valid when only the name changes', async () => {
    const client = await createClient(t);
    const { code } = await requestCode(t, client.id, 'EMAIL');

    await update({ clientId: client.id, firstName: 'Augusta' });

    expect(await confirm(client.id, 'EMAIL', code)).toMatchObject({ __typename: 'ClientPayload', client: { emailVerified: true } });
  });
});
