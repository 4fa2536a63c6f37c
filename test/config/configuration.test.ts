import { loadConfig } from '../../src/config';
import { configProblems, goodProductionEnv } from '../support/configuration';

describe('configuration is parsed once, at start-up, and fails fast', () => {
  it('runs with no settings at all: embedded database in ./data, port 4000, codes printed to stdout', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.database).toEqual({ kind: 'pglite', dataDir: expect.stringMatching(/data[/\\]pglite$/) });
    expect(config.contactDelivery).toEqual({ kind: 'log' });
    expect(config.masterKey).toBeNull();
    expect(config.introspection).toBe(true);
    // Unset NODE_ENV is not "development" for error details: internals stay masked unless asked for.
    expect(config.exposeErrorDetails).toBe(false);
  });

  it('switches to PostgreSQL with DATABASE_URL', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://app@db:5432/onboarding', DATABASE_POOL_SIZE: '5' });
    expect(config.database).toEqual({
      kind: 'postgres',
      url: 'postgresql://app@db:5432/onboarding',
      poolSize: 5,
      timeouts: { connectMs: 3000, statementMs: 30_000, lockMs: 10_000 },
      preparedStatements: true,
    });
  });

  it('prepares statements unless DATABASE_PREPARED_STATEMENTS is false (a pooler that cannot keep them)', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://app@db:5432/onboarding', DATABASE_PREPARED_STATEMENTS: 'false' });
    expect(config.database).toMatchObject({ kind: 'postgres', preparedStatements: false });
    expect(configProblems({ DATABASE_PREPARED_STATEMENTS: 'sometimes' })).toMatch(/DATABASE_PREPARED_STATEMENTS/);
  });

  it('bounds how long PostgreSQL work may wait: connecting, one statement, one lock', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://app@db:5432/onboarding', DATABASE_CONNECT_TIMEOUT_MS: '1500', DATABASE_STATEMENT_TIMEOUT_MS: '5000', DATABASE_LOCK_TIMEOUT_MS: '2000' });
    expect(config.database).toMatchObject({ timeouts: { connectMs: 1500, statementMs: 5000, lockMs: 2000 } });
    expect(configProblems({ DATABASE_CONNECT_TIMEOUT_MS: '0' })).toMatch(/DATABASE_CONNECT_TIMEOUT_MS: expected an integer from 100/);
  });

  it('accepts a 32-byte key as base64 or hex', () => {
    const key = Buffer.alloc(32, 9);
    expect(loadConfig({ DATA_ENCRYPTION_KEY: key.toString('base64') }).masterKey).toEqual(key);
    expect(loadConfig({ DATA_ENCRYPTION_KEY: key.toString('hex') }).masterKey).toEqual(key);
  });

  it('refuses production without an encryption key or an explicit contact delivery, naming both', () => {
    const problems = configProblems({ NODE_ENV: 'production' });
    expect(problems).toContain('DATA_ENCRYPTION_KEY: required in production');
    expect(problems).toContain('CONTACT_DELIVERY: required in production');
    const production = loadConfig(goodProductionEnv());
    expect(production.contactDelivery).toMatchObject({ kind: 'webhook', url: 'https://sms.example.com/hook' });
    expect(production.introspection).toBe(false);
  });

  it('reports every bad value together', () => {
    expect(() =>
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', DATA_ENCRYPTION_KEY: 'short', LOG_LEVEL: 'loud', CONTACT_DELIVERY: 'pigeon', PUBLIC_URL: 'ftp://x' }),
    ).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/PORT:[\s\S]*PUBLIC_URL:[\s\S]*DATABASE_URL:[\s\S]*DATA_ENCRYPTION_KEY:[\s\S]*CONTACT_DELIVERY:[\s\S]*LOG_LEVEL:/),
      }),
    );
  });

  it('bounds a shutdown: SHUTDOWN_GRACE_MS, 10 s unless set', () => {
    expect(loadConfig({}).shutdownGraceMs).toBe(10_000);
    expect(loadConfig({ SHUTDOWN_GRACE_MS: '2500' }).shutdownGraceMs).toBe(2500);
    expect(configProblems({ SHUTDOWN_GRACE_MS: 'soon' })).toMatch(/SHUTDOWN_GRACE_MS: expected an integer/);
  });

  it('serves /metrics on the main port unless METRICS_PORT, a different port, is set', () => {
    expect(loadConfig({}).metricsPort).toBeNull();
    expect(loadConfig({ METRICS_PORT: '9464' }).metricsPort).toBe(9464);
    expect(configProblems({ PORT: '4000', METRICS_PORT: '4000' })).toMatch(/METRICS_PORT: must differ from PORT/);
  });

  it('needs a webhook URL when codes go to a webhook', () => {
    expect(() => loadConfig({ CONTACT_DELIVERY: 'webhook' })).toThrow(/CONTACT_WEBHOOK_URL: required/);
  });

  it('sends events only with EVENT_WEBHOOK_URL, and only signed', () => {
    expect(loadConfig({}).eventWebhook).toBeNull();
    expect(loadConfig({ EVENT_WEBHOOK_URL: 'http://localhost:9000/hooks', EVENT_WEBHOOK_SECRET: 'shh' }).eventWebhook).toEqual({
      url: 'http://localhost:9000/hooks',
      secret: 'shh',
      timeoutMs: 5000,
    });
    expect(configProblems({ EVENT_WEBHOOK_URL: 'http://localhost:9000/hooks' })).toMatch(/EVENT_WEBHOOK_SECRET: required when EVENT_WEBHOOK_URL is set/);
    expect(configProblems({ EVENT_WEBHOOK_SECRET: 'shh' })).toMatch(/EVENT_WEBHOOK_SECRET: set without EVENT_WEBHOOK_URL/);
    expect(configProblems({ EVENT_WEBHOOK_URL: 'ftp://example.com', EVENT_WEBHOOK_SECRET: 'shh', EVENT_WEBHOOK_TIMEOUT_MS: '0' })).toMatch(
      /EVENT_WEBHOOK_URL: not an http\(s\) URL[\s\S]*EVENT_WEBHOOK_TIMEOUT_MS/,
    );
  });
});
