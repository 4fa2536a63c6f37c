import { PNG_BYTES, createClient } from '../support/fixtures';
import { addDocument, documentState, download, sha256Hex } from '../support/documents-helpers';
import { TestApp, startTestApp } from '../support/test-app';

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
