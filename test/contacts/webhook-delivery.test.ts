import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { print } from 'graphql';
import { WebhookContactDelivery } from '../../src/modules/contacts/contact-delivery';
import { ClientDocument, ConfirmContactVerificationDocument, CreateClientDocument, RequestContactVerificationDocument } from '../generated/graphql';
import { DeliveryTestApp, freePort, startAppWithDelivery } from '../support/contacts-helpers';

const SECRET = 'webhook-shared-secret';

interface ReceivedPost {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A stand-in for an email/SMS provider: records every POST and answers with `status`. */
async function startProvider() {
  const provider = { received: [] as ReceivedPost[], status: 200, url: '', close: () => Promise.resolve() };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      if (req.method === 'POST') provider.received.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(provider.status, { 'content-type': 'text/plain' }).end(provider.status === 200 ? 'ok' : 'provider exploded: secret-internal-detail');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  provider.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider.close = () => new Promise((resolve) => server.close(() => resolve()));
  return provider;
}

async function createClientOn(app: DeliveryTestApp) {
  const created = await app.run(CreateClientDocument, { input: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', mobilePhone: '+14155550100' } });
  if (created.createClient.__typename !== 'ClientPayload') throw new Error(JSON.stringify(created.createClient));
  return created.createClient.client;
}

/** A request whose delivery failed: a GraphQL error with a stable code and nothing internal in it. */
function expectDeliveryFailedWithoutDetail(response: { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }, ...secrets: string[]) {
  expect(response.errors).toHaveLength(1);
  const [error] = response.errors!;
  expect(error.extensions?.code).toBe('CONTACT_DELIVERY_FAILED');
  expect(error.extensions?.stacktrace).toBeUndefined();
  const shown = JSON.stringify(error);
  expect(shown).not.toMatch(/HTTP|500|ECONNREFUSED|fetch failed|ContactDeliveryError|webhook|stack|\bat\s+\S+\s+\(/i);
  for (const secret of secrets) expect(shown).not.toContain(secret);
}

describe('delivering codes through a webhook', () => {
  let provider: Awaited<ReturnType<typeof startProvider>>;
  let app: DeliveryTestApp;
  beforeAll(async () => {
    provider = await startProvider();
    app = await startAppWithDelivery(new WebhookContactDelivery(`${provider.url}/hooks/codes`, SECRET, 2000));
  });
  afterAll(async () => {
    await app?.stop();
    await provider?.close();
  });
  beforeEach(() => {
    provider.received.length = 0;
    provider.status = 200;
  });

  it('POSTs the code as signed JSON, and that code verifies the contact', async () => {
    // given a client
    const client = await createClientOn(app);

    // when a code is requested
    const { requestContactVerification: result } = await app.run(RequestContactVerificationDocument, { input: { clientId: client.id, channel: 'EMAIL' } });

    // then the provider received one JSON POST describing it
    if (result.__typename !== 'ContactVerificationRequested') throw new Error(JSON.stringify(result));
    expect(provider.received).toHaveLength(1);
    const [post] = provider.received;
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

  it('answers CONTACT_DELIVERY_FAILED, with no internal detail, when the provider fails', async () => {
    // given a provider answering 500
    const client = await createClientOn(app);
    provider.status = 500;

    // when a code is requested
    const response = await app.post({ query: print(RequestContactVerificationDocument), variables: { input: { clientId: client.id, channel: 'MOBILE_PHONE' } } });

    // then the request fails as a server failure with a stable code, and says nothing about why
    expect(provider.received).toHaveLength(1);
    expect(response.data?.requestContactVerification ?? null).toBeNull();
    expectDeliveryFailedWithoutDetail(response, provider.url, 'secret-internal-detail');

    // and nothing was written: no challenge to confirm, no event, no version bump
    const after = await app.run(ClientDocument, { id: client.id });
    expect(after.client).toMatchObject({ version: client.version, history: [expect.objectContaining({ type: 'CLIENT_CREATED' })] });
    expect(after.client!.history).toHaveLength(1);
    provider.status = 200;
    const confirmed = await app.run(ConfirmContactVerificationDocument, { input: { clientId: client.id, channel: 'MOBILE_PHONE', code: '123456' } });
    expect(confirmed.confirmContactVerification).toMatchObject({ __typename: 'ContactVerificationFailedError', reason: 'NO_PENDING_CHALLENGE' });
  });

  it('answers CONTACT_DELIVERY_FAILED, with no internal detail, when the provider cannot be reached', async () => {
    // given an app whose webhook points at a port nothing listens on
    const deadUrl = `http://127.0.0.1:${await freePort()}/hooks/codes`;
    const cutOff = await startAppWithDelivery(new WebhookContactDelivery(deadUrl, SECRET, 2000));
    try {
      const client = await createClientOn(cutOff);

      // when a code is requested
      const response = await cutOff.post({ query: print(RequestContactVerificationDocument), variables: { input: { clientId: client.id, channel: 'EMAIL' } } });

      // then it fails the same way
      expect(response.data?.requestContactVerification ?? null).toBeNull();
      expectDeliveryFailedWithoutDetail(response, deadUrl);
    } finally {
      await cutOff.stop();
    }
  });
});
