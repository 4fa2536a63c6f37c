import { randomUUID } from 'node:crypto';
import { AddIdentifierDocument, ClientDocument } from '../generated/graphql';
import { addSsn, createClient, randomSsn } from '../support/fixtures';
import { HOUR, Outcome, addSsnField, aliasedMutation, outcomesOf, ownContact, retryAfterOf, startAppWithDefaultLimits } from '../support/limits-helpers';
import { TestApp, selfToken } from '../support/test-app';

const DAY_SECONDS = (24 * HOUR) / 1000;

describe('the limit on addIdentifier (default: 10 attempts per client a day, whatever their outcome)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startAppWithDefaultLimits();
  });
  afterAll(() => t?.stop());

  const add = async (as: Pick<TestApp, 'run'>, clientId: string, value: string) =>
    (await as.run(AddIdentifierDocument, { input: { clientId, type: 'SSN', value } })).addIdentifier;
  const fetchClient = async (id: string) => (await t.run(ClientDocument, { id })).client!;
  const identifierRowsOf = (clientId: string) => t.app.database.prisma.identifier.count({ where: { clientId } });

  it('counts successes, duplicates and refused values alike; the 11th attempt is RateLimitedError and writes nothing', async () => {
    // given a customer, and an SSN another client holds
    const client = await createClient(t, ownContact());
    const me = t.as(await selfToken(client.id));
    const taken = randomSsn();
    await addSsn(t, (await createClient(t, ownContact())).id, taken);

    // when the customer makes 10 attempts: 4 new SSNs, 3 the taken one, 3 that are not SSNs
    const attempts = [randomSsn(), taken, '666-12-3456', randomSsn(), taken, '12-34', randomSsn(), taken, '000-11-2222', randomSsn()];
    const answers = [];
    for (const value of attempts) answers.push((await add(me, client.id, value)).__typename);
    const before = await fetchClient(client.id);

    // then each got its usual answer
    expect(answers).toEqual([
      'AddIdentifierSuccess',
      'DuplicateIdentifierError',
      'ValidationError',
      'AddIdentifierSuccess',
      'DuplicateIdentifierError',
      'ValidationError',
      'AddIdentifierSuccess',
      'DuplicateIdentifierError',
      'ValidationError',
      'AddIdentifierSuccess',
    ]);

    // when an 11th, 12th and 13th attempt follow: a new SSN, the taken one, a value that is not an SSN
    const refused = [await add(me, client.id, randomSsn()), await add(me, client.id, taken), await add(me, client.id, '1')];

    // then each is RateLimitedError for about a day (the duplicate answer is no longer given)
    for (const outcome of refused) {
      const seconds = retryAfterOf(outcome);
      expect(seconds).toBeGreaterThan(DAY_SECONDS - 120);
      expect(seconds).toBeLessThanOrEqual(DAY_SECONDS);
    }
    // and nothing was written: no identifier, no version bump, no event
    const after = await fetchClient(client.id);
    expect(after.version).toBe(before.version);
    expect(after.history).toEqual(before.history);
    expect(after.identifiers).toHaveLength(4);
    expect(await identifierRowsOf(client.id)).toBe(4);

    // when the day has passed, the customer may add again
    t.clock.advance(retryAfterOf(refused[0]) * 1000);
    expect(await add(me, client.id, randomSsn())).toMatchObject({ __typename: 'AddIdentifierSuccess' });
  });

  it('closes the SSN oracle: knowing the last four digits, aliased guesses stop at the limit before they reach the SSN', async () => {
    // given a victim's SSN, of which the attacker knows the last four digits (the API returns them)
    const victim = await createClient(t, ownContact());
    const ssn = randomSsn();
    await addSsn(t, victim.id, ssn);
    const [victimArea, , last4] = ssn.split('-');

    // when the attacker tries 12 SSNs ending in those digits on their own client, in one aliased operation,
    // the right one 11th (an unlimited attacker finds it among ~990 candidates in seconds)
    const attacker = await createClient(t, ownContact());
    const me = t.as(await selfToken(attacker.id));
    const guesses = Array.from({ length: 12 }, (_, i) => `${String(((Number(victimArea) + i) % 665) + 1).padStart(3, '0')}-${String(10 + i)}-${last4}`);
    guesses[10] = ssn;
    const response = await me.post<Record<string, Outcome>>({ query: aliasedMutation(guesses.map((guess) => addSsnField(attacker.id, guess))) });
    expect(response.errors).toBeUndefined();
    const outcomes = outcomesOf(response.data, guesses.length);

    // then the first 10 are answered, and the 11th, the victim's SSN, is RateLimitedError, not DuplicateIdentifierError
    expect(outcomes.slice(0, 10).every((outcome) => outcome.__typename === 'AddIdentifierSuccess')).toBe(true);
    expect(outcomes.slice(10).map((outcome) => outcome.__typename)).toEqual(['RateLimitedError', 'RateLimitedError']);
  });

  it('checks ownership first: another client\'s id is ClientNotFoundError, even once that client\'s limit is reached', async () => {
    // given a client whose limit staff have used up
    const other = await createClient(t, ownContact());
    for (let i = 0; i < 10; i++) expect(await add(t, other.id, randomSsn())).toMatchObject({ __typename: 'AddIdentifierSuccess' });
    retryAfterOf(await add(t, other.id, randomSsn()));

    // when a customer adds an identifier to that client, or to an id nobody has
    const customer = await createClient(t, ownContact());
    const me = t.as(await selfToken(customer.id));
    const toOther = await add(me, other.id, randomSsn());
    const nobody = randomUUID();
    const toNobody = await add(me, nobody, randomSsn());

    // then both answer ClientNotFoundError alike, and the customer's own count is untouched
    expect(toOther).toMatchObject({ __typename: 'ClientNotFoundError', clientId: other.id });
    expect(toNobody).toMatchObject({ __typename: 'ClientNotFoundError', clientId: nobody });
    expect(await t.app.database.prisma.countedAttempt.count({ where: { subject: customer.id } })).toBe(0);
  });
});
