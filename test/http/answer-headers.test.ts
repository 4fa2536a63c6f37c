import { TestApp, startTestApp, testToken } from '../support/test-app';

/** GraphQL answers hold personal data: nothing may keep them, and no body is hashed for an ETag. */
describe('GraphQL answer headers', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    token = await testToken({ scopes: ['clients:read'] });
  });
  afterAll(() => t.stop());

  const query = '{ clients(first: 1) { totalCount } }';

  it.each([
    ['a POST', () => fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) }), 200],
    ['a GET query', () => fetch(`${t.url}/graphql?query=${encodeURIComponent(query)}`, { headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' } }), 200],
    ['a request without a token', () => fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) }), 401],
  ])('%s is answered with Cache-Control: no-store and no ETag', async (_what, send, status) => {
    const response = await send();
    await response.arrayBuffer();
    expect({ status: response.status, cacheControl: response.headers.get('cache-control'), etag: response.headers.get('etag') }).toEqual({ status, cacheControl: 'no-store', etag: null });
  });

  it('a repeated GET with If-None-Match is answered in full (200), never 304', async () => {
    const url = `${t.url}/graphql?query=${encodeURIComponent(query)}`;
    const headers = { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' };
    const first = await fetch(url, { headers });
    const body = await first.text();
    const again = await fetch(url, { headers: { ...headers, 'if-none-match': '*' } });
    expect({ status: again.status, body: await again.text() }).toEqual({ status: 200, body });
  });
});
