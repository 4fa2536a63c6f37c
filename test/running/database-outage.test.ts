import { print } from 'graphql';
import { ClientDocument, CreateClientDocument } from '../generated/graphql';
import { createClient } from '../support/fixtures';
import { PrivatePostgres, postgresBinaries, startPrivatePostgres } from '../support/private-postgres';
import { TestApp, startTestApp, testToken } from '../support/test-app';

/**
 * A PostgreSQL outage, on a server of the test's own that it stops and starts: requests fail fast
 * with SERVICE_UNAVAILABLE (HTTP 503) and nothing internal, readiness says so, and the server
 * recovers by itself once the database is back.
 */
const withPostgres = postgresBinaries() ? describe : describe.skip;

withPostgres('a database outage', () => {
  let postgres: PrivatePostgres;
  let t: TestApp;
  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    t = await startTestApp({ database: { config: { kind: 'postgres', url: postgres.url, poolSize: 4 }, drop: async () => undefined } });
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
    postgres?.destroy();
  }, 60_000);

  const readiness = async () => {
    const response = await fetch(`${t.url}/health/ready`);
    return { status: response.status, body: (await response.json()) as { status: string; checks: Array<{ name: string; status: string; detail?: string }> } };
  };

  /** A createClient sent with an Idempotency-Key, as a retrying mobile app sends it. */
  const keyedCreate = async (key: string) => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await testToken()}`, 'idempotency-key': key },
      body: JSON.stringify({ query: print(CreateClientDocument), variables: { input: { firstName: 'Kei', lastName: 'Retry' } } }),
    });
    return { status: response.status, replayed: response.headers.get('idempotent-replayed'), body: (await response.json()) as Record<string, unknown> };
  };

  it('fails requests within 5 s as SERVICE_UNAVAILABLE, is not ready, and recovers when the database returns', async () => {
    // given a server that serves, on a database that answers
    const client = await createClient(t);
    expect((await readiness()).status).toBe(200);

    // when the database stops, as in a crash
    postgres.stopImmediately();

    // then a query and a mutation each fail within 5 s, with 503 and one SERVICE_UNAVAILABLE error, nothing internal
    for (const body of [
      { query: print(ClientDocument), variables: { id: client.id } },
      { query: print(CreateClientDocument), variables: { input: { firstName: 'Ada', lastName: 'Lovelace' } } },
      { query: print(ClientDocument), variables: { id: client.id } },
    ]) {
      const started = Date.now();
      const response = await t.post(body);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(response.status).toBe(503);
      expect(response.errors).toEqual([expect.objectContaining({ message: 'The service is temporarily unavailable. Try again shortly.', extensions: { code: 'SERVICE_UNAVAILABLE' } })]);
      expect(JSON.stringify(response)).not.toMatch(/stacktrace|prisma|ECONNREFUSED|127\.0\.0\.1|terminated|reach|\.ts:|node_modules/i);
    }
    // and a keyed mutation fails the same way, and that failure is not kept for the key
    const keyed = await keyedCreate('outage-retry-1');
    expect(keyed.status).toBe(503);

    // and readiness is 503, naming the database, within the probe's timeout
    const started = Date.now();
    const down = await readiness();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(down.status).toBe(503);
    expect(down.body.checks).toContainEqual(expect.objectContaining({ name: 'database', status: 'failing' }));
    expect(JSON.stringify(down.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|prisma/i);

    // when the database starts again
    postgres.start();

    // then the server is ready and serves again, without a restart
    const deadline = Date.now() + 30_000;
    while ((await readiness()).status !== 200 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await readiness()).body.status).toBe('ready');
    const after = await t.run(ClientDocument, { id: client.id });
    expect(after.client?.id).toBe(client.id);
    const created = await t.post({ query: print(CreateClientDocument), variables: { input: { firstName: 'Ada', lastName: 'Lovelace' } } });
    expect(created).toMatchObject({ status: 200, data: { createClient: { __typename: 'ClientPayload' } } });

    // and the app's retry with the same key runs now (the outage answer was not stored), once
    const retried = await keyedCreate('outage-retry-1');
    expect(retried).toMatchObject({ status: 200, replayed: null, body: { data: { createClient: { __typename: 'ClientPayload' } } } });
    const again = await keyedCreate('outage-retry-1');
    expect(again).toMatchObject({ status: 200, replayed: 'true', body: retried.body });
  }, 120_000);
});
