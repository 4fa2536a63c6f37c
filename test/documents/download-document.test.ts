import { randomBytes } from 'node:crypto';
import { ClientDocument } from '../generated/graphql';
import { JPEG_BYTES, PDF_BYTES, PNG_BYTES, createClient, pdfBase64 } from '../support/fixtures';
import { Download, addPendingDocument, download } from '../support/documents-helpers';
import { TestApp, startTestApp } from '../support/test-app';

const MINUTE = 60_000;

/** A refused download: 403 or 404, and a body that tells nothing (no id, no reason, no stored bytes). */
function expectRefusedWithoutDetail(response: Download, ...secrets: string[]) {
  expect([403, 404]).toContain(response.status);
  const body = response.body.toString('utf8');
  expect(body.length).toBeLessThan(64);
  expect(body).not.toMatch(/signature|expire|hmac|invalid|stack|error|sql|\bat\s+\S+\s+\(/i);
  for (const secret of secrets) expect(body).not.toContain(secret);
  expect(response.contentType ?? '').not.toMatch(/image|pdf/);
}

function withParam(url: string, name: string, value: string | null): string {
  const altered = new URL(url);
  if (value === null) altered.searchParams.delete(name);
  else altered.searchParams.set(name, value);
  return altered.toString();
}

describe('downloading a document through its downloadUrl', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it.each([
    { kind: 'PNG', contentType: 'image/png', bytes: PNG_BYTES },
    { kind: 'JPEG', contentType: 'image/jpeg', bytes: JPEG_BYTES },
    { kind: 'PDF', contentType: 'application/pdf', bytes: PDF_BYTES },
  ])('serves a $kind document: an absolute URL on this server, the stored bytes, the stored content type', async ({ contentType, bytes }) => {
    // given a stored document
    const client = await createClient(t);
    const document = await addPendingDocument(t, client.id, { contentType, contentBase64: bytes.toString('base64') });

    // when its downloadUrl is fetched with a plain GET
    const url = new URL(document.downloadUrl);
    const response = await download(document.downloadUrl);

    // then the link is absolute, on this server, and answers exactly what was stored
    expect(`${url.protocol}//${url.host}`).toBe(t.url);
    expect(response.status).toBe(200);
    expect(response.contentType).toBe(contentType);
    expect(response.body.equals(bytes)).toBe(true);
  });

  it('gives a working link each time the document is read', async () => {
    const client = await createClient(t);
    const document = await addPendingDocument(t, client.id);

    const { client: read } = await t.run(ClientDocument, { id: client.id });

    const response = await download(read!.documents[0].downloadUrl);
    expect(read!.documents[0].id).toBe(document.id);
    expect(response.status).toBe(200);
    expect(response.body.equals(PNG_BYTES)).toBe(true);
  });

  describe('refuses an altered link, saying nothing', () => {
    let first: { id: string; downloadUrl: string };
    let second: { id: string; downloadUrl: string };
    beforeAll(async () => {
      const client = await createClient(t);
      first = await addPendingDocument(t, client.id);
      second = await addPendingDocument(t, client.id, { type: 'OTHER', fileName: 'letter.pdf', contentType: 'application/pdf', contentBase64: pdfBase64 });
    });

    it('another document of the same client behind the first one\'s signature', async () => {
      expect(first.downloadUrl).toContain(first.id);

      const response = await download(first.downloadUrl.replace(first.id, second.id));

      expectRefusedWithoutDetail(response, first.id, second.id);
    });

    it('an id that is not a document id', async () => {
      const response = await download(first.downloadUrl.replace(first.id, 'not-a-document'));

      expectRefusedWithoutDetail(response, first.id);
    });

    it('a changed signature', async () => {
      const signature = new URL(first.downloadUrl).searchParams.get('signature')!;
      const changed = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;

      expectRefusedWithoutDetail(await download(withParam(first.downloadUrl, 'signature', changed)), first.id);
      expectRefusedWithoutDetail(await download(withParam(first.downloadUrl, 'signature', signature.slice(0, -1))), first.id);
      expectRefusedWithoutDetail(await download(withParam(first.downloadUrl, 'signature', null)), first.id);
    });

    it('a signature of the right shape that the server did not make', async () => {
      const made = new URL(first.downloadUrl).searchParams.get('signature')!;
      const forged = randomBytes(32).toString('base64url');
      expect(forged).toHaveLength(made.length);

      expectRefusedWithoutDetail(await download(withParam(first.downloadUrl, 'signature', forged)), first.id);
    });

    it('a changed or missing expiry', async () => {
      const expires = new URL(first.downloadUrl).searchParams.get('expires')!;
      expect(expires).toMatch(/^\d+$/);

      expectRefusedWithoutDetail(await download(withParam(first.downloadUrl, 'expires', String(Number(expires) + 3600))), first.id);
      expectRefusedWithoutDetail(await download(withParam(first.downloadUrl, 'expires', String(Number(expires) - 1))), first.id);
      expectRefusedWithoutDetail(await download(withParam(first.downloadUrl, 'expires', null)), first.id);
    });

    it('a trailing slash, an added parameter or a repeated one', async () => {
      const url = new URL(first.downloadUrl);
      const signature = url.searchParams.get('signature')!;

      expectRefusedWithoutDetail(await download(`${url.origin}${url.pathname}/${url.search}`), first.id);
      expectRefusedWithoutDetail(await download(`${first.downloadUrl}&x=1`), first.id);
      expectRefusedWithoutDetail(await download(`${first.downloadUrl}&signature=${signature}`), first.id);
      expectRefusedWithoutDetail(await download(`${first.downloadUrl}&`), first.id);
    });

    it('while the genuine links still work', async () => {
      expect((await download(first.downloadUrl)).status).toBe(200);
      expect((await download(second.downloadUrl)).body.equals(PDF_BYTES)).toBe(true);
    });
  });

  it('cannot be turned into a link to another client\'s document', async () => {
    // given two clients, each with a document
    const alice = await createClient(t, { firstName: 'Alice' });
    const bob = await createClient(t, { firstName: 'Bob' });
    const alicesDocument = await addPendingDocument(t, alice.id);
    const bobsDocument = await addPendingDocument(t, bob.id, { type: 'OTHER', fileName: 'bob.pdf', contentType: 'application/pdf', contentBase64: pdfBase64 });

    // when Alice's link is pointed at Bob's document
    const response = await download(alicesDocument.downloadUrl.replace(alicesDocument.id, bobsDocument.id));

    // then Bob's document is not served
    expectRefusedWithoutDetail(response, alicesDocument.id, bobsDocument.id, bob.id);
    expect(response.body.equals(PDF_BYTES)).toBe(false);
  });

  it('stops working 5 minutes after it was given out', async () => {
    // given a link given out now
    const client = await createClient(t);
    const document = await addPendingDocument(t, client.id);

    // when 4 minutes pass it still works
    t.clock.advance(4 * MINUTE);
    expect((await download(document.downloadUrl)).status).toBe(200);

    // and once 5 minutes and a second have passed it is refused with 403 and no detail
    t.clock.advance(MINUTE + 1000);
    const expired = await download(document.downloadUrl);
    expect(expired.status).toBe(403);
    expectRefusedWithoutDetail(expired, document.id);

    // while a freshly read link works again
    const { client: read } = await t.run(ClientDocument, { id: client.id });
    expect((await download(read!.documents[0].downloadUrl)).status).toBe(200);
  });
});
