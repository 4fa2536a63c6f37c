import { createHmac } from 'node:crypto';
import { ClientDocument, RequestContactVerificationDocument, UpdateClientDocument, VerifyClientDocument } from '../generated/graphql';
import { addPrimaryAddress, addSsn, createClient } from '../support/fixtures';
import { requeueDeadDeliveries } from '../../src/modules/events/outbox-dispatcher';
import { TestApp, startTestApp } from '../support/test-app';
import { ReceivedPost, WebhookReceiver, startWebhookReceiver } from '../support/webhook-receiver';

const SECRET = 'integrator-shared-secret-0123456789';

/** Each POST as the integrator reads it: the event, and whether its signature checks out. */
const eventOf = (post: Pick<ReceivedPost, 'body'>) => JSON.parse(post.body) as { id: string; type: string; clientId: string; occurredAt: string; data: Record<string, unknown> };
const signatureHolds = (post: ReceivedPost) =>
  post.headers['x-onboarding-signature'] === `sha256=${createHmac('sha256', SECRET).update(post.body).digest('hex')}`;

describe('history events reach the integrator after commit (EVENT_WEBHOOK_URL)', () => {
  let receiver: WebhookReceiver;
  let t: TestApp;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    t = await startTestApp({ config: { eventWebhook: { url: `${receiver.url}/events`, secret: SECRET, timeoutMs: 5000 } } });
  });
  afterAll(async () => {
    await t?.stop();
    await receiver?.close();
  });
  beforeEach(() => {
    receiver.answer = () => ({ status: 200 });
  });

  const postsFor = (clientId: string) => receiver.received.filter((post) => eventOf(post).clientId === clientId);
  const takenFor = (clientId: string) => postsFor(clientId).filter((post) => post.status === 200);
  const waitForTaken = (clientId: string, count: number, timeoutMs = 10_000) =>
    receiver.waitFor(() => takenFor(clientId).length >= count, `${count} events for ${clientId}`, timeoutMs).then(() => takenFor(clientId));

  it('POSTs each event once, signed, as {id, type, clientId, occurredAt, data}, with nothing personal in it', async () => {
    // given a client with names, contacts, an address and an SSN, who asks for a code and changes a name
    const ssn = '123-45-6789';
    const client = await createClient(t, { firstName: 'Henrietta', lastName: 'Swan', email: 'henrietta@example.com', mobilePhone: '+14155550123' });
    await addPrimaryAddress(t, client.id);
    await addSsn(t, client.id, ssn);
    await t.run(RequestContactVerificationDocument, { input: { clientId: client.id, channel: 'EMAIL' } });
    const code = await t.delivery.lastCode(client.id, 'EMAIL');
    await t.run(UpdateClientDocument, { input: { clientId: client.id, lastName: 'Leavitt' } });

    // when the events arrive
    const posts = await receiver
      .waitFor(() => new Set(takenFor(client.id).map((post) => eventOf(post).id)).size >= 5, '5 events')
      .then(() => [...new Map(takenFor(client.id).map((post) => [eventOf(post).id, post])).values()]);

    // then there is one POST taken per history event (at least once: on a loaded machine an answer
    // that came after the timeout is sent again, and the receiver dedupes it by id), in order,
    // named and signed
    const { history } = (await t.run(ClientDocument, { id: client.id })).client!;
    expect([...new Set(posts.map((post) => eventOf(post).id))]).toEqual(history.map((event) => event.id));
    expect(posts.map((post) => eventOf(post).type)).toEqual(['CLIENT_CREATED', 'ADDRESS_ADDED', 'IDENTIFIER_ADDED', 'CONTACT_VERIFICATION_REQUESTED', 'CLIENT_UPDATED']);
    for (const post of posts) {
      expect(post.path).toBe('/events');
      expect(post.headers['content-type']).toMatch(/^application\/json/);
      expect(signatureHolds(post)).toBe(true);
      expect(post.headers['x-onboarding-event-id']).toBe(eventOf(post).id);
      expect(Object.keys(eventOf(post))).toEqual(['id', 'type', 'clientId', 'occurredAt', 'data']);
    }
    expect(eventOf(posts[0])).toEqual({ id: history[0].id, type: 'CLIENT_CREATED', clientId: client.id, occurredAt: history[0].occurredAt, data: { toStatus: 'PENDING' } });
    expect(eventOf(posts[4]).data).toEqual({ fields: ['lastName'] });
    // and no name, contact, code, identifier value or address in any of them
    const everything = posts.map((post) => post.body).join('\n');
    for (const personal of ['Henrietta', 'Swan', 'Leavitt', 'henrietta@example.com', '4155550123', ssn, ssn.replace(/-/g, ''), code, '1 Main Street', 'Springfield']) {
      expect(everything).not.toContain(personal);
    }
  });

  it('retries an event the receiver failed (500, then 200), with the same id and body', async () => {
    // given a receiver that fails the first POST it gets
    let failed = false;
    receiver.answer = () => (failed ? { status: 200 } : ((failed = true), { status: 500 }));

    // when a client is created
    const client = await createClient(t);

    // then its event is POSTed again within a couple of seconds, and taken
    const [taken] = await waitForTaken(client.id, 1);
    const posts = postsFor(client.id);
    expect(posts.map((post) => post.status)).toEqual([500, 200]);
    expect(posts[1].body).toBe(posts[0].body);
    expect(posts[1].receivedAt - posts[0].receivedAt).toBeLessThan(3000);
    expect(signatureHolds(taken)).toBe(true);
  });

  it('sends nothing for a change that was refused or rolled back', async () => {
    // given a client that cannot be verified yet
    const client = await createClient(t);

    // when verification is refused (nothing written), then a name change succeeds
    const refused = await t.run(VerifyClientDocument, { input: { clientId: client.id, kycVerificationType: 'PARTIAL' } });
    expect(refused.verifyClient.__typename).toBe('VerificationRequirementsNotMetError');
    await t.run(UpdateClientDocument, { input: { clientId: client.id, firstName: 'Augusta' } });

    // then the integrator hears of the creation and the change only
    await waitForTaken(client.id, 2);
    await t.app.outbox.settled();
    expect(postsFor(client.id).map((post) => eventOf(post).type)).toEqual(['CLIENT_CREATED', 'CLIENT_UPDATED']);
  });

  it("keeps each client's events in order: a later event waits for its earlier one, other clients do not", async () => {
    // given a receiver that fails the first client's creation twice
    const first = await createClientWhile(t, () => ({ status: 500 }));
    let failures = 1;
    receiver.answer = (post) => (eventOf(post).clientId === first.id && eventOf(post).type === 'CLIENT_CREATED' && failures++ < 2 ? { status: 500 } : { status: 200 });

    // when that client changes twice more, and another client is created meanwhile
    await addPrimaryAddress(t, first.id);
    await t.run(UpdateClientDocument, { input: { clientId: first.id, firstName: 'Later' } });
    const second = await createClient(t);

    // then the other client's event goes out at once, before the first client's creation is taken
    const [secondCreated] = await waitForTaken(second.id, 1);
    const firstPosts = await waitForTaken(first.id, 3, 15_000);
    expect(secondCreated.receivedAt).toBeLessThan(firstPosts[0].receivedAt);
    // and the first client's events arrive in their order, none before its creation was taken
    expect(postsFor(first.id).map((post) => [eventOf(post).type, post.status])).toEqual([
      ['CLIENT_CREATED', 500],
      ['CLIENT_CREATED', 500],
      ['CLIENT_CREATED', 200],
      ['ADDRESS_ADDED', 200],
      ['CLIENT_UPDATED', 200],
    ]);
  });

  it('gives up on an event still failing a day after it was queued, and sends it once queued again', async () => {
    // given a receiver that fails a client's creation, a day after it was queued
    const client = await createClientWhile(t, () => ({ status: 500 }));
    await t.app.outbox.settled();
    await t.app.database.prisma.$executeRaw`UPDATE outbox_events SET queued_at = queued_at - interval '25 hours' WHERE client_id = ${client.id}::uuid`;

    // when its retry fails too
    await receiver.waitFor(() => postsFor(client.id).length >= 2, 'retry');
    await t.app.outbox.settled();

    // then the delivery is dead, and no more is sent
    const [row] = await t.app.database.prisma.outboxEvent.findMany({ where: { clientId: client.id } });
    expect(row).toMatchObject({ status: 'DEAD', attempts: 2, lastError: 'webhook answered HTTP 500' });
    expect(await t.app.outbox.backlog()).toContainEqual({ topic: 'CLIENT_EVENT', status: 'DEAD', count: 1 });

    // when an operator queues it again (npm run events:retry -- --id <id>) and the receiver is back
    receiver.answer = () => ({ status: 200 });
    expect(await requeueDeadDeliveries(t.app.database.prisma, { id: row.id })).toBe(1);
    t.app.outbox.wake();

    // then it is delivered
    await waitForTaken(client.id, 1);
    expect(postsFor(client.id).map((post) => post.status)).toEqual([500, 500, 200]);
  });

  /** Creates a client while the receiver answers as `answer` says (its first POST included). */
  async function createClientWhile(app: TestApp, answer: WebhookReceiver['answer']) {
    receiver.answer = answer;
    const client = await createClient(app);
    await receiver.waitFor(() => postsFor(client.id).length >= 1, 'first POST');
    return client;
  }
});

