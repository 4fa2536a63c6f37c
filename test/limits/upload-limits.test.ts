import { createClient } from '../support/fixtures';
import { HOUR, MINUTE, aliasedMutation, outcomesOf, ownContact, retryAfterOf, startAppWithDefaultLimits } from '../support/limits-helpers';
import { TestApp, selfToken } from '../support/test-app';

/** createDocumentUpload, as an attacker batches it: each one reserves storage for 15 minutes. */
const uploadField = (clientId: string) =>
  `createDocumentUpload(input: { clientId: "${clientId}", contentType: "application/pdf", sizeBytes: 1000 }) { __typename ... on UserError { message userMessageGlobalisationCode } ... on RateLimitedError { retryAfterSeconds } }`;

describe('the limit on createDocumentUpload (default: 30 per client an hour)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startAppWithDefaultLimits();
  });
  afterAll(() => t?.stop());

  const uploadRows = (clientId: string) => t.app.database.prisma.documentUpload.count({ where: { clientId } });

  it('refuses the 31st upload of an hour with RateLimitedError, reserving nothing, however the requests are batched', async () => {
    // given a customer with their own token
    const client = await createClient(t, ownContact());
    const me = t.as(await selfToken(client.id));

    // when they send 32 uploads in aliased requests (15 aliases at most per request), then one more a minute later
    const outcomes = [];
    for (const count of [15, 15, 2]) {
      const response = await me.post<Record<string, { __typename: string }>>({ query: aliasedMutation(Array.from({ length: count }, () => uploadField(client.id))) });
      outcomes.push(...outcomesOf(response.data as never, count));
    }

    // then 30 are created and the rest refused, with when to try again; only 30 slots exist
    expect(outcomes.map((outcome) => outcome.__typename)).toEqual([...Array(30).fill('DocumentUploadCreated'), 'RateLimitedError', 'RateLimitedError']);
    expect(retryAfterOf(outcomes[30])).toBeGreaterThan(HOUR / 1000 - 60);
    expect(await uploadRows(client.id)).toBe(30);
    t.clock.advance(MINUTE);
    expect(outcomesOf((await me.post<Record<string, { __typename: string }>>({ query: aliasedMutation([uploadField(client.id)]) })).data as never, 1)[0].__typename).toBe('RateLimitedError');

    // and another client is not affected; after the hour this one may upload again
    const other = await createClient(t, ownContact());
    expect(outcomesOf((await t.post<Record<string, { __typename: string }>>({ query: aliasedMutation([uploadField(other.id)]) })).data as never, 1)[0].__typename).toBe('DocumentUploadCreated');
    t.clock.advance(HOUR);
    expect(outcomesOf((await me.post<Record<string, { __typename: string }>>({ query: aliasedMutation([uploadField(client.id)]) })).data as never, 1)[0].__typename).toBe('DocumentUploadCreated');
  });
});
