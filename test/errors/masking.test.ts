import { print } from 'graphql';
import { ClientDocument, CreateClientDocument } from '../generated/graphql';
import { createClient } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

describe('failures of the server itself', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('are masked: a database failure reaches the client as INTERNAL_SERVER_ERROR with no SQL, driver message or stack', async () => {
    // given a database that fails every query on clients
    const client = await createClient(t);
    await t.app.database.prisma.$executeRawUnsafe('ALTER TABLE clients RENAME TO clients_elsewhere');
    try {
      // when a query and a mutation run
      const query = await t.post({ query: print(ClientDocument), variables: { id: client.id } });
      const mutation = await t.post({ query: print(CreateClientDocument), variables: { input: { firstName: 'A', lastName: 'B' } } });

      // then each answers one masked error and nothing internal
      for (const response of [query, mutation]) {
        expect(response.errors).toEqual([expect.objectContaining({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } })]);
        const text = JSON.stringify(response);
        expect(text).not.toMatch(/clients|relation|prisma|SELECT|INSERT|stacktrace|\.ts:|node_modules/i);
      }
    } finally {
      await t.app.database.prisma.$executeRawUnsafe('ALTER TABLE clients_elsewhere RENAME TO clients');
    }
    // and the server carries on once the database is back
    const after = await t.run(ClientDocument, { id: client.id });
    expect(after.client?.id).toBe(client.id);
  });
});
