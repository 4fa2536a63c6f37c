import { GraphQLObjectType, GraphQLResolveInfo, Kind, OperationDefinitionNode, isObjectType, parse } from 'graphql';
import { Field, ObjectType, UseMiddleware, getMetadataStorage } from 'type-graphql';
import { loadConfig } from '../../src/config';
import { openDatabase } from '../../src/db/database';
import { createLoaders } from '../../src/graphql/loaders';
import { selectedFieldNames } from '../../src/graphql/lookahead';
import { onboardingSchema } from '../../src/graphql/schema';
import { pgliteImage } from '../support/pglite-images';
import { addPrimaryAddress, addSsn, createClient } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

/**
 * What keeps the read path cheap (README, "Performance"): each of these was measured in a CPU
 * profile of a page read, and each would come back silently without a test.
 */
const PRODUCTION_MINIMUM = {
  PUBLIC_URL: 'https://onboarding.example.com',
  AUTH_JWT_SECRET: 'q8Zp3LxV7mN2rT6wY1cK9sB4dF0gH5jA',
  DATA_ENCRYPTION_KEY: Buffer.from('0123456789abcdefghijklmnopqrstuv').toString('base64'),
  CONTACT_DELIVERY: 'log',
  CONTACT_DELIVERY_LOG_IN_PRODUCTION: 'true',
};

// A type with a guarded plain field, declared before the schema is first built (by startTestApp).
@ObjectType()
class GuardedForTest {
  @Field(() => String)
  plain: string;

