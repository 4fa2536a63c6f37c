import { TestApp, startTestApp, testToken } from '../support/test-app';

/** What must never reach a caller: driver or ORM names, SQL, stack frames, source paths. */
function expectNothingInternal(text: string) {
  expect(text).not.toMatch(/prisma/i);
  expect(text).not.toMatch(/SELECT|INSERT INTO|UPDATE "|DELETE FROM/i);
  expect(text).not.toMatch(/\bat \S+ \(|^\s*at /m);
  expect(text).not.toMatch(/\\n\s*at /);
  expect(text).not.toMatch(/node_modules|\/work\/|\/src\/|\/dist\/|\.ts:\d+|\.js:\d+/);
  expect(text).not.toMatch(/stacktrace/i);
}

describe('malformed operations and hostile HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.stop());

  /** Posts raw bytes to /graphql; returns status, body text and, when it is JSON, the parsed body. */
  async function send(body: string | Buffer, contentType = 'application/json') {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${await testToken()}` },
      body,
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    let json: { errors?: Array<{ message: string; extensions?: { code?: string } }>; data?: unknown } | undefined;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, text, json, contentType: response.headers.get('content-type') ?? '' };
  }

  it('answers a body that is not JSON with 400 and a JSON error', async () => {
    // when the body is broken JSON
    const response = await send('{"query": "{ clients { totalCount } }", ');

    // then 400, as JSON, with a plain message
    expect(response.status).toBe(400);
    expect(response.contentType).toMatch(/application\/json/);
    expect(response.json?.errors?.[0]).toMatchObject({ message: expect.any(String), extensions: { code: 'BAD_REQUEST' } });
    expectNothingInternal(response.text);
  });

  it('answers a body over the size limit with 413', async () => {
    // given a body just over the default limit (16 MiB: a 10 MiB document, base64-encoded, must fit)
    const limit = t.app.config.bodyLimitBytes;
    expect(limit).toBe(16 * 1024 * 1024);
    const padding = 'A'.repeat(limit + 1024);
    const body = `{"query":"mutation { __typename }","variables":{"padding":"${padding}"}}`;

    // when it is sent
    const response = await send(body);

    // then 413, as JSON, and the server is still fine
    expect(response.status).toBe(413);
    expect(response.json?.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expectNothingInternal(response.text);
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
  });

  it('answers a query with a syntax error with GRAPHQL_PARSE_FAILED', async () => {
    const response = await send(JSON.stringify({ query: 'query { clients(first: 5) { totalCount ' }));

    expect(response.status).toBe(400);
    expect(response.json?.errors?.[0]).toMatchObject({ message: expect.stringMatching(/Syntax Error/), extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    expect(response.json?.data).toBeUndefined();
    expectNothingInternal(response.text);
  });

  it('answers a query for fields that do not exist with GRAPHQL_VALIDATION_FAILED', async () => {
    const response = await send(JSON.stringify({ query: '{ clients { edges { node { passwordHash } } } }' }));

    expect(response.status).toBe(400);
    expect(response.json?.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expectNothingInternal(response.text);
  });

  it.each([
    ['a number for a String', 'mutation($input: CreateClientInput!) { createClient(input: $input) { __typename } }', { input: { firstName: 123, lastName: 'X' } }],
    ['a missing required field', 'mutation($input: CreateClientInput!) { createClient(input: $input) { __typename } }', { input: { firstName: 'Only' } }],
    ['an unknown enum value', 'mutation($input: AddAddressInput!) { addAddress(input: $input) { __typename } }', {
      input: { clientId: '00000000-0000-4000-8000-000000000000', type: 'CASTLE', isPrimary: true, line1: 'x', city: 'y', postalCode: '1', countryCode: 'US' },
    }],
    ['an object for an ID', 'query($id: ID!) { client(id: $id) { id } }', { id: { $ne: null } }],
    ['a string for an Int', 'query($first: Int) { clients(first: $first) { totalCount } }', { first: '1; DROP TABLE clients' }],
    ['a date that is not a date', 'mutation($input: CreateClientInput!) { createClient(input: $input) { __typename } }', {
      input: { firstName: 'A', lastName: 'B', dateOfBirth: { year: 1990 } },
    }],
  ])('answers %s in variables with BAD_USER_INPUT', async (_what, query, variables) => {
    const response = await send(JSON.stringify({ query, variables }));

    expect(response.status).toBe(400);
    expect(response.json?.errors?.map((error) => error.extensions?.code)).toEqual(expect.arrayContaining(['BAD_USER_INPUT']));
    expect(response.json?.data).toBeUndefined();
    expectNothingInternal(response.text);
  });

  it.each([
    ['no query at all', JSON.stringify({ variables: {} }), 'application/json'],
    ['a JSON array', '[1, 2, 3]', 'application/json'],
    ['a JSON string', '"{ clients { totalCount } }"', 'application/json'],
    ['a query that is not a string', JSON.stringify({ query: { clients: true } }), 'application/json'],
  ])('answers %s with a 400 JSON error', async (_what, body, contentType) => {
    const response = await send(body, contentType);

    expect(response.status).toBe(400);
    expect(response.contentType).toMatch(/application\/json/);
    expect(response.json?.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expectNothingInternal(response.text);
  });

  it('refuses a form post that could come from another site (CSRF) without running it', async () => {
    // given a client count before
    const count = async () => t.app.database.prisma.client.count();
    const before = await count();

    // when a simple cross-site form posts a mutation
    const response = await send('query=mutation { createClient(input: {firstName: "Csrf", lastName: "Victim"}) { __typename } }', 'text/plain');

    // then it is refused and nothing was created
    expect(response.status).toBe(400);
    expect(response.json?.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expectNothingInternal(response.text);
    expect(await count()).toBe(before);
  });

  it('answers /health and /ready with 200', async () => {
    const health = await fetch(`${t.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const ready = await fetch(`${t.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });
});