describe('history events without an event webhook', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ config: { eventWebhook: null } });
  });
  afterAll(() => t?.stop());

  const outboxOf = (clientId: string) =>
    t.app.database.sql.$queryRaw<Array<{ topic: string }>>`SELECT topic FROM outbox_events WHERE client_id = ${clientId}::uuid ORDER BY seq`;

  it('queues none of them (nothing would send them), but still queues the contact codes', async () => {
    // given a server without EVENT_WEBHOOK_URL, and a client who asks for a code
    const client = await createClient(t);
    await t.run(RequestContactVerificationDocument, { input: { clientId: client.id, channel: 'EMAIL' } });
    await t.app.outbox.settled();

    // then its history is kept, and the outbox held only the code
    const history = await t.app.database.prisma.clientEvent.count({ where: { clientId: client.id } });
    expect(history).toBe(2);
    expect(await outboxOf(client.id)).toEqual([{ topic: 'CONTACT_CODE' }]);
  });

  it('queues them for any other writer that does not say otherwise (the trigger\'s default)', async () => {
    const client = await createClient(t);
    const session = await t.app.database.openSession();
    try {
      // a connection of its own on PostgreSQL; on PGlite the server's one session, so it says 'on' for this statement
      if (t.app.database.kind === 'pglite') await session.exec(`SET onboarding.client_event_outbox = 'on'`);
      await session.query(`INSERT INTO client_events (id, client_id, type, occurred_at) VALUES (gen_random_uuid(), $1, 'CLIENT_UPDATED', now())`, [client.id]);
    } finally {
      if (t.app.database.kind === 'pglite') await session.exec(`SET onboarding.client_event_outbox = 'off'`);
      await session.close();
    }
    expect(await outboxOf(client.id)).toEqual([{ topic: 'CLIENT_EVENT' }]);
  });
});
