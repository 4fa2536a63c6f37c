import { onboardingSchema } from '../../src/graphql/schema';
import { createClient } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

/**
 * What keeps the read path cheap (README, "Performance"): each of these was measured in a CPU
 * profile of a page read, and each would come back silently without a test.
 */
describe('the hot path stays lean', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    for (let i = 0; i < 3; i++) await createClient(t, { firstName: `Lean${i}` });
  });
  afterAll(() => t?.stop());

  async function statementsOf(read: () => Promise<unknown>) {
    const statements: string[] = [];
    const stopListening = t.app.database.onStatement((sql) => statements.push(sql));
    try {
      await read();
      return statements;
    } finally {
      stopListening();
    }
  }
  const counts = (statements: string[]) => statements.filter((sql) => /\bcount\s*\(/i.test(sql));

  it('counts the clients only when totalCount is asked for, and once however often it is', async () => {
    // when a page is read without totalCount
    const without = await statementsOf(() => t.post({ query: '{ clients(first: 2) { edges { node { id } } pageInfo { hasNextPage } } }' }));
    // then no statement counts rows
    expect(without.length).toBeGreaterThan(0);
    expect(counts(without)).toEqual([]);

    // when totalCount is selected twice (an alias) on the same connection
    let body: unknown;
    const twice = await statementsOf(async () => {
      body = await t.post({ query: '{ clients(first: 2) { totalCount again: totalCount edges { node { id } } } }' });
    });
    // then both answer the count from a single statement
    const { data } = body as { data: { clients: { totalCount: number; again: number } } };
    expect(data.clients.totalCount).toBeGreaterThanOrEqual(3);
    expect(data.clients.again).toBe(data.clients.totalCount);
    expect(counts(twice)).toHaveLength(1);
  });

  it('does the same for the review queue', async () => {
    const without = await statementsOf(() => t.post({ query: '{ documentsAwaitingReview(first: 2) { edges { node { id } } } }' }));
    expect(counts(without)).toEqual([]);
    const withCount = await statementsOf(() => t.post({ query: '{ documentsAwaitingReview(first: 2) { totalCount } }' }));
    expect(counts(withCount)).toHaveLength(1);
  });

  it('leaves the resolvers unwrapped: no plugin hooks into every field', async () => {
    // given a query and a mutation answered (a plugin with willResolveField wraps on first use)
    await t.post({ query: '{ clients(first: 1) { edges { node { id addresses { id } } } } }' });
    await createClient(t, { firstName: 'Unwrapped' });

    // then Apollo never instrumented the schema's resolvers
    const marks = Object.getOwnPropertySymbols(onboardingSchema()).map((symbol) => symbol.description);
    expect(marks).not.toContain('apolloServerPluginsEnabled');
  });
});
