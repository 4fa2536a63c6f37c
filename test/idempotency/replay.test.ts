import { randomUUID } from 'node:crypto';
import { ClientDocument, ClientsDocument, CreateClientDocument, UpdateClientDocument } from '../generated/graphql';
import { countClients } from '../support/clients-helpers';
import { createClient } from '../support/fixtures';
import { codeOf, operation, postWithKey } from '../support/idempotency-helpers';
import { TestApp, selfToken, startTestApp, testToken } from '../support/test-app';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('a mutation sent again with its Idempotency-Key', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const createAda = (firstName = 'Ada') => operation(CreateClientDocument, { input: { firstName, lastName: 'Lovelace' } });
  const historyOf = async (id: string) => (await t.run(ClientDocument, { id })).client!.history.length;

  it('answers the first response byte for byte and creates nothing more', async () => {
    // given a client created with a key
    const key = randomUUID();
    const before = await countClients(t);
    const first = await postWithKey(t.url, createAda(), key);
    expect(first.status).toBe(200);
    expect(first.replayed).toBe(false);

    // when the same request is sent again, twice
    const second = await postWithKey(t.url, createAda(), key);
    const third = await postWithKey(t.url, createAda(), key);

    // then both answer the first body exactly, marked as replays, and there is one new client
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
    expect(third.text).toBe(first.text);
    expect(second.replayed).toBe(true);
    expect(await countClients(t)).toBe(before + 1);
  });

  it('does not apply an update twice: same version, one history event', async () => {
    // given a client updated once with a key
    const client = await createClient(t);
    const key = randomUUID();
    const update = operation(UpdateClientDocument, { input: { clientId: client.id, lastName: 'Byron' } });
    const first = await postWithKey(t.url, update, key);
    const eventsAfterFirst = await historyOf(client.id);

    // when the update is retried
    const retried = await postWithKey(t.url, update, key);

    // then the retry answers version 2 as the first did, and nothing more happened
    expect(retried.text).toBe(first.text);
    expect((first.body.data as { updateClient: { client: { version: number } } }).updateClient.client.version).toBe(2);
    expect((await t.run(ClientDocument, { id: client.id })).client!.version).toBe(2);
    expect(await historyOf(client.id)).toBe(eventsAfterFirst);
  });

  it('replays a typed domain error too', async () => {
    // given an update of a client that does not exist, sent with a key
    const key = randomUUID();
    const update = operation(UpdateClientDocument, { input: { clientId: randomUUID(), lastName: 'Byron' } });
    const first = await postWithKey(t.url, update, key);
    expect((first.body.data as { updateClient: { __typename: string } }).updateClient.__typename).toBe('ClientNotFoundError');

    // when it is retried, then the same error member comes back as a replay
    const retried = await postWithKey(t.url, update, key);
    expect(retried.replayed).toBe(true);
    expect(retried.text).toBe(first.text);
  });

  it('replays a validation failure, and the key stays bound to those variables', async () => {
    const key = randomUUID();
    const invalid = createAda('');
    const first = await postWithKey(t.url, invalid, key);
    expect((first.body.data as { createClient: { __typename: string } }).createClient.__typename).toBe('ValidationError');
    expect((await postWithKey(t.url, invalid, key)).text).toBe(first.text);
    expect(codeOf(await postWithKey(t.url, createAda(), key))).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('treats variables in another key order and another document layout as the same request', async () => {
    const key = randomUUID();
    const before = await countClients(t);
    const first = await postWithKey(t.url, { query: createAda().query, variables: { input: { firstName: 'Ada', lastName: 'Lovelace' } } }, key);
    const reordered = await postWithKey(
      t.url,
      { query: createAda().query.replace(/\s+/g, ' '), variables: { input: { lastName: 'Lovelace', firstName: 'Ada' } } },
      key,
    );
    expect(reordered.replayed).toBe(true);
    expect(reordered.text).toBe(first.text);
    expect(await countClients(t)).toBe(before + 1);
  });

  it('refuses the key with other variables or another operation: IDEMPOTENCY_KEY_REUSED, 422, nothing done', async () => {
    // given a key used to create Ada
    const key = randomUUID();
    const first = await postWithKey(t.url, createAda(), key);
    const client = (first.body.data as { createClient: { client: { id: string } } }).createClient.client;
    const before = await countClients(t);

    // when it is sent with another name, or with another mutation
    const otherVariables = await postWithKey(t.url, createAda('Grace'), key);
    const otherOperation = await postWithKey(t.url, operation(UpdateClientDocument, { input: { clientId: client.id, lastName: 'Byron' } }), key);

    // then both are refused and nothing was written
    for (const answer of [otherVariables, otherOperation]) {
      expect(answer.status).toBe(422);
      expect(codeOf(answer)).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(answer.body.data).toBeUndefined();
    }
    expect(await countClients(t)).toBe(before);
    expect((await t.run(ClientDocument, { id: client.id })).client!.lastName).toBe('Lovelace');
  });

  it("keeps one caller's key apart from another's", async () => {
    // given a key staff member A used
    const key = randomUUID();
    const before = await countClients(t);
    const fromA = await postWithKey(t.url, createAda(), key);

    // when staff member B sends the same key, with the same request and then with another
    const otherStaff = await testToken({ subject: 'other-staff' });
    const fromB = await postWithKey(t.url, createAda(), key, otherStaff);

    // then B's request ran on its own: a second client, not A's answer
    expect(fromB.replayed).toBe(false);
    expect(fromB.text).not.toBe(fromA.text);
    expect(await countClients(t)).toBe(before + 2);
    expect((await postWithKey(t.url, createAda(), key, otherStaff)).text).toBe(fromB.text);
  });

  it('never replays an answer to a token of the same subject without the scope: FORBIDDEN, as without a key', async () => {
    // given an update made with a key by a staff token holding every scope
    const client = await createClient(t, { email: 'ada@example.com' });
    const key = randomUUID();
    const update = operation(UpdateClientDocument, { input: { clientId: client.id, lastName: 'Byron' } });
    const first = await postWithKey(t.url, update, key);
    expect(first.body.errors).toBeUndefined();

    // when a token of the same subject, with no scope or only clients:read, sends it again
    for (const scopes of [[], ['clients:read']] as const) {
      const weaker = await testToken({ scopes });
      const answer = await postWithKey(t.url, update, key, weaker);

      // then it is FORBIDDEN on the field, with none of the stored answer (the client's data)
      expect(answer.replayed).toBe(false);
      expect(answer.text).not.toContain('ada@example.com');
      expect(answer.body.errors).toEqual([expect.objectContaining({ path: ['updateClient'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
    }
    expect((await t.run(ClientDocument, { id: client.id })).client!.version).toBe(2);
  });

  it('replays only to the same scopes: another token of the subject that may run the mutation gets IDEMPOTENCY_KEY_REUSED, not a second run', async () => {
    // given an update made with a key by a staff token holding every scope (its answer may hold download links)
    const client = await createClient(t);
    const key = randomUUID();
    const update = operation(UpdateClientDocument, { input: { clientId: client.id, lastName: 'Byron' } });
    await postWithKey(t.url, update, key);

    // when a clients:write-only token of the same subject retries it
    const writeOnly = await testToken({ scopes: ['clients:write'] });
    const answer = await postWithKey(t.url, update, key, writeOnly);

    // then the key is refused as reused, and the update did not run again
    expect(answer.replayed).toBe(false);
    expect(codeOf(answer)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await t.run(ClientDocument, { id: client.id })).client!.version).toBe(2);
  });

  it("scopes a self-service customer's key to their client", async () => {
    // given a customer who updated their own client with a key
    const client = await createClient(t);
    const key = randomUUID();
    const update = operation(UpdateClientDocument, { input: { clientId: client.id, lastName: 'Byron' } });
    const own = await selfToken(client.id);
    const first = await postWithKey(t.url, update, key, own);

    // when the customer retries, and staff send the same key with another change
    const retried = await postWithKey(t.url, update, key, own);
    const byStaff = await postWithKey(t.url, operation(UpdateClientDocument, { input: { clientId: client.id, lastName: 'Somerville' } }), key);

    // then the retry is a replay; the staff request is not a reuse of the customer's key but a change of its own
    expect(retried.replayed).toBe(true);
    expect(retried.text).toBe(first.text);
    expect(byStaff.status).toBe(200);
    expect((byStaff.body.data as { updateClient: { client: { version: number } } }).updateClient.client.version).toBe(3);
  });

  it('forgets a key after 24 hours and purges it', async () => {
    // given a key used once
    const key = randomUUID();
    const first = await postWithKey(t.url, createAda(), key);
    const stored = () => t.app.database.prisma.idempotencyKey.count({ where: { key } });
    expect(await stored()).toBe(1);

    // when just under 24 hours have passed, it still answers
    t.clock.advance(DAY_MS - 1_000);
    expect((await postWithKey(t.url, createAda(), key)).text).toBe(first.text);

    // when 24 hours have passed, another keyed mutation purges it, and the key runs anew, even with other variables
    t.clock.advance(2_000);
    await postWithKey(t.url, createAda(), randomUUID());
    expect(await stored()).toBe(0);
    const before = await countClients(t);
    const again = await postWithKey(t.url, createAda('Grace'), key);
    expect(again.replayed).toBe(false);
    expect((again.body.data as { createClient: { __typename: string } }).createClient.__typename).toBe('ClientPayload');
    expect(await countClients(t)).toBe(before + 1);
  });

  it('is ignored by queries, whatever the key', async () => {
    const query = operation(ClientsDocument, { first: 1 });
    for (const key of [randomUUID(), 'x'.repeat(300), '']) {
      const answer = await postWithKey(t.url, query, key);
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.replayed).toBe(false);
    }
    expect(await t.app.database.prisma.idempotencyKey.count({ where: { key: 'x'.repeat(300) } })).toBe(0);
  });

  it('costs no statement when no key is sent', async () => {
    const statements: string[] = [];
    const stop = t.app.database.onStatement((sql) => statements.push(sql));
    try {
      await postWithKey(t.url, createAda(), undefined);
    } finally {
      stop();
    }
    expect(statements.filter((sql) => sql.includes('idempotency_keys'))).toEqual([]);
  });
});
