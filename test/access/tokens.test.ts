import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT, exportJWK } from 'jose';
import { VerifiedTokens } from '../../src/auth/tokens';
import type { Caller } from '../../src/auth/caller';
import { TEST_AUTH_SECRET, TestApp, startTestApp, testToken } from '../support/test-app';

/** Every kind of bad token gets HTTP 401 with one error coded UNAUTHENTICATED, and nothing else. */
async function expectUnauthenticated(t: TestApp, authorization: string | null) {
  const response = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization === null ? {} : { authorization }) },
    body: JSON.stringify({ query: '{ clients { totalCount } }' }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  expect({ status: response.status, challenge: response.headers.get('www-authenticate') }).toEqual({ status: 401, challenge: 'Bearer' });
  expect(Object.keys(body)).toEqual(['errors']);
  expect(body.errors).toEqual([{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED' } }]);
}

const base64url = (value: object | string) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const inAMinute = () => Math.floor(Date.now() / 1000) + 60;
const hs256 = (secret: string | Buffer, payload: object, header: object = { alg: 'HS256', typ: 'JWT' }) => {
  const unsigned = `${base64url(header)}.${base64url(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
};
const allScopes = 'clients:read clients:write documents:review clients:verify clients:activate';

describe('bearer tokens (HS256 with AUTH_JWT_SECRET)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it.each([
    ['no Authorization header', null],
    ['an empty bearer', 'Bearer '],
    ['another scheme', `Basic ${Buffer.from('admin:admin').toString('base64')}`],
    ['a token that is not a JWT', 'Bearer not-a-token'],
    ['three parts of garbage', 'Bearer aaa.bbb.ccc'],
    ['a token longer than any real one', `Bearer ${'a'.repeat(9_000)}`],
  ])('refuses %s', async (_what, authorization) => {
    await expectUnauthenticated(t, authorization);
  });

  it('answers a header too large for the HTTP server with a plain 431', async () => {
    const response = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${'a'.repeat(20_000)}` }, body: '{}' });
    expect(response.status).toBe(431);
  });

  it('refuses alg none, a bad signature, a token without exp and an expired one', async () => {
    const claims = { scope: allScopes, sub: 'mallory', exp: inAMinute() };
    await expectUnauthenticated(t, `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`);
    await expectUnauthenticated(t, `Bearer ${hs256('another-secret-of-enough-length-0123456789', claims)}`);
    await expectUnauthenticated(t, `Bearer ${hs256(TEST_AUTH_SECRET, { scope: allScopes, sub: 'mallory' })}`);
    await expectUnauthenticated(t, `Bearer ${hs256(TEST_AUTH_SECRET, { ...claims, exp: Math.floor(Date.now() / 1000) - 31 })}`);
    // a valid token with a tampered payload (scopes added), after the real one was verified (and remembered)
    const real = await testToken({ scopes: ['clients:read'] });
    expect((await t.as(real).post({ query: '{ clients { totalCount } }' })).status).toBe(200);
    const [header, payload, signature] = real.split('.');
    await expectUnauthenticated(t, `Bearer ${header}.${base64url(claims)}.${signature}`);
    // the remembered token itself with its signature altered, or cut short
    await expectUnauthenticated(t, `Bearer ${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`);
    await expectUnauthenticated(t, `Bearer ${header}.${payload}.${signature.slice(0, -1)}`);
    // and its scopes still hold: a clients:read token may not write
    const write = await t.as(real).post<{ createClient: unknown }>({ query: 'mutation { createClient(input: { firstName: "A", lastName: "B", email: "a@example.com" }) { __typename } }' });
    expect(write.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('accepts a token up to 30 seconds past exp (clock tolerance) and a token with other letter case in "Bearer"', async () => {
    const token = hs256(TEST_AUTH_SECRET, { scope: 'clients:read', sub: 'staff', exp: Math.floor(Date.now() / 1000) - 20 });
    const response = await t.as(null).post({ query: '{ me { id } }' });
    expect(response.status).toBe(401);
    const ok = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `bearer ${token}` },
      body: JSON.stringify({ query: '{ clients { totalCount } }' }),
    });
    expect(ok.status).toBe(200);
  });

  it('refuses an RS256 token and an HS256 token signed with a public key (algorithm confusion)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rs256 = await new SignJWT({ scope: allScopes }).setProtectedHeader({ alg: 'RS256' }).setSubject('x').setExpirationTime('5m').sign(privateKey);
    await expectUnauthenticated(t, `Bearer ${rs256}`);
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await expectUnauthenticated(t, `Bearer ${hs256(pem, { scope: allScopes, sub: 'x', exp: inAMinute() })}`);
  });

  it('refuses a self-service token whose sub is not a client id', async () => {
    await expectUnauthenticated(t, `Bearer ${hs256(TEST_AUTH_SECRET, { scope: 'self', sub: "1' OR '1'='1", exp: inAMinute() })}`);
    await expectUnauthenticated(t, `Bearer ${hs256(TEST_AUTH_SECRET, { scope: 'self', exp: inAMinute() })}`);
  });

  it('lets a preflight through without a token, and serves the landing page to a browser', async () => {
    const preflight = await fetch(`${t.url}/graphql`, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    const page = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    // but an operation sent by GET still needs a token
    const get = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ clients { totalCount } }')}`, { headers: { accept: 'text/html', 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(401);
  });
});

