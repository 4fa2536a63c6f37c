import { randomUUID } from 'node:crypto';
import { ClientsDocument, CreateClientDocument } from '../generated/graphql';
import { operation, postWithKey } from '../support/idempotency-helpers';
import { serversOnOneDatabase } from '../support/server-process';
import { onPostgres } from '../support/test-database';

// Two `node dist/main.js` processes on one PostgreSQL database (PGlite cannot be shared by two
// processes): the key's row, claimed in the transaction of the effects, is what makes them take turns.
(onPostgres ? describe : describe.skip)('one Idempotency-Key sent to two server processes at once (PostgreSQL only)', () => {
  const cluster = serversOnOneDatabase(2);

  it('creates exactly one client from 50 simultaneous requests, and every answer is that client', async () => {
    // given one createClient request and one key
    const [a, b] = cluster.servers;
    const key = randomUUID();
    const createAda = operation(CreateClientDocument, { input: { firstName: 'Ada', lastName: `Lovelace-${key.slice(0, 8)}` } });

    // when it is sent 50 times at once, half to each process
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => postWithKey((i % 2 === 0 ? a : b).url, createAda, key)));

    // then one client exists, and each answer is that client's creation (or, past the wait, in use: never a second client)
    const clients = await a.run(ClientsDocument, { first: 10 });
    expect(clients.clients.totalCount).toBe(1);
    const created = clients.clients.edges;
    const succeeded = answers.filter((answer) => answer.status === 200);
    expect(succeeded.length).toBeGreaterThan(0);
    expect(new Set(succeeded.map((answer) => answer.text)).size).toBe(1);
    expect(succeeded[0].body.data).toMatchObject({ createClient: { __typename: 'ClientPayload', client: { id: created[0].node.id } } });
    expect(succeeded.filter((answer) => !answer.replayed)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status !== 200).map((answer) => answer.body.errors?.[0]?.extensions?.code)).toEqual(
      Array(50 - succeeded.length).fill('IDEMPOTENCY_KEY_IN_USE'),
    );
  }, 60_000);
});
