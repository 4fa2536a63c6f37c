import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { configProblems, goodProductionEnv } from '../support/configuration';

/** Safe deployment defaults: production refuses to start, listing every problem, rather than run unsafely. */
const goodProduction = goodProductionEnv();

describe('production refuses to start', () => {
  it('starts with everything set', () => {
    const config = loadConfig(goodProduction);
    expect(config).toMatchObject({ environment: 'production', publicUrl: 'https://onboarding.example.com', auth: { kind: 'secret' }, cors: { kind: 'origins', origins: [] } });
  });

  it('runs with bounded waits and a bounded shutdown, and /metrics behind metrics:read unless METRICS_PORT', () => {
    const config = loadConfig({ ...goodProduction, DATABASE_URL: 'postgresql://app@db:5432/onboarding' });
    expect(config).toMatchObject({ shutdownGraceMs: 10_000, metricsPort: null, database: { timeouts: { connectMs: 3000, statementMs: 30_000, lockMs: 10_000 } } });
  });

  it('without any way of verifying tokens', () => {
    expect(configProblems({ ...goodProduction, AUTH_JWT_SECRET: undefined })).toMatch(/AUTH_JWT_SECRET, AUTH_JWKS_URL or AUTH_PUBLIC_KEY: production needs/);
  });

  it('with a short or weak token secret, or two ways of verifying at once', () => {
    expect(configProblems({ ...goodProduction, AUTH_JWT_SECRET: 'short' })).toMatch(/AUTH_JWT_SECRET: must be at least 32 characters/);
    expect(configProblems({ ...goodProduction, AUTH_JWT_SECRET: 'a'.repeat(40) })).toMatch(/AUTH_JWT_SECRET: too weak/);
    expect(configProblems({ ...goodProduction, AUTH_JWKS_URL: 'https://id.example.com/jwks.json' })).toMatch(/set only one way of verifying tokens/);
  });

  it('with a JWKS URL that is not https, or a public key that is not one', () => {
    const { AUTH_JWT_SECRET: _secret, ...rest } = goodProduction;
    expect(configProblems({ ...rest, AUTH_JWKS_URL: 'http://id.example.com/jwks.json' })).toMatch(/AUTH_JWKS_URL: must be an https:\/\/ URL/);
    expect(configProblems({ ...rest, AUTH_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----' })).toMatch(/AUTH_PUBLIC_KEY: must be an RSA or P-256 public key/);
  });

  it('without PUBLIC_URL (document links are never built from the Host header)', () => {
    expect(configProblems({ ...goodProduction, PUBLIC_URL: undefined })).toMatch(/PUBLIC_URL: required in production/);
  });

  it('with codes printed to standard output, unless that is said twice', () => {
    const logDelivery = { ...goodProduction, CONTACT_DELIVERY: 'log', CONTACT_WEBHOOK_URL: undefined };
    expect(configProblems(logDelivery)).toMatch(/CONTACT_DELIVERY: log prints one-time codes/);
    expect(loadConfig({ ...logDelivery, CONTACT_DELIVERY_LOG_IN_PRODUCTION: 'true' }).contactDelivery).toEqual({ kind: 'log' });
  });

  it('with the example key once shipped in docker-compose.yml, or a key of repeated bytes', () => {
    expect(configProblems({ ...goodProduction, DATA_ENCRYPTION_KEY: 'REPLACE+ME+demo+key+not+secret+000000000000=' })).toMatch(/DATA_ENCRYPTION_KEY: a published example key or a weak one/);
    expect(configProblems({ ...goodProduction, DATA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') })).toMatch(/DATA_ENCRYPTION_KEY: a published example key or a weak one/);
    const ring = `new:${randomBytes(32).toString('base64')},old:${Buffer.alloc(32, 1).toString('hex')}`;
    expect(configProblems({ ...goodProduction, DATA_ENCRYPTION_KEY: undefined, DATA_ENCRYPTION_KEYS: ring })).toMatch(/DATA_ENCRYPTION_KEYS \(key old\): a published example key/);
    // short keys were always refused
    expect(configProblems({ ...goodProduction, DATA_ENCRYPTION_KEY: randomBytes(16).toString('base64') })).toMatch(/DATA_ENCRYPTION_KEY: must be 32 bytes/);
  });

  it('with an event webhook that is not https or whose secret is weak', () => {
    const strong = randomBytes(32).toString('base64');
    expect(loadConfig({ ...goodProduction, EVENT_WEBHOOK_URL: 'https://integrator.example.com/hooks', EVENT_WEBHOOK_SECRET: strong }).eventWebhook).toMatchObject({ secret: strong });
    expect(configProblems({ ...goodProduction, EVENT_WEBHOOK_URL: 'http://integrator.example.com/hooks', EVENT_WEBHOOK_SECRET: strong })).toMatch(/EVENT_WEBHOOK_URL: must be an https:\/\/ URL in production/);
    expect(configProblems({ ...goodProduction, EVENT_WEBHOOK_URL: 'https://integrator.example.com/hooks', EVENT_WEBHOOK_SECRET: 'short' })).toMatch(/EVENT_WEBHOOK_SECRET: too short or too weak/);
  });

  it('lists every problem at once', () => {
    const message = configProblems({ NODE_ENV: 'production' });
    for (const name of ['PUBLIC_URL', 'DATA_ENCRYPTION_KEY', 'CONTACT_DELIVERY', 'AUTH_JWT_SECRET, AUTH_JWKS_URL or AUTH_PUBLIC_KEY']) expect(message).toContain(`${name}:`);
  });
});

describe('CORS_ORIGINS', () => {
  it('defaults to localhost outside production and to no origin in production', () => {
    expect(loadConfig({}).cors).toEqual({ kind: 'localhost' });
    expect(loadConfig(goodProduction).cors).toEqual({ kind: 'origins', origins: [] });
  });

  it('takes exact origins and refuses wildcards, paths and other schemes', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:3000' }).cors).toEqual({
      kind: 'origins',
      origins: ['https://app.example.com', 'http://localhost:3000'],
    });
    for (const bad of ['*', 'https://app.example.com/', 'https://*.example.com', 'ftp://x.example.com', 'app.example.com']) {
      expect(configProblems({ CORS_ORIGINS: bad })).toMatch(/CORS_ORIGINS:/);
    }
  });
});
