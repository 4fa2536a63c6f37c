import { createHmac } from 'node:crypto';
import { WebhookContactDelivery } from '../../src/modules/contacts/contact-delivery';
import { ClientDocument, ConfirmContactVerificationDocument, CreateClientDocument, RequestContactVerificationDocument } from '../generated/graphql';
import { DeliveryTestApp, freePort, startAppWithDelivery } from '../support/contacts-helpers';
import { WebhookReceiver, startWebhookReceiver } from '../support/webhook-receiver';

const SECRET = 'webhook-shared-secret';

async function createClientOn(app: DeliveryTestApp) {
  const created = await app.run(CreateClientDocument, { input: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', mobilePhone: '+14155550100' } });
  if (created.createClient.__typename !== 'ClientPayload') throw new Error(JSON.stringify(created.createClient));
  return created.createClient.client;
}

/** Codes go out after commit: the request answers whatever the provider does later. */
describe('delivering codes through a webhook', () => {
  let provider: WebhookReceiver;
  let app: DeliveryTestApp;
  beforeAll(async () => {
    provider = await startWebhookReceiver();
    app = await startAppWithDelivery(new WebhookContactDelivery(`${provider.url}/hooks/codes`, SECRET, 2000));
  });
  afterAll(async () => {
    await app?.stop();
    await provider?.close();
  });
  beforeEach(() => {
    provider.received.length = 0;
    provider.answer = () => ({ status: 200 });
  });

  it('POSTs the code as signed JSON after commit, and that code verifies the contact', async () => {
    // given a client
    const client = await createClientOn(app);

    // when a code is requested
    const { requestContactVerification: result } = await app.run(RequestContactVerificationDocument, { input: { clientId: client.id, channel: 'EMAIL' } });

    // then the provider receives one JSON POST describing it
    if (result.__typename !== 'ContactVerificationRequested') throw new Error(JSON.stringify(result));
    const [post] = await provider.waitFor((posts) => posts.length === 1, 'code POST');
    expect(post.path).toBe('/hooks/codes');
    expect(post.headers['content-type']).toMatch(/^application\/json/);
    const message = JSON.parse(post.body);
    expect(message).toEqual({
      event: 'contact_verification_code',
      clientId: client.id,
      channel: 'EMAIL',
      to: 'ada@example.com',
      code: expect.stringMatching(/^\d{6}$/),
      expiresAt: new Date(result.expiresAt).toISOString(),
    });
    // signed with the shared secret over the exact body
    expect(post.headers['x-onboarding-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(post.body).digest('hex')}`);
    // and the code it carried verifies the email
    const confirmed = await app.run(ConfirmContactVerificationDocument, { input: { clientId: client.id, channel: 'EMAIL', code: message.code } });
    expect(confirmed.confirmContactVerification).toMatchObject({ __typename: 'ClientPayload', client: { emailVerified: true } });
  });

  it('answers at once when the provider fails, and retries the same code until the provider takes it', async () => {
    // given a provider answering 500 to its first POST, then 200
    const client = await createClientOn(app);
    provider.answer = () => ({ status: provider.received.length === 0 ? 500 : 200 });

    // when a code is requested
    const { requestContactVerification: result } = await app.run(RequestContactVerificationDocument, { input: { clientId: client.id, channel: 'MOBILE_PHONE' } });

    // then the request succeeded: the challenge, its event and the version bump are committed
    expect(result.__typename).toBe('ContactVerificationRequested');
    const after = (await app.run(ClientDocument, { id: client.id })).client!;
    expect(after.version).toBe(client.version + 1);
    expect(after.history.map((event) => event.type)).toEqual(['CLIENT_CREATED', 'CONTACT_VERIFICATION_REQUESTED']);
    // and the code is sent again within a couple of seconds, and taken
    const posts = await provider.waitFor((received) => received.some((post) => post.status === 200), 'retried code POST', 8000);
    expect(posts.map((post) => post.status)).toEqual([500, 200]);
    expect(JSON.parse(posts[1].body).code).toBe(JSON.parse(posts[0].body).code);
    expect(posts[1].receivedAt - posts[0].receivedAt).toBeLessThan(3000);
    const confirmed = await app.run(ConfirmContactVerificationDocument, { input: { clientId: client.id, channel: 'MOBILE_PHONE', code: JSON.parse(posts[1].body).code } });
    expect(confirmed.confirmContactVerification).toMatchObject({ __typename: 'ClientPayload', client: { mobilePhoneVerified: true } });
  });

  it('answers at once when the provider cannot be reached, and keeps the code waiting for it', async () => {
    // given an app whose webhook points at a port nothing listens on
    const deadUrl = `http://127.0.0.1:${await freePort()}/hooks/codes`;
    const cutOff = await startAppWithDelivery(new WebhookContactDelivery(deadUrl, SECRET, 2000));
    try {
      const client = await createClientOn(cutOff);

      // when a code is requested
      const response = await cutOff.run(RequestContactVerificationDocument, { input: { clientId: client.id, channel: 'EMAIL' } });

      // then the request succeeded, and its code waits in the outbox to be retried
      expect(response.requestContactVerification.__typename).toBe('ContactVerificationRequested');
      await cutOff.app.outbox.settled();
      const waiting = await cutOff.app.database.prisma.outboxEvent.findMany({ where: { clientId: client.id, topic: 'CONTACT_CODE' } });
      expect(waiting).toEqual([expect.objectContaining({ status: 'PENDING', attempts: 1, lastError: expect.stringMatching(/unreachable/) })]);
      // never holding the code itself
      expect(JSON.stringify(waiting[0].payload)).not.toMatch(/\d{6}/);
    } finally {
      await cutOff.stop();
    }
  });
});
