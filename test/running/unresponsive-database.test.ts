import { print } from 'graphql';
import { ClientDocument, CreateClientDocument } from '../generated/graphql';
import { createClient } from '../support/fixtures';
import { FreezableProxy, startFreezableProxy } from '../support/freezable-proxy';
import { PrivatePostgres, postgresBinaries, startPrivatePostgres } from '../support/private-postgres';
import { TestApp, startTestApp } from '../support/test-app';

/**
 * A database that stops answering without closing anything (a frozen host, packets dropped): the
 * statement timeout cannot fire, since PostgreSQL is not running it. Requests on pooled connections
 * must still fail within the statement timeout and a moment, as SERVICE_UNAVAILABLE, rather than
 * hang until the database comes back; and the server serves again once it does.
 */
const withPostgres = postgresBinaries() ? describe : describe.skip;

const STATEMENT_MS = 1500;

withPostgres('a database that stops answering', () => {
  let postgres: PrivatePostgres;
  let proxy: FreezableProxy;
  let t: TestApp;
  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    const target = new URL(postgres.url);
    proxy = await startFreezableProxy({ host: target.hostname, port: Number(target.port) });
    const url = new URL(postgres.url);
    url.port = String(proxy.port);
    t = await startTestApp({
      database: {
        config: { kind: 'postgres', url: url.toString(), poolSize: 4, timeouts: { connectMs: 1000, statementMs: STATEMENT_MS, lockMs: 1000 } },
        drop: async () => undefined,
      },
    });
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
    await proxy?.close();
    postgres?.destroy();
  }, 60_000);

  it('fails reads and changes on pooled connections as SERVICE_UNAVAILABLE within the statement timeout and a second, then recovers', async () => {
    // given a server whose pooled connections have all been used
    const client = await createClient(t);
    await Promise.all(Array.from({ length: 4 }, () => t.post({ query: print(ClientDocument), variables: { id: client.id } })));

    // when the database stops answering
    proxy.freeze();
    try {
      // then a query, a change (a transaction) and one sent meanwhile each fail fast, with 503
      const started = Date.now();
      const answers = await Promise.all([
        t.post({ query: print(ClientDocument), variables: { id: client.id } }),
        t.post({ query: print(CreateClientDocument), variables: { input: { firstName: 'Ada', lastName: 'Frozen' } } }),
        new Promise((resolve) => setTimeout(resolve, 300)).then(() => t.post({ query: print(ClientDocument), variables: { id: client.id } })),
      ]);
      expect(Date.now() - started).toBeLessThan(STATEMENT_MS + 1000 + 2500);
      for (const answer of answers) {
        expect(answer.status).toBe(503);
        expect(answer.errors).toEqual([expect.objectContaining({ extensions: { code: 'SERVICE_UNAVAILABLE' } })]);
      }
    } finally {
      proxy.thaw();
    }

    // when it answers again, the server serves (the connections given up on were closed, not reused)
    const deadline = Date.now() + 20_000;
    let read = await t.post<{ client: { id: string } | null }>({ query: print(ClientDocument), variables: { id: client.id } });
    while (read.status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      read = await t.post({ query: print(ClientDocument), variables: { id: client.id } });
    }
    expect(read.data?.client?.id).toBe(client.id);
    expect((await createClient(t, { firstName: 'After' })).id).toEqual(expect.any(String));
  }, 60_000);
});
