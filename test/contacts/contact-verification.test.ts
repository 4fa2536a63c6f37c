import { createHash } from 'node:crypto';
import { ClientDocument, ConfirmContactShowingHistoryDocument, RequestContactVerificationDocument } from '../generated/graphql';
import { confirmContact, createClient } from '../support/fixtures';
import { requestCode } from '../support/contacts-helpers';
import { TestApp, startTestApp } from '../support/test-app';

const TEN_MINUTES = 10 * 60_000;

describe('verifying a client\'s email and mobile phone with a one-time code', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const confirm = async (clientId: string, channel: 'EMAIL' | 'MOBILE_PHONE', code: string) =>
    (await t.run(ConfirmContactShowingHistoryDocument, { input: { clientId, channel, code } })).confirmContactVerification;

  it.each([
    { channel: 'EMAIL', contact: 'grace@example.com', input: { email: 'Grace@Example.com' } },
    { channel: 'MOBILE_PHONE', contact: '+14155550142', input: { mobilePhone: '+1 415 555 0142' } },
  ] as const)('sends a 6-digit code for $channel to the client\'s current contact, valid for 10 minutes', async ({ channel, contact, input }) => {
    // given a client with that contact
    const client = await createClient(t, input);

    // when a code is requested
    const requestedFrom = t.clock.now().getTime();
    const { requestContactVerification: result } = await t.run(RequestContactVerificationDocument, { input: { clientId: client.id, channel } });
    const requestedTo = t.clock.now().getTime();

    // then the answer says when the code expires, about 10 minutes ahead
    if (result.__typename !== 'ContactVerificationRequested') throw new Error(JSON.stringify(result));
    expect(result.channel).toBe(channel);
    const expiresAt = Date.parse(result.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(requestedFrom + TEN_MINUTES - 1000);
    expect(expiresAt).toBeLessThanOrEqual(requestedTo + TEN_MINUTES + 1000);
    // and one 6-digit code went out to that contact, expiring then
    const sent = (await t.delivery.settled()).filter((message) => message.clientId === client.id);
    expect(sent).toEqual([
      expect.objectContaining({ event: 'contact_verification_code', channel, to: contact, expiresAt: new Date(expiresAt).toISOString() }),
    ]);
    expect(sent[0].code).toMatch(/^\d{6}$/);
  });

  it.each([
    { channel: 'EMAIL', event: 'EMAIL_VERIFIED', verified: 'emailVerified', other: 'mobilePhoneVerified' },
    { channel: 'MOBILE_PHONE', event: 'MOBILE_PHONE_VERIFIED', verified: 'mobilePhoneVerified', other: 'emailVerified' },
  ] as const)('marks $channel verified when the code sent is confirmed, recording $event', async ({ channel, event, verified, other }) => {
    // given a client that was sent a code
    const client = await createClient(t);
    const { code } = await requestCode(t, client.id, channel);

    // when the code is confirmed
    const result = await confirm(client.id, channel, code);

    // then that channel, and only that one, is verified, and history says so
    if (result.__typename !== 'ClientPayload') throw new Error(JSON.stringify(result));
    expect(result.client[verified]).toBe(true);
    expect(result.client[other]).toBe(false);
    expect(result.client.version).toBe(client.version + 2);
    expect(result.client.history.map((e) => e.type)).toEqual(['CLIENT_CREATED', 'CONTACT_VERIFICATION_REQUESTED', event]);
    // and FULL verification no longer lists it
    const { client: read } = await t.run(ClientDocument, { id: client.id });
    expect(read!.full.map((requirement) => requirement.code)).not.toContain(`${channel}_VERIFICATION`);
  });

  it('accepts the code with surrounding spaces, as typed into a form', async () => {
    const client = await createClient(t);
    const { code } = await requestCode(t, client.id, 'EMAIL');

    const result = await confirm(client.id, 'EMAIL', ` ${code} `);

    expect(result).toMatchObject({ __typename: 'ClientPayload', client: { emailVerified: true } });
  });

  it('refuses to send a code for a contact that is already verified', async () => {
    const client = await createClient(t);
    await confirmContact(t, client.id, 'EMAIL');
    const sentBefore = (await t.delivery.settled()).length;

    const { requestContactVerification: result } = await t.run(RequestContactVerificationDocument, { input: { clientId: client.id, channel: 'EMAIL' } });

    expect(result).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'channel'], code: 'ALREADY_VERIFIED' }] });
    expect((await t.delivery.settled()).length).toBe(sentBefore);
  });

  it('never stores a code in clear, nor as a bare digest anyone could reverse', async () => {
    // given codes sent on both channels
    const client = await createClient(t);
    const codes = [(await requestCode(t, client.id, 'EMAIL')).code, (await requestCode(t, client.id, 'MOBILE_PHONE')).code];

    // when the stored challenges are read straight from the database
    const rows = await t.app.database.prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(
      'SELECT * FROM contact_challenges WHERE client_id = $1::uuid',
      client.id,
    );

    // then no column holds a code, nor its plain SHA-256 / SHA-1 / MD5
    expect(rows).toHaveLength(2);
    const stored = rows.flatMap((row) => Object.values(row).map((value) => String(value).toLowerCase()));
    for (const code of codes) {
      const digests = ['sha256', 'sha1', 'md5'].map((algorithm) => createHash(algorithm).update(code).digest('hex'));
      for (const value of stored) {
        expect(value).not.toBe(code);
        expect(digests).not.toContain(value);
      }
    }
  });
});
