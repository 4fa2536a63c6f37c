import { randomBytes } from 'node:crypto';
import { DEFAULT_ATTEMPT_LIMITS } from '../../src/modules/limits/attempt-limits';
import { TestApp, TestAppOptions, startTestApp } from './test-app';

/** An app with the attempt limits an operator gets by default (other test apps relax them). */
export function startAppWithDefaultLimits(options: TestAppOptions = {}): Promise<TestApp> {
  return startTestApp({ ...options, config: { attemptLimits: DEFAULT_ATTEMPT_LIMITS, ...options.config } });
}

let contacts = 0;
const run = randomBytes(3).toString('hex');

/**
 * An email address and mobile number no other client of the app uses: the per-destination limit
 * counts across clients, so a test shares a destination only when it means to.
 */
export function ownContact(): { email: string; mobilePhone: string } {
  contacts += 1;
  return { email: `limits-${run}-${contacts}@example.com`, mobilePhone: `+1415555${String(1000 + contacts).padStart(4, '0')}` };
}

/** What a limited mutation answered (RateLimitedError is in each of their unions): enough to compare outcomes. */
const OUTCOME_FIELDS = '__typename ... on UserError { message userMessageGlobalisationCode } ... on RateLimitedError { retryAfterSeconds }';

export interface Outcome {
  __typename: string;
  message?: string;
  userMessageGlobalisationCode?: string;
  retryAfterSeconds?: number;
  reason?: string;
  attemptsRemaining?: number;
}

/**
 * One operation of aliased mutations, as an attacker sends it (`a0: addIdentifier(...) a1: ...`).
 * GraphQL runs the fields of a mutation one after the other, in order.
 */
export function aliasedMutation(fields: readonly string[]): string {
  return `mutation {\n${fields.map((field, i) => `  a${i}: ${field}`).join('\n')}\n}`;
}

/** The answers of an aliased mutation, in the order of its fields. */
export function outcomesOf(data: Record<string, Outcome> | undefined, count: number): Outcome[] {
  if (!data) throw new Error('the aliased mutation returned no data');
  return Array.from({ length: count }, (_, i) => data[`a${i}`]);
}

export const requestField = (clientId: string, channel: 'EMAIL' | 'MOBILE_PHONE') =>
  `requestContactVerification(input: { clientId: "${clientId}", channel: ${channel} }) { ${OUTCOME_FIELDS} }`;

export const confirmField = (clientId: string, channel: 'EMAIL' | 'MOBILE_PHONE', code: string) =>
  `confirmContactVerification(input: { clientId: "${clientId}", channel: ${channel}, code: "${code}" }) { ${OUTCOME_FIELDS} ... on ContactVerificationFailedError { reason attemptsRemaining } }`;

export const addSsnField = (clientId: string, value: string) => `addIdentifier(input: { clientId: "${clientId}", type: SSN, value: "${value}" }) { ${OUTCOME_FIELDS} }`;

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** Fails unless `outcome` is a RateLimitedError, and returns it as one. */
export function expectRateLimited<T extends { __typename?: string }>(outcome: T): Extract<T, { __typename?: 'RateLimitedError' }> {
  expect(outcome).toMatchObject({ __typename: 'RateLimitedError', userMessageGlobalisationCode: 'error.msg.client.rate.limited' });
  return outcome as Extract<T, { __typename?: 'RateLimitedError' }>;
}

/** The retryAfterSeconds of an answer that must be a RateLimitedError. */
export function retryAfterOf(outcome: { __typename?: string }): number {
  return (expectRateLimited(outcome) as unknown as { retryAfterSeconds: number }).retryAfterSeconds;
}
