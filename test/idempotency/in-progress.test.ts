import { randomUUID } from 'node:crypto';
import { parse } from 'graphql';
import { CreateClientDocument } from '../generated/graphql';
import { ALL_STAFF_SCOPES } from '../../src/auth/tokens';
import { requestHashOf } from '../../src/graphql/idempotency';
import { countClients } from '../support/clients-helpers';
import { codeOf, operation, postWithKey } from '../support/idempotency-helpers';
import { TestApp, startTestApp } from '../support/test-app';

describe('a repeat while the first request with its key is still running', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const createAda = operation(CreateClientDocument, { input: { firstName: 'Ada', lastName: 'Lovelace' } });
  // The test token's scopes are part of the hash: an answer is replayed only to the same scopes.
  const hashOfCreateAda = requestHashOf(parse(createAda.query), null, createAda.variables, [...ALL_STAFF_SCOPES].sort());

  /** The row a first request leaves between the commit of its effects and the write of its response. */
  async function claimedByAFirstRequest(key: string) {
    const now = t.clock.now();
    await t.app.database.prisma.$executeRaw`
      INSERT INTO idempotency_keys (caller, key, request_hash, state, created_at, expires_at)
      VALUES ('staff:test-staff', ${key}, ${hashOfCreateAda}, 'RUNNING', ${now}, ${new Date(now.getTime() + 86_400_000)})`;
  }

  it('waits for the first and answers its response', async () => {
    // given a first request running with a key
    const key = randomUUID();
    await claimedByAFirstRequest(key);
    const before = await countClients(t);

    // when a repeat comes and the first finishes 300 ms later
    const repeat = postWithKey(t.url, createAda, key);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const response = JSON.stringify({ data: { createClient: { __typename: 'ClientPayload', client: { id: 'the-first-one' } } } });
    await t.app.database.prisma.$executeRaw`UPDATE idempotency_keys SET state = 'DONE', response = ${response}::json WHERE key = ${key}`;

    // then the repeat answers the first's response and ran nothing itself
    const answer = await repeat;
    expect(answer.replayed).toBe(true);
    expect(answer.text.trimEnd()).toBe(response);
    expect(await countClients(t)).toBe(before);
  });

  it('gives up after a few seconds with IDEMPOTENCY_KEY_IN_USE, 409, and runs nothing', async () => {
    const key = randomUUID();
    await claimedByAFirstRequest(key);
    const before = await countClients(t);
    const started = Date.now();
    const answer = await postWithKey(t.url, createAda, key);
    expect(answer.status).toBe(409);
    expect(codeOf(answer)).toBe('IDEMPOTENCY_KEY_IN_USE');
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_000);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await countClients(t)).toBe(before);
  }, 20_000);

  it('says the answer was lost, at once, for a key still RUNNING longer than any request runs: IDEMPOTENCY_KEY_ANSWER_LOST, and runs nothing', async () => {
    // given a first request that committed its change with the key, and then its server or database failed before storing the answer
    const key = randomUUID();
    await claimedByAFirstRequest(key);
    const before = await countClients(t);

    // when the client retries three minutes later
    t.clock.advance(3 * 60_000);
    try {
      const started = Date.now();
      const answer = await postWithKey(t.url, createAda, key);

      // then it learns at once that the change was applied and its answer lost, and nothing runs again
      expect(answer.status).toBe(409);
      expect(codeOf(answer)).toBe('IDEMPOTENCY_KEY_ANSWER_LOST');
      expect(answer.body.errors?.[0]?.message).toMatch(/was applied/);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(await countClients(t)).toBe(before);
    } finally {
      t.clock.advance(-3 * 60_000);
    }
  });

  it('refuses a running key sent with other variables at once: IDEMPOTENCY_KEY_REUSED', async () => {
    const key = randomUUID();
    await claimedByAFirstRequest(key);
    const answer = await postWithKey(t.url, operation(CreateClientDocument, { input: { firstName: 'Grace', lastName: 'Hopper' } }), key);
    expect(answer.status).toBe(422);
    expect(codeOf(answer)).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('runs ten simultaneous requests with one key once, all answering the same body', async () => {
    const key = randomUUID();
    const before = await countClients(t);
    const answers = await Promise.all(Array.from({ length: 10 }, () => postWithKey(t.url, createAda, key)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    expect(new Set(answers.map((answer) => answer.text)).size).toBe(1);
    expect(answers.filter((answer) => !answer.replayed)).toHaveLength(1);
    expect(await countClients(t)).toBe(before + 1);
  });
});