  @Field(() => String)
  @UseMiddleware(async (_data, next) => next())
  guarded: string;
}

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

  it('reads a forged but well-formed cursor as the position it names, and counts once for 15 aliases', async () => {
    // given the first page and the cursor of its second client
    type Page = { clients: { edges: Array<{ cursor: string; node: { id: string; createdAt: string } }> } };
    const first = (await t.post<Page>({ query: '{ clients(first: 3) { edges { cursor node { id createdAt } } } }' })).data!.clients.edges;
    const [at, id] = JSON.parse(Buffer.from(first[1].cursor, 'base64url').toString()) as [string, string];
    // when a caller writes the same position with another time zone offset and an upper-case id
    const shifted = new Date(Date.parse(at) + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    const forged = Buffer.from(JSON.stringify([shifted, id.toUpperCase()])).toString('base64url');
    const read = async (after: string) =>
      (await t.post<Page>({ query: 'query($after: String) { clients(first: 5, after: $after) { edges { node { id } } } }', variables: { after } })).data!.clients.edges.map((edge) => edge.node.id);
    // then it pages exactly as the real cursor does
    expect(await read(forged)).toEqual(await read(first[1].cursor));

    // when totalCount is selected under 15 aliases (the alias limit)
    const aliases = Array.from({ length: 15 }, (_, i) => `c${i}: totalCount`).join(' ');
    let body: { data?: { clients: Record<string, number> } } = {};
    const statements = await statementsOf(async () => {
      body = await t.post({ query: `{ clients(first: 1) { ${aliases} } }` });
    });
    // then every alias has the count, from one statement
    expect(new Set(Object.values(body.data!.clients)).size).toBe(1);
    expect(counts(statements)).toHaveLength(1);
  });

  it('does the same for the review queue', async () => {
    const without = await statementsOf(() => t.post({ query: '{ documentsAwaitingReview(first: 2) { edges { node { id } } } }' }));
    expect(counts(without)).toEqual([]);
    const withCount = await statementsOf(() => t.post({ query: '{ documentsAwaitingReview(first: 2) { totalCount } }' }));
    expect(counts(withCount)).toHaveLength(1);
  });

  it('loads a page\'s lists ahead, in one statement a kind, whatever the fragments and aliases', async () => {
    // given clients with an address and an SSN
    for (let i = 0; i < 2; i++) {
      const { id } = await createClient(t, { firstName: `Ahead${i}` });
      await addPrimaryAddress(t, id);
      await addSsn(t, id);
    }
    type Listed = { id: string; addresses: Array<{ id: string; city: string }>; ids: Array<{ id: string; last4: string }> };
    const query = `query { clients(first: 50) { edges { ...Edge } } }
      fragment Edge on ClientEdge { node { id ... on Client { addresses { id city } } ...Lists } }
      fragment Lists on Client { ids: identifiers { id last4 } }`;
    // when the page is read through named fragments, an inline fragment and an alias
    let page: Listed[] = [];
    const statements = await statementsOf(async () => {
      page = (await t.post<{ clients: { edges: Array<{ node: Listed }> } }>({ query })).data!.clients.edges.map((edge) => edge.node);
    });
    // then it takes three statements (the page, its addresses, its identifiers)
    expect(statements).toHaveLength(3);
    // and every client's lists are the ones its own query answers
    expect(page.filter((client) => client.addresses.length > 0).length).toBeGreaterThanOrEqual(2);
    for (const client of page.slice(-4)) {
      const own = await t.post<{ client: Listed }>({ query: 'query($id: ID!) { client(id: $id) { id addresses { id city } ids: identifiers { id last4 } } }', variables: { id: client.id } });
      expect(own.data!.client).toEqual(client);
    }
    // and a page without list fields reads no list
    expect(await statementsOf(() => t.post({ query: '{ clients(first: 50) { edges { node { id firstName } } } }' }))).toHaveLength(1);
  });

  it('answers a loaded-ahead list without a promise, and forgets it with the client', async () => {
    const { id } = await createClient(t, { firstName: 'Ready' });
    await addPrimaryAddress(t, id);
    const loaders = createLoaders(t.app.database.sql);
    expect(loaders.listOf('addresses', id)).toBeInstanceOf(Promise);
    await loaders.prefetch(['addresses', 'history'], [id]);
    const addresses = loaders.listOf('addresses', id);
    expect(Array.isArray(addresses) && addresses.length).toBe(1);
    expect(Array.isArray(loaders.listOf('history', id))).toBe(true);
    // a mutation's answer forgets the client's lists: they are read again
    loaders.forgetClient(id);
    expect(loaders.listOf('addresses', id)).toBeInstanceOf(Promise);
  });

  it('finds the selected fields through fragments, inline fragments and aliases', () => {
    const document = parse(`query { clients { edges { ...E ... on ClientEdge { node { a: addresses { id } } } } } }
      fragment E on ClientEdge { node { ...N history { id } } }
      fragment N on Client { identifiers { id } ...N2 }
      fragment N2 on Client { id @skip(if: true) }`);
    const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)!;
    const fragments = Object.fromEntries(document.definitions.flatMap((definition) => (definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition]] : [])));
    const clientsField = operation.selectionSet.selections[0];
    const info = { fieldNodes: [clientsField], fragments } as unknown as GraphQLResolveInfo;
    expect([...selectedFieldNames(info, ['edges', 'node'])].sort()).toEqual(['addresses', 'history', 'id', 'identifiers']);
    expect([...selectedFieldNames(info, ['pageInfo'])]).toEqual([]);
  });

  it('leaves the resolvers unwrapped: no plugin hooks into every field', async () => {
    // given a query and a mutation answered (a plugin with willResolveField wraps on first use)
    await t.post({ query: '{ clients(first: 1) { edges { node { id addresses { id } } } } }' });
    await createClient(t, { firstName: 'Unwrapped' });

    // then Apollo never instrumented the schema's resolvers
    const marks = Object.getOwnPropertySymbols(onboardingSchema()).map((symbol) => symbol.description);
    expect(marks).not.toContain('apolloServerPluginsEnabled');
  });

  it('lets graphql-js read plain fields, and keeps type-graphql\'s resolver where a field has middleware', () => {
    const schema = onboardingSchema();
    const withResolver = (typeName: string) =>
      Object.values((schema.getType(typeName) as GraphQLObjectType).getFields())
        .filter((field) => field.resolve !== undefined)
        .map((field) => field.name);
    // plain fields have no resolver of their own; field resolvers and handlers keep theirs
    expect(withResolver('Address')).toEqual([]);
    expect(withResolver('Client')).toEqual(expect.arrayContaining(['addresses', 'identifiers', 'documents', 'history', 'missingRequirements']));
    expect(withResolver('Client')).not.toContain('firstName');
    expect(withResolver('Query')).toEqual(expect.arrayContaining(['client', 'clients']));
    const plainTypes = Object.values(schema.getTypeMap()).filter((type) => isObjectType(type) && !type.name.startsWith('__'));
    expect(plainTypes.length).toBeGreaterThan(10);
    // a field with a middleware is never marked simple (its middleware would be skipped)
    const fields = getMetadataStorage().fields.filter((field) => field.target === GuardedForTest);
    expect(Object.fromEntries(fields.map((field) => [field.name, field.simple]))).toEqual({ plain: true, guarded: undefined });
  });

  it('builds no per-statement query events in the server: onStatement is for tests and the bench', async () => {
    // the server's own configuration does not ask for them
    expect(loadConfig({ NODE_ENV: 'production', ...PRODUCTION_MINIMUM }).database.observeStatements).toBeUndefined();
    // and a database opened without them refuses a listener rather than counting nothing
    const database = await openDatabase({ kind: 'pglite', dataDir: null, image: pgliteImage('migrated') });
    try {
      expect(() => database.onStatement(() => undefined)).toThrow(/observeStatements/);
    } finally {
      await database.close();
    }
  });
});
