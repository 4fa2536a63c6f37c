import { ClientDocument, ConfirmContactVerificationDocument, RequestContactVerificationDocument } from '../generated/graphql';
import { createClient } from '../support/fixtures';
import { otherCode } from '../support/contacts-helpers';
import { HOUR, MINUTE, Outcome, aliasedMutation, expectRateLimited, retryAfterOf, confirmField, outcomesOf, ownContact, requestField, startAppWithDefaultLimits } from '../support/limits-helpers';
import { TestApp, selfToken } from '../support/test-app';

type Channel = 'EMAIL' | 'MOBILE_PHONE';

describe('limits on contact verification codes (defaults: 5 requests per client and channel, 10 per destination, 15 wrong codes an hour)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startAppWithDefaultLimits();
  });
  afterAll(() => t?.stop());

  const request = async (clientId: string, channel: Channel, as: Pick<TestApp, 'run'> = t) =>
    (await as.run(RequestContactVerificationDocument, { input: { clientId, channel } })).requestContactVerification;
  const confirm = async (clientId: string, channel: Channel, code: string, as: Pick<TestApp, 'run'> = t) =>
    (await as.run(ConfirmContactVerificationDocument, { input: { clientId, channel, code } })).confirmContactVerification;
  const fetchClient = async (id: string) => (await t.run(ClientDocument, { id })).client!;
  const codesSentTo = async (clientId: string, channel: Channel) => (await t.delivery.settled()).filter((m) => m.clientId === clientId && m.channel === channel).length;
  const retryAfter = retryAfterOf;

  it('stops the aliased chain of 5 wrong codes and a new request: 5 codes go out, then nothing more is sent', async () => {
    // given a customer with a code for a phone they do not hold
    const client = await createClient(t, ownContact());
    const me = t.as(await selfToken(client.id));
    expect(await request(client.id, 'MOBILE_PHONE', me)).toMatchObject({ __typename: 'ContactVerificationRequested' });

    // when they send the attack's chain six times, each one operation: 5 well-formed wrong codes, then a new request
    const rounds: Outcome[][] = [];
    let versionBeforeRefusedRequests = 0;
    for (let round = 0; round < 6; round++) {
      if (round === 4) versionBeforeRefusedRequests = (await fetchClient(client.id)).version;
      const code = await t.delivery.lastCode(client.id, 'MOBILE_PHONE');
      const fields = [1, 2, 3, 4, 5].map((step) => confirmField(client.id, 'MOBILE_PHONE', otherCode(code, step)));
      const response = await me.post<Record<string, Outcome>>({ query: aliasedMutation([...fields, requestField(client.id, 'MOBILE_PHONE')]) });
      expect(response.errors).toBeUndefined();
      rounds.push(outcomesOf(response.data, 6));
    }

    // then 15 wrong codes are checked, every later code is refused unchecked, and the 6th request is refused
    const summary = rounds.map((outcomes) => outcomes.map((o) => (o.__typename === 'ContactVerificationFailedError' ? o.reason : o.__typename)));
    const wrong = ['INVALID_CODE', 'INVALID_CODE', 'INVALID_CODE', 'INVALID_CODE', 'INVALID_CODE'];
    const limited = ['RateLimitedError', 'RateLimitedError', 'RateLimitedError', 'RateLimitedError', 'RateLimitedError'];
    expect(summary).toEqual([
      [...wrong, 'ContactVerificationRequested'],
      [...wrong, 'ContactVerificationRequested'],
      [...wrong, 'ContactVerificationRequested'],
      [...limited, 'ContactVerificationRequested'],
      [...limited, 'RateLimitedError'],
      [...limited, 'RateLimitedError'],
    ]);
    // and the real person got 5 codes, not 7
    expect(await codesSentTo(client.id, 'MOBILE_PHONE')).toBe(5);
    // and the refused requests changed nothing
    const after = await fetchClient(client.id);
    expect(after.version).toBe(versionBeforeRefusedRequests);
    expect(after.history.filter((event) => event.type === 'CONTACT_VERIFICATION_REQUESTED')).toHaveLength(5);

    // and even the code that was sent last is refused now, for about an hour
    const rightCode = await t.delivery.lastCode(client.id, 'MOBILE_PHONE');
    const seconds = retryAfter(await confirm(client.id, 'MOBILE_PHONE', rightCode, me));
    expect(seconds).toBeGreaterThan(HOUR / 1000 - 120);
    expect(seconds).toBeLessThanOrEqual(HOUR / 1000);
    expect(await fetchClient(client.id)).toMatchObject({ mobilePhoneVerified: false });

    // when the hour has passed, a new code can be requested and it works
    t.clock.advance(seconds * 1000);
    expect(await request(client.id, 'MOBILE_PHONE', me)).toMatchObject({ __typename: 'ContactVerificationRequested' });
    const fresh = await confirm(client.id, 'MOBILE_PHONE', await t.delivery.lastCode(client.id, 'MOBILE_PHONE'), me);
    expect(fresh).toMatchObject({ __typename: 'ClientPayload', client: { mobilePhoneVerified: true } });
    expect(await codesSentTo(client.id, 'MOBILE_PHONE')).toBe(6);
  });

  it('counts wrong codes across new requests, refuses the 16th and every later one, and reopens as old ones leave the hour', async () => {
    // given 15 wrong codes in three rounds 20 minutes apart, each round on a new code
    const client = await createClient(t, ownContact());
    const wrongRound = async () => {
      expect(await request(client.id, 'EMAIL')).toMatchObject({ __typename: 'ContactVerificationRequested' });
      const code = await t.delivery.lastCode(client.id, 'EMAIL');
      for (let step = 1; step <= 5; step++) {
        expect(await confirm(client.id, 'EMAIL', otherCode(code, step))).toMatchObject({ reason: 'INVALID_CODE', attemptsRemaining: 5 - step });
      }
    };
    await wrongRound();
    t.clock.advance(20 * MINUTE);
    await wrongRound();
    t.clock.advance(20 * MINUTE);
    await wrongRound();

    // when a fresh code is requested (requests have their own limit) and confirmed
    expect(await request(client.id, 'EMAIL')).toMatchObject({ __typename: 'ContactVerificationRequested' });
    const code = await t.delivery.lastCode(client.id, 'EMAIL');
    const first = retryAfter(await confirm(client.id, 'EMAIL', code));

    // then it is refused until the first round is an hour old: about 20 minutes
    expect(first).toBeGreaterThan(20 * 60 - 120);
    expect(first).toBeLessThanOrEqual(20 * 60);
    // and refused attempts do not count: ten more do not push the end of the lock-out back
    for (let i = 0; i < 10; i++) await confirm(client.id, 'EMAIL', otherCode(code, i + 1));
    t.clock.advance(MINUTE);
    const later = retryAfter(await confirm(client.id, 'EMAIL', code));
    expect(later).toBeLessThanOrEqual(first - 60);
    expect(await fetchClient(client.id)).toMatchObject({ emailVerified: false });

    // when the first round has left the hour, its 5 wrong codes no longer count: codes are checked again
    t.clock.advance(later * 1000);
    expect(await request(client.id, 'EMAIL')).toMatchObject({ __typename: 'ContactVerificationRequested' });
    const fresh = await t.delivery.lastCode(client.id, 'EMAIL');
    expect(await confirm(client.id, 'EMAIL', otherCode(fresh))).toMatchObject({ reason: 'INVALID_CODE', attemptsRemaining: 4 });
    expect(await confirm(client.id, 'EMAIL', fresh)).toMatchObject({ __typename: 'ClientPayload', client: { emailVerified: true } });
  });

  it('limits codes per destination across clients: 10 an hour to one email address, whoever asks', async () => {
    // given three clients with one email address (spelled differently: it is stored lower-cased) and their own phones
    const shared = ownContact().email;
    const a = await createClient(t, { ...ownContact(), email: shared });
    const b = await createClient(t, { ...ownContact(), email: shared });
    const c = await createClient(t, { ...ownContact(), email: shared.toUpperCase() });
    const other = await createClient(t, ownContact());

    // when A asks 6 times, then B 6 times
    const asked = async (clientId: string, times: number) => {
      const outcomes = [];
      for (let i = 0; i < times; i++) {
        outcomes.push((await request(clientId, 'EMAIL')).__typename);
        // each code goes out before the next is asked for: a code its client's next request
        // replaced before delivery is never sent (by design), which would make the count below racy
        await t.delivery.settled();
      }
      return outcomes;
    };
    const byA = await asked(a.id, 6);
    const byB = await asked(b.id, 6);

    // then each one's 6th is refused, and the address has had 10 codes
    expect(byA).toEqual([...Array(5).fill('ContactVerificationRequested'), 'RateLimitedError']);
    expect(byB).toEqual([...Array(5).fill('ContactVerificationRequested'), 'RateLimitedError']);
    expect((await t.delivery.settled()).filter((message) => message.to === shared)).toHaveLength(10);

    // and C, who never asked, is refused for that address too, with the same answer as a client's own limit
    const refusedForC = expectRateLimited(await request(c.id, 'EMAIL'));
    const refusedForA = expectRateLimited(await request(a.id, 'EMAIL'));
    const withoutSeconds = (outcome: { message: string }) => outcome.message.replace(/\d+/g, 'N');
    expect(withoutSeconds(refusedForC)).toBe(withoutSeconds(refusedForA));
    expect(await codesSentTo(c.id, 'EMAIL')).toBe(0);

    // while C's phone, and another client's address, are not limited by it
    expect(await request(c.id, 'MOBILE_PHONE')).toMatchObject({ __typename: 'ContactVerificationRequested' });
    expect(await request(other.id, 'EMAIL')).toMatchObject({ __typename: 'ContactVerificationRequested' });

    // and the limits table holds no email address or phone number, only client ids and hashes
    const rows = await t.app.database.prisma.countedAttempt.findMany();
    const stored = JSON.stringify(rows.map((row) => [row.rule, row.subject]));
    for (const client of [a, b, c, other]) {
      expect(stored).not.toContain(client.email!.split('@')[0]);
      expect(stored).not.toContain(client.mobilePhone!.slice(1));
    }
    const destinationRows = rows.filter((row) => row.rule === 'contact-request-destination');
    expect(destinationRows.length).toBeGreaterThanOrEqual(12);
    for (const row of destinationRows) expect(row.subject).toMatch(/^[0-9a-f]{64}$/);

    // when the hour has passed, C may ask
    t.clock.advance(HOUR);
    expect(await request(c.id, 'EMAIL')).toMatchObject({ __typename: 'ContactVerificationRequested' });
  });

  it('purges counted attempts once their window has passed', async () => {
    // given attempts counted now
    const client = await createClient(t, ownContact());
    expect(await request(client.id, 'EMAIL')).toMatchObject({ __typename: 'ContactVerificationRequested' });
    const table = t.app.database.prisma.countedAttempt;
    expect(await table.count()).toBeGreaterThan(2);

    // when a day has passed (longer than every default window) and one more attempt is counted
    t.clock.advance(25 * HOUR);
    expect(await request(client.id, 'EMAIL')).toMatchObject({ __typename: 'ContactVerificationRequested' });

    // then only that attempt's rows are left: one for the client's channel, one for the address
    const left = await table.findMany();
    expect(left.map((row) => row.rule).sort()).toEqual(['contact-request', 'contact-request-destination']);
  });
});
