import { randomUUID } from 'node:crypto';
import { ClientDocument, ConfirmContactVerificationDocument, RequestContactVerificationDocument } from '../generated/graphql';
import { createClient } from '../support/fixtures';
import { otherCode, requestCode } from '../support/contacts-helpers';
import { TestApp, startTestApp } from '../support/test-app';

const MINUTE = 60_000;

describe('a contact verification code that does not verify', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const confirm = async (clientId: string, channel: 'EMAIL' | 'MOBILE_PHONE', code: string) =>
    (await t.run(ConfirmContactVerificationDocument, { input: { clientId, channel, code } })).confirmContactVerification;
  const request = async (clientId: string, channel: 'EMAIL' | 'MOBILE_PHONE') =>
    (await t.run(RequestContactVerificationDocument, { input: { clientId, channel } })).requestContactVerification;
  const fetchClient = async (id: string) => (await t.run(ClientDocument, { id })).client!;

  it('works only once: confirming the same code again finds no pending challenge', async () => {
    // given a code that was confirmed
    const client = await createClient(t);
    const { code } = await requestCode(t, client.id, 'EMAIL');
    expect(await confirm(client.id, 'EMAIL', code)).toMatchObject({ __typename: 'ClientPayload' });

    // when it is confirmed again
    const again = await confirm(client.id, 'EMAIL', code);

    // then there is nothing left to confirm
    expect(again).toMatchObject({ __typename: 'ContactVerificationFailedError', reason: 'NO_PENDING_CHALLENGE', attemptsRemaining: 0 });
  });

  it('is replaced by a new request: the old code is wrong, the new one works', async () => {
    // given a client asked for a code twice (asking again until the codes differ, as they may by chance not)
    const client = await createClient(t);
    const { code: oldCode } = await requestCode(t, client.id, 'MOBILE_PHONE');
    let newCode = oldCode;
    for (let tries = 0; newCode === oldCode && tries < 5; tries++) newCode = (await requestCode(t, client.id, 'MOBILE_PHONE')).code;
    expect(newCode).not.toBe(oldCode);

    // when the old code is confirmed, it is an invalid code
    expect(await confirm(client.id, 'MOBILE_PHONE', oldCode)).toMatchObject({
      __typename: 'ContactVerificationFailedError',
      reason: 'INVALID_CODE',
      attemptsRemaining: 4,
    });
    // and the new code verifies the phone
    expect(await confirm(client.id, 'MOBILE_PHONE', newCode)).toMatchObject({ __typename: 'ClientPayload', client: { mobilePhoneVerified: true } });
  });

  it('allows 5 wrong tries, counting down, and then refuses even the right code', async () => {
    // given a code was sent
    const client = await createClient(t);
    const { code } = await requestCode(t, client.id, 'EMAIL');

    // when 5 wrong codes are tried
    const answers = [];
    for (let step = 1; step <= 5; step++) answers.push(await confirm(client.id, 'EMAIL', otherCode(code, step)));

    // then each is an invalid code, with one try fewer left
    expect(answers.map((answer) => [answer.__typename, 'reason' in answer && answer.reason, 'attemptsRemaining' in answer && answer.attemptsRemaining])).toEqual([
      ['ContactVerificationFailedError', 'INVALID_CODE', 4],
      ['ContactVerificationFailedError', 'INVALID_CODE', 3],
      ['ContactVerificationFailedError', 'INVALID_CODE', 2],
      ['ContactVerificationFailedError', 'INVALID_CODE', 1],
      ['ContactVerificationFailedError', 'INVALID_CODE', 0],
    ]);
    // and the right code is now refused too, leaving the email unverified
    expect(await confirm(client.id, 'EMAIL', code)).toMatchObject({ reason: 'TOO_MANY_ATTEMPTS', attemptsRemaining: 0 });
    expect(await fetchClient(client.id)).toMatchObject({ emailVerified: false });

    // until a new code is requested, which works
    const { code: fresh } = await requestCode(t, client.id, 'EMAIL');
    expect(await confirm(client.id, 'EMAIL', fresh)).toMatchObject({ __typename: 'ClientPayload', client: { emailVerified: true } });
  });

  it('still works 9 minutes after it was sent', async () => {
    const client = await createClient(t);
    const { code } = await requestCode(t, client.id, 'EMAIL');

    t.clock.advance(9 * MINUTE);

    expect(await confirm(client.id, 'EMAIL', code)).toMatchObject({ __typename: 'ClientPayload', client: { emailVerified: true } });
  });

  it('has expired 10 minutes and a second after it was sent', async () => {
    // given a code sent more than 10 minutes ago
    const client = await createClient(t);
    const { code } = await requestCode(t, client.id, 'MOBILE_PHONE');
    t.clock.advance(10 * MINUTE + 1000);

    // when it is confirmed
    const result = await confirm(client.id, 'MOBILE_PHONE', code);

    // then it has expired, and the phone stays unverified
    expect(result).toMatchObject({ __typename: 'ContactVerificationFailedError', reason: 'EXPIRED', attemptsRemaining: 0 });
    expect(await fetchClient(client.id)).toMatchObject({ mobilePhoneVerified: false });
  });

  it('finds no pending challenge when no code was ever requested', async () => {
    const client = await createClient(t);

    const result = await confirm(client.id, 'EMAIL', '123456');

    expect(result).toMatchObject({ __typename: 'ContactVerificationFailedError', reason: 'NO_PENDING_CHALLENGE', attemptsRemaining: 0 });
    expect(result).toMatchObject({ message: expect.any(String), userMessageGlobalisationCode: expect.stringMatching(/^error\.msg\.client\./) });
  });

  it('finds no pending challenge on the other channel than the one a code was sent for', async () => {
    const client = await createClient(t);
    const { code } = await requestCode(t, client.id, 'EMAIL');

    expect(await confirm(client.id, 'MOBILE_PHONE', code)).toMatchObject({ reason: 'NO_PENDING_CHALLENGE' });
    expect(await confirm(client.id, 'EMAIL', code)).toMatchObject({ __typename: 'ClientPayload' });
  });

  it.each([
    { channel: 'EMAIL', without: { email: null } },
    { channel: 'MOBILE_PHONE', without: { mobilePhone: null } },
  ] as const)('refuses to send a $channel code to a client that has none, changing nothing', async ({ channel, without }) => {
    // given a client without that contact
    const client = await createClient(t, without);
    const sentBefore = (await t.delivery.settled()).length;

    // when a code is requested for it
    const result = await request(client.id, channel);

    // then there is nothing to verify, nothing was sent, and the client is unchanged
    if (result.__typename !== 'ValidationError') throw new Error(JSON.stringify(result));
    expect(result.fieldErrors.map(({ path, code }) => ({ path, code }))).toEqual([{ path: ['input', 'channel'], code: 'NO_CONTACT_TO_VERIFY' }]);
    expect((await t.delivery.settled()).length).toBe(sentBefore);
    expect(await fetchClient(client.id)).toMatchObject({ version: client.version });
  });

  it.each([
    ['an id no client has', randomUUID()],
    ['an id that is not a UUID', 'client-7'],
  ])('answers ClientNotFoundError to both mutations for %s', async (_what, clientId) => {
    const sentBefore = (await t.delivery.settled()).length;

    expect(await request(clientId, 'EMAIL')).toMatchObject({ __typename: 'ClientNotFoundError', clientId });
    expect(await confirm(clientId, 'MOBILE_PHONE', '123456')).toMatchObject({ __typename: 'ClientNotFoundError', clientId });
    expect((await t.delivery.settled()).length).toBe(sentBefore);
  });
});
