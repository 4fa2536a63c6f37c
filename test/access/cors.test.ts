import { TestApp, startTestApp } from '../support/test-app';

async function preflight(t: TestApp, origin: string) {
  const response = await fetch(`${t.url}/graphql`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });
  return { status: response.status, allowOrigin: response.headers.get('access-control-allow-origin'), allowHeaders: response.headers.get('access-control-allow-headers') };
}

async function simplePost(t: TestApp, origin: string) {
  const response = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{"query":"{ me { id } }"}' });
  return response.headers.get('access-control-allow-origin');
}

describe('CORS outside production (no CORS_ORIGINS)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ config: { cors: { kind: 'localhost' } } });
  });
  afterAll(() => t.stop());

  it.each(['http://localhost:3000', 'http://127.0.0.1:5173', 'http://localhost'])('allows a page on %s', async (origin) => {
    expect(await preflight(t, origin)).toMatchObject({ status: 204, allowOrigin: origin, allowHeaders: expect.stringContaining('authorization') });
  });

  it.each(['https://evil.example.com', 'http://localhost.evil.example.com', 'http://127.0.0.1.nip.io:3000', 'null', 'https://localhost:3000'])('gives %s no CORS headers', async (origin) => {
    expect(await preflight(t, origin)).toEqual({ status: 204, allowOrigin: null, allowHeaders: null });
    expect(await simplePost(t, origin)).toBeNull();
  });
});

describe('CORS with CORS_ORIGINS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ config: { cors: { kind: 'origins', origins: ['https://app.example.com'] } } });
  });
  afterAll(() => t.stop());

  it('allows exactly the listed origins', async () => {
    expect(await preflight(t, 'https://app.example.com')).toMatchObject({ status: 204, allowOrigin: 'https://app.example.com' });
    expect(await simplePost(t, 'https://app.example.com')).toBe('https://app.example.com');
    for (const origin of ['https://app.example.com.evil.com', 'http://app.example.com', 'https://APP.example.com:443x', 'http://localhost:3000']) {
      expect((await preflight(t, origin)).allowOrigin).toBeNull();
    }
  });
});
