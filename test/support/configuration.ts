import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/config';

/**
 * The environment of a production server that starts: every setting production requires, with
 * fresh random secrets (production refuses published example keys and keys of repeated bytes).
 */
export const goodProductionEnv = (): Record<string, string> => ({
  NODE_ENV: 'production',
  DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  CONTACT_DELIVERY: 'webhook',
  CONTACT_WEBHOOK_URL: 'https://sms.example.com/hook',
  AUTH_JWT_SECRET: randomBytes(32).toString('base64'),
  PUBLIC_URL: 'https://onboarding.example.com',
});

/** The message start-up refuses `env` with (a ConfigError, every problem at once); fails the test when `env` is accepted. */
export function configProblems(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`the configuration was accepted: ${JSON.stringify(Object.keys(env))}`);
}
