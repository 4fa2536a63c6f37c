import { WebhookContactDelivery } from '../../src/modules/contacts/contact-delivery';
import { ConfirmContactVerificationDocument, RequestContactVerificationDocument, UpdateClientDocument } from '../generated/graphql';
import { DeliveryTestApp, startAppWithDelivery } from '../support/contacts-helpers';
import { createClient } from '../support/fixtures';
import { WebhookReceiver, startWebhookReceiver } from '../support/webhook-receiver';

const SLOW_MS = 3000;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

describe('a slow code webhook', () => {
  let provider: WebhookReceiver;
  let app: DeliveryTestApp;
  beforeAll(async () => {
    provider = await startWebhookReceiver();
    // a provider that takes 3 s to answer each code
    provider.answer = () => ({ status: 200, delayMs: SLOW_MS });
    app = await startAppWithDelivery(new WebhookContactDelivery(`${provider.url}/codes`, null, 10_000));
  });
  afterAll(async () => {
    await app?.stop();
    await provider?.close();
  });

  it('delays neither the request nor another change of the same client', async () => {
    // given a client
    const client = await createClient(app);

    // when a code is requested, and the client changes right after
    const requested = await timed(() => app.run(RequestContactVerificationDocument, { input: { clientId: client.id, channel: 'EMAIL' } }));
    const updated = await timed(() => app.run(UpdateClientDocument, { input: { clientId: client.id, firstName: 'Quick' } }));

    // then both answer at once: the code goes out after commit, holding no lock
    expect(requested.value.requestContactVerification.__typename).toBe('ContactVerificationRequested');
    expect(updated.value.updateClient.__typename).toBe('ClientPayload');
    expect(requested.ms).toBeLessThan(1500);
    expect(updated.ms).toBeLessThan(1000);
    expect(provider.received).toHaveLength(0);
    // and the code arrives once the provider has answered, and verifies the email
    const [post] = await provider.waitFor((posts) => posts.length === 1, 'code POST', 10_000);
    const confirmed = await app.run(ConfirmContactVerificationDocument, { input: { clientId: client.id, channel: 'EMAIL', code: JSON.parse(post.body).code } });
    expect(confirmed.confirmContactVerification).toMatchObject({ __typename: 'ClientPayload', client: { emailVerified: true } });
  });
});
