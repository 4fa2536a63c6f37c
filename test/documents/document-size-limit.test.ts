import http from 'node:http';
import { OVERSIZED_STRING_MARK } from '../../src/shared/oversized';
import { PNG_BYTES, createClient } from '../support/fixtures';
import { addDocument, documentState, download, sha256Hex } from '../support/documents-helpers';
import { TestApp, startTestApp, testToken } from '../support/test-app';

const MIB = 1024 * 1024;

/** A file of exactly `size` bytes that the server recognises as a PNG (it starts with the signature and a valid IHDR chunk). */
function pngOfSize(size: number): Buffer {
  const bytes = Buffer.alloc(size, 0x2a);
  PNG_BYTES.copy(bytes, 0, 0, 8 + 25);
  return bytes;
}

describe('the 10 MiB limit on a document', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('accepts a file of exactly 10 MiB and serves it back whole', async () => {
    // given a client and a PNG of exactly 10 MiB
    const client = await createClient(t);
    const bytes = pngOfSize(10 * MIB);

    // when it is added
    const result = await addDocument(t, client.id, { contentType: 'image/png', contentBase64: bytes.toString('base64') });

    // then it is stored whole, and its download link serves exactly those bytes
    if (result.__typename !== 'AddDocumentSuccess') throw new Error(JSON.stringify(result).slice(0, 1000));
    expect(result.document).toMatchObject({ sizeBytes: 10 * MIB, sha256: sha256Hex(bytes), status: 'PENDING_REVIEW' });
    const served = await download(result.document.downloadUrl);
    expect(served.status).toBe(200);
    expect(served.body.length).toBe(10 * MIB);
    expect(served.body.equals(bytes)).toBe(true);
  });

  it('refuses a file of 10 MiB and one byte as TOO_LARGE, storing nothing', async () => {
    // given a client and a PNG one byte over the limit
    const client = await createClient(t);
    const before = await documentState(t, client.id);
    const bytes = pngOfSize(10 * MIB + 1);

    // when it is added
    const result = await addDocument(t, client.id, { contentType: 'image/png', contentBase64: bytes.toString('base64') });

    // then it is refused on contentBase64, and nothing was written
    if (result.__typename !== 'ValidationError') throw new Error(JSON.stringify(result).slice(0, 1000));
    expect(result.fieldErrors.map(({ path, code }) => ({ path, code }))).toEqual([{ path: ['input', 'contentBase64'], code: 'TOO_LARGE' }]);
    expect(await documentState(t, client.id)).toEqual(before);
  });
});

describe('a file far over the limit, in a body over BODY_LIMIT_BYTES', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('is TOO_LARGE on contentBase64 like a file one byte over, not an HTTP 413, and nothing is stored', async () => {
    // given a client and a 20 MiB PNG: 27 MB of base64, over the 16 MiB body limit
    const client = await createClient(t);
    const before = await documentState(t, client.id);
    const base64 = pngOfSize(20 * MIB).toString('base64');
    expect(base64.length).toBeGreaterThan(t.app.config.bodyLimitBytes);

    // when it is added
    const result = await addDocument(t, client.id, { contentType: 'image/png', contentBase64: base64 });

    // then it is refused on its field, and nothing was written
    if (result.__typename !== 'ValidationError') throw new Error(JSON.stringify(result).slice(0, 1000));
    expect(result.fieldErrors.map(({ path, code }) => ({ path, code }))).toEqual([{ path: ['input', 'contentBase64'], code: 'TOO_LARGE' }]);
    expect(await documentState(t, client.id)).toEqual(before);
  });

  it('tells every problem of such a request: a long file name is refused as a value, with the file', async () => {
    const client = await createClient(t);
    const result = await addDocument(t, client.id, {
      contentType: 'image/png',
      fileName: `${'n'.repeat(2 * MIB)}.png`,
      contentBase64: pngOfSize(20 * MIB).toString('base64'),
    });
    if (result.__typename !== 'ValidationError') throw new Error(JSON.stringify(result).slice(0, 1000));
    expect(result.fieldErrors.map(({ path, code }) => ({ path, code }))).toEqual(
      expect.arrayContaining([
        { path: ['input', 'fileName'], code: expect.stringMatching(/^(INVALID_VALUE|TOO_LONG)$/) },
        { path: ['input', 'contentBase64'], code: 'TOO_LARGE' },
      ]),
    );
  });

  it('gives a caller who sends the mark itself no more than a refusal', async () => {
    const client = await createClient(t);
    const before = await documentState(t, client.id);
    const result = await addDocument(t, client.id, { contentType: 'image/png', fileName: `${OVERSIZED_STRING_MARK}1`, contentBase64: `${OVERSIZED_STRING_MARK}12` });
    if (result.__typename !== 'ValidationError') throw new Error(JSON.stringify(result).slice(0, 1000));
    expect(result.fieldErrors.map(({ path, code }) => ({ path, code }))).toEqual([
      { path: ['input', 'fileName'], code: 'INVALID_VALUE' },
      { path: ['input', 'contentBase64'], code: 'TOO_LARGE' },
    ]);
    expect(await documentState(t, client.id)).toEqual(before);
  });

  it('is still 413 for any other operation that big, and for a body declaring more than 4 times the limit', async () => {
    // another mutation with 20 MB of variables
    const other = await t.post({ query: 'mutation($v: CreateClientInput!) { createClient(input: $v) { __typename } }', variables: { v: { firstName: 'n'.repeat(20 * MIB), lastName: 'L' } } });
    expect(other.status).toBe(413);

    // a body of 4 times the limit and a byte: not read (the ordinary parser drains it, then answers)
    const token = await testToken();
    const declared = 4 * t.app.config.bodyLimitBytes + 1;
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(declared), authorization: `Bearer ${token}` },
      });
      request.on('response', (response) => {
        resolve(response.statusCode ?? 0);
        response.resume();
      });
      request.on('error', reject);
      const chunk = Buffer.alloc(MIB, 0x41);
      for (let sent = 0; sent < declared; sent += chunk.length) request.write(chunk.subarray(0, Math.min(chunk.length, declared - sent)));
      request.end();
    });
    expect(status).toBe(413);
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
  });
});

describe('huge hostile uploads', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  // V8's regexp interpreter can overflow its backtracking stack on strings this long; these inputs
  // once produced INTERNAL_SERVER_ERROR on a cold process. Each must be a typed refusal.
  it.each([
    ['13.9 MB of base64 with one bad character at the end', () => 'A'.repeat(13_981_012) + '!==='],
    ['a data: prefix with no comma, 13.9 MB long', () => `data:${'x'.repeat(13_981_000)}`],
    ['13.9 MB of valid-looking base64 decoding past the limit', () => 'A'.repeat(13_981_016)],
  ])('refuses %s with a ValidationError, not a server error', async (_what, build) => {
    const client = await createClient(t);
    const result = await addDocument(t, client.id, { contentType: 'image/png', contentBase64: build() });
    if (result.__typename !== 'ValidationError') throw new Error(JSON.stringify(result).slice(0, 500));
    expect(result.fieldErrors.map((error) => error.path)).toEqual([['input', 'contentBase64']]);
  });
});