describe('bearer tokens with issuer and audience', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ config: { auth: { kind: 'secret', secret: Buffer.from(TEST_AUTH_SECRET), issuer: 'https://id.example.com/', audience: 'onboarding-api' } } });
  });
  afterAll(() => t.stop());

  it('accepts only the configured issuer and audience', async () => {
    const sign = (claims: object) => hs256(TEST_AUTH_SECRET, { scope: 'clients:read', sub: 's', exp: inAMinute(), ...claims });
    const ok = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${sign({ iss: 'https://id.example.com/', aud: 'onboarding-api' })}` },
      body: JSON.stringify({ query: '{ clients { totalCount } }' }),
    });
    expect(ok.status).toBe(200);
    await expectUnauthenticated(t, `Bearer ${sign({ iss: 'https://evil.example.com/', aud: 'onboarding-api' })}`);
    await expectUnauthenticated(t, `Bearer ${sign({ iss: 'https://id.example.com/', aud: 'another-api' })}`);
    await expectUnauthenticated(t, `Bearer ${sign({})}`);
  });
});

describe.each(['rsa', 'ec'] as const)('bearer tokens verified with a %s public key (AUTH_PUBLIC_KEY)', (kind) => {
  const pair = kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const alg = kind === 'rsa' ? 'RS256' : 'ES256';
  let t: TestApp;
  beforeAll(async () => {
    const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    t = await startTestApp({ config: { auth: { kind: 'publicKey', pem, issuer: null, audience: null } } });
  });
  afterAll(() => t.stop());

  it(`accepts ${alg} tokens of that key and refuses HS256 and other keys`, async () => {
    const token = await new SignJWT({ scope: 'clients:read' }).setProtectedHeader({ alg }).setSubject('s').setExpirationTime('5m').sign(pair.privateKey);
    const response = await t.as(token).post<{ clients: { totalCount: number } }>({ query: '{ clients { totalCount } }' });
    expect(response).toMatchObject({ status: 200, data: { clients: { totalCount: 0 } } });

    await expectUnauthenticated(t, `Bearer ${await testToken()}`);
    const stranger = kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forged = await new SignJWT({ scope: 'clients:read' }).setProtectedHeader({ alg }).setSubject('s').setExpirationTime('5m').sign(stranger.privateKey);
    await expectUnauthenticated(t, `Bearer ${forged}`);
  });
});

describe('bearer tokens verified against a JWKS (AUTH_JWKS_URL)', () => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let jwks: Server;
  let t: TestApp;
  let fetches = 0;
  beforeAll(async () => {
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' };
    jwks = createServer((_req, res) => {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
    t = await startTestApp({ config: { auth: { kind: 'jwks', url, issuer: null, audience: null } } });
  });
  afterAll(async () => {
    await t.stop();
    jwks.closeAllConnections();
    jwks.close();
  });

  it('accepts a token signed by a key of the set and refuses one with an unknown kid', async () => {
    const token = await new SignJWT({ scope: 'self' }).setProtectedHeader({ alg: 'ES256', kid: 'key-1' }).setSubject(randomUUID()).setExpirationTime('5m').sign(pair.privateKey);
    const response = await t.as(token).post<{ me: null }>({ query: '{ me { id } }' });
    expect(response).toMatchObject({ status: 200, data: { me: null } });
    expect(fetches).toBeGreaterThan(0);

    const unknownKid = await new SignJWT({ scope: 'self' }).setProtectedHeader({ alg: 'ES256', kid: 'key-2' }).setSubject(randomUUID()).setExpirationTime('5m').sign(pair.privateKey);
    await expectUnauthenticated(t, `Bearer ${unknownKid}`);
  });
});

describe('verified tokens remembered (VerifiedTokens)', () => {
  const staff: Caller = { kind: 'staff', subject: 's', scopes: new Set(['clients:read']) };
  const now = 1_800_000_000_000;

  it('remembers a token until its exp, and at most a minute', () => {
    const tokens = new VerifiedTokens();
    tokens.add('soon', staff, now / 1000 + 10, now);
    tokens.add('later', staff, now / 1000 + 3600, now);
    expect(tokens.get('soon', now + 9_999)).toBe(staff);
    expect(tokens.get('soon', now + 10_000)).toBeUndefined();
    expect(tokens.get('later', now + 59_999)).toBe(staff);
    expect(tokens.get('later', now + 60_000)).toBeUndefined();
    expect(tokens.size).toBe(0);
  });

  it('keeps nothing for a token already past exp (accepted only within the clock tolerance)', () => {
    const tokens = new VerifiedTokens();
    tokens.add('late', staff, now / 1000 - 5, now);
    expect(tokens.get('late', now)).toBeUndefined();
    expect(tokens.size).toBe(0);
  });

  it('holds at most its capacity, dropping the oldest first', () => {
    const tokens = new VerifiedTokens(3);
    for (const token of ['a', 'b', 'c', 'd']) tokens.add(token, staff, now / 1000 + 3600, now);
    expect(tokens.size).toBe(3);
    expect(tokens.get('a', now)).toBeUndefined();
    expect(['b', 'c', 'd'].map((token) => tokens.get(token, now))).toEqual([staff, staff, staff]);
  });

  it('needs the whole token: a prefix or a longer string is not a hit', () => {
    const tokens = new VerifiedTokens();
    tokens.add('header.payload.signature', staff, now / 1000 + 3600, now);
    expect(tokens.get('header.payload.signatur', now)).toBeUndefined();
    expect(tokens.get('header.payload.signature ', now)).toBeUndefined();
  });
});
