import { ClientDocument, CreateClientDocument, UpdateClientDocument } from '../generated/graphql';
import { ServerProcess, serversOnOneDatabase } from '../support/server-process';
import { onPostgres } from '../support/test-database';
import { WebhookReceiver, startWebhookReceiver } from '../support/webhook-receiver';

const SECRET = 'integrator-shared-secret-0123456789';
const CLIENTS = 12;
const CHANGES = 3;

/** Two server processes on one PostgreSQL share the outbox (PGlite has one process: nothing to share). */
(onPostgres ? describe : describe.skip)('two instances delivering from one outbox', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    // A receiver a little slow to answer, so that both instances have rows in flight at once.
    receiver.answer = () => ({ status: 200, delayMs: 20 });
  });
  // Both sweep often, so each keeps trying to take the rows the other is delivering.
  const started = serversOnOneDatabase(2, () => ({ EVENT_WEBHOOK_URL: `${receiver.url}/events`, EVENT_WEBHOOK_SECRET: SECRET, OUTBOX_SWEEP_INTERVAL_MS: '100' }));
  afterAll(() => receiver?.close());

  it('sends each event exactly once, in order per client, whichever instance made it', async () => {
    const [a, b] = started.servers;
    const on = (i: number): ServerProcess => (i % 2 === 0 ? a : b);

    // given clients created and changed on both instances at once, alternating between them
    const ids = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, i) => {
        const created = await on(i).run(CreateClientDocument, { input: { firstName: `Client${i}`, lastName: 'Shared' } });
        if (created.createClient.__typename !== 'ClientPayload') throw new Error(JSON.stringify(created.createClient));
        const id = created.createClient.client.id;
        for (let change = 0; change < CHANGES; change++) {
          await on(i + change + 1).run(UpdateClientDocument, { input: { clientId: id, firstName: `Client${i}v${change}` } });
        }
        return id;
      }),
    );

    // when every event has arrived
    const expected = CLIENTS * (1 + CHANGES);
    await receiver.waitFor((posts) => posts.length >= expected, `${expected} events`, 30_000);
    // (and a moment more, for any duplicate to show up)
    await new Promise((resolve) => setTimeout(resolve, 1000));

    // then each event came exactly once
    const events = receiver.received.map((post) => JSON.parse(post.body) as { id: string; type: string; clientId: string });
    expect(events).toHaveLength(expected);
    expect(new Set(events.map((event) => event.id)).size).toBe(expected);
    // and each client's in the order of its history
    for (const id of ids) {
      const { history } = (await a.run(ClientDocument, { id })).client!;
      expect(events.filter((event) => event.clientId === id).map((event) => event.id)).toEqual(history.map((event) => event.id));
    }
  }, 120_000);
});
