import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { NoUnusedFragmentsRule, Source, parse, specifiedRules, validate } from 'graphql';
import { loadConfig } from '../../src/config';
import { onboardingSchema } from '../../src/graphql/schema';
import { DEFAULT_QUERY_LIMITS, queryLimitProtection } from '../../src/graphql/limits';
import { pngBase64 } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

const root = path.join(__dirname, '..', '..');

describe('the operations apps send fit the default limits', () => {
  const { validationRules } = queryLimitProtection(DEFAULT_QUERY_LIMITS, true);
  const documentsIn = (dir: string) =>
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.graphql'))
      .map((entry) => path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name));

  // Each file's fragments come from the shared fragments file, as codegen sees them.
  const fragments = readFileSync(path.join(root, 'test', 'operations', 'fragments.graphql'), 'utf8');
  const readmeOperations = [...readFileSync(path.join(root, 'README.md'), 'utf8').matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]);

  it.each([
    ...documentsIn(path.join(root, 'test', 'operations')).filter((file) => !file.endsWith('fragments.graphql')).map((file) => [path.relative(root, file), `${readFileSync(file, 'utf8')}\n${fragments}`]),
    ...readmeOperations.map((text, index) => [`README operation ${index + 1}`, text]),
  ])('%s', (_name, text) => {
    const document = parse(new Source(text), { maxTokens: DEFAULT_QUERY_LIMITS.maxTokens });
    // (the shared fragments file is appended whole, so unused fragments are expected)
    const rules = [...specifiedRules.filter((rule) => rule !== NoUnusedFragmentsRule), ...validationRules];
    expect(validate(onboardingSchema(), document, rules).map((error) => error.message)).toEqual([]);
  });

  it('found operations to check', () => {
    expect(readmeOperations.length).toBeGreaterThan(5);
  });
});

describe('GraphQL limits, before execution', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
  async function refused(query: string, pattern: RegExp) {
    const response = await t.post({ query });
    expect(response.status).toBe(400);
    expect(response.data).toBeUndefined();
    expect(response.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(pattern), extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }) })]);
  }

  it('allows 15 aliases and refuses 16', async () => {
    expect((await t.post({ query: aliases(15) })).status).toBe(200);
    await refused(aliases(16), /Aliases limit of 15 exceeded/);
  });

  it('answers the standard introspection query, which is deeper than the depth limit', async () => {
    const { getIntrospectionQuery } = await import('graphql');
    expect((await t.post({ query: getIntrospectionQuery() })).status).toBe(200);
  });

  it('refuses a subscription (this API has none) as a malformed operation, not a server failure', async () => {
    await refused('subscription { me { id } }', /This API has no subscription operations/);
    await refused('subscription Watch { clients { totalCount } }', /This API has no subscription operations/);
  });

  it('refuses 51 directives', async () => {
    expect((await t.post({ query: `{ me { ${'id @include(if: true) '.repeat(50)} } }` })).status).toBe(200);
    await refused(`{ me { ${'id @include(if: true) '.repeat(51)} } }`, /Directives limit of 50 exceeded/);
  });

  it('stops a 150,000-alias document while parsing it, quickly, and other requests are answered meanwhile', async () => {
    const bomb = aliases(150_000);
    const started = Date.now();
    const [bombed, ordinary] = await Promise.all([t.post({ query: bomb }), t.post<{ me: null }>({ query: '{ me { id } }' })]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(bombed.status).toBe(413); // 150,000 aliases are over 1 MiB: refused before parsing
    expect(ordinary).toMatchObject({ status: 200, data: { me: null } });

    // under 1 MiB, the token limit stops it in the parser
    const small = aliases(30_000);
    const response = await t.post({ query: small });
    expect(response.status).toBe(400);
    expect(response.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/more that 3000 tokens/), extensions: expect.objectContaining({ code: 'GRAPHQL_PARSE_FAILED' }) })]);
  });

  it('keeps the large body limit for addDocument only', async () => {
    const padding = 'x'.repeat(1_200_000);
    const big = await t.post({ query: 'mutation M($v: CreateClientInput!) { createClient(input: $v) { __typename } }', variables: { v: { firstName: 'A', lastName: 'B', externalId: padding } } });
    expect(big.status).toBe(413);
    const client = (await t.post<{ createClient: { client: { id: string } } }>({ query: 'mutation { createClient(input: { firstName: "A", lastName: "B" }) { ... on ClientPayload { client { id } } } }' })).data!.createClient.client;
    const bytes = Buffer.concat([Buffer.from(pngBase64, 'base64'), Buffer.alloc(1_500_000)]).toString('base64');
    const upload = await t.post<{ addDocument: { __typename: string } }>({
      query: 'mutation M($v: AddDocumentInput!) { addDocument(input: $v) { __typename } }',
      variables: { v: { clientId: client.id, type: 'OTHER', fileName: 'big.png', contentType: 'image/png', contentBase64: bytes } },
    });
    expect(upload).toMatchObject({ status: 200, data: { addDocument: { __typename: 'AddDocumentSuccess' } } });
  });
});

describe('configured limits (GRAPHQL_MAX_COST, GRAPHQL_MAX_DEPTH)', () => {
  let t: TestApp;
  beforeAll(async () => {
    const { queryLimits } = loadConfig({ GRAPHQL_MAX_COST: '100', GRAPHQL_MAX_DEPTH: '4' });
    t = await startTestApp({ config: { queryLimits } });
  });
  afterAll(() => t.stop());

  it('refuses an operation deeper than GRAPHQL_MAX_DEPTH, fragments included', async () => {
    expect((await t.post({ query: '{ clients { edges { node { id } } } }' })).status).toBe(200);
    const response = await t.post({ query: '{ clients { edges { node { ...F } } } } fragment F on Client { documents { id } }' });
    expect(response.status).toBe(400);
    expect(response.errors?.[0].message).toMatch(/Query depth limit of 4 exceeded/);
  });

  it('refuses an operation over GRAPHQL_MAX_COST', async () => {
    const response = await t.post({ query: '{ clients(first: 100) { edges { node { id addresses { id line1 city } identifiers { id last4 } documents { id sha256 } history { id type } } } } }' });
    expect(response.status).toBe(400);
    expect(response.errors?.[0].message).toMatch(/Query Cost limit of 100 exceeded/);
  });
});
