import { print } from 'graphql';
import { AddIdentifierDocument, ClientDocument, RequestContactVerificationDocument } from '../generated/graphql';
import { createClient, randomSsn } from '../support/fixtures';
import { ownContact, startAppWithDefaultLimits } from '../support/limits-helpers';
import { TestApp, selfToken } from '../support/test-app';

const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

describe('attempts arriving at the same moment never get past a limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startAppWithDefaultLimits();
  });
  afterAll(() => t?.stop());

  /** Sends every body at once; a race must never end in a GraphQL error. */
  async function allAtOnce<T>(requests: Array<{ to: Pick<TestApp, 'post'>; body: unknown }>): Promise<T[]> {
    const responses = await Promise.all(requests.map(({ to, body }) => to.post<T>(body)));
    for (const response of responses) {
      expect(response.errors).toBeUndefined();
      expect(response.status).toBe(200);
    }
    return responses.map((response) => response.data!);
  }
  const typenames = (outcomes: Array<{ __typename: string }>) =>
    Object.fromEntries([...new Set(outcomes.map((o) => o.__typename))].sort().map((name) => [name, outcomes.filter((o) => o.__typename === name).length]));

  it('lets exactly 10 of 30 simultaneous addIdentifier calls on one client through', async () => {
    // given a customer
    const client = await createClient(t, ownContact());
    const me = t.as(await selfToken(client.id));

    // when 30 new SSNs are added at once
    const results = await allAtOnce<{ addIdentifier: { __typename: string } }>(
      times(30, () => ({ to: me, body: { query: print(AddIdentifierDocument), variables: { input: { clientId: client.id, type: 'SSN', value: randomSsn() } } } })),
    );

    // then 10 are added and 20 refused, and the client holds exactly 10 identifiers
    expect(typenames(results.map((r) => r.addIdentifier))).toEqual({ AddIdentifierSuccess: 10, RateLimitedError: 20 });
    expect(await t.app.database.prisma.identifier.count({ where: { clientId: client.id } })).toBe(10);
    const after = (await t.run(ClientDocument, { id: client.id })).client!;
    expect(after.version).toBe(client.version + 10);
  });

  it('sends exactly 5 codes when one client asks 30 times at once', async () => {
    // given a client
    const client = await createClient(t, ownContact());

    // when 30 requests for its email arrive at once
    const results = await allAtOnce<{ requestContactVerification: { __typename: string } }>(
      times(30, () => ({ to: t, body: { query: print(RequestContactVerificationDocument), variables: { input: { clientId: client.id, channel: 'EMAIL' } } } })),
    );

    // then 5 requests make a code and 25 are refused
    expect(typenames(results.map((r) => r.requestContactVerification))).toEqual({ ContactVerificationRequested: 5, RateLimitedError: 25 });
    // and the refused send nothing: codes go out after commit, and one replaced by a newer request
    // before its turn came is not sent at all, so between 1 (the last) and 5 went out
    const sent = (await t.delivery.settled()).filter((message) => message.clientId === client.id);
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(sent.length).toBeLessThanOrEqual(5);
  });

  it('sends exactly 10 codes to one address when 30 clients sharing it ask at once', async () => {
    // given 30 clients with one email address
    const { email } = ownContact();
    const clients = await Promise.all(times(30, () => createClient(t, { ...ownContact(), email })));

    // when each asks for a code at the same moment
    const results = await allAtOnce<{ requestContactVerification: { __typename: string } }>(
      clients.map((client) => ({ to: t, body: { query: print(RequestContactVerificationDocument), variables: { input: { clientId: client.id, channel: 'EMAIL' } } } })),
    );

    // then the address gets 10 codes, and the 20 other clients are refused
    expect(typenames(results.map((r) => r.requestContactVerification))).toEqual({ ContactVerificationRequested: 10, RateLimitedError: 20 });
    expect((await t.delivery.settled()).filter((message) => message.to === email)).toHaveLength(10);
  });
});
