import { loadConfig } from '../../src/config';
import { DEFAULT_ATTEMPT_LIMITS } from '../../src/modules/limits/attempt-limits';
import { RequestContactVerificationDocument } from '../generated/graphql';
import { createClient } from '../support/fixtures';
import { MINUTE, HOUR, ownContact, retryAfterOf } from '../support/limits-helpers';
import { TestApp, startTestApp } from '../support/test-app';

describe('attempt limits are configuration', () => {
  it('defaults to the rules\' numbers', () => {
    expect(loadConfig({}).attemptLimits).toEqual({
      contactRequestsPerClient: { max: 5, windowMs: HOUR },
      contactRequestsPerDestination: { max: 10, windowMs: HOUR },
      wrongContactCodes: { max: 15, windowMs: HOUR },
      identifierAdds: { max: 10, windowMs: 24 * HOUR },
      documentUploads: { max: 30, windowMs: HOUR },
    });
    expect(loadConfig({}).attemptLimits).toEqual(DEFAULT_ATTEMPT_LIMITS);
  });

  it('reads attempts per window, or a bare count that keeps the default window', () => {
    const config = loadConfig({
      RATE_LIMIT_CONTACT_REQUESTS_PER_CLIENT: '3/30m',
      RATE_LIMIT_CONTACT_REQUESTS_PER_DESTINATION: '20 / 2h',
      RATE_LIMIT_WRONG_CONTACT_CODES: '30',
      RATE_LIMIT_IDENTIFIER_ADDS: '4/7d',
      RATE_LIMIT_DOCUMENT_UPLOADS: '5/10m',
    });
    expect(config.attemptLimits).toEqual({
      contactRequestsPerClient: { max: 3, windowMs: 30 * MINUTE },
      contactRequestsPerDestination: { max: 20, windowMs: 2 * HOUR },
      wrongContactCodes: { max: 30, windowMs: HOUR },
      identifierAdds: { max: 4, windowMs: 7 * 24 * HOUR },
      documentUploads: { max: 5, windowMs: 10 * MINUTE },
    });
  });

  it('refuses to start on a limit it cannot read, naming each setting', () => {
    expect(() => loadConfig({ RATE_LIMIT_CONTACT_REQUESTS_PER_CLIENT: '0/1h', RATE_LIMIT_IDENTIFIER_ADDS: 'ten a day', RATE_LIMIT_WRONG_CONTACT_CODES: '5/1w' })).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/RATE_LIMIT_WRONG_CONTACT_CODES: expected attempts per window such as 5\/1h[\s\S]*RATE_LIMIT_IDENTIFIER_ADDS: expected/),
      }),
    );
    expect(() => loadConfig({ RATE_LIMIT_CONTACT_REQUESTS_PER_CLIENT: '0/1h' })).toThrow(/RATE_LIMIT_CONTACT_REQUESTS_PER_CLIENT: .*got "0\/1h"/);
  });

  describe('a server configured with its own limit', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ config: { attemptLimits: { ...DEFAULT_ATTEMPT_LIMITS, contactRequestsPerClient: { max: 2, windowMs: 10 * MINUTE } } } });
    });
    afterAll(() => t?.stop());

    it('applies it: the third code in 10 minutes is refused for the rest of those 10 minutes', async () => {
      // given a client that asked for two codes
      const client = await createClient(t, ownContact());
      const request = async () => (await t.run(RequestContactVerificationDocument, { input: { clientId: client.id, channel: 'EMAIL' } })).requestContactVerification;
      expect(await request()).toMatchObject({ __typename: 'ContactVerificationRequested' });
      expect(await request()).toMatchObject({ __typename: 'ContactVerificationRequested' });

      // when it asks a third time
      const seconds = retryAfterOf(await request());

      // then it is refused until the first code is 10 minutes old
      expect(seconds).toBeGreaterThan(10 * 60 - 60);
      expect(seconds).toBeLessThanOrEqual(10 * 60);
      t.clock.advance(seconds * 1000);
      expect(await request()).toMatchObject({ __typename: 'ContactVerificationRequested' });
    });
  });
});
