import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { CreateClientDocument } from '../generated/graphql';
import { countClients } from '../support/clients-helpers';
import { codeOf, operation, postWithKey } from '../support/idempotency-helpers';
import { TestApp, startTestApp, testToken } from '../support/test-app';

describe('an Idempotency-Key a mutation cannot take', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const createAda = operation(CreateClientDocument, { input: { firstName: 'Ada', lastName: 'Lovelace' } });

  it.each([
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
    ['5,000 characters', 'k'.repeat(5_000)],
    ['a tab', 'key\twith-tab'],
    ['a Latin-1 letter', 'cl\u00e9'],
    ['UTF-8 bytes', Buffer.from('clé-✓', 'utf8').toString('latin1')],
  ])('refuses a key of %s: IDEMPOTENCY_KEY_INVALID, 400, nothing created', async (_what, key) => {
    const before = await countClients(t);
    const answer = await postWithKey(t.url, createAda, key);
    expect(answer.status).toBe(400);
    expect(codeOf(answer)).toBe('IDEMPOTENCY_KEY_INVALID');
    expect(await countClients(t)).toBe(before);
  });

  it('takes a key of 255 printable characters, spaces and punctuation included', async () => {
    const key = `${'~ !"#$%&()*+,-./:;<=>?@[\\]^_`{|}'}${randomUUID()}`.padEnd(255, 'z');
    const first = await postWithKey(t.url, createAda, key);
    expect(first.status).toBe(200);
    expect((await postWithKey(t.url, createAda, key)).text).toBe(first.text);
  });

  it('never runs a request whose key holds a control character (the HTTP server refuses it)', async () => {
    const before = await countClients(t);
    const body = JSON.stringify(createAda);
    const { port } = new URL(t.url);
    const raw = [
      'POST /graphql HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      'Content-Type: application/json',
      `Authorization: Bearer ${await testToken()}`,
      'Idempotency-Key: bad\u0001key',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n');
    const statusLine = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.end(raw));
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString('latin1')));
      socket.on('end', () => resolve(received.split('\r\n')[0]));
      socket.on('error', reject);
    });
    expect(statusLine).toMatch(/^HTTP\/1\.1 4\d\d /);
    expect(await countClients(t)).toBe(before);
  });

  it('refuses a keyed operation with two mutation fields (aliases), before running either', async () => {
    const before = await countClients(t);
    const aliased = `mutation Two {
      first: createClient(input: { firstName: "Ada", lastName: "One" }) { __typename }
      ...Second
    }
    fragment Second on Mutation { second: createClient(input: { firstName: "Ada", lastName: "Two" }) { __typename } }`;
    const answer = await postWithKey(t.url, { query: aliased }, randomUUID());
    expect(answer.status).toBe(400);
    expect(codeOf(answer)).toBe('IDEMPOTENCY_KEY_SINGLE_MUTATION');
    expect(await countClients(t)).toBe(before);
  });

  it('takes one mutation field with __typename beside it', async () => {
    const answer = await postWithKey(t.url, { query: 'mutation { __typename createClient(input: { firstName: "Ada", lastName: "Solo" }) { __typename } }' }, randomUUID());
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ createClient: { __typename: 'ClientPayload' } });
  });

  it('refuses an HTTP batch (a JSON array of operations): batching is off', async () => {
    const before = await countClients(t);
    const answer = await postWithKey(t.url, [createAda, createAda], randomUUID());
    expect(answer.status).toBe(400);
    expect(await countClients(t)).toBe(before);
  });
});
