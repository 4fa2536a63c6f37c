/**
 * Direct uploads (issue 11), end to end over HTTP on each storage adapter: createDocumentUpload,
 * PUT the raw bytes to the signed URL, addDocument with uploadId; what goes wrong on the way (a
 * wrong size, a wrong hash, the wrong type, an expired, reused or foreign upload, a forged link, a
 * client that goes away mid-upload) is refused with a code and leaves nothing behind; downloads
 * stream with Range.
 */
import http from 'node:http';
import { AddDocumentShowingClientDocument } from '../generated/graphql';
import { createUpload, createdUpload, documentState, download, pdfOfSize, putBytes, sha256Hex } from '../support/documents-helpers';
import { PNG_BYTES, createClient } from '../support/fixtures';
import { STORAGE_ADAPTERS } from '../support/storage-adapters';
import { TestApp, selfToken, startTestApp } from '../support/test-app';

const MINUTE = 60_000;
const MiB = 1024 * 1024;

describe.each(STORAGE_ADAPTERS)('direct uploads on the $name storage', (adapter) => {
  let t: TestApp;
  beforeAll(async () => {
    await adapter.start();
    t = await startTestApp({ config: { documentStorage: adapter.config() } });
  });
  afterAll(async () => {
    await t?.stop();
    await adapter.stop();
  });

  /** addDocument with an upload: the union member as it came. */
  async function addFromUpload(clientId: string, uploadId: string, contentType = 'application/pdf', who: Pick<TestApp, 'run'> = t) {
    const result = await who.run(AddDocumentShowingClientDocument, {
      input: { clientId, type: 'PASSPORT', fileName: 'passport.pdf', contentType, uploadId },
    });
    return result.addDocument;
  }

  /** The upload's row and how many stored files and chunks its key has. */
  async function stored(uploadId: string) {
    const [row] = await t.app.database.prisma.$queryRawUnsafe<Array<{ status: string; key: string; objects: number; chunks: number }>>(
      `SELECT u.status::text AS status, u.storage_key AS key,
              (SELECT count(*) FROM document_objects o WHERE o.key = u.storage_key)::int AS objects,
              (SELECT count(*) FROM document_chunks c WHERE c.key = u.storage_key)::int AS chunks
         FROM document_uploads u WHERE u.id = $1::uuid`,
      uploadId,
    );
    return row ?? null;
  }

  it('takes a 10 MiB file: create, PUT, addDocument; the document downloads as the exact file, whole or by range', async () => {
    // given a client and a 10 MiB PDF
    const client = await createClient(t);
    const bytes = pdfOfSize(10 * MiB);

    // when an upload is created with its size and digest, and the bytes are PUT to its URL
    const upload = await createdUpload(t, client.id, bytes, { sha256: sha256Hex(bytes).toUpperCase() });
    expect(new Date(upload.expiresAt).getTime() - t.clock.now().getTime()).toBeGreaterThan(14 * MINUTE);
    expect(new Date(upload.expiresAt).getTime() - t.clock.now().getTime()).toBeLessThanOrEqual(15 * MINUTE);
    const put = await putBytes(upload.uploadUrl, bytes);
    expect(put).toEqual({ status: 200, body: { uploadId: upload.uploadId, sizeBytes: bytes.length, sha256: sha256Hex(bytes) } });

    // and addDocument names the upload
    const added = await addFromUpload(client.id, upload.uploadId);

    // then the document is the file: size, digest, history
    if (added.__typename !== 'AddDocumentSuccess') throw new Error(JSON.stringify(added));
    expect(added.document).toMatchObject({ sizeBytes: bytes.length, sha256: sha256Hex(bytes), contentType: 'application/pdf', status: 'PENDING_REVIEW' });
    // the event names the document and its type, not its hash (a fingerprint of the scan stays off events and webhooks)
    expect(added.client.history.at(-1)).toMatchObject({ type: 'DOCUMENT_ADDED', detail: { documentId: added.document.id, type: 'PASSPORT' } });
    expect(JSON.stringify(added.client.history)).not.toContain(sha256Hex(bytes));
    expect((await stored(upload.uploadId))?.status).toBe('CONSUMED');

    // and it downloads whole, exactly
    const whole = await download(added.document.downloadUrl);
    expect(whole.status).toBe(200);
    expect(whole.body.equals(bytes)).toBe(true);

    // and by range: a prefix, across a chunk boundary, an open end, a suffix
    const ranged = async (range: string) => {
      const response = await fetch(added.document.downloadUrl, { headers: { range } });
      return { status: response.status, contentRange: response.headers.get('content-range'), length: response.headers.get('content-length'), body: Buffer.from(await response.arrayBuffer()) };
    };
    for (const [range, start, end] of [
      ['bytes=0-99', 0, 99],
      ['bytes=65530-65545', 65530, 65545],
      ['bytes=131072-131072', 131072, 131072],
      [`bytes=${bytes.length - 70000}-`, bytes.length - 70000, bytes.length - 1],
      ['bytes=-10', bytes.length - 10, bytes.length - 1],
      [`bytes=5-${bytes.length + 1000}`, 5, bytes.length - 1],
    ] as const) {
      const answer = await ranged(range);
      expect({ range, status: answer.status, contentRange: answer.contentRange, length: answer.length }).toEqual({
        range,
        status: 206,
        contentRange: `bytes ${start}-${end}/${bytes.length}`,
        length: String(end - start + 1),
      });
      expect(answer.body.equals(bytes.subarray(start, end + 1))).toBe(true);
    }
    // a range past the end is 416 with the size; several ranges, or a stale If-Range, get the whole file
    expect(await ranged(`bytes=${bytes.length}-`)).toMatchObject({ status: 416, contentRange: `bytes */${bytes.length}` });
    expect(await ranged('bytes=0-1,5-6')).toMatchObject({ status: 200, length: String(bytes.length) });
    const stale = await fetch(added.document.downloadUrl, { headers: { range: 'bytes=0-1', 'if-range': '"not-the-etag"' } });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
  });

  it('refuses a wrong size while streaming, keeps nothing, and lets the same upload be tried again', async () => {
    const client = await createClient(t);
    const bytes = pdfOfSize(200_000);
    const upload = await createdUpload(t, client.id, bytes);

    // a Content-Length other than the declared size is refused before any byte is read
    expect(await putBytes(upload.uploadUrl, bytes.subarray(0, bytes.length - 1))).toMatchObject({ status: 400, body: { error: { code: 'SIZE_MISMATCH' } } });
    expect(await putBytes(upload.uploadUrl, Buffer.concat([bytes, Buffer.from('x')]))).toMatchObject({ status: 400, body: { error: { code: 'SIZE_MISMATCH' } } });
    // without a Content-Length (chunked): too few bytes at the end, too many as soon as they arrive
    expect(await putBytes(upload.uploadUrl, streamOf(bytes.subarray(0, bytes.length - 1)))).toMatchObject({ status: 400, body: { error: { code: 'SIZE_MISMATCH' } } });
    expect(await putBytes(upload.uploadUrl, streamOf(Buffer.concat([bytes, bytes])))).toMatchObject({ status: 413, body: { error: { code: 'SIZE_MISMATCH' } } });
    expect(await stored(upload.uploadId)).toMatchObject({ status: 'CREATED', objects: 0, chunks: 0 });
    // addDocument before the bytes arrived
    expect(await addFromUpload(client.id, upload.uploadId)).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ path: ['input', 'uploadId'], code: 'UPLOAD_INCOMPLETE' }],
    });

    // then the right bytes still go through
    expect((await putBytes(upload.uploadUrl, bytes)).status).toBe(200);
    expect((await addFromUpload(client.id, upload.uploadId)).__typename).toBe('AddDocumentSuccess');
  });

  it('refuses bytes whose SHA-256 is not the declared one', async () => {
    const client = await createClient(t);
    const bytes = pdfOfSize(1000);
    const upload = await createdUpload(t, client.id, bytes, { sha256: sha256Hex(Buffer.from('something else')) });

    expect(await putBytes(upload.uploadUrl, bytes)).toMatchObject({ status: 400, body: { error: { code: 'SHA256_MISMATCH' } } });
    expect(await stored(upload.uploadId)).toMatchObject({ status: 'CREATED', objects: 0, chunks: 0 });
    expect(await addFromUpload(client.id, upload.uploadId)).toMatchObject({ fieldErrors: [{ code: 'UPLOAD_INCOMPLETE' }] });
  });

  it('checks the type by structure on addDocument, as for contentBase64, and the declared type against the upload\'s', async () => {
    const client = await createClient(t);
    const html = Buffer.from('<html><!-- %PDF-1.4 --><script>alert(1)</script></html>');
    const upload = await createdUpload(t, client.id, html);
    expect((await putBytes(upload.uploadUrl, html)).status).toBe(200);
    const before = await documentState(t, client.id);

    expect(await addFromUpload(client.id, upload.uploadId)).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ path: ['input', 'uploadId'], code: 'CONTENT_TYPE_MISMATCH' }],
    });
    expect(await addFromUpload(client.id, upload.uploadId, 'image/png')).toMatchObject({
      fieldErrors: [{ path: ['input', 'contentType'], code: 'CONTENT_TYPE_MISMATCH', message: 'The upload was created for application/pdf, not image/png.' }],
    });
    // nothing was written, and the upload is not used up
    expect(await documentState(t, client.id)).toEqual(before);
    expect((await stored(upload.uploadId))?.status).toBe('RECEIVED');
  });

  it('makes an upload single-use: a second addDocument or a second PUT is refused', async () => {
    const client = await createClient(t);
    const bytes = pdfOfSize(5000);
    const upload = await createdUpload(t, client.id, bytes);
    expect((await putBytes(upload.uploadUrl, bytes)).status).toBe(200);

    expect(await putBytes(upload.uploadUrl, bytes)).toMatchObject({ status: 409, body: { error: { code: 'UPLOAD_ALREADY_USED' } } });
    expect((await addFromUpload(client.id, upload.uploadId)).__typename).toBe('AddDocumentSuccess');
    expect(await addFromUpload(client.id, upload.uploadId)).toMatchObject({ fieldErrors: [{ path: ['input', 'uploadId'], code: 'UPLOAD_ALREADY_USED' }] });
    expect(await putBytes(upload.uploadUrl, bytes)).toMatchObject({ status: 409, body: { error: { code: 'UPLOAD_ALREADY_USED' } } });
    expect((await documentState(t, client.id)).documentIds).toHaveLength(1);
  });

  it('takes the bytes of one upload once when two PUTs race', async () => {
    const client = await createClient(t);
    const bytes = pdfOfSize(3 * MiB);
    const upload = await createdUpload(t, client.id, bytes);

    const answers = await Promise.all([putBytes(upload.uploadUrl, bytes), putBytes(upload.uploadUrl, bytes)]);

    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    expect(answers.find((answer) => answer.status === 409)?.body?.error?.code).toMatch(/^UPLOAD_(IN_PROGRESS|ALREADY_USED)$/);
    expect(await stored(upload.uploadId)).toMatchObject({ status: 'RECEIVED', objects: 1 });
    expect((await addFromUpload(client.id, upload.uploadId)).__typename).toBe('AddDocumentSuccess');
  });

  it('refuses a Content-Length it cannot read, or one far past the limit, before reading the body', async () => {
    const client = await createClient(t);
    const bytes = pdfOfSize(1000);
    const upload = await createdUpload(t, client.id, bytes);
    const url = new URL(upload.uploadUrl);
    const raw = (length: string) =>
      new Promise<number>((resolve, reject) => {
        const request = http.request({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: 'PUT', headers: { 'content-length': length } }, (response) => {
          response.resume();
          resolve(response.statusCode!);
        });
        request.on('error', reject);
        request.end();
      });
    expect(await raw('99999999999999')).toBe(400);
    expect(await stored(upload.uploadId)).toMatchObject({ status: 'CREATED', objects: 0 });
    expect((await putBytes(upload.uploadUrl, bytes)).status).toBe(200);
  });

  it('answers Expect: 100-continue only once the upload may take the bytes, so a refused one never sends them', async () => {
    const client = await createClient(t);
    const bytes = pdfOfSize(2 * MiB);
    const upload = await createdUpload(t, client.id, bytes);
    /** A PUT that sends its body only when told to continue; what happened, in order. */
    const expectingPut = (url: string, length: number) =>
      new Promise<{ continued: boolean; status: number }>((resolve, reject) => {
        const target = new URL(url);
        let continued = false;
        const request = http.request(
          { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: 'PUT', headers: { 'content-length': String(length), expect: '100-continue' } },
          (response) => {
            response.resume();
            response.on('end', () => resolve({ continued, status: response.statusCode! }));
          },
        );
        request.on('continue', () => {
          continued = true;
          request.end(bytes.subarray(0, length));
        });
        request.on('error', reject);
        request.flushHeaders();
      });

    // refused (a Content-Length other than the declared size; a forged link): no "continue", no bytes
    expect(await expectingPut(upload.uploadUrl, bytes.length - 1)).toEqual({ continued: false, status: 400 });
    expect(await expectingPut(upload.uploadUrl.replace(/signature=[^&]+/, `signature=${'A'.repeat(43)}`), bytes.length)).toEqual({ continued: false, status: 403 });
    // accepted: "continue", then the bytes
    expect(await expectingPut(upload.uploadUrl, bytes.length)).toEqual({ continued: true, status: 200 });
    expect(await stored(upload.uploadId)).toMatchObject({ status: 'RECEIVED', objects: 1 });
  });

  it('lets two concurrent addDocument calls with one upload make one document', async () => {
    const client = await createClient(t);
    const bytes = pdfOfSize(3000);
    const upload = await createdUpload(t, client.id, bytes);
    expect((await putBytes(upload.uploadUrl, bytes)).status).toBe(200);

    const answers = await Promise.all([addFromUpload(client.id, upload.uploadId), addFromUpload(client.id, upload.uploadId)]);

    expect(answers.map((answer) => answer.__typename).sort()).toEqual(['AddDocumentSuccess', 'ValidationError']);
    expect((await documentState(t, client.id)).documentIds).toHaveLength(1);
  });

  it('refuses an expired upload, and the sweep deletes unused uploads with their bytes', async () => {
    const client = await createClient(t);
    const bytes = pdfOfSize(70_000);
    const received = await createdUpload(t, client.id, bytes);
    expect((await putBytes(received.uploadUrl, bytes)).status).toBe(200);
    const empty = await createdUpload(t, client.id, bytes);
    const used = await createdUpload(t, client.id, bytes);
    expect((await putBytes(used.uploadUrl, bytes)).status).toBe(200);
    const usedDocument = await addFromUpload(client.id, used.uploadId);
    if (usedDocument.__typename !== 'AddDocumentSuccess') throw new Error(JSON.stringify(usedDocument));
    expect(await stored(received.uploadId)).toMatchObject({ objects: 1, chunks: adapter.name === 'database' ? 2 : 0 });

    // when 16 minutes pass
    t.clock.advance(16 * MINUTE);

    // then the upload is refused, and its link too
    expect(await addFromUpload(client.id, received.uploadId)).toMatchObject({ fieldErrors: [{ path: ['input', 'uploadId'], code: 'EXPIRED' }] });
    expect((await putBytes(empty.uploadUrl, bytes)).status).toBe(403);

    // and once the grace period is over the sweep deletes the unused ones and their bytes, never a document's
    t.clock.advance(10 * MINUTE);
    expect(await t.app.services.documentUploads.sweepExpired()).toBeGreaterThanOrEqual(3);
    expect(await stored(received.uploadId)).toBeNull();
    expect(await stored(empty.uploadId)).toBeNull();
    const [{ objects }] = await t.app.database.prisma.$queryRawUnsafe<Array<{ objects: number }>>(
      `SELECT count(*)::int AS objects FROM document_objects WHERE key LIKE $1`,
      `uploads/${client.id}/${received.uploadId}`,
    );
    expect(objects).toBe(0);
    const kept = await download(usedDocument.document.downloadUrl.replace(/expires=\d+/, 'expires=0'));
    expect(kept.status).toBe(403); // the link expired with the clock; a fresh one still serves the bytes:
    expect((await download(t.app.services.downloadLinks.urlFor(t.url, usedDocument.document.id))).body.equals(bytes)).toBe(true);
  });

  it('keeps uploads to their client: another client\'s upload id reads as unknown, and a customer uploads only for themself', async () => {
    const owner = await createClient(t);
    const other = await createClient(t);
    const bytes = pdfOfSize(2000);
    const upload = await createdUpload(t, owner.id, bytes);
    expect((await putBytes(upload.uploadUrl, bytes)).status).toBe(200);

    // staff naming the wrong client, and the other customer with their own token
    expect(await addFromUpload(other.id, upload.uploadId)).toMatchObject({ fieldErrors: [{ path: ['input', 'uploadId'], code: 'UPLOAD_NOT_FOUND' }] });
    const otherCustomer = t.as(await selfToken(other.id));
    expect(await addFromUpload(other.id, upload.uploadId, 'application/pdf', otherCustomer)).toMatchObject({ fieldErrors: [{ code: 'UPLOAD_NOT_FOUND' }] });
    expect(await addFromUpload(owner.id, upload.uploadId, 'application/pdf', otherCustomer)).toMatchObject({ __typename: 'ClientNotFoundError' });
    expect(await createUpload(otherCustomer, owner.id, bytes)).toMatchObject({ __typename: 'ClientNotFoundError' });
    // forged ids are the same answer
    expect(await addFromUpload(owner.id, 'not-a-uuid')).toMatchObject({ fieldErrors: [{ code: 'UPLOAD_NOT_FOUND' }] });

    // the owner, with their own token, uploads and adds
    const ownerCustomer = t.as(await selfToken(owner.id));
    expect((await addFromUpload(owner.id, upload.uploadId, 'application/pdf', ownerCustomer)).__typename).toBe('AddDocumentSuccess');
    const own = await createdUpload(ownerCustomer, owner.id, bytes);
    expect((await putBytes(own.uploadUrl, bytes)).status).toBe(200);
  });

  it('refuses forged and altered upload links with 403, before reading anything', async () => {
    const client = await createClient(t);
    const bytes = pdfOfSize(1000);
    const a = await createdUpload(t, client.id, bytes);
    const b = await createdUpload(t, client.id, bytes);
    const signatureOf = (url: string) => new URL(url).searchParams.get('signature')!;
    const expiresOf = (url: string) => new URL(url).searchParams.get('expires')!;
    const base = a.uploadUrl.split('?')[0];

    for (const url of [
      `${base}?expires=${expiresOf(a.uploadUrl)}&signature=${signatureOf(b.uploadUrl)}`,
      `${base}?expires=${Number(expiresOf(a.uploadUrl)) + 3600}&signature=${signatureOf(a.uploadUrl)}`,
      `${base}?expires=${expiresOf(a.uploadUrl)}`,
      base,
      `${t.url}/uploads/..%2f..%2fgraphql?expires=${expiresOf(a.uploadUrl)}&signature=${signatureOf(a.uploadUrl)}`,
      `${t.url}/uploads/${b.uploadId}?expires=${expiresOf(a.uploadUrl)}&signature=${signatureOf(a.uploadUrl)}`,
      `${a.uploadUrl}&x=1`,
      `${base}/?expires=${expiresOf(a.uploadUrl)}&signature=${signatureOf(a.uploadUrl)}`,
    ]) {
      expect({ url, status: (await putBytes(url, bytes)).status }).toEqual({ url, status: 403 });
    }
    expect(await stored(a.uploadId)).toMatchObject({ status: 'CREATED', objects: 0 });
  });

  it('answers every bad input with field paths', async () => {
    const client = await createClient(t);
    const answer = await createUpload(t, client.id, Buffer.alloc(0), { contentType: 'text/html', sizeBytes: 0, sha256: 'abc' });
    expect(answer).toMatchObject({ __typename: 'ValidationError' });
    expect(answer.__typename === 'ValidationError' && answer.fieldErrors.map((error) => [error.path.join('.'), error.code])).toEqual([
      ['input.contentType', 'UNSUPPORTED_CONTENT_TYPE'],
      ['input.sizeBytes', 'OUT_OF_RANGE'],
      ['input.sha256', 'INVALID_FORMAT'],
    ]);
    expect(await createUpload(t, client.id, Buffer.alloc(0), { sizeBytes: 10 * MiB + 1 })).toMatchObject({ fieldErrors: [{ path: ['input', 'sizeBytes'], code: 'TOO_LARGE' }] });
    // addDocument: neither content nor upload, or both
    const neither = await t.run(AddDocumentShowingClientDocument, { input: { clientId: client.id, type: 'PASSPORT', fileName: 'a.png', contentType: 'image/png' } });
    expect(neither.addDocument).toMatchObject({ fieldErrors: [{ path: ['input', 'contentBase64'], code: 'REQUIRED' }] });
    const both = await t.run(AddDocumentShowingClientDocument, {
      input: { clientId: client.id, type: 'PASSPORT', fileName: 'a.png', contentType: 'image/png', contentBase64: PNG_BYTES.toString('base64'), uploadId: client.id },
    });
    expect(both.addDocument).toMatchObject({ fieldErrors: [{ path: ['input', 'uploadId'], code: 'INVALID_VALUE' }] });
  });

  it('frees the upload when the client goes away mid-upload, keeping nothing of it', async () => {
    const client = await createClient(t);
    const bytes = pdfOfSize(3 * MiB);
    const upload = await createdUpload(t, client.id, bytes);

    // a body that sends 1 MiB, then breaks once the server is receiving
    let sent = false;
    const broken = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(bytes.subarray(0, MiB));
        } else {
          await waitFor(async () => (await stored(upload.uploadId))?.status === 'RECEIVING');
          controller.error(new Error('the network went away'));
        }
      },
    });
    await putBytes(upload.uploadUrl, broken, { 'content-length': String(bytes.length) }).catch(() => undefined);

    // then, once the server noticed, the upload is free again with nothing stored, and a new PUT works
    await waitFor(async () => (await stored(upload.uploadId))?.status === 'CREATED');
    expect(await stored(upload.uploadId)).toMatchObject({ status: 'CREATED', objects: 0, chunks: 0 });
    expect((await putBytes(upload.uploadUrl, bytes)).status).toBe(200);
  });
});

/** A body sent chunked (no Content-Length), 64 KiB at a time. */
function streamOf(bytes: Buffer): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + 65536));
      offset += 65536;
    },
  });
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
